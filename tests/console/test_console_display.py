"""The console's Japanese names agree with the label set, and durations read naturally."""

from datetime import timedelta

from sqlalchemy import select

from console import display
from nlp import labels
from routing import vocabulary
from storage.models import SessionEntry


def test_label_names_come_from_routing_which_repeats_nlp_labels_exactly():
    # console may not import nlp; routing's vocabulary is the copy it uses, kept honest here.
    assert vocabulary.DOMAIN_NAMES_JA == labels.DOMAIN_NAMES_JA
    assert vocabulary.PATTERN_NAMES_JA == labels.PATTERN_NAMES_JA
    assert vocabulary.URGENCY_NAMES_JA == labels.URGENCY_NAMES_JA
    assert display.label_name("emergency") == "緊急" and display.label_name("8050") == "8050"


def test_durations():
    assert display.duration_ja(timedelta(minutes=5)) == "5分"
    assert display.duration_ja(timedelta(hours=2)) == "2時間"
    assert display.duration_ja(timedelta(hours=2, minutes=7)) == "2時間7分"
    assert display.duration_ja(timedelta(hours=49)) == "2日1時間"
    assert display.duration_ja(timedelta(days=3)) == "3日"
    assert display.duration_ja(-timedelta(minutes=90)) == "1時間30分"


def test_a_stored_session_entry_that_cannot_be_read_means_logging_in_again(staff_client, services):
    with services.sessions.begin() as session:
        entries = session.scalars(select(SessionEntry).where(SessionEntry.key.like("%console-session%"))).all()
        assert entries
        for entry in entries:
            entry.value = "{not json"
    assert staff_client.get("/console/").location.startswith("/console/login")
