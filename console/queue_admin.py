"""Administrators' edits of queues and agencies (CRUD on Queue; deactivated, never deleted)."""

import re

from sqlalchemy.orm import Session

from console.actor import Actor
from console.display import DOMAIN_NAMES_JA
from console.errors import InvalidInput, NotFound
from console.inputs import Inputs, whole_number
from storage import events
from storage.models import MAX_QUEUE_NAME, Queue
from storage.repositories.audit import record_audit
from storage.repositories.queues import get_queue_by_key
from storage.text import has_control_characters

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
# The fields of routing's municipality file: one domain, or all of them.
QUEUE_FIELDS = {**DOMAIN_NAMES_JA, "all": "分野を問わない"}
QUEUE_KINDS = {"queue": "キュー", "agency": "機関"}
MAX_REPLY_HOURS = 24 * 30


def read_queue_form(inputs: Inputs) -> dict:
    name, field, kind = inputs.get("name"), inputs.get("field"), inputs.get("kind")
    if not name or len(name) > MAX_QUEUE_NAME:
        raise InvalidInput(f"名前を{MAX_QUEUE_NAME}文字以内で入力してください。")
    if has_control_characters(name):
        raise InvalidInput("名前に使えない文字（制御文字）が含まれています。")
    if field not in QUEUE_FIELDS or kind not in QUEUE_KINDS:
        raise InvalidInput("分野と種類を選んでください。")
    hours = whole_number(inputs.get("target_reply_hours"), maximum=MAX_REPLY_HOURS)
    if not hours:
        raise InvalidInput(f"返信目標は1〜{MAX_REPLY_HOURS}時間で入力してください。")
    contact = inputs.get("contact")
    if len(contact) > 1000:
        raise InvalidInput("連絡先は1000文字以内にしてください。")
    if has_control_characters(contact, multiline=True):
        raise InvalidInput("連絡先に使えない文字（制御文字）が含まれています。")
    return {
        "name": name,
        "field": field,
        "kind": kind,
        "contact": contact,
        "target_reply_hours": hours,
        "active": inputs.flag("active"),
    }


def do_create_queue(session: Session, key: str, values: dict, *, actor: Actor) -> Queue:
    if not _KEY.fullmatch(key):
        raise InvalidInput("キーは半角小文字・数字・_・- で入力してください（例: hokatsu-north）。")
    if key == "none":
        raise InvalidInput("「none」はボットの応答を表す予約語のため使えません。")
    if get_queue_by_key(session, key) is not None:
        raise InvalidInput("このキーはすでに使われています。")
    queue = Queue(key=key, **values)
    session.add(queue)
    session.flush()
    record_audit(
        session,
        **actor.audit,
        action=events.QUEUE_SAVE,
        target_type="queue",
        target_id=queue.id,
        detail={"key": key, "created": True, **values},
    )
    return queue


def do_update_queue(session: Session, queue_id: int, values: dict, *, actor: Actor) -> Queue:
    queue = session.get(Queue, queue_id)
    if queue is None:
        raise NotFound("このキューは見つかりません。")
    for name, value in values.items():
        setattr(queue, name, value)
    record_audit(
        session,
        **actor.audit,
        action=events.QUEUE_SAVE,
        target_type="queue",
        target_id=queue.id,
        detail={"key": queue.key, "created": False, **values},
    )
    return queue
