"""The rules editor's check of a draft: problems by line, or the dry run and the differences
from the live rules. Saving, rollback, history and version diffs are routing.versions'.
"""

import difflib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from routing.diff import RuleSetDiff, diff_rule_sets
from routing.errors import ConfigFileError, NoRulesSaved, Problem, RuleFileError
from routing.replay import ReplayReport
from routing.rule_file import default_rules_source
from routing.rules import RuleSet
from routing.store import live_rules
from routing.versions import check_rules, dry_run, version_source


@dataclass(frozen=True)
class DraftCheck:
    problems: tuple[Problem, ...] = ()
    # Set when something other than the draft stops the check (e.g. a broken municipality file).
    blocked: str | None = None
    draft: RuleSet | None = None
    report: ReplayReport | None = None
    diff: RuleSetDiff | None = None
    text_diff: str = ""

    @property
    def ok(self) -> bool:
        return self.draft is not None


def editor_source(session: Session) -> str:
    """What the editor starts from: the live version, else the shipped rules."""
    try:
        return version_source(session)
    except NoRulesSaved:
        return default_rules_source()


def check_draft(session: Session, source: str) -> DraftCheck:
    try:
        draft = check_rules(session, source, name="draft")
    except RuleFileError as exc:
        return DraftCheck(problems=exc.problems)
    except ConfigFileError as exc:
        return DraftCheck(
            blocked=f"自治体設定が読み込めないため、地区を確かめられません（{len(exc.problems)}件の問題）。"
        )
    live = live_rules(session)
    current = editor_source(session)
    text_diff = "\n".join(
        difflib.unified_diff(current.splitlines(), source.splitlines(), "現在のルール", "下書き", lineterm="", n=2)
    )
    return DraftCheck(
        draft=draft,
        report=dry_run(session, source),
        diff=diff_rule_sets(live.rules, draft) if live.problem is None else None,
        text_diff=text_diff,
    )
