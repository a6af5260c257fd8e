"""Saving, rolling back, comparing and dry-running rule-set versions."""

import json

import pytest
from sqlalchemy import func, select

from routing.errors import LabelledFileError, RuleFileError, RuleVersionNotFound
from routing.facts import Facts
from routing.rule_file import default_rules_source
from routing.store import route_case
from routing.versions import (
    diff_versions,
    do_rollback_rules,
    do_save_rules,
    dry_run,
    dry_run_file,
    list_versions,
    version_source,
)
from storage import events
from storage.models import AuditEvent, RuleSetVersion
from storage.repositories.staff import add_staff
from tests.rules.conftest import POVERTY_TO_COMPREHENSIVE, add_cases, line_of, replace_once

DEFAULT = default_rules_source()
POVERTY = Facts(domains=frozenset({"poverty"}))

TYPO = replace_once(DEFAULT, "domain_count: {at_least: 2}", "domain_cuont: {at_least: 2}")
UNKNOWN_QUEUE = replace_once(DEFAULT, "      queue: disability\n", "      queue: disabilty\n")
# 8050 cases go to comprehensive and notify elderly_care; elderly care notifying comprehensive closes a cycle.
CYCLE = replace_once(DEFAULT, "      queue: elderly_care\n", "      queue: elderly_care\n      notify: [comprehensive]\n")
EMPTY = "name: 空\nrules: []\n"


@pytest.mark.parametrize(
    ("draft", "code", "line"),
    [
        (TYPO, "unknown_field", line_of(TYPO, "domain_cuont")),
        (UNKNOWN_QUEUE, "unknown_queue", line_of(UNKNOWN_QUEUE, "disabilty")),
        (CYCLE, "notify_cycle", line_of(CYCLE, "notify: [comprehensive]")),
        (EMPTY, "empty_rules", 2),
    ],
    ids=["typo", "unknown-queue", "notify-cycle", "empty"],
)
def test_an_invalid_draft_is_refused_and_the_live_rules_stay(services, draft, code, line):
    with services.sessions.begin() as session, pytest.raises(RuleFileError) as raised:
        do_save_rules(session, draft, "壊れた案", actor="test")
    assert [(p.code, p.line) for p in raised.value.problems] == [(code, line)]
    assert f"line {line}: " in str(raised.value)
    with services.sessions() as session:
        (only,) = session.scalars(select(RuleSetVersion)).all()
        assert (only.version, only.source) == (1, DEFAULT)
        saves = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == events.RULES_SAVE)
        assert session.scalar(saves) == 1  # only the seed
        assert route_case(session, POVERTY).decision.queue == "poverty"


def test_save_routes_the_next_case_and_rollback_restores(services):
    with services.sessions.begin() as session:
        admin = add_staff(session, login="kanri", display_name="管理", password_hash="x", role="admin", queues=[])
        session.flush()
        admin_id = admin.id
        saved = do_save_rules(session, POVERTY_TO_COMPREHENSIVE, " 困窮も包括へ ", actor=admin)
        assert (saved.version, saved.created_by_label, saved.comment) == (2, "kanri", "困窮も包括へ")
        assert saved.created_by == admin.id
    with services.sessions() as session:
        routed = route_case(session, POVERTY)
        assert (routed.decision.queue, routed.version) == ("comprehensive", 2)
    with services.sessions.begin() as session:
        back = do_rollback_rules(session, 1, actor="cli:test")
        assert (back.version, back.rolled_back_from, back.source) == (3, 1, DEFAULT)
    with services.sessions() as session:
        assert route_case(session, POVERTY).decision.queue == "poverty"
        history = list_versions(session)
        assert [(v.version, v.live, v.rolled_back_from) for v in history] == [
            (3, True, 1),
            (2, False, None),
            (1, False, None),
        ]
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "ruleset").order_by(AuditEvent.id)
        ).all()
        assert [(a.action, a.actor_type, a.actor_id, a.target_id) for a in audit] == [
            (events.RULES_SAVE, "staff", str(admin_id), "2"),
            (events.RULES_ROLLBACK, "system", "cli:test", "3"),
        ]
        assert version_source(session) == DEFAULT and version_source(session, 2) == POVERTY_TO_COMPREHENSIVE
        with pytest.raises(RuleVersionNotFound):
            do_rollback_rules(session, 9, actor="cli:test")


def test_diff_between_versions_names_the_changed_rule_and_lines(services):
    with services.sessions.begin() as session:
        do_save_rules(session, POVERTY_TO_COMPREHENSIVE, "", actor="test")
    with services.sessions() as session:
        diff = diff_versions(session, 1, 2)
        same = diff_versions(session, 2, 2)
    assert [(c.kind, c.rule) for c in diff.rules.changes] == [("changed", "poverty")]
    assert "queue: poverty -> comprehensive" in str(diff)
    assert "-      queue: poverty\n+      queue: comprehensive\n" in diff.text
    assert same.rules.empty and same.text == "" and "identical" in str(same)


def test_dry_run_counts_moves_among_the_last_routed_cases(services):
    refs = add_cases(
        services,
        ("open", ["poverty"]),
        ("open", ["elderly_care"]),
        ("intake", ["poverty"]),  # still talking to the bot: not routed, not replayed
        ("resolved", ["poverty"]),
        ("assigned", ["poverty", "housing"]),
    )
    with services.sessions() as session:
        report = dry_run(session, POVERTY_TO_COMPREHENSIVE, 200)
        recent = dry_run(session, POVERTY_TO_COMPREHENSIVE, 2)
        with pytest.raises(RuleFileError):
            dry_run(session, UNKNOWN_QUEUE, 200)
    assert report.total == 4 and report.moved == 2
    (move,) = report.moves
    assert (move.source, move.target, move.examples) == ("poverty", "comprehensive", (refs[3], refs[0]))
    assert report.before == {"poverty": 2, "elderly_care": 1, "comprehensive": 1}
    assert report.after == {"elderly_care": 1, "comprehensive": 3}
    assert recent.total == 2 and recent.moves[0].examples == (refs[3],)


def test_dry_run_file_replays_labelled_lines(services, tmp_path):
    lines = [
        {"id": "a-1", "domains": ["poverty"], "patterns": [], "urgency": "normal"},
        {"id": "a-2", "domains": ["disability"], "patterns": [], "urgency": "normal"},
        {"id": "a-3", "domains": ["poverty"], "patterns": [], "urgency": "emergency"},
    ]
    data = tmp_path / "labelled.jsonl"
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    with services.sessions() as session:
        report = dry_run_file(session, POVERTY_TO_COMPREHENSIVE, data)
        data.write_text('{"id": "b-1", "domains": ["povrety"]}\n', encoding="utf-8")
        with pytest.raises(LabelledFileError) as raised:
            dry_run_file(session, POVERTY_TO_COMPREHENSIVE, data)
    assert report.total == 3 and [(m.source, m.target, m.examples) for m in report.moves] == [
        ("poverty", "comprehensive", ("a-1",))
    ]
    assert raised.value.problems[0].line == 1
