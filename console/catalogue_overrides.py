"""Message catalogue overrides: the municipality's own wording for resident-facing messages.

Written by administrators as YAML `key: text` lines. Read here line by line (so
errors name the line); the keys and placeholders are then checked by intake's
catalogue when the settings are saved.
"""

import re

import yaml

from console.errors import InvalidInput
from routing.yaml_reader import compose
from storage.text import has_control_characters

_KEY = re.compile(r"[a-z][a-z0-9_.]{0,79}")
MAX_TEXT = 1000
MAX_ITEMS = 200


def parse_overrides(text: str) -> dict[str, str]:
    """Raise InvalidInput naming the line of the first problem."""
    if not text.strip():
        return {}
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InvalidInput(f"文言の上書き {mark.line + 1 if mark else '?'}行目: YAMLとして読めません。") from None
    except yaml.YAMLError:  # e.g. a control character, refused before parsing
        raise InvalidInput("文言の上書きに使えない文字（制御文字など）が含まれています。") from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise InvalidInput("文言の上書きは「キー: 文言」の行で書いてください。")
    result: dict[str, str] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        if not _KEY.fullmatch(key):
            raise InvalidInput(f"文言の上書き {line}行目: キー「{key}」は半角小文字・数字・_・. で書いてください。")
        if key in result:
            raise InvalidInput(f"文言の上書き {line}行目: キー「{key}」が2回あります。")
        if not isinstance(value_node, yaml.ScalarNode) or not str(value_node.value).strip():
            raise InvalidInput(f"文言の上書き {line}行目: 「{key}」の文言を書いてください。")
        if len(value_node.value) > MAX_TEXT:
            raise InvalidInput(f"文言の上書き {line}行目: 文言は{MAX_TEXT}文字以内にしてください。")
        if has_control_characters(value_node.value, multiline=True):
            raise InvalidInput(f"文言の上書き {line}行目: 使えない文字（制御文字）が含まれています。")
        result[key] = value_node.value
    if len(result) > MAX_ITEMS:
        raise InvalidInput(f"文言の上書きは{MAX_ITEMS}件までです。")
    return result


def format_overrides(overrides: dict[str, str]) -> str:
    return yaml.safe_dump(overrides, allow_unicode=True, sort_keys=True, width=1000) if overrides else ""
