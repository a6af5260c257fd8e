"""Hostile webhook bodies under a VALID signature: never a 500, never stored garbage.

The webhook's rule (bot/webhook.py): a body the SDK cannot read as LINE events
(not JSON, no `events` list, an event without the common fields) is refused whole
with 400 and stores nothing; every event it can read is stored once by its
webhookEventId, and an event marugoto does not act on (unknown type, a known
type with missing or wrong fields, group chats, standby) is stored `ignored` with a
code, never processed. So after a 200 the rows are exactly the body's distinct
event ids, each either pending (a well-formed resident event) or ignored.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.line_events import IgnoredEvent, parse_event, read_event
from storage.models import InboundEvent
from bot.bench import line_payloads as p
from tests.bot.conftest import bot_app, bot_client, bot_services, bot_settings, line_stub, post_signed  # noqa: F401

junk = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
        st.text(max_size=30), st.sampled_from(["", "x" * 5000, "\u0000", "\ud7ff\U0010ffff", "👪" * 40]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
FIELDS = ("type", "mode", "timestamp", "source", "webhookEventId", "deliveryContext", "replyToken", "message",
          "postback", "follow")


@st.composite
def hostile_event(draw) -> dict:
    """A real event with some fields removed, retyped or replaced by junk, or junk outright."""
    uid = draw(st.sampled_from([p.user_id(), "U" + "f" * 32, ""]))
    base = draw(st.sampled_from([
        p.text_event(uid, draw(st.text(max_size=200))), p.follow_event(uid), p.postback_event(uid, "x"),
        p.media_event(uid, "sticker"), p.text_event(uid, "グループ"),
    ]))
    event = dict(base)
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        action = draw(st.sampled_from(["drop", "junk", "keep"]))
        if action == "drop":
            event.pop(name, None)
        elif action == "junk":
            event[name] = draw(junk)
    if draw(st.booleans()):
        event["type"] = draw(st.sampled_from(["message", "unfollow", "join", "memberJoined", "beacon", "videoPlayComplete",
                                              "accountLink", "nope", "x" * 300]))
    if draw(st.booleans()):
        event["webhookEventId"] = draw(st.sampled_from(["DUP", "x" * 65, "x" * 5000, "", "01" + "A" * 24]))
    if draw(st.booleans()):
        event["timestamp"] = draw(st.sampled_from([0, -1, 2**62, 10**15, 1.5, "123"]))
    return draw(st.one_of(st.just(event), junk)) if draw(st.integers(0, 9)) == 0 else event


bodies = st.one_of(
    st.builds(lambda events, extra: {"destination": p.DESTINATION, "events": events, **extra},
              st.lists(hostile_event(), max_size=4), st.dictionaries(st.text(max_size=5), junk, max_size=2)),
    junk,
)


def _rows(services) -> list[InboundEvent]:
    with services.sessions() as session:
        return list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


class _Parked:
    def enqueue(self, name, *args) -> None:
        pass


def _acted_on(raw: dict) -> bool:
    try:
        read_event(parse_event(raw))
    except IgnoredEvent:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_signed_hostile_bodies_get_200_or_400_and_only_readable_events_are_stored(
    bot_client, bot_services, line_stub, body
):
    bot_services.jobs = _Parked()  # rows stay as the webhook left them
    before = {r.webhook_event_id for r in _rows(bot_services)}
    response = post_signed(bot_client, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    assert response.status_code in (200, 400), response.data[:200]
    new = [r for r in _rows(bot_services) if r.webhook_event_id not in before]
    if response.status_code == 400:
        assert new == [] and response.get_json()["error"] in ("invalid_body", "invalid_signature")
        return
    events = body["events"]
    ids = {e["webhookEventId"] for e in events}
    assert {r.webhook_event_id for r in new} == ids - before
    by_id = {e["webhookEventId"]: e for e in reversed(events)}  # the first copy of an id is the one stored
    for row in new:
        expected = "pending" if _acted_on(by_id[row.webhook_event_id]) else "ignored"
        assert row.status == expected
        assert row.status == "pending" or row.error_code


def test_an_event_with_an_unstorable_id_or_timestamp_refuses_the_body_and_stores_nothing(bot_client, bot_services):
    # Regressions found by the fuzzer: each was a 500 (year out of range; a 65-character id
    # overflowing the column on PostgreSQL). The valid event beside them is not stored either.
    uid = p.user_id()
    for bad in ({"timestamp": 2**62}, {"webhookEventId": "x" * 65}, {"webhookEventId": ""}):
        response = post_signed(bot_client, p.body(p.text_event(uid, "ok"), {**p.text_event(uid, "bad"), **bad}))
        assert response.status_code == 400 and response.get_json() == {"error": "invalid_body"}
    assert _rows(bot_services) == []
