"""Each case action: one audit row naming the actor, lifecycle rules enforced, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from console.actions.assignment import do_assign_case, do_take_case, do_transfer_case
from console.actions.conversation import do_add_note, do_retry_reply, do_send_reply, note_text
from console.actions.lifecycle import do_acknowledge_emergency, do_reopen_case, do_resolve_case
from console.actions.records import (
    do_correct_tags,
    do_record_disclosure,
    do_set_consent,
    do_set_follow_up,
    do_view_case,
)
from console.errors import Conflict, Forbidden, InvalidInput, NotFound
from storage import events
from storage.models import AuditEvent, Case, CaseNote, CaseShare, Message, TagCorrection, utcnow
from tests.console.seed import actor_of, seed_case


@pytest.fixture
def world(services, seeded):
    class World:
        sato = actor_of(services, seeded.staff["sato"])  # elderly_care
        suzuki = actor_of(services, seeded.staff["suzuki"])  # poverty
        tanaka = actor_of(services, seeded.staff["tanaka"])  # supervisor
        case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
        queues = seeded.queues
        staff = seeded.staff

    return World


def run(services, action, *args, **kwargs):
    with services.sessions.begin() as session:
        result = action(session, *args, **kwargs)
        session.flush()
        return result


def audit_rows(services, case_id: int) -> list[AuditEvent]:
    with services.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target_type == "case", AuditEvent.target_id == str(case_id))
                .order_by(AuditEvent.id)
            )
        )


def case_of(services, case_id: int) -> Case:
    with services.sessions() as session:
        return session.get(Case, case_id)


def test_take_assigns_the_actor_once_with_one_audit_row(services, world):
    run(services, do_take_case, world.case_id, actor=world.sato)
    run(services, do_take_case, world.case_id, actor=world.sato)  # a double click changes nothing
    case = case_of(services, world.case_id)
    assert (case.status, case.assignee_id) == ("assigned", world.sato.id)
    [row] = audit_rows(services, world.case_id)
    assert (row.action, row.actor_type, row.actor_id) == (events.CASE_ASSIGN, "staff", str(world.sato.id))
    assert row.detail["from_status"] == "open" and row.detail["taken"] is True


def test_assign_needs_a_member_of_the_queue_and_none_returns_the_case_to_open(services, world):
    with pytest.raises(InvalidInput):
        run(services, do_assign_case, world.case_id, world.suzuki.id, actor=world.sato)  # poverty staff
    run(services, do_assign_case, world.case_id, world.tanaka.id, actor=world.sato)  # supervisors may work anywhere
    assert case_of(services, world.case_id).assignee_id == world.tanaka.id
    run(services, do_assign_case, world.case_id, None, actor=world.sato)
    case = case_of(services, world.case_id)
    assert (case.status, case.assignee_id) == ("open", None)
    assert [r.action for r in audit_rows(services, world.case_id)] == [events.CASE_ASSIGN, events.CASE_ASSIGN]


def test_transfer_refers_the_case_and_can_keep_it_visible_to_the_old_queue(services, world):
    run(services, do_take_case, world.case_id, actor=world.sato)
    run(services, do_transfer_case, world.case_id, world.queues["poverty"], keep_shared=True, actor=world.sato)
    case = case_of(services, world.case_id)
    assert (case.status, case.queue_id, case.assignee_id) == ("referred", world.queues["poverty"], None)
    with services.sessions() as session:
        shares = session.scalars(select(CaseShare.queue_id).where(CaseShare.case_id == case.id)).all()
    assert shares == [world.queues["elderly_care"]]
    row = audit_rows(services, world.case_id)[-1]
    assert row.action == events.CASE_TRANSFER
    assert (row.detail["from_queue"], row.detail["to_queue"]) == (world.queues["elderly_care"], world.queues["poverty"])
    # Now the poverty staff lead it; the old queue may still read and note it, but not act.
    run(services, do_take_case, world.case_id, actor=world.suzuki)
    with pytest.raises(Forbidden):
        run(services, do_resolve_case, world.case_id, "supported", actor=world.sato)
    run(services, do_add_note, services.cipher, world.case_id, "共有元からの補足", actor=world.sato)


def test_transfer_to_the_same_queue_or_from_waiting_is_refused(services, world):
    with pytest.raises(InvalidInput):
        run(services, do_transfer_case, world.case_id, world.queues["elderly_care"], actor=world.sato)
    with services.sessions.begin() as session:
        session.get(Case, world.case_id).status = "waiting"
    with pytest.raises(Conflict):  # waiting -> referred is not in the lifecycle table
        run(services, do_transfer_case, world.case_id, world.queues["poverty"], actor=world.sato)
    assert audit_rows(services, world.case_id) == []


def test_reply_stores_a_pending_message_and_moves_the_case_to_waiting(services, world):
    result = run(
        services,
        do_send_reply,
        services.cipher,
        world.case_id,
        " ご連絡ありがとうございます。 ",
        "token-0123456789abcdef",
        actor=world.sato,
    )
    assert result.created
    case = case_of(services, world.case_id)
    assert (case.status, case.assignee_id) == ("waiting", world.sato.id)
    assert case.first_staff_reply_at is not None
    with services.sessions() as session:
        message = session.get(Message, result.message.id)
        assert (message.sender, message.delivery_status, message.staff_id) == ("staff", "pending", world.sato.id)
        assert message.retry_key and "ご連絡" not in message.body_enc
    [row] = audit_rows(services, world.case_id)
    assert row.action == events.CASE_REPLY and row.detail["message_id"] == result.message.id
    assert "ご連絡" not in str(row.detail)


def test_reply_is_refused_on_a_resolved_case_and_when_empty(services, world):
    with pytest.raises(InvalidInput):
        run(services, do_send_reply, services.cipher, world.case_id, "   ", "token-empty-0123456789", actor=world.sato)
    run(services, do_resolve_case, world.case_id, "information", actor=world.sato)
    with pytest.raises(Conflict):
        run(
            services,
            do_send_reply,
            services.cipher,
            world.case_id,
            "こんにちは",
            "token-resolved-012345",
            actor=world.sato,
        )
    with services.sessions() as session:
        assert session.scalar(select(func.count(Message.id)).where(Message.sender == "staff")) == 0


def test_retry_puts_a_failed_reply_back_to_pending_with_the_same_retry_key(services, world):
    result = run(
        services,
        do_send_reply,
        services.cipher,
        world.case_id,
        "こんにちは",
        "token-retry-0123456789",
        actor=world.sato,
    )
    with pytest.raises(Conflict):  # only failed replies are retried
        run(services, do_retry_reply, world.case_id, result.message.id, actor=world.sato)
    with services.sessions.begin() as session:
        message = session.get(Message, result.message.id)
        message.delivery_status, message.delivery_error, retry_key = "failed", "LINE 400", message.retry_key
    run(services, do_retry_reply, world.case_id, result.message.id, actor=world.sato)
    with services.sessions() as session:
        message = session.get(Message, result.message.id)
        assert (message.delivery_status, message.delivery_error, message.retry_key) == ("pending", None, retry_key)
    assert audit_rows(services, world.case_id)[-1].action == events.CASE_REPLY_RETRY


def test_note_is_encrypted_and_audited_without_its_text(services, world):
    note = run(services, do_add_note, services.cipher, world.case_id, "娘さんに電話する予定", actor=world.sato)
    with services.sessions() as session:
        stored = session.get(CaseNote, note.id)
        assert "娘" not in stored.body_enc and note_text(services.cipher, stored) == "娘さんに電話する予定"
    [row] = audit_rows(services, world.case_id)
    assert row.action == events.CASE_NOTE and "娘" not in str(row.detail)


def test_follow_up_date_is_stored_and_a_past_date_refused(services, world):
    tomorrow = date.today() + timedelta(days=2)
    run(services, do_set_follow_up, world.case_id, tomorrow, actor=world.sato)
    assert case_of(services, world.case_id).follow_up_at.astimezone().date() >= tomorrow - timedelta(days=1)
    with pytest.raises(InvalidInput):
        run(services, do_set_follow_up, world.case_id, date(2000, 1, 1), actor=world.sato)
    run(services, do_set_follow_up, world.case_id, None, actor=world.sato)
    assert case_of(services, world.case_id).follow_up_at is None
    assert [r.detail["date"] for r in audit_rows(services, world.case_id)] == [tomorrow.isoformat(), None]


def test_consent_records_who_and_when(services, world):
    run(services, do_set_consent, world.case_id, "granted", actor=world.sato)
    case = case_of(services, world.case_id)
    assert (case.consent, case.consent_set_by) == ("granted", "staff:sato") and case.consent_set_at is not None
    [row] = audit_rows(services, world.case_id)
    assert row.action == events.CASE_CONSENT and row.detail == {"from": "unknown", "to": "granted"}
    with pytest.raises(InvalidInput):
        run(services, do_set_consent, world.case_id, "maybe", actor=world.sato)


def test_multi_agency_meeting_needs_consent_but_support_meeting_does_not(services, world):
    held = date.today()
    with pytest.raises(Conflict):
        run(
            services,
            do_record_disclosure,
            world.case_id,
            meeting="multi_agency_meeting",
            held_on=held,
            queue_ids=[world.queues["poverty"]],
            actor=world.sato,
        )
    run(
        services,
        do_record_disclosure,
        world.case_id,
        meeting="support_meeting",
        held_on=held,
        queue_ids=[world.queues["poverty"]],
        actor=world.sato,
    )
    [row] = audit_rows(services, world.case_id)
    assert row.action == events.CASE_DISCLOSE
    assert row.detail == {"meeting": "support_meeting", "held_on": held.isoformat(), "queues": ["poverty"]}
    # The meeting's members may now read the case.
    run(services, do_view_case, world.case_id, actor=world.suzuki)


def test_tag_correction_is_kept_as_feedback_and_an_emergency_gets_pinned(services, world):
    correction = run(
        services,
        do_correct_tags,
        world.case_id,
        domains=["poverty", "elderly_care"],
        patterns=["8050"],
        urgency="emergency",
        actor=world.sato,
    )
    with services.sessions() as session:
        stored = session.get(TagCorrection, correction.id)
        assert stored.before == {"domains": ["elderly_care"], "patterns": [], "urgency": "normal"}
        assert stored.after == {"domains": ["elderly_care", "poverty"], "patterns": ["8050"], "urgency": "emergency"}
    case = case_of(services, world.case_id)
    assert case.domains == ["elderly_care", "poverty"] and case.emergency and case.emergency_acknowledged_at is None
    with pytest.raises(InvalidInput):  # the same labels again are no correction
        run(
            services,
            do_correct_tags,
            world.case_id,
            domains=["elderly_care", "poverty"],
            patterns=["8050"],
            urgency="emergency",
            actor=world.sato,
        )
    with pytest.raises(InvalidInput):
        run(
            services,
            do_correct_tags,
            world.case_id,
            domains=["cooking"],
            patterns=[],
            urgency="normal",
            actor=world.sato,
        )
    assert [r.action for r in audit_rows(services, world.case_id)] == [events.CASE_TAGS]


def test_emergency_is_visible_to_everyone_until_acknowledged(services, world, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["emergency"], urgency="emergency", emergency=True)
    run(services, do_view_case, case_id, actor=world.suzuki)  # not an emergency-queue member, still visible
    with pytest.raises(Conflict):
        run(services, do_resolve_case, case_id, "supported", actor=world.tanaka)  # acknowledge first
    run(services, do_acknowledge_emergency, case_id, actor=world.suzuki)
    run(services, do_acknowledge_emergency, case_id, actor=world.tanaka)  # second click: no change, no row
    case = case_of(services, case_id)
    assert case.emergency_acknowledged_by == world.suzuki.id
    assert [r.action for r in audit_rows(services, case_id)] == [events.CASE_VIEW, events.EMERGENCY_ACK]
    with pytest.raises(NotFound):  # acknowledged: back to the ordinary rule
        run(services, do_view_case, case_id, actor=world.suzuki)
    with pytest.raises(Conflict):
        run(services, do_acknowledge_emergency, world.case_id, actor=world.sato)


def test_resolve_needs_a_known_outcome_and_reopen_clears_it(services, world):
    with pytest.raises(InvalidInput):
        run(services, do_resolve_case, world.case_id, "gave_up", actor=world.sato)
    run(services, do_resolve_case, world.case_id, "referred_out", actor=world.sato)
    case = case_of(services, world.case_id)
    assert (case.status, case.outcome) == ("resolved", "referred_out") and case.resolved_at is not None
    with pytest.raises(Conflict):  # resolved -> resolved is not a transition
        run(services, do_resolve_case, world.case_id, "supported", actor=world.sato)
    run(services, do_reopen_case, world.case_id, actor=world.sato)
    case = case_of(services, world.case_id)
    assert (case.status, case.outcome, case.resolved_at) == ("open", None, None)
    rows = audit_rows(services, world.case_id)
    assert [(r.detail["from_status"], r.detail["to_status"]) for r in rows] == [
        ("open", "resolved"),
        ("resolved", "open"),
    ]
    assert rows[1].detail["previous_outcome"] == "referred_out"


def test_reopen_of_an_open_case_and_actions_on_intake_are_refused(services, world, seeded):
    with pytest.raises(Conflict):
        run(services, do_reopen_case, world.case_id, actor=world.sato)
    intake_id = seed_case(services, queue_id=seeded.queues["elderly_care"], status="intake")
    with pytest.raises(Conflict):
        run(services, do_take_case, intake_id, actor=world.sato)
    with pytest.raises(Conflict):
        run(
            services,
            do_send_reply,
            services.cipher,
            intake_id,
            "こんにちは",
            "token-intake-0123456789",
            actor=world.sato,
        )


def test_other_queues_cases_do_not_exist_for_staff(services, world):
    for action, args in (
        (do_view_case, ()),
        (do_take_case, ()),
        (do_add_note, (services.cipher, "x")),
    ):
        with pytest.raises(NotFound):
            if args and args[0] is services.cipher:
                run(services, action, args[0], world.case_id, *args[1:], actor=world.suzuki)
            else:
                run(services, action, world.case_id, *args, actor=world.suzuki)
    run(services, do_view_case, world.case_id, actor=world.tanaka)  # supervisors see all
    assert [r.actor_id for r in audit_rows(services, world.case_id)] == [str(world.tanaka.id)]


def test_view_is_audited(services, world):
    before = utcnow()
    run(services, do_view_case, world.case_id, actor=world.sato, via="api")
    [row] = audit_rows(services, world.case_id)
    assert (row.action, row.detail, row.actor_id) == (events.CASE_VIEW, {"via": "api"}, str(world.sato.id))
    assert row.at >= before - timedelta(seconds=1)
