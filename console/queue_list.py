"""The queue: filters, urgency-then-waiting-time order, pinned emergencies, rows for HTML and JSON."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.orm import Session, selectinload

from console.access import visible_cases
from console.actor import Actor
from console.display import (
    DOMAIN_NAMES_JA,
    PATTERN_NAMES_JA,
    STATUS_NAMES_JA,
    URGENCY_NAMES_JA,
    duration_ja,
)
from console.inputs import whole_number
from storage.models import Case
from storage.text import has_control_characters

ACTIVE_STATUSES = ("open", "assigned", "waiting", "referred")
STATUS_CHOICES = {"active": "対応中の案件（終結以外）", **STATUS_NAMES_JA}
MAX_ROWS = 300

_URGENCY_RANK = case((Case.urgency == "emergency", 0), (Case.urgency == "urgent", 1), else_=2)
_PENDING_EMERGENCY = and_(Case.emergency.is_(True), Case.emergency_acknowledged_at.is_(None))
_PINNED_FIRST = case((_PENDING_EMERGENCY, 0), else_=1)
_WAITING_SINCE = func.coalesce(Case.handed_off_at, Case.created_at)


@dataclass(frozen=True)
class QueueFilter:
    status: str = "active"
    queue_id: int | None = None
    domain: str | None = None
    pattern: str | None = None
    district: str | None = None
    assignee: str | None = None  # "me", "none" or a staff id

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "QueueFilter":
        """Unknown values are dropped rather than refused: a stale bookmark still shows a queue."""
        status = args.get("status") or "active"
        assignee = args.get("assignee", "")
        district = (args.get("district") or "")[:64]
        return cls(
            status=status if status in STATUS_CHOICES else "active",
            queue_id=whole_number(args.get("queue", "")),
            domain=args.get("domain") if args.get("domain") in DOMAIN_NAMES_JA else None,
            pattern=args.get("pattern") if args.get("pattern") in PATTERN_NAMES_JA else None,
            district=None if has_control_characters(district) else district or None,
            assignee=assignee if assignee in ("me", "none") or whole_number(assignee) is not None else None,
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "status": self.status,
            "queue": self.queue_id,
            "domain": self.domain,
            "pattern": self.pattern,
            "district": self.district,
            "assignee": self.assignee,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _label_contains(column, label: str):
    # JSON lists of fixed label names: a text match on the quoted name works on SQLite and PostgreSQL.
    return cast(column, String).like(f'%"{label}"%')


def list_queue(session: Session, actor: Actor, flt: QueueFilter) -> list[Case]:
    query = (
        select(Case)
        .where(visible_cases(actor))
        .options(selectinload(Case.queue), selectinload(Case.assignee), selectinload(Case.resident))
        .order_by(_PINNED_FIRST, _URGENCY_RANK, _WAITING_SINCE, Case.id)
        .limit(MAX_ROWS)
    )
    query = query.where(Case.status.in_(ACTIVE_STATUSES) if flt.status == "active" else Case.status == flt.status)
    if flt.queue_id is not None:
        query = query.where(Case.queue_id == flt.queue_id)
    if flt.domain:
        query = query.where(_label_contains(Case.domains, flt.domain))
    if flt.pattern:
        query = query.where(_label_contains(Case.patterns, flt.pattern))
    if flt.district:
        query = query.where(Case.district == flt.district)
    if flt.assignee == "me":
        query = query.where(Case.assignee_id == actor.id)
    elif flt.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif flt.assignee:
        query = query.where(Case.assignee_id == int(flt.assignee))
    return list(session.scalars(query))


def pending_emergencies(session: Session) -> list[Case]:
    """Every emergency no person has acknowledged: pinned for everyone, whatever their queues."""
    query = (
        select(Case)
        .where(_PENDING_EMERGENCY)
        .options(selectinload(Case.queue), selectinload(Case.resident))
        .order_by(Case.created_at, Case.id)
    )
    return list(session.scalars(query))


def case_row(case: Case, now: datetime, districts: Mapping[str, str]) -> dict:
    waiting_since = case.handed_off_at or case.created_at
    due = case.reply_due_at
    replied = case.first_staff_reply_at is not None
    overdue = bool(due and not replied and case.status != "resolved" and due <= now)
    if due is None or replied:
        due_text = ""
    else:
        due_text = f"{duration_ja(now - due)}超過" if overdue else f"あと{duration_ja(due - now)}"
    return {
        "id": case.id,
        "reference": case.reference,
        "url": url_for("console.case_page", case_id=case.id),
        "status": case.status,
        "status_name": STATUS_NAMES_JA[case.status],
        "urgency": case.urgency,
        "urgency_name": URGENCY_NAMES_JA.get(case.urgency, case.urgency),
        "emergency_pending": case.emergency and case.emergency_acknowledged_at is None,
        "queue": case.queue.name if case.queue else "",
        "domains": [DOMAIN_NAMES_JA.get(d, d) for d in case.domains],
        "patterns": [PATTERN_NAMES_JA.get(p, p) for p in case.patterns],
        "complex": len(set(case.domains)) >= 2,
        "district": districts.get(case.district, case.district) if case.district else "",
        "assignee": case.assignee.display_name if case.assignee else "",
        "pseudonym": case.resident.pseudonym,
        "reachable": case.resident.reachable,
        "waiting_since": waiting_since.isoformat(),
        "waiting_for": duration_ja(now - waiting_since),
        "reply_due_at": due.isoformat() if due else None,
        "due_text": due_text,
        "overdue": overdue,
        "follow_up_at": case.follow_up_at.isoformat() if case.follow_up_at else None,
    }
