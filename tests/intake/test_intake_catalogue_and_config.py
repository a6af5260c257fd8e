"""Message overrides, municipality configuration and the stored state are validated."""

import copy

import pytest
from tests.intake.intake_scripting import BASE_CONFIG

from intake.catalogue import DEFAULTS, Catalogue
from intake.context import MunicipalityConfig
from intake.errors import CatalogueError, InvalidConfig, InvalidState
from intake.state import State


def test_an_override_replaces_the_default_text():
    catalogue = Catalogue({"restart": "もう一度はじめましょう。"})
    assert catalogue.text("restart") == "もう一度はじめましょう。"


def test_an_override_may_reword_but_must_keep_the_placeholders():
    catalogue = Catalogue({"emergency": "緊急の連絡先です。\n{contacts}\n{municipality}の担当者に知らせました。"})
    assert "110" in catalogue.text("emergency", contacts="・警察 110", municipality="みどり市")
    with pytest.raises(CatalogueError, match="placeholders"):
        Catalogue({"emergency": "{municipality}の担当者に知らせました。"})  # numbers dropped
    with pytest.raises(CatalogueError, match="placeholders"):
        Catalogue({"restart": "{name}さん、はじめから"})


@pytest.mark.parametrize("overrides, fragment", [
    ({"no_such_key": "x"}, "unknown message key"),
    ({"restart": "  "}, "non-empty"),
    ({"label_done": "これで全部です。ほかにはありません、ありがとう"}, "20 characters"),
    ({"restart": "{broken"}, "braces"),
])
def test_bad_overrides_are_rejected(overrides, fragment):
    with pytest.raises(CatalogueError, match=fragment):
        Catalogue(overrides)


def test_a_missing_placeholder_value_is_an_error_not_a_blank():
    with pytest.raises(CatalogueError, match="case_ref"):
        Catalogue().text("handed_off_reminder")


def test_default_labels_fit_line_quick_replies():
    assert all(len(text) <= 20 for key, text in DEFAULTS.items() if key.startswith("label_"))


def config(**changes) -> dict:
    data = copy.deepcopy(BASE_CONFIG)
    data.update(changes)
    return data


def test_config_defaults_to_nationwide_emergency_numbers():
    numbers = [c.number for c in MunicipalityConfig.from_dict(config()).emergency_contacts]
    assert numbers[:2] == ["110", "119"] and "189" in numbers and "#8008" in numbers


@pytest.mark.parametrize("changes, fragment", [
    ({"districts": [f"地区{i}" for i in range(13)]}, "at most 12"),
    ({"districts": ["北", "北"]}, "repeat"),
    ({"districts": ["とても長い名前の地区でラベルに入りきらないところ"]}, "longer than"),
    ({"emergency_contacts": [{"name": "警察", "number": " "}]}, "name and a number"),
    ({"name": ""}, "name is empty"),
    ({"general_info": ""}, "general_info"),
    ({"messages": {"nope": "x"}}, "unknown message key"),
])
def test_bad_config_is_rejected_with_a_clear_error(changes, fragment):
    with pytest.raises((InvalidConfig, CatalogueError), match=fragment):
        MunicipalityConfig.from_dict(config(**changes))


def test_missing_config_fields_are_named():
    data = config()
    del data["office_hours"]
    with pytest.raises(InvalidConfig, match="office_hours"):
        MunicipalityConfig.from_dict(data)


def test_state_survives_its_json_form():
    from datetime import UTC, datetime

    state = State(phase="asking", question="contact", answers={"whose": "family", "consent": None},
                  consent_at=datetime(2025, 6, 2, 1, tzinfo=UTC), case_ref="MD-0001", domains=["poverty"])
    assert State.from_dict(state.to_dict()) == state


@pytest.mark.parametrize("data", [
    {"phase": "new"},  # no version
    {"v": 1, "phase": "dancing"},
    {"v": 1, "phase": "new", "mystery": 1},
    {"v": 1, "phase": "new", "answers": {"shoe_size": "27"}},
    {"v": 1, "phase": "new", "handed_off_at": "yesterday"},
    {"v": 1, "phase": "asking"},  # asking what?
    {"v": 1, "phase": "confirming_deletion"},  # cancel back to where?
])
def test_unreadable_state_is_refused(data):
    with pytest.raises(InvalidState):
        State.from_dict(data)


def test_the_flow_config_comes_from_the_municipality_document():
    """The demo city's document yields the flow's config: districts, contacts, hours, holidays."""
    from datetime import UTC, datetime

    from intake.context import config_from_municipality
    from routing.municipality_file import load_demo_municipality

    city = load_demo_municipality()
    config = config_from_municipality(city)
    assert config.name == city.name
    assert config.districts == tuple(d.name for d in city.districts)
    assert [c.number for c in config.emergency_contacts] == [c.number for c in city.emergency_contacts]
    assert config.general_info == city.general_info
    # Monday 2026-11-30 10:00 JST is open; New Year's Day and a Sunday are not.
    assert config.office_hours.is_open(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    assert not config.office_hours.is_open(datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    assert not config.office_hours.is_open(datetime(2026, 11, 29, 1, 0, tzinfo=UTC))
