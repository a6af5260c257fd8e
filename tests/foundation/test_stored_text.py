"""What names and documents may hold (storage/text.py): what passes and what is refused."""

import pytest

from storage.text import has_control_characters


@pytest.mark.parametrize(
    "text",
    ["伊藤 花子", "ｲﾄｳ", "緊急対応（夜間）", "家族👨‍👩‍👧", "❤️ありがとう", "Ｍａｒｉａ　Ｓａｎｔｏｓ"],
)
def test_ordinary_names_pass_emoji_joiners_and_variation_selectors_included(text):
    assert not has_control_characters(text) and not has_control_characters(text, multiline=True)


@pytest.mark.parametrize(
    "text",
    [
        "伊藤\x00",  # NUL: PostgreSQL refuses it
        "\x1b[2J",  # a terminal escape
        "admin\u202etoor",  # right-to-left override: shows as "adminroot"
        "緊急\u200b対応",  # zero-width space: a second queue that looks the same
        "\ufeff伊藤",  # byte order mark
        "伊藤\u2066花子\u2069",  # directional isolate
        "a\u2028b",  # line separator: breaks a one-line field without a visible line break
    ],
)
def test_control_and_invisible_format_characters_are_refused_in_both_modes(text):
    assert has_control_characters(text) and has_control_characters(text, multiline=True)


def test_line_breaks_and_tabs_pass_only_where_several_lines_belong():
    assert has_control_characters("一行目\n二行目\tタブ")
    assert not has_control_characters("一行目\r\n二行目\tタブ", multiline=True)
