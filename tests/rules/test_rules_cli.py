"""`marugoto rules ...` through click's CliRunner, against the seeded database."""

from sqlalchemy import select

from bot.cli.main import cli
from routing.facts import Facts
from routing.rule_file import default_rules_source
from routing.store import route_case
from storage.models import RuleSetVersion
from tests.rules.conftest import POVERTY_TO_COMPREHENSIVE, add_cases, line_of, replace_once


def invoke(runner, services, tmp_path, *args: str, **kwargs):
    env = {"MARUGOTO_VAR_DIR": str(tmp_path / "var"), "MARUGOTO_DATABASE_URL": services.settings.database_url}
    return runner.invoke(cli, ["rules", *args], env=env, **kwargs)


def live(services) -> tuple[int, str]:
    with services.sessions() as session:
        row = session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version.desc())).first()
        return row.version, row.source


def test_check_reports_every_problem_with_file_and_line(runner, services, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(default_rules_source(), encoding="utf-8")
    broken = replace_once(default_rules_source(), "      queue: poverty\n", "      queue: povrety\n")
    broken = replace_once(broken, "priority: highest", "priority: urgentest")
    bad.write_text(broken, encoding="utf-8")
    assert invoke(runner, services, tmp_path, "check", str(good)).exit_code == 0
    result = invoke(runner, services, tmp_path, "check", str(bad))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        [str(bad), f"line {line_of(broken, 'urgentest')}"],
        [str(bad), f"line {line_of(broken, 'povrety')}"],
    ]


def test_apply_shows_the_dry_run_and_saves_only_when_confirmed(runner, services, tmp_path):
    refs = add_cases(services, ("open", ["poverty"]), ("open", ["disability"]))
    draft = tmp_path / "draft.yaml"
    draft.write_text(POVERTY_TO_COMPREHENSIVE, encoding="utf-8")
    # Not a terminal and no --yes: shown, refused, nothing saved.
    refused = invoke(runner, services, tmp_path, "apply", str(draft))
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert f"poverty -> comprehensive: 1 (e.g. {refs[0]})" in refused.output
    assert live(services) == (1, default_rules_source())
    applied = invoke(runner, services, tmp_path, "apply", str(draft), "--comment", "困窮も包括へ", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "queue: poverty -> comprehensive" in applied.output and "saved as version 2" in applied.output
    assert live(services) == (2, POVERTY_TO_COMPREHENSIVE)
    with services.sessions() as session:
        assert route_case(session, Facts(domains=frozenset({"poverty"}))).decision.queue == "comprehensive"
    # An invalid file is refused before anything is shown or saved.
    draft.write_text("name: x\nrules: []\n", encoding="utf-8")
    invalid = invoke(runner, services, tmp_path, "apply", str(draft), "--yes")
    assert invalid.exit_code == 1 and f"{draft}: line 2: " in invalid.output
    assert live(services)[0] == 2


def test_export_history_diff_rollback(runner, services, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text(POVERTY_TO_COMPREHENSIVE, encoding="utf-8")
    applied = invoke(runner, services, tmp_path, "apply", str(draft), "--comment", "困窮も包括へ", "--yes")
    assert applied.exit_code == 0
    assert invoke(runner, services, tmp_path, "export").output == POVERTY_TO_COMPREHENSIVE
    assert invoke(runner, services, tmp_path, "export", "--version", "1").output == default_rules_source()
    missing = invoke(runner, services, tmp_path, "export", "--version", "7")
    assert missing.exit_code == 1 and "rule_version_not_found" in missing.output
    diff = invoke(runner, services, tmp_path, "diff", "1", "2").output
    assert "~ changed rule 'poverty'" in diff and "+      queue: comprehensive" in diff
    rollback = invoke(runner, services, tmp_path, "rollback", "1")
    assert rollback.exit_code == 0 and "live again as version 3" in rollback.output
    assert live(services) == (3, default_rules_source())
    history = invoke(runner, services, tmp_path, "history").output.splitlines()
    # Newest first; only the live version is starred.
    assert [line[:6].split() for line in history] == [["*", "3"], ["2"], ["1"]]
    assert "(rollback of 1)" in history[0] and "困窮も包括へ" in history[1]


def test_replay_against_cases_and_a_labelled_file(runner, services, tmp_path):
    refs = add_cases(services, ("open", ["poverty"]), ("open", ["poverty"]), ("open", ["poverty"]))
    draft = tmp_path / "draft.yaml"
    draft.write_text(POVERTY_TO_COMPREHENSIVE, encoding="utf-8")
    recent = invoke(runner, services, tmp_path, "replay", str(draft), "--cases", "2")
    assert recent.exit_code == 0
    assert f"2 cases, 2 would move\n  poverty -> comprehensive: 2 (e.g. {refs[2]}, {refs[1]})" in recent.output
    data = tmp_path / "labelled.jsonl"
    data.write_text('{"id": "x-1", "domains": ["poverty"]}\n{"id": "x-2", "domains": []}\n', encoding="utf-8")
    labelled = invoke(runner, services, tmp_path, "replay", str(draft), "--data", str(data))
    assert "2 cases, 1 would move\n  poverty -> comprehensive: 1 (e.g. x-1)" in labelled.output
    assert live(services)[0] == 1  # a replay saves nothing
