"""The routing rules editor's work: check a draft, compare it with the live rules,
and replay the last stored cases under both (dry run). Built on the pure routing API.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.municipality_settings import get_municipality
from routing.diff import RuleSetDiff, diff_rule_sets
from routing.errors import Problem, RuleFileError
from routing.facts import CHANNELS, Facts
from routing.municipality import Municipality
from routing.replay import ReplayReport, replay
from routing.rule_file import load_rules
from routing.rules import RuleSet
from storage.models import Case, Queue, RuleSetVersion

DRY_RUN_CASES = 200


def latest_version(session: Session) -> RuleSetVersion | None:
    return session.scalar(select(RuleSetVersion).order_by(RuleSetVersion.version.desc()).limit(1))


def list_versions(session: Session) -> list[RuleSetVersion]:
    return list(session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version.desc())))


def default_source() -> str:
    return (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")


def live_source(session: Session) -> str:
    """The source of the live rules: the newest saved version, else the shipped default."""
    latest = latest_version(session)
    return latest.source if latest is not None else default_source()


@dataclass(frozen=True)
class Check:
    draft: RuleSet | None
    problems: tuple[Problem, ...]
    live: RuleSet | None
    live_problems: tuple[Problem, ...]
    diff: RuleSetDiff | None
    text_diff: str
    report: ReplayReport | None


def known_names(session: Session) -> tuple[frozenset[str], frozenset[str] | None, Municipality | None]:
    queues = frozenset(session.scalars(select(Queue.key).where(Queue.active.is_(True))))
    municipality = get_municipality(session)
    districts = municipality.district_keys if municipality is not None else None
    return queues, districts, municipality


def parse(source: str, queues: frozenset[str], districts) -> tuple[RuleSet | None, tuple[Problem, ...]]:
    try:
        return load_rules(source, known_queues=queues, known_districts=districts, source="rules"), ()
    except RuleFileError as exc:
        return None, exc.problems


def check_draft(session: Session, source: str) -> Check:
    queues, districts, municipality = known_names(session)
    draft, problems = parse(source, queues, districts)
    current = live_source(session)
    live, live_problems = parse(current, queues, districts)
    text_diff = "\n".join(
        difflib.unified_diff(current.splitlines(), source.splitlines(), "現在のルール", "下書き", lineterm="", n=2)
    )
    if draft is None:
        return Check(None, problems, live, live_problems, None, text_diff, None)
    cases = recent_case_facts(session, municipality)
    report = replay(live or draft, draft, cases, available_queues=queues)
    diff = diff_rule_sets(live, draft) if live is not None else None
    return Check(draft, (), live, live_problems, diff, text_diff, report)


def recent_case_facts(session: Session, municipality: Municipality | None) -> list[tuple[str, Facts]]:
    """The facts of the last stored cases, as routing saw them (office hours at their arrival)."""
    cases = session.scalars(select(Case).where(Case.status != "intake").order_by(Case.id.desc()).limit(DRY_RUN_CASES))
    return [(case.reference, case_facts(case, municipality)) for case in cases]


def case_facts(case: Case, municipality: Municipality | None) -> Facts:
    arrived: datetime = case.handed_off_at or case.created_at
    return Facts(
        domains=frozenset(case.domains),
        patterns=frozenset(case.patterns),
        urgency=case.urgency,
        whose=case.whose,
        age_band=case.age_band,
        district=case.district,
        consent=case.consent,
        office_hours=municipality.is_office_hours(arrived) if municipality is not None else True,
        channel=case.channel if case.channel in CHANNELS else "line",
    )
