"""LINE webhook events read with the SDK's v3 models, reduced to what marugoto acts on.

The webhook and the worker both use `read_event`, so an event the webhook stores as
ignored is exactly one the worker would not act on. Timer events (a typing pause,
intake.timers) are marugoto's own: they never come from LINE.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from intake.timers import PAUSE_EVENT_TYPE, read_pause_payload

MEDIA_KINDS: tuple[str, ...] = ("sticker", "image", "audio", "video", "file", "location")
SIMULATOR_USER_PREFIX = "Usim"  # real LINE user ids are "U" + 32 hex digits


class IgnoredEvent(Exception):
    """An event marugoto does not act on; `code` says why (never the content)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResidentEvent:
    kind: str  # follow | unfollow | text | postback | media | pause
    user_id: str
    at: datetime
    webhook_event_id: str
    reply_token: str | None = None
    text: str | None = None
    data: str | None = None  # postback data
    media_kind: str | None = None  # MEDIA_KINDS
    is_unblocked: bool = False
    pause_after: int | None = None  # a pause timer: the inbound event it follows


MAX_EVENT_ID_CHARS = 64  # InboundEvent.webhook_event_id


def event_time(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


def check_envelope(event: Event) -> None:
    """Raise ValueError unless the fields every stored event needs are usable.

    LINE never sends such an event; one that does not pass cannot even be stored as
    ignored (its id is the key), so the webhook refuses its body whole.
    """
    if not event.webhook_event_id or len(event.webhook_event_id) > MAX_EVENT_ID_CHARS:
        raise ValueError("webhookEventId is empty or too long")
    try:
        event_time(event.timestamp)
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError("timestamp is out of range") from exc


def user_id_of(event: Event) -> str | None:
    """The sender of a one-to-one chat; None for groups, rooms and events without one."""
    source = event.source
    if isinstance(source, UserSource) and source.user_id:
        return source.user_id
    return None


def read_event(event: Event) -> ResidentEvent:
    """What a resident did; raises IgnoredEvent for everything else."""
    if isinstance(event, UnknownEvent):
        # A type we act on that the SDK could not read is malformed, not new: say so.
        known = event.type in ("follow", "unfollow", "message", "postback")
        raise IgnoredEvent(f"malformed_{event.type}" if known else "unknown_type")
    if event.mode != "active":
        # Another channel (a module) has the chat: the bot must not answer.
        raise IgnoredEvent("standby")
    user_id = user_id_of(event)
    if user_id is None:
        raise IgnoredEvent("not_one_to_one")
    base = {"user_id": user_id, "at": event_time(event.timestamp), "webhook_event_id": event.webhook_event_id}
    if isinstance(event, FollowEvent):
        return ResidentEvent(
            kind="follow", reply_token=event.reply_token, is_unblocked=bool(event.follow.is_unblocked), **base
        )
    if isinstance(event, UnfollowEvent):
        return ResidentEvent(kind="unfollow", **base)
    if isinstance(event, PostbackEvent):
        return ResidentEvent(kind="postback", reply_token=event.reply_token, data=event.postback.data, **base)
    if isinstance(event, MessageEvent):
        if isinstance(event.message, TextMessageContent):
            return ResidentEvent(kind="text", reply_token=event.reply_token, text=event.message.text, **base)
        if event.message.type in MEDIA_KINDS:
            return ResidentEvent(kind="media", reply_token=event.reply_token, media_kind=event.message.type, **base)
    raise IgnoredEvent("unsupported_type")


def parse_event(raw: dict) -> Event:
    """One event of a webhook body, as the SDK's WebhookParser reads it."""
    try:
        return Event.from_dict(raw)
    except ValueError:
        return UnknownEvent.new_from_json_dict(raw)


def read_stored_event(payload_json: str) -> ResidentEvent:
    """An event as stored by the webhook (or a timer event); raises IgnoredEvent."""
    raw = json.loads(payload_json)
    if raw.get("type") == PAUSE_EVENT_TYPE:
        timer = read_pause_payload(raw)
        return ResidentEvent(
            kind="pause",
            user_id=timer.user_id,
            at=timer.at,
            webhook_event_id=raw["webhookEventId"],
            pause_after=timer.after_event_id,
        )
    return read_event(parse_event(raw))


def is_simulator_user(user_id: str) -> bool:
    return user_id.startswith(SIMULATOR_USER_PREFIX)
