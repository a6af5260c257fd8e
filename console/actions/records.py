"""What staff record about a case: views, follow-up date, consent, 支援会議 disclosures, tag corrections."""

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.access import get_visible_case
from console.actions.common import audit_case, now_or, require_lead
from console.actor import Actor
from console.display import TOKYO
from console.errors import Conflict, InvalidInput
from routing.facts import CONSENT_VALUES
from routing.vocabulary import DOMAINS, PATTERNS, URGENCIES
from storage import events
from storage.models import Case, CaseShare, Queue, TagCorrection

# 支援会議 (社会福祉法第106条の6) may share without consent; 重層的支援会議 needs it.
MEETINGS = {"support_meeting": "支援会議", "multi_agency_meeting": "重層的支援会議"}
FOLLOW_UP_HOUR = time(9, 0)  # a follow-up date means that morning in Tokyo


def do_view_case(session: Session, case_id: int, *, actor: Actor, via: str = "page") -> Case:
    case = get_visible_case(session, actor, case_id)
    audit_case(session, actor, events.CASE_VIEW, case, via=via)
    return case


def do_set_follow_up(
    session: Session, case_id: int, on: date | None, *, actor: Actor, now: datetime | None = None
) -> Case:
    """Set (or with None clear) the date to come back to the case."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    if on is not None and on < now_or(now).astimezone(TOKYO).date():
        raise InvalidInput("フォローアップ日に過去の日付は指定できません。")
    case.follow_up_at = None if on is None else datetime.combine(on, FOLLOW_UP_HOUR, TOKYO)
    audit_case(session, actor, events.CASE_FOLLOW_UP, case, date=None if on is None else on.isoformat())
    return case


def do_set_consent(session: Session, case_id: int, consent: str, *, actor: Actor, now: datetime | None = None) -> Case:
    """Record whether 重層的支援会議 may discuss the case (else 支援会議 only), by whom and when."""
    if consent not in CONSENT_VALUES:
        raise InvalidInput("同意の状態を選んでください。")
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    previous = case.consent
    case.consent, case.consent_set_by, case.consent_set_at = consent, f"staff:{actor.login}", now_or(now)
    audit_case(session, actor, events.CASE_CONSENT, case, **{"from": previous, "to": consent})
    return case


def do_record_disclosure(
    session: Session,
    case_id: int,
    *,
    meeting: str,
    held_on: date,
    queue_ids: list[int],
    actor: Actor,
    now: datetime | None = None,
) -> Case:
    """Record that the case was shared in a meeting; the members' queues may then see it."""
    if meeting not in MEETINGS:
        raise InvalidInput("会議の種類を選んでください。")
    now = now_or(now)
    if held_on > now.astimezone(TOKYO).date():
        raise InvalidInput("開催日に未来の日付は指定できません。")
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    if meeting == "multi_agency_meeting" and case.consent != "granted":
        raise Conflict(
            "本人の同意がないため重層的支援会議では共有できません。支援会議（第106条の6）で共有してください。"
        )
    queues = list(session.scalars(select(Queue).where(Queue.id.in_(queue_ids)))) if queue_ids else []
    if not queues or len(queues) != len(set(queue_ids)):
        raise InvalidInput("共有した機関を1つ以上選んでください。")
    shared = set(session.scalars(select(CaseShare.queue_id).where(CaseShare.case_id == case.id)))
    for queue in queues:
        if queue.id != case.queue_id and queue.id not in shared:
            session.add(CaseShare(case_id=case.id, queue_id=queue.id, created_at=now))
    audit_case(
        session,
        actor,
        events.CASE_DISCLOSE,
        case,
        meeting=meeting,
        held_on=held_on.isoformat(),
        queues=sorted(q.key for q in queues),
    )
    return case


def do_correct_tags(
    session: Session,
    case_id: int,
    *,
    domains: list[str],
    patterns: list[str],
    urgency: str,
    actor: Actor,
    now: datetime | None = None,
) -> TagCorrection:
    """Replace the case's labels; the before/after pair is kept as training feedback."""
    if any(d not in DOMAINS for d in domains) or any(p not in PATTERNS for p in patterns) or urgency not in URGENCIES:
        raise InvalidInput("分野・世帯の状況・緊急度は一覧から選んでください。")
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    before = _labels(case.domains, case.patterns, case.urgency)
    after = _labels(domains, patterns, urgency)
    if before == after:
        raise InvalidInput("タグが変わっていません。")
    correction = TagCorrection(case_id=case.id, staff_id=actor.id, before=before, after=after, created_at=now_or(now))
    session.add(correction)
    case.domains, case.patterns, case.urgency = after["domains"], after["patterns"], urgency
    if urgency == "emergency" and not case.emergency:
        # A person judged it an emergency: pin it for everyone until acknowledged.
        case.emergency, case.emergency_acknowledged_by, case.emergency_acknowledged_at = True, None, None
    session.flush()
    audit_case(session, actor, events.CASE_TAGS, case, correction_id=correction.id, before=before, after=after)
    return correction


def _labels(domains, patterns, urgency: str) -> dict:
    """Labels in the SCHEMA order, so equal sets compare equal."""
    return {
        "domains": [d for d in DOMAINS if d in domains],
        "patterns": [p for p in PATTERNS if p in patterns],
        "urgency": urgency,
    }
