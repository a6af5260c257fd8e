"""Hostile form and JSON input to every case action: a clear 4xx, never a 500, nothing malformed stored."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from console.actions.dispatch import ACTIONS
from console.display import DOMAIN_NAMES_JA, PATTERN_NAMES_JA, URGENCY_NAMES_JA
from storage.models import Case, CaseNote, Message
from storage.repositories.cases import message_text
from tests.console.seed import seed_case

FIELDS = (
    "body",
    "client_token",
    "assignee_id",
    "queue_id",
    "keep_shared",
    "message_id",
    "follow_up",
    "consent",
    "meeting",
    "held_on",
    "queue_ids",
    "domains",
    "patterns",
    "urgency",
    "outcome",
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "1",
            "2",
            "0",
            "-1",
            "2026-02-30",
            "granted",
            "support_meeting",
            "poverty",
            "8050",
            "emergency",
            "supported",
            "x" * 6000,
        ]
    ),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(sorted(ACTIONS)), body=bodies, as_form=st.booleans())
def test_fuzzed_action_input_never_fails_the_server(staff_client, services, seeded, action, body, as_form):
    case_id = getattr(staff_client, "fuzz_case", None)
    if case_id is None:
        case_id = staff_client.fuzz_case = seed_case(services, queue_id=seeded.queues["elderly_care"])
    if as_form:
        form = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in body.items()}
        response = staff_client.post(
            f"/console/cases/{case_id}/actions/{action}", data={**form, "csrf_token": staff_client.csrf}
        )
        assert response.status_code in (302, 400, 403, 404, 409)
    else:
        response = staff_client.post(
            f"/console/api/cases/{case_id}/actions/{action}", json=body, headers={"X-CSRF-Token": staff_client.csrf}
        )
        assert response.status_code in (200, 400, 403, 404, 409)
        if response.status_code != 200:
            assert set(response.json["error"]) == {"code", "message"}
    with services.sessions() as session:
        case = session.get(Case, case_id)
        assert set(case.domains) <= set(DOMAIN_NAMES_JA) and set(case.patterns) <= set(PATTERN_NAMES_JA)
        assert case.urgency in URGENCY_NAMES_JA
        for message in session.scalars(select(Message).where(Message.sender == "staff")):
            assert 0 < len(message_text(services.cipher, message)) <= 5000
        assert all(note.body_enc for note in session.scalars(select(CaseNote)))
