"""The live configuration in the database: the municipality document and the live rule set.

Every case reads the live rule-set row and the active queues afresh (two small
queries), so a version saved by the CLI or the console decides the very next
case in every process, without a restart. Parsing is cached by content: a
stored version never changes, so its text names its rules exactly.

A stored rule set that can no longer be read (a broken row, a district removed
from the municipality) must not stop intake: cases then go to the
comprehensive queue with a warning that says why.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from routing.engine import Decision, DecisionWarning, evaluate
from routing.errors import ConfigFileError, MunicipalityFileError, MunicipalityMissing, QueueMissing
from routing.facts import Facts
from routing.municipality import Municipality
from routing.municipality_file import load_municipality
from routing.rule_file import load_rules, named_queues
from routing.rules import Action, Rule, RuleSet
from routing.vocabulary import BOT_QUEUE, FALLBACK_QUEUE, PRIORITY_RANK
from storage.models import Case
from storage.repositories.config_documents import get_document
from storage.repositories.queues import get_queue_by_key, list_queues
from storage.repositories.rulesets import get_live_ruleset

logger = logging.getLogger(__name__)

MUNICIPALITY_DOCUMENT = "municipality"
QUEUE_KIND = "queue"  # Queue rows of this kind are what rules name; agencies staff them

# Used when no stored rule set can be read: every case reaches a person.
SAFE_RULES = RuleSet(
    name="安全側の既定（ルールを読み込めないとき）",
    rules=(Rule("safe-fallback", "ルールを読み込めない → 包括的相談", Action(FALLBACK_QUEUE, "high")),),
)


@dataclass(frozen=True)
class LiveRules:
    rules: RuleSet
    # The live RuleSetVersion row (id and number); None when nothing is saved.
    version_id: int | None
    version: int | None
    # Active queue keys, as given to the engine.
    available_queues: frozenset[str]
    # Why SAFE_RULES are in use instead of the stored version; None when all is well.
    problem: str | None = None


@dataclass(frozen=True)
class RoutedCase:
    decision: Decision
    version_id: int | None  # RuleSetVersion.id to store with the case
    version: int | None


def load_live_municipality(session: Session) -> Municipality:
    """The stored municipality; MunicipalityMissing if none, MunicipalityFileError if it is broken."""
    document = get_document(session, MUNICIPALITY_DOCUMENT)
    source = (document or {}).get("source")
    if not isinstance(source, str):
        raise MunicipalityMissing("no municipality is configured (run `marugoto demo` or load one)")
    result = _municipality(source)
    if isinstance(result, ConfigFileError):
        raise MunicipalityFileError(result.source, result.problems)  # a fresh one: the cached error is shared
    return result


def active_queue_keys(session: Session) -> frozenset[str]:
    return frozenset(q.key for q in list_queues(session, active_only=True) if q.kind == QUEUE_KIND)


def known_districts(session: Session) -> frozenset[str] | None:
    """District keys rules may name; None (any) while no municipality is configured."""
    try:
        return load_live_municipality(session).district_keys
    except MunicipalityMissing:
        return None


def live_rules(session: Session) -> LiveRules:
    """The rule set that decides the next case; never raises for a broken stored set."""
    queues = active_queue_keys(session)
    row = get_live_ruleset(session)
    if row is None:
        return LiveRules(SAFE_RULES, None, None, queues, "no rule set has been saved")
    try:
        districts = known_districts(session)
    except ConfigFileError as exc:
        return LiveRules(SAFE_RULES, row.id, row.version, queues, f"the municipality document is invalid: {exc}")
    result = _stored_rules(row.source, queues | named_queues(row.source), districts, f"version {row.version}")
    if isinstance(result, ConfigFileError):
        return LiveRules(SAFE_RULES, row.id, row.version, queues, f"rule set version {row.version} is invalid: {result}")
    return LiveRules(result, row.id, row.version, queues)


def route_case(session: Session, facts: Facts) -> RoutedCase:
    """Decide the queue of one case with the live rules; the decision carries any warning."""
    live = live_rules(session)
    decision = evaluate(live.rules, facts, live.available_queues)
    if live.problem is not None:
        logger.warning("routing to %s because %s", FALLBACK_QUEUE, live.problem)
        warning = DecisionWarning("rules_unavailable", f"{live.problem}; sent to '{FALLBACK_QUEUE}'")
        decision = replace(decision, warnings=(warning, *decision.warnings))
    return RoutedCase(decision, live.version_id, live.version)


def apply_routing(session: Session, case: Case, routed: RoutedCase) -> None:
    """Record a decision on the case: queue, priority, rule, trace, warnings, co-agencies, version.

    The bot's own queue (general information) leaves the case without a queue.
    """
    decision = routed.decision
    queue = None
    if decision.queue != BOT_QUEUE:
        queue = get_queue_by_key(session, decision.queue)
        if queue is None:
            raise QueueMissing(f"queue '{decision.queue}' has no row; configure the municipality's queues")
    case.queue = queue
    case.priority = PRIORITY_RANK[decision.priority]
    case.routing_rule = decision.rule
    case.routing_trace = [t.to_dict() for t in decision.trace]
    case.routing_warning = "\n".join(w.message for w in decision.warnings) or None
    case.ruleset_version_id = routed.version_id
    case.co_agencies = list(decision.notify)


def facts_of_case(case: Case, municipality: Municipality | None) -> Facts:
    """The routing facts of a stored case; office hours at hand-off (or creation) time."""
    at: datetime = case.handed_off_at or case.created_at
    return Facts(
        domains=frozenset(case.domains),
        patterns=frozenset(case.patterns),
        urgency=case.urgency,
        whose=case.whose,
        age_band=case.age_band,
        district=case.district,
        consent=case.consent,
        office_hours=municipality.is_office_hours(at) if municipality is not None else True,
        channel=case.channel,
    )


@lru_cache(maxsize=8)
def _municipality(source: str) -> Municipality | ConfigFileError:
    try:
        return load_municipality(source, source="municipality document")
    except ConfigFileError as exc:
        return exc


@lru_cache(maxsize=32)
def _stored_rules(
    source: str, queues: frozenset[str], districts: frozenset[str] | None, name: str
) -> RuleSet | ConfigFileError:
    try:
        return load_rules(source, known_queues=queues, known_districts=districts, source=name)
    except ConfigFileError as exc:
        return exc
