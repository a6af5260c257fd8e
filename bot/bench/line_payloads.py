"""LINE webhook payloads shaped exactly like the Messaging API reference, and signing.

Every builder returns one event dict; `body()` wraps events the way LINE posts them.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid

DESTINATION = "U" + "0" * 32


def user_id() -> str:
    return "U" + secrets.token_hex(16)


def now_ms() -> int:
    return int(time.time() * 1000)


def _ulid() -> str:
    return "01" + secrets.token_hex(12).upper()


def _base(kind: str, uid: str, *, timestamp: int | None, mode: str, redelivery: bool, event_id: str | None) -> dict:
    return {
        "type": kind,
        "mode": mode,
        "timestamp": now_ms() if timestamp is None else timestamp,
        "source": {"type": "user", "userId": uid},
        "webhookEventId": event_id or _ulid(),
        "deliveryContext": {"isRedelivery": redelivery},
    }


def _with_reply(event: dict) -> dict:
    event["replyToken"] = uuid.uuid4().hex
    return event


def text_event(uid: str, text: str, *, timestamp=None, mode="active", redelivery=False, event_id=None) -> dict:
    event = _with_reply(_base("message", uid, timestamp=timestamp, mode=mode, redelivery=redelivery, event_id=event_id))
    event["message"] = {
        "type": "text",
        "id": str(secrets.randbelow(10**17)),
        "quoteToken": secrets.token_urlsafe(24),
        "text": text,
    }
    return event


def _media_message(kind: str) -> dict:
    message_id = str(secrets.randbelow(10**17))
    if kind == "sticker":
        return {"type": "sticker", "id": message_id, "quoteToken": secrets.token_urlsafe(24), "stickerId": "52002734",
                "packageId": "11537", "stickerResourceType": "ANIMATION", "keywords": ["Happy"]}
    if kind == "location":
        return {"type": "location", "id": message_id, "latitude": 35.659108, "longitude": 139.703728}
    if kind == "file":
        return {"type": "file", "id": message_id, "fileName": "a.pdf", "fileSize": 2138}
    message = {"type": kind, "id": message_id, "contentProvider": {"type": "line"}}
    if kind in ("image", "video"):
        message["quoteToken"] = secrets.token_urlsafe(24)
    if kind in ("audio", "video"):
        message["duration"] = 6000
    return message


def media_event(uid: str, kind: str, *, timestamp=None) -> dict:
    """sticker, image, audio, video, file or location."""
    event = _with_reply(_base("message", uid, timestamp=timestamp, mode="active", redelivery=False, event_id=None))
    event["message"] = _media_message(kind)
    return event


def follow_event(uid: str, *, unblocked: bool = False, timestamp=None) -> dict:
    event = _with_reply(_base("follow", uid, timestamp=timestamp, mode="active", redelivery=False, event_id=None))
    event["follow"] = {"isUnblocked": unblocked}
    return event


def unfollow_event(uid: str, *, timestamp=None) -> dict:
    return _base("unfollow", uid, timestamp=timestamp, mode="active", redelivery=False, event_id=None)


def postback_event(uid: str, data: str, *, timestamp=None) -> dict:
    event = _with_reply(_base("postback", uid, timestamp=timestamp, mode="active", redelivery=False, event_id=None))
    event["postback"] = {"data": data}
    return event


def group_text_event(uid: str, text: str) -> dict:
    event = text_event(uid, text)
    event["source"] = {"type": "group", "groupId": "C" + secrets.token_hex(16), "userId": uid}
    return event


def unknown_event(uid: str) -> dict:
    event = _base("somethingNew", uid, timestamp=None, mode="active", redelivery=False, event_id=None)
    event["somethingNew"] = {"value": 1}
    return event


def body(*events: dict) -> bytes:
    return json.dumps({"destination": DESTINATION, "events": list(events)}, ensure_ascii=False).encode("utf-8")


def sign(raw: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).digest()).decode("ascii")
