"""Rule-set versions: save, roll back, history, diff and dry runs, each change audited.

The caller owns the transaction (commit after a `do_*` returns; an error leaves
nothing to commit). `actor` is the StaffUser who acts, or a label such as
"cli:alice" for the command line.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.diff import RuleSetDiff, diff_rule_sets
from routing.errors import ConfigFileError, MunicipalityMissing, NoRulesSaved, RuleVersionNotFound
from routing.replay import ReplayReport, read_labelled_jsonl, replay
from routing.rule_file import load_rules, named_queues
from routing.rules import RuleSet, text_digest
from routing.store import active_queue_keys, facts_of_case, known_districts, live_rules, load_live_municipality
from storage import events
from storage.models import Case, RuleSetVersion, StaffUser
from storage.repositories.audit import record_audit
from storage.repositories.rulesets import (
    add_ruleset_version,
    get_live_ruleset,
    get_ruleset_version,
    list_ruleset_versions,
)

Actor = StaffUser | str
DRY_RUN_CASES = 200


@dataclass(frozen=True)
class VersionInfo:
    id: int
    version: int
    comment: str
    created_by_label: str
    created_at: datetime
    rolled_back_from: int | None
    live: bool


@dataclass(frozen=True)
class VersionDiff:
    old: int
    new: int
    # None when either version can no longer be read as rules (the text diff still shows it).
    rules: RuleSetDiff | None
    text: str  # unified diff of the two files

    def __str__(self) -> str:
        head = f"rule set version {self.old} -> {self.new}"
        rules = str(self.rules) if self.rules is not None else "(one of the versions cannot be read as rules)"
        return "\n".join([head, rules, "", self.text or "(the files are identical)"])


def check_rules(session: Session, source: str | bytes, *, name: str = "rules") -> RuleSet:
    """Validate a draft against the live queues and districts; RuleFileError lists every problem."""
    queues, districts = active_queue_keys(session), known_districts(session)
    return load_rules(source, known_queues=queues, known_districts=districts, source=name)


def do_save_rules(session: Session, source: str, comment: str, *, actor: Actor) -> RuleSetVersion:
    """Validate, then save `source` as the new live version; on any problem nothing is saved."""
    check_rules(session, source)
    row = _add_version(session, source, comment.strip(), actor)
    _audit(session, actor, events.RULES_SAVE, row, {"version": row.version, "digest": text_digest(source)})
    return row


def do_rollback_rules(session: Session, version: int, *, actor: Actor) -> RuleSetVersion:
    """Make an earlier version live again, as a new version copying its text."""
    old = _version(session, version)
    check_rules(session, old.source, name=f"version {version}")
    row = _add_version(session, old.source, f"version {version} に戻す", actor, rolled_back_from=version)
    _audit(session, actor, events.RULES_ROLLBACK, row, {"version": row.version, "rolled_back_from": version})
    return row


def list_versions(session: Session) -> list[VersionInfo]:
    """Every saved version, newest (the live one) first."""
    rows = list_ruleset_versions(session)
    return [
        VersionInfo(r.id, r.version, r.comment, r.created_by_label, r.created_at, r.rolled_back_from, i == 0)
        for i, r in enumerate(rows)
    ]


def version_source(session: Session, version: int | None = None) -> str:
    """The text of a version (the live one when None), for export and the editor."""
    if version is not None:
        return _version(session, version).source
    row = get_live_ruleset(session)
    if row is None:
        raise NoRulesSaved("no rule set has been saved yet")
    return row.source


def diff_versions(session: Session, old: int, new: int) -> VersionDiff:
    a, b = _version(session, old), _version(session, new)
    text = "".join(
        difflib.unified_diff(
            a.source.splitlines(keepends=True),
            b.source.splitlines(keepends=True),
            fromfile=f"version {old}",
            tofile=f"version {new}",
        )
    )
    rules_a, rules_b = _lenient(a), _lenient(b)
    rules = diff_rule_sets(rules_a, rules_b) if rules_a is not None and rules_b is not None else None
    return VersionDiff(old, new, rules, text)


def dry_run(session: Session, draft_source: str | bytes, last_n_cases: int = DRY_RUN_CASES) -> ReplayReport:
    """Where the last N routed cases would go under the draft, compared to the live rules.

    Examples are case references. RuleFileError if the draft is invalid.
    """
    draft = check_rules(session, draft_source, name="draft")
    live = live_rules(session)
    try:
        municipality = load_live_municipality(session)
    except MunicipalityMissing:
        municipality = None
    cases = session.scalars(
        select(Case).where(Case.status != "intake").order_by(Case.id.desc()).limit(max(last_n_cases, 0))
    )
    facts = [(c.reference, facts_of_case(c, municipality)) for c in cases]
    return replay(live.rules, draft, facts, available_queues=live.available_queues)


def dry_run_file(session: Session, draft_source: str | bytes, jsonl_path: Path) -> ReplayReport:
    """The same against a labelled SCHEMA JSONL file; examples are the lines' ids.

    LabelledFileError (every bad line) or RuleFileError (the draft) when invalid.
    """
    draft = check_rules(session, draft_source, name="draft")
    cases = read_labelled_jsonl(jsonl_path)
    live = live_rules(session)
    return replay(live.rules, draft, cases, available_queues=live.available_queues)


def _version(session: Session, version: int) -> RuleSetVersion:
    row = get_ruleset_version(session, version)
    if row is None:
        raise RuleVersionNotFound(f"there is no rule set version {version}")
    return row


def _lenient(row: RuleSetVersion) -> RuleSet | None:
    """A stored version as rules, accepting the queues it names (they may be gone since)."""
    try:
        return load_rules(row.source, known_queues=named_queues(row.source), source=f"version {row.version}")
    except ConfigFileError:
        return None


def _add_version(
    session: Session, source: str, comment: str, actor: Actor, *, rolled_back_from: int | None = None
) -> RuleSetVersion:
    staff = actor if isinstance(actor, StaffUser) else None
    row = add_ruleset_version(
        session,
        source=source,
        comment=comment,
        created_by=staff.id if staff else None,
        created_by_label=staff.login if staff else str(actor),
        rolled_back_from=rolled_back_from,
    )
    session.flush()
    return row


def _audit(session: Session, actor: Actor, action: str, row: RuleSetVersion, detail: dict) -> None:
    staff = isinstance(actor, StaffUser)
    record_audit(
        session,
        actor_type="staff" if staff else "system",
        actor_id=actor.id if staff else str(actor),
        action=action,
        target_type="ruleset",
        target_id=row.version,
        detail=detail,
    )
