"""The CLI: migrations, staff accounts, the cases JSON, and one clear line on failure."""

import json
import os
import subprocess
import sys

from sqlalchemy import select

from bot.cli.main import cli
from bot.services import build_services
from console.passwords import verify_password
from storage.models import AuditEvent, StaffUser
from storage.repositories.cases import add_message, create_case
from storage.repositories.queues import upsert_queue
from storage.repositories.residents import get_or_create_resident


def cli_env(tmp_path, url):
    return {"MARUGOTO_VAR_DIR": str(tmp_path / "var"), "MARUGOTO_DATABASE_URL": url}


def test_db_upgrade_creates_the_schema(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = runner.invoke(cli, ["db", "upgrade"], env=cli_env(tmp_path, url))
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["cases", "list", "--json"], env=cli_env(tmp_path, url))
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_staff_create_prints_a_one_time_password(runner, tmp_path, settings, sqlite_url):
    services = build_services(settings)
    with services.sessions.begin() as session:
        upsert_queue(session, "poverty", name="自立相談支援機関", field="poverty")
    result = runner.invoke(
        cli, ["staff", "create", "sato", "--name", "佐藤", "--queue", "poverty"], env=cli_env(tmp_path, sqlite_url)
    )
    assert result.exit_code == 0, result.output
    password = result.output.split(": ")[-1].strip()
    with services.sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == "sato"))
        assert user.display_name == "佐藤" and user.must_change_password
        assert [q.key for q in user.queues] == ["poverty"]
        assert verify_password(user.password_hash, password)
        assert session.scalar(select(AuditEvent.action)) == "staff.create"
    again = runner.invoke(cli, ["staff", "create", "sato"], env=cli_env(tmp_path, sqlite_url))
    assert again.exit_code != 0 and "already exists" in again.output
    unknown = runner.invoke(cli, ["staff", "create", "ito", "--queue", "nope"], env=cli_env(tmp_path, sqlite_url))
    assert unknown.exit_code != 0 and "no queue" in unknown.output
    # Logins and names the console's staff form would refuse are refused here too, and nothing is stored.
    for args in (["伊藤"], ["it"], ["ito ito"], ["ito", "--name", "伊\x1b藤"], ["ito", "--name", "x" * 65]):
        refused = runner.invoke(cli, ["staff", "create", *args], env=cli_env(tmp_path, sqlite_url))
        assert refused.exit_code == 2 and ("LOGIN must" in refused.output or "--name must" in refused.output)
    with services.sessions() as session:
        assert session.scalars(select(StaffUser.login)).all() == ["sato"]
    services.close()


def test_cases_list_json_fields(runner, tmp_path, settings, sqlite_url):
    services = build_services(settings)
    with services.sessions.begin() as session:
        resident = get_or_create_resident(session, services.cipher, "Ux", channel="line")
        case = create_case(session, resident, channel="line")
        case.queue = upsert_queue(session, "comprehensive", name="包括的相談", field="comprehensive")
        case.status, case.domains, case.patterns, case.urgency = "open", ["elderly_care", "isolation"], ["8050"], "urgent"
        case.consent = "granted"
        add_message(session, services.cipher, case, sender="resident", text="秘密の相談")
    services.close()
    result = runner.invoke(cli, ["cases", "list", "--json"], env=cli_env(tmp_path, sqlite_url))
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["status"] == "open" and row["queue"] == "comprehensive"
    assert row["domains"] == ["elderly_care", "isolation"] and row["patterns"] == ["8050"]
    assert row["urgency"] == "urgent" and row["consent"] == "granted" and row["complex"] is True
    assert row["message_count"] == 1 and row["created_at"].endswith("+00:00")
    assert "秘密" not in result.output


def _run_marugoto(args, env):
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=60,
    )


def test_unreachable_database_is_one_line_and_nonzero(tmp_path):
    done = _run_marugoto(
        ["db", "upgrade"], cli_env(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    )
    assert done.returncode != 0
    assert done.stderr.startswith("marugoto: database unavailable:")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_bad_setting_is_one_line_naming_the_variable(tmp_path):
    done = _run_marugoto(["cases", "list"], {"MARUGOTO_REDIS_URL": "redis//x", "MARUGOTO_VAR_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert "MARUGOTO_REDIS_URL" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
