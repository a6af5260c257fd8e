"""`/simulator`: a phone-sized stand-in for LINE, driving the real webhook path.

The page sends what the resident does; this builds the LINE webhook event LINE
would send, signs it with the channel secret and posts it to `/callback` through
the same handler (in process). The bot's and staff's messages to simulator
residents are delivered by marking them sent; the page polls for them. Each
browser keeps its own simulated user id (`Usim` + 29 hex digits, never a real id).
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import select
from werkzeug.test import Client

from bot.line_events import MEDIA_KINDS, SIMULATOR_USER_PREFIX
from bot.services import Services
from storage.models import Case, Message
from storage.repositories.cases import message_text
from storage.repositories.residents import get_resident_by_user_id

blueprint = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

_USER_ID = re.compile(rf"{SIMULATOR_USER_PREFIX}[0-9a-f]{{29}}")
KINDS = ("follow", "unfollow", "text", "postback", *MEDIA_KINDS)
MAX_TEXT_CHARS = 5000  # LINE's limit for a text message
MAX_DATA_CHARS = 300  # LINE's limit for postback data


def _services() -> Services:
    return current_app.extensions["marugoto"]


def _error(code: str, status: int):
    return jsonify(error=code), status


@blueprint.after_request
def _headers(response):
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("")
def page():
    return render_template("simulator.html")


@blueprint.post("/api/events")
def send_event():
    """What the resident did, as a signed LINE webhook event through `/callback`."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error("json_expected", 400)
    user_id, kind = data.get("user_id"), data.get("kind")
    if not isinstance(user_id, str) or not _USER_ID.fullmatch(user_id):
        return _error("invalid_user_id", 400)
    if kind not in KINDS:
        return _error("invalid_kind", 400)
    text, postback = data.get("text"), data.get("data")
    if kind == "text" and not (isinstance(text, str) and 0 < len(text.strip()) and len(text) <= MAX_TEXT_CHARS):
        return _error("invalid_text", 400)
    if kind == "postback" and not (isinstance(postback, str) and 0 < len(postback) <= MAX_DATA_CHARS):
        return _error("invalid_data", 400)
    body = json.dumps(
        {"destination": "Usimulator", "events": [_event(user_id, kind, text=text, data=postback)]},
        ensure_ascii=False,
    ).encode("utf-8")
    secret = _services().settings.line_channel_secret.encode("utf-8")
    signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")
    answer = Client(current_app.wsgi_app).post(
        "/callback", data=body, headers={"Content-Type": "application/json", "X-Line-Signature": signature}
    )
    return jsonify(status="sent" if answer.status_code == 200 else "failed"), 200 if answer.status_code == 200 else 502


@blueprint.get("/api/messages")
def messages():
    """The simulated resident's conversation after message id `after`."""
    user_id = request.args.get("user_id", "")
    if not _USER_ID.fullmatch(user_id):
        return _error("invalid_user_id", 400)
    after = request.args.get("after", "0")
    if not after.isdigit():
        return _error("invalid_after", 400)
    services = _services()
    with services.sessions() as session:
        resident = get_resident_by_user_id(session, services.cipher, user_id)
        if resident is None or resident.channel != "simulator":
            return jsonify(messages=[], reachable=True)
        theirs = (Message.resident_id == resident.id) | Message.case_id.in_(
            select(Case.id).where(Case.resident_id == resident.id)
        )
        rows = session.scalars(select(Message).where(theirs, Message.id > int(after)).order_by(Message.id).limit(200))
        shown = [
            {
                "id": m.id,
                "sender": m.sender,
                "kind": m.kind,
                "text": message_text(services.cipher, m),
                "quick_replies": m.quick_replies or [],
            }
            for m in rows
            if m.sender == "resident" or m.delivery_status == "sent"
        ]
        return jsonify(messages=shown, reachable=resident.reachable)


def _event(user_id: str, kind: str, *, text: str | None, data: str | None) -> dict:
    event = {
        "type": kind if kind in ("follow", "unfollow", "postback") else "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": "01SIM" + secrets.token_hex(11).upper(),
        "deliveryContext": {"isRedelivery": False},
    }
    if kind != "unfollow":
        event["replyToken"] = uuid.uuid4().hex
    message_id = str(secrets.randbelow(10**17))
    if kind == "follow":
        event["follow"] = {"isUnblocked": bool(data == "unblocked")}
    elif kind == "postback":
        event["postback"] = {"data": data}
    elif kind == "text":
        event["message"] = {"type": "text", "id": message_id, "quoteToken": secrets.token_urlsafe(16), "text": text}
    elif kind in MEDIA_KINDS:
        event["message"] = _media(kind, message_id)
    return event


def _media(kind: str, message_id: str) -> dict:
    """A media message as LINE describes it; the simulator sends no content."""
    quote = {"quoteToken": secrets.token_urlsafe(16)}
    if kind == "sticker":
        return {"type": kind, "id": message_id, "packageId": "446", "stickerId": "1988",
                "stickerResourceType": "STATIC", **quote}
    if kind == "location":
        return {"type": kind, "id": message_id, "latitude": 35.0, "longitude": 135.0}
    if kind == "file":
        return {"type": kind, "id": message_id, "fileName": "file", "fileSize": 1}
    extra = quote if kind in ("image", "video") else {}
    return {"type": kind, "id": message_id, "contentProvider": {"type": "line"}, **extra}
