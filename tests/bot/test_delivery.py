"""Delivering stored outbound messages: reply token once while fresh, push with the stored
retry key otherwise, retries on transient failures, failures recorded for staff."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import DELIVER_JOB, deliver_messages
from bot.jobs import run_job
from storage.models import Message, utcnow
from storage.repositories.cases import add_message, create_case
from storage.repositories.inbound import store_inbound_event
from storage.repositories.residents import get_or_create_resident, resident_hash
from bot.bench import line_payloads as p
from bot.bench.line_stub import LOADING, PUSH, REPLY


def _outbox(services, *, texts, channel="line", event_age_seconds=None, sender="bot", buttons=None):
    """A resident, optionally an answered event of the given age, and pending messages."""
    uid = ("Usim" + uuid.uuid4().hex) if channel == "simulator" else p.user_id()
    with services.sessions.begin() as session:
        resident = get_or_create_resident(session, services.cipher, uid, channel=channel)
        event_id = None
        token = None
        if event_age_seconds is not None:
            raw = p.text_event(uid, "相談です")
            token = raw["replyToken"]
            row = store_inbound_event(
                session,
                services.cipher,
                webhook_event_id=raw["webhookEventId"],
                event_type="message",
                resident_hash=resident_hash(services.cipher, uid),
                payload_json=json.dumps(raw),
                redelivery=False,
                event_at=utcnow() - timedelta(seconds=event_age_seconds),
            )
            row.status = "done"
            event_id = row.id
        case = create_case(session, resident, channel=channel) if sender == "staff" else None
        messages = [
            add_message(
                session,
                services.cipher,
                case,
                resident=resident,
                sender=sender,
                text=text,
                inbound_event_id=event_id,
                delivery_status="pending",
                retry_key=str(uuid.uuid4()) if sender == "bot" else None,
                quick_replies=buttons if index == len(texts) - 1 else None,
            )
            for index, text in enumerate(texts)
        ]
        session.flush()
        return uid, token, [m.id for m in messages]


def _messages(services, ids) -> list[Message]:
    with services.sessions() as session:
        return list(session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id)))


def test_fresh_event_is_answered_by_reply_with_quick_replies(bot_services, line_stub):
    buttons = [{"label": "これで全部です", "data": "concern:done"}]
    uid, token, ids = _outbox(bot_services, texts=["ありがとうございます"], event_age_seconds=1, buttons=buttons)
    deliver_messages(bot_services, ids)
    [call] = line_stub.calls
    assert call.path == REPLY and call.body["replyToken"] == token
    assert call.quick_reply_labels == ["これで全部です"]
    action = call.body["messages"][0]["quickReply"]["items"][0]["action"]
    assert action == {"type": "postback", "label": "これで全部です", "data": "concern:done", "displayText": "これで全部です"}
    [message] = _messages(bot_services, ids)
    assert (message.delivery_status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None


def test_stale_event_is_pushed_with_the_stored_retry_key(bot_services, line_stub):
    uid, _token, ids = _outbox(bot_services, texts=["遅くなりました"], event_age_seconds=120)
    [before] = _messages(bot_services, ids)
    deliver_messages(bot_services, ids)
    [call] = line_stub.calls
    assert call.path == PUSH
    assert call.body["to"] == uid
    assert call.retry_key == before.retry_key
    assert _messages(bot_services, ids)[0].delivery_status == "sent"


def test_more_than_five_replies_are_split_reply_then_push(bot_services, line_stub):
    texts = [f"メッセージ{i}" for i in range(7)]
    _uid, _token, ids = _outbox(bot_services, texts=texts, event_age_seconds=1)
    deliver_messages(bot_services, ids)
    assert [c.path for c in line_stub.calls] == [REPLY, PUSH]
    assert [len(c.texts) for c in line_stub.calls] == [5, 2]
    assert line_stub.sent_texts() == texts
    assert {m.delivery_status for m in _messages(bot_services, ids)} == {"sent"}


def test_rejected_reply_falls_back_to_push(bot_services, line_stub):
    line_stub.fail_next(4, "429")  # every reply attempt
    _uid, _token, ids = _outbox(bot_services, texts=["こんにちは"], event_age_seconds=1)
    deliver_messages(bot_services, ids)
    assert [c.path for c in line_stub.calls] == [REPLY] * 4 + [PUSH]
    assert line_stub.sent_texts() == ["こんにちは"]


def test_push_is_retried_on_429_with_the_same_retry_key(bot_services, line_stub):
    line_stub.fail_next(2, "429")
    _uid, _token, ids = _outbox(bot_services, texts=["再送します"], event_age_seconds=300)
    deliver_messages(bot_services, ids)
    assert [c.status for c in line_stub.calls] == [429, 429, 200]
    assert len({c.retry_key for c in line_stub.calls}) == 1
    assert _messages(bot_services, ids)[0].delivery_status == "sent"


def test_push_timeout_then_409_counts_as_sent_without_a_duplicate(bot_services, line_stub):
    line_stub.fail_next(1, "timeout")
    _uid, _token, ids = _outbox(bot_services, texts=["一度だけ"], event_age_seconds=300)
    deliver_messages(bot_services, ids)
    # The first push was taken by LINE although its answer was lost; the retry is a 409.
    assert [c.status for c in line_stub.calls] == [0, 409]
    assert line_stub.calls[0].retry_key == line_stub.calls[1].retry_key
    assert _messages(bot_services, ids)[0].delivery_status == "sent"


def test_lasting_server_errors_leave_the_messages_failed_with_a_code(bot_services, line_stub):
    line_stub.fail_next(100, "500")
    _uid, _token, ids = _outbox(bot_services, texts=["一通目", "二通目"], event_age_seconds=300)
    deliver_messages(bot_services, ids)
    assert len(line_stub.calls) == 4  # one push, three retries
    messages = _messages(bot_services, ids)
    assert [(m.delivery_status, m.delivery_error, m.attempts) for m in messages] == [("failed", "line_500", 1)] * 2


def test_a_retry_after_a_crash_reuses_the_key_and_never_the_reply_token(bot_services, line_stub):
    """A worker died after claiming the reply token: the redo pushes with the same key."""
    _uid, _token, ids = _outbox(bot_services, texts=["途中で止まった"], event_age_seconds=1)
    with bot_services.sessions.begin() as session:
        session.get(Message, ids[0]).attempts = 1
    [before] = _messages(bot_services, ids)
    run_job(bot_services, DELIVER_JOB, ids[0])
    [call] = line_stub.calls
    assert call.path == PUSH and call.retry_key == before.retry_key
    assert _messages(bot_services, ids)[0].attempts == 2


def test_sent_messages_are_not_sent_again(bot_services, line_stub):
    _uid, _token, ids = _outbox(bot_services, texts=["一度"], event_age_seconds=1)
    deliver_messages(bot_services, ids)
    deliver_messages(bot_services, ids)
    assert len(line_stub.calls) == 1


def test_staff_reply_job_pushes_and_stores_a_retry_key_before_sending(bot_services, line_stub):
    """The console's contract: a pending staff Message on the case, then deliver_message(id)."""
    uid, _token, [message_id] = _outbox(bot_services, texts=["担当の山田です。"], sender="staff")
    run_job(bot_services, DELIVER_JOB, message_id)
    [call] = line_stub.calls
    [message] = _messages(bot_services, [message_id])
    assert call.path == PUSH and call.body["to"] == uid
    assert call.retry_key == message.retry_key and message.retry_key
    assert message.delivery_status == "sent"


def test_simulator_residents_never_reach_line(bot_services, line_stub):
    _uid, _token, ids = _outbox(bot_services, texts=["シミュレーター"], channel="simulator", event_age_seconds=1)
    deliver_messages(bot_services, ids)
    assert line_stub.calls == []
    assert _messages(bot_services, ids)[0].delivery_status == "sent"


def test_messages_to_a_resident_who_blocked_the_account_fail_without_a_call(bot_services, line_stub):
    _uid, _token, ids = _outbox(bot_services, texts=["届きません"], sender="staff")
    with bot_services.sessions.begin() as session:
        session.get(Message, ids[0]).resident.reachable = False
    deliver_messages(bot_services, ids)
    assert line_stub.calls == []
    [message] = _messages(bot_services, ids)
    assert (message.delivery_status, message.delivery_error) == ("failed", "resident_unreachable")


@pytest.mark.parametrize("failure", [None, "500"])
def test_loading_animation_is_requested_and_its_failure_is_harmless(bot_services, line_stub, failure):
    if failure:
        line_stub.fail_next(1, failure)
    uid = p.user_id()
    bot_services.line.show_loading(uid, 20)
    [call] = line_stub.calls
    assert call.path == LOADING
    assert call.body == {"chatId": uid, "loadingSeconds": 20}
    assert call.headers["authorization"] == "Bearer test-access-token"


def test_a_message_line_would_refuse_fails_at_once_without_a_call(bot_services, line_stub):
    buttons = [{"label": f"選択{i}", "data": f"d{i}"} for i in range(14)]  # LINE allows 13
    _uid, _token, ids = _outbox(bot_services, texts=["多すぎる選択肢"], event_age_seconds=1, buttons=buttons)
    deliver_messages(bot_services, ids)
    assert line_stub.calls == []
    [message] = _messages(bot_services, ids)
    assert (message.delivery_status, message.delivery_error) == ("failed", "invalid_message")
