"""Talking with the resident and with colleagues: replies, delivery retries, notes.

A reply is stored as a pending Message in the caller's transaction; only after
commit does the caller enqueue `deliver_message` (the LINE side sends it and
records sent/failed). The form's client token makes a double submit find the
first row, so a reply is sent once.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.access import get_visible_case
from console.actions.common import audit_case, move, now_or, require_lead
from console.actor import Actor
from console.errors import Conflict, InvalidInput, NotFound
from storage import events
from storage.models import CaseNote, Message
from storage.repositories.cases import add_message

NOTE_CONTEXT = "case_notes.body"
MAX_REPLY_CHARS = 5000  # LINE's limit for one text message
MAX_NOTE_CHARS = 10000
_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class ReplyResult:
    message: Message
    # False when a double submit found the first row: nothing new to send.
    created: bool


def clean_text(value: str | None, *, what: str, limit: int) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(f"{what}を入力してください。")
    if len(text) > limit:
        raise InvalidInput(f"{what}は{limit}文字以内にしてください（いま{len(text)}文字）。")
    return text


def do_send_reply(
    session: Session, cipher, case_id: int, body: str, client_token: str, *, actor: Actor, now: datetime | None = None
) -> ReplyResult:
    now = now_or(now)
    if not _CLIENT_TOKEN.fullmatch(client_token or ""):
        raise InvalidInput("送信フォームが正しくありません。ページを読み込み直してください。")
    case = get_visible_case(session, actor, case_id, for_update=True)
    existing = _by_client_token(session, client_token)
    if existing is not None:
        if existing.case_id != case.id:
            raise InvalidInput("送信フォームが正しくありません。ページを読み込み直してください。")
        return ReplyResult(existing, created=False)
    text = clean_text(body, what="返信", limit=MAX_REPLY_CHARS)
    require_lead(actor, case)
    if case.status == "resolved":
        raise Conflict("終結した案件には返信できません。再開してから返信してください。")
    if case.status == "intake":
        raise Conflict("ボットが聞き取り中の案件には返信できません。")
    try:
        with session.begin_nested():
            message = add_message(
                session,
                cipher,
                case,
                sender="staff",
                text=text,
                staff_id=actor.id,
                delivery_status="pending",
                retry_key=str(uuid.uuid4()),
                client_token=client_token,
                at=now,
            )
    except IntegrityError:
        # A concurrent copy of the same submit committed first: that row is the reply.
        session.expire(case, ["messages"])
        existing = _by_client_token(session, client_token)
        if existing is None or existing.case_id != case.id:
            raise
        return ReplyResult(existing, created=False)
    previous = case.status
    if case.status in ("open", "referred"):
        move(case, "assigned")
        case.assignee_id = case.assignee_id or actor.id
    if case.status == "assigned":
        move(case, "waiting")
    if case.first_staff_reply_at is None:
        case.first_staff_reply_at = now
    session.flush()
    audit_case(
        session, actor, events.CASE_REPLY, case, message_id=message.id, from_status=previous, to_status=case.status
    )
    return ReplyResult(message, created=True)


def do_retry_reply(
    session: Session, case_id: int, message_id: int, *, actor: Actor, now: datetime | None = None
) -> Message:
    """Put a failed reply back to pending; the caller re-enqueues the same row (same retry key)."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    message = session.get(Message, message_id)
    if message is None or message.case_id != case.id or message.sender != "staff":
        raise NotFound("この返信は見つかりません。")
    if message.delivery_status != "failed":
        raise Conflict("送信に失敗した返信だけを再送できます。")
    message.delivery_status, message.delivery_error = "pending", None
    audit_case(session, actor, events.CASE_REPLY_RETRY, case, message_id=message.id, attempts=message.attempts)
    return message


def do_add_note(
    session: Session, cipher, case_id: int, body: str, *, actor: Actor, now: datetime | None = None
) -> CaseNote:
    """An internal note (never sent to the resident), encrypted at rest."""
    case = get_visible_case(session, actor, case_id)
    text = clean_text(body, what="メモ", limit=MAX_NOTE_CHARS)
    note = CaseNote(
        case_id=case.id, staff_id=actor.id, body_enc=cipher.encrypt(text, context=NOTE_CONTEXT), created_at=now_or(now)
    )
    session.add(note)
    session.flush()
    audit_case(session, actor, events.CASE_NOTE, case, note_id=note.id)
    return note


def note_text(cipher, note: CaseNote) -> str:
    return cipher.decrypt(note.body_enc, context=NOTE_CONTEXT)


def _by_client_token(session: Session, token: str) -> Message | None:
    return session.scalar(select(Message).where(Message.client_token == token))
