"""Carrying out the flow's actions on the database, inside the event's transaction.

Each action changes cases or the resident, writes its audit row (never content) and
notes which console notices to publish after the commit.
"""

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from intake import actions as a
from intake.lifecycle import check_transition
from intake.live_context import district_key, person_queue
from intake.resident_actions import Actor, do_delete_resident
from intake.thread import attach_conversation_since, attach_to_case, messages_of_refs
from nlp.result import Classification
from routing.municipality import Municipality
from routing.engine import Decision
from routing.errors import RoutingError
from routing.store import apply_routing, facts_of_case, route_case
from routing.vocabulary import PRIORITY_RANK
from storage import events
from storage.crypto import Cipher
from storage.models import Case, Resident
from storage.repositories.audit import record_audit
from storage.repositories.cases import create_case, get_case_by_reference, message_text
from storage.repositories.residents import get_or_create_resident

log = logging.getLogger(__name__)

# intake.actions.CLOSE_OUTCOMES -> intake.lifecycle.OUTCOMES
_OUTCOMES = {"information_given": "information"}


class CaseBook:
    def __init__(
        self,
        session: Session,
        cipher: Cipher,
        resident: Resident,
        *,
        user_id: str,
        municipality: Municipality,
        channel: str,
        at: datetime,
        classified_refs: tuple[str, ...] = (),
    ):
        self.session, self.cipher, self.resident = session, cipher, resident
        self.user_id, self.municipality, self.channel, self.at = user_id, municipality, channel, at
        self.classified_refs = classified_refs
        self.case_events: list[tuple[str, int]] = []
        self.deleted = False

    def case(self, reference: str | None) -> Case | None:
        if reference is None:
            return None
        case = get_case_by_reference(self.session, reference)
        return case if case is not None and case.resident_id == self.resident.id else None

    def apply(self, action: a.Action) -> None:
        handler = getattr(self, f"_{type(action).__name__}", None)
        if handler is not None:
            handler(action)

    def _notify(self, name: str, case: Case) -> None:
        self.session.flush()
        if (name, case.id) not in self.case_events:
            self.case_events.append((name, case.id))

    def _audit(self, action: str, target: Case | Resident, detail: dict | None = None) -> None:
        self.session.flush()
        record_audit(
            self.session,
            actor_type="resident",
            actor_id=self.resident.id,
            action=action,
            target_type="case" if isinstance(target, Case) else "resident",
            target_id=target.id,
            detail=detail,
        )

    # one method per action, named after it

    def _OpenCase(self, action: a.OpenCase) -> None:  # noqa: N802
        case = create_case(self.session, self.resident, channel=self.channel, now=self.at, reference=action.case_ref)
        self._set_facts(case, action.facts)
        self.session.flush()
        kept = messages_of_refs(self.session, self.resident, action.message_refs)
        attach_to_case(self.session, case, kept)
        if kept:
            attach_conversation_since(self.session, case, self.resident, min(m.id for m in kept))

    def _RecordClassification(self, action: a.RecordClassification) -> None:  # noqa: N802
        case = self.case(action.case_ref)
        c = action.classification
        case.domains, case.patterns = list(c.domains), list(c.patterns)
        if not case.emergency:
            case.urgency = c.urgency
        case.scores = dict(c.scores)
        case.evidence = self._evidence(c)
        case.classifier_degraded = c.degraded

    def _evidence(self, classification: Classification) -> list[dict]:
        """Evidence by message and offset within it: the text itself stays encrypted in the message."""
        messages = messages_of_refs(self.session, self.resident, self.classified_refs)
        spans, offset = [], 0
        for message in messages:
            length = len(message_text(self.cipher, message) or "")
            spans.append((offset, offset + length, message.id))
            offset += length + 1  # the "\n" between messages
        found = []
        for e in classification.evidence:
            for start, end, message_id in spans:
                if start <= e.start < end:
                    found.append(
                        {"label": e.label, "message_id": message_id, "start": e.start - start,
                         "end": min(e.end, end) - start}
                    )
                    break
        return found

    def _AlertEmergency(self, action: a.AlertEmergency) -> None:  # noqa: N802
        case = self.case(action.case_ref)
        case.emergency, case.urgency = True, "emergency"
        case.emergency_acknowledged_by = case.emergency_acknowledged_at = None
        case.priority = PRIORITY_RANK["highest"]
        if case.status == "intake":
            # Staff see it at once; the questions that follow only add to it.
            self._open(case)
        if case.queue is not None and case.queue.target_reply_hours:
            # An emergency is answered by the clock, not by office hours.
            self._due_by(case, self.at + timedelta(hours=case.queue.target_reply_hours))
        self._audit(events.EMERGENCY_ALERT, case, {"reason": action.reason})
        self._notify(events.EVENT_EMERGENCY, case)

    def _AppendToCase(self, action: a.AppendToCase) -> None:  # noqa: N802
        case = self.case(action.case_ref)
        attach_to_case(self.session, case, messages_of_refs(self.session, self.resident, (action.message_ref,)))
        if case.status == "waiting":
            # The resident answered: the case is the assignee's to act on again.
            check_transition(case.status, "assigned")
            case.status = "assigned"
            self._audit(events.CASE_STATUS, case, {"from": "waiting", "to": "assigned", "via": "resident_message"})
        if case.status != "intake":
            self._notify(events.EVENT_CASE_UPDATED, case)

    def _HandOff(self, action: a.HandOff) -> None:  # noqa: N802
        case = self.case(action.case_ref)
        self._set_facts(case, action.facts)
        decision = self._open(case) if case.status == "intake" else self._route(case)
        self._due_by(case, action.reply_by)
        if decision.follow_up_hours:
            case.follow_up_at = self.at + timedelta(hours=decision.follow_up_hours)
        self._audit(
            events.CASE_OPEN, case, {"queue": case.queue.key if case.queue else None, "rule": decision.rule}
        )
        self._notify(events.EVENT_CASE_NEW, case)

    @staticmethod
    def _due_by(case: Case, moment: datetime) -> None:
        """A reply target only ever moves earlier (an emergency's stays when the questions end)."""
        if case.reply_due_at is None or moment < case.reply_due_at:
            case.reply_due_at = moment

    def _open(self, case: Case) -> Decision:
        check_transition(case.status, "open")
        case.handed_off_at = self.at  # routing reads office hours at hand-off
        decision = self._route(case)
        case.status = "open"
        return decision

    def _route(self, case: Case) -> Decision:
        routed = route_case(self.session, facts_of_case(case, self.municipality))
        queue = person_queue(routed.decision.queue)
        if queue != routed.decision.queue:
            # Nothing was detected but the resident asked for a person.
            routed = replace(routed, decision=replace(routed.decision, queue=queue))
        try:
            apply_routing(self.session, case, routed)
        except RoutingError as exc:
            # The case still reaches people (an emergency above all): no queue, a visible warning.
            log.error("case %s has no queue (%s)", case.id, exc.code)
            case.routing_rule = routed.decision.rule
            case.routing_trace = [t.to_dict() for t in routed.decision.trace]
            case.routing_warning = str(exc)
        if case.emergency:
            case.priority = PRIORITY_RANK["highest"]
        return routed.decision

    def _CloseCase(self, action: a.CloseCase) -> None:  # noqa: N802
        case = self.case(action.case_ref)
        check_transition(case.status, "resolved")
        before = case.status
        case.status, case.outcome, case.resolved_at = "resolved", _OUTCOMES[action.outcome], self.at
        self._audit(events.CASE_STATUS, case, {"from": before, "to": "resolved", "outcome": case.outcome})

    def _MarkUnreachable(self, action: a.MarkUnreachable) -> None:  # noqa: N802
        self.resident.reachable, self.resident.unfollowed_at = False, self.at
        case = self.case(action.case_ref)
        if case is not None:
            self._notify(events.EVENT_CASE_UPDATED, case)

    def _MarkReachable(self, action: a.MarkReachable) -> None:  # noqa: N802
        self.resident.reachable, self.resident.unfollowed_at = True, None
        case = self.case(action.case_ref)
        if case is not None:
            self._notify(events.EVENT_CASE_UPDATED, case)

    def _StartDeletion(self, action: a.StartDeletion) -> None:  # noqa: N802
        self._audit(events.RESIDENT_DELETE_REQUEST, self.resident)

    def _ConfirmDeletion(self, action: a.ConfirmDeletion) -> None:  # noqa: N802
        do_delete_resident(self.session, self.resident, actor=Actor("resident", self.resident.id))
        self.case_events.clear()
        self.deleted = True
        # The confirmation still has to reach them: a fresh contact with nothing on it.
        self.resident = get_or_create_resident(self.session, self.cipher, self.user_id, channel=self.channel)

    def _set_facts(self, case: Case, facts: a.CaseFacts) -> None:
        case.domains, case.patterns = list(facts.domains), list(facts.patterns)
        case.urgency = "emergency" if (facts.emergency or case.emergency) else facts.urgency
        case.emergency = case.emergency or facts.emergency
        case.whose, case.age_band, case.preferred_contact = facts.whose, facts.age_band, facts.contact
        case.district = district_key(self.municipality, facts.district)
        case.consent, case.consent_set_by, case.consent_set_at = facts.consent, facts.consent_by, facts.consent_at

