"""Everything the case page shows, decrypted and named, for the template and the JSON API."""

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.actions.conversation import note_text
from console.actions.records import MEETINGS
from console.display import SENDER_NAMES_JA, label_name
from console.highlight import Segment, evidence_words, highlight
from routing.facts import AGE_BAND_NAMES_JA, CONSENT_NAMES_JA, CONTACT_NAMES_JA, WHOSE_NAMES_JA
from storage import events
from storage.models import AuditEvent, Case, CaseNote, CaseShare, Message, Queue, StaffUser, TagCorrection
from storage.repositories.cases import message_text


def build_case_view(session: Session, cipher, case: Case, districts: dict[str, str]) -> dict:
    users = list(session.scalars(select(StaffUser)))
    staff = {u.id: u.display_name for u in users}
    texts = {m.id: message_text(cipher, m) for m in case.messages}
    # Evidence points into the resident's text messages (offsets within each one).
    resident_texts = {
        m.id: texts[m.id] for m in case.messages if m.sender == "resident" and texts[m.id] is not None
    }
    marked = highlight(resident_texts, case.evidence)
    conversation = [
        {
            "id": m.id,
            "sender": m.sender,
            "sender_name": _sender_name(m, staff),
            "kind": m.kind,
            "at": m.created_at,
            "segments": marked.get(m.id) or [Segment(texts[m.id] or "")],
            "delivery_status": m.delivery_status,
            "delivery_error": m.delivery_error,
            "can_retry": m.sender == "staff" and m.delivery_status == "failed",
        }
        for m in case.messages
    ]
    notes = session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
    corrections = session.scalars(
        select(TagCorrection).where(TagCorrection.case_id == case.id).order_by(TagCorrection.id)
    )
    disclosures = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == events.CASE_DISCLOSE,
            AuditEvent.target_type == "case",
            AuditEvent.target_id == str(case.id),
        )
        .order_by(AuditEvent.id)
    )
    shared = session.scalars(
        select(Queue.name).join(CaseShare, CaseShare.queue_id == Queue.id).where(CaseShare.case_id == case.id)
    )
    evidence = evidence_words(resident_texts, case.evidence)
    return {
        "conversation": conversation,
        "evidence": [{"label": k, "name": label_name(k), "words": v} for k, v in evidence.items()],
        "notes": [{"by": staff.get(n.staff_id, ""), "at": n.created_at, "text": note_text(cipher, n)} for n in notes],
        "corrections": [
            {"by": staff.get(c.staff_id, ""), "at": c.created_at, "before": c.before, "after": c.after}
            for c in corrections
        ],
        "disclosures": [
            {
                "by": staff.get(int(d.actor_id), "") if (d.actor_id or "").isdigit() else "",
                "meeting": MEETINGS.get(d.detail.get("meeting"), ""),
                "held_on": d.detail.get("held_on", ""),
                "queues": d.detail.get("queues", []),
            }
            for d in disclosures
        ],
        "shared_with": list(shared),
        "household": {
            "whose": WHOSE_NAMES_JA.get(case.whose or "", "未確認"),
            "age_band": AGE_BAND_NAMES_JA.get(case.age_band or "", "未確認"),
            "district": districts.get(case.district, case.district) if case.district else "未確認",
            "preferred_contact": CONTACT_NAMES_JA.get(case.preferred_contact or "", "未確認"),
        },
        "consent": {
            "value": case.consent,
            "name": CONSENT_NAMES_JA.get(case.consent, case.consent),
            "set_by": _consent_setter(case.consent_set_by, {u.login: u.display_name for u in users}),
            "set_at": case.consent_set_at,
        },
        "routing": {
            "rule": case.routing_rule,
            "trace": [_trace_entry(t) for t in case.routing_trace],
            "warning": case.routing_warning,
            "ruleset_version_id": case.ruleset_version_id,
            "co_agencies": list(case.co_agencies),
        },
        "scores": sorted(
            ((label_name(k), v) for k, v in case.scores.items() if isinstance(v, int | float)), key=lambda kv: -kv[1]
        ),
        "staff_names": staff,
    }


def _consent_setter(value: str | None, staff_by_login: dict[str, str]) -> str:
    if not value:
        return ""
    kind, _, who = value.partition(":")
    if kind == "staff":
        return f"職員 {staff_by_login.get(who, who)}"
    if value == "acquaintance":
        # The bot records "not obtained": a neighbour cannot consent for the person concerned.
        return "ボット（知人・近所からの相談のため）"
    if value in WHOSE_NAMES_JA:
        # The LINE side stores who answered the consent question (routing.facts.WHOSE_VALUES).
        return f"相談者（{WHOSE_NAMES_JA[value]}、LINEで回答）"
    return {"resident": "相談者（LINEで回答）", "bot": "ボット"}.get(value, value)


def _trace_entry(entry) -> dict:
    """A stored routing trace step; unknown shapes are shown as they are rather than dropped."""
    if not isinstance(entry, dict):
        return {"rule": str(entry), "matched": None, "conditions": []}
    conditions = entry.get("conditions") if isinstance(entry.get("conditions"), list) else []
    return {
        "rule": str(entry.get("rule", "")),
        "matched": entry.get("matched"),
        "conditions": [c for c in conditions if isinstance(c, dict)],
    }


def view_as_json(view: dict) -> dict:
    """The case view with segments and times in JSON form."""

    def plain(value):
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Segment):
            return asdict(value)
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return plain({k: v for k, v in view.items() if k != "staff_names"})


def _sender_name(message: Message, staff: dict[int, str]) -> str:
    default = SENDER_NAMES_JA.get(message.sender, message.sender)
    return staff.get(message.staff_id, default) if message.sender == "staff" else default
