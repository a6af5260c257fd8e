"""Canned replies (定型文) that staff insert into a reply; administrators edit them."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from console.errors import InvalidInput
from storage.repositories.config_documents import get_document, put_document
from storage.text import has_control_characters

DOCUMENT = "canned_replies"
MAX_ITEMS = 50
MAX_TITLE = 40
MAX_BODY = 2000


@dataclass(frozen=True)
class CannedReply:
    title: str
    body: str


def list_canned_replies(session: Session) -> list[CannedReply]:
    document = get_document(session, DOCUMENT) or {}
    return [CannedReply(i["title"], i["body"]) for i in document.get("items", [])]


def parse_canned_replies(titles: list[str], bodies: list[str]) -> list[CannedReply]:
    """Pairs from the edit form; fully empty rows are dropped, half-filled ones refused."""
    items: list[CannedReply] = []
    for number, (title, body) in enumerate(zip(titles, bodies, strict=True), 1):
        title, body = title.strip(), body.replace("\r\n", "\n").strip()
        if not title and not body:
            continue
        if not title or not body:
            raise InvalidInput(f"{number}件目: 見出しと本文の両方を入力してください。")
        if len(title) > MAX_TITLE or len(body) > MAX_BODY:
            raise InvalidInput(f"{number}件目: 見出しは{MAX_TITLE}文字、本文は{MAX_BODY}文字までです。")
        if has_control_characters(title) or has_control_characters(body, multiline=True):
            raise InvalidInput(f"{number}件目: 使えない文字（制御文字）が含まれています。")
        items.append(CannedReply(title, body))
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"定型文は{MAX_ITEMS}件までです。")
    return items


def save_canned_replies(session: Session, items: list[CannedReply], *, staff_id: int) -> None:
    put_document(session, DOCUMENT, {"items": [{"title": i.title, "body": i.body} for i in items]}, staff_id=staff_id)
