"""POST /callback: what each kind of request leaves behind (status, rows, calls to LINE)."""

import dataclasses
import json

from sqlalchemy import func, select

from bot.app import create_app
from storage.models import InboundEvent, Message
from bot.bench import line_payloads as p
from tests.bot.conftest import build_test_services, post_signed
from tests.conftest import LINE_SECRET, make_settings
from bot.bench.line_stub import LOADING, PUSH, REPLY


def _rows(services) -> list[InboundEvent]:
    with services.sessions() as session:
        return list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


def _message_count(services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count(Message.id)))


def test_wrong_signature_is_400_and_stores_nothing(bot_client, bot_services, line_stub):
    raw = p.body(p.text_event(p.user_id(), "こんにちは"))
    response = post_signed(bot_client, raw, secret="not-the-channel-secret")
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_signature"}
    assert _rows(bot_services) == []
    assert line_stub.calls == []


def test_without_a_channel_secret_even_an_empty_key_signature_is_refused(tmp_path, database_url, line_stub):
    """Settings built in code may leave the secret empty: HMAC with an empty key must not count as signed."""
    settings = dataclasses.replace(make_settings(tmp_path, database_url, line_api_url=line_stub.url), line_channel_secret="")
    services = build_test_services(settings)
    try:
        client = create_app(settings, services).test_client()
        response = post_signed(client, p.body(p.text_event(p.user_id(), "こんにちは")), secret="")
        assert response.status_code == 503 and response.get_json() == {"error": "not_configured"}
        assert _rows(services) == [] and line_stub.calls == []
    finally:
        services.close()


def test_missing_signature_is_400_and_stores_nothing(bot_client, bot_services):
    raw = p.body(p.text_event(p.user_id(), "こんにちは"))
    response = bot_client.post("/callback", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert _rows(bot_services) == []


def test_signature_of_other_bytes_is_400(bot_client, bot_services):
    """The signature covers the raw bytes: re-serialised JSON with the same meaning fails."""
    event = p.text_event(p.user_id(), "こんにちは")
    signed = json.dumps({"events": [event]}).encode()
    sent = json.dumps({"events": [event]}, ensure_ascii=False).encode()
    response = post_signed(bot_client, sent, signature=p.sign(signed, LINE_SECRET))
    assert response.status_code == 400
    assert _rows(bot_services) == []


def test_signed_broken_json_is_400_and_stores_nothing(bot_client, bot_services):
    response = post_signed(bot_client, b'{"events": [{"type": "message",')
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_body"}
    assert _rows(bot_services) == []


def test_signed_body_without_events_or_with_a_broken_event_is_400(bot_client, bot_services):
    assert post_signed(bot_client, b'{"destination": "U0"}').status_code == 400
    broken = p.text_event(p.user_id(), "x")
    del broken["webhookEventId"]
    assert post_signed(bot_client, p.body(broken)).status_code == 400
    assert _rows(bot_services) == []


def test_signed_empty_event_list_is_200(bot_client, bot_services, line_stub):
    """LINE's "verify" button sends this: 200, nothing stored, nothing sent."""
    response = post_signed(bot_client, b'{"destination": "U0", "events": []}')
    assert response.status_code == 200
    assert _rows(bot_services) == []
    assert line_stub.calls == []


def test_ten_megabyte_body_is_a_json_413_and_stores_nothing(bot_client, bot_services):
    raw = p.body(p.text_event(p.user_id(), "あ" * (10 * 1024 * 1024 // 3)))
    response = post_signed(bot_client, raw)
    assert response.status_code == 413
    assert response.get_json() == {"error": "payload_too_large"}
    assert _rows(bot_services) == []


def test_text_event_is_stored_encrypted_then_answered_with_the_reply_token(bot_client, bot_services, line_stub):
    uid = p.user_id()
    event = p.text_event(uid, "母の介護のことで相談です")
    response = post_signed(bot_client, p.body(event))
    assert response.status_code == 200
    bot_services.jobs.join()

    [row] = _rows(bot_services)
    assert row.webhook_event_id == event["webhookEventId"]
    assert row.status == "done"
    # Neither the text nor the user id is readable in the stored row.
    assert "介護" not in row.payload_enc and uid not in row.payload_enc
    assert row.resident_hash and uid not in row.resident_hash
    [call] = line_stub.calls
    assert call.path == REPLY
    assert call.body["replyToken"] == event["replyToken"]
    assert call.texts == ["echo text 0"]


def test_redelivered_event_has_no_second_effect(bot_client, bot_services, line_stub):
    event = p.text_event(p.user_id(), "同じイベント")
    assert post_signed(bot_client, p.body(event)).status_code == 200
    bot_services.jobs.join()
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert post_signed(bot_client, p.body(again)).status_code == 200
    bot_services.jobs.join()
    assert len(_rows(bot_services)) == 1
    assert _message_count(bot_services) == 1
    assert len(line_stub.calls_to(REPLY)) + len(line_stub.calls_to(PUSH)) == 1


def test_sticker_is_processed_and_answered(bot_client, bot_services, line_stub):
    response = post_signed(bot_client, p.body(p.media_event(p.user_id(), "sticker")))
    assert response.status_code == 200
    bot_services.jobs.join()
    [row] = _rows(bot_services)
    assert (row.event_type, row.status) == ("message", "done")
    assert line_stub.sent_texts() == ["echo media 0"]


def test_standby_unknown_and_group_events_are_stored_as_ignored_and_get_no_reply(
    bot_client, bot_services, line_stub
):
    uid = p.user_id()
    events = [p.text_event(uid, "待機中", mode="standby"), p.unknown_event(uid), p.group_text_event(uid, "グループ")]
    response = post_signed(bot_client, p.body(*events))
    assert response.status_code == 200
    bot_services.jobs.join()
    rows = _rows(bot_services)
    assert [(r.status, r.error_code) for r in rows] == [
        ("ignored", "standby"),
        ("ignored", "unknown_type"),
        ("ignored", "not_one_to_one"),
    ]
    assert _message_count(bot_services) == 0
    assert line_stub.calls == []


def test_several_events_in_one_body_are_stored_together_and_answered_in_order(bot_client, bot_services, line_stub):
    uid = p.user_id()
    events = [p.follow_event(uid), p.text_event(uid, "一通目"), p.postback_event(uid, "concern:done")]
    assert post_signed(bot_client, p.body(*events)).status_code == 200
    bot_services.jobs.join()
    assert [r.status for r in _rows(bot_services)] == ["done", "done", "done"]
    assert line_stub.sent_texts() == ["echo follow 0", "echo text 0", "echo postback 0"]
    assert line_stub.calls_to(LOADING) == []


def test_database_down_is_503(tmp_path, line_stub):
    settings = make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/none", line_api_url=line_stub.url)
    services = build_test_services(settings)
    try:
        client = create_app(settings, services).test_client()
        response = post_signed(client, p.body(p.text_event(p.user_id(), "届きますか")))
        assert response.status_code == 503
        assert response.get_json() == {"error": "database_unavailable"}
    finally:
        services.close()


def test_queue_down_still_answers_200_and_keeps_the_event_for_the_sweeper(bot_client, bot_services, line_stub):
    class BrokenQueue:
        def enqueue(self, name, *args):
            raise ConnectionError("redis is down")

    bot_services.jobs = BrokenQueue()
    response = post_signed(bot_client, p.body(p.text_event(p.user_id(), "キューが止まっています")))
    assert response.status_code == 200
    [row] = _rows(bot_services)
    assert row.status == "pending"
    assert line_stub.calls == []
