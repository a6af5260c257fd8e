"""deploy/entrypoint.sh: roles run the right marugoto command; unknown ones fail clearly."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENTRYPOINT = Path(__file__).resolve().parents[2] / "deploy" / "entrypoint.sh"
ROOT = ENTRYPOINT.parents[1]


def run(args, env=None, path_dir=None):
    environ = {**os.environ, **(env or {})}
    if path_dir is not None:
        environ["PATH"] = f"{path_dir}:{environ['PATH']}"
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], capture_output=True, text=True, env=environ, cwd=ROOT, timeout=60
    )


@pytest.fixture
def real_marugoto(tmp_path):
    """A `marugoto` on PATH that runs this worktree's CLI (the image installs the real one)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "marugoto"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -c "from bot.cli import main; main()" "$@"\n')
    script.chmod(0o755)
    return bin_dir


def test_migrate_upgrades_a_real_database(tmp_path, real_marugoto):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {"MARUGOTO_DATABASE_URL": url, "MARUGOTO_VAR_DIR": str(tmp_path / "var")}
    done = run(["migrate"], env=env, path_dir=real_marugoto)
    assert done.returncode == 0, done.stderr
    assert "is at head" in done.stdout
    listed = run(["marugoto", "cases", "list", "--json"], env=env, path_dir=real_marugoto)
    assert listed.returncode == 0 and listed.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (["web"], "serve --host 0.0.0.0 --port 8000"),
        (["web", "--workers", "3"], "serve --host 0.0.0.0 --port 8000 --workers 3"),
        (["worker"], "worker"),
        (["worker", "--burst"], "worker --burst"),
        (["scheduler"], "scheduler"),
        (["migrate"], "db upgrade"),
    ],
)
def test_roles_exec_the_marugoto_command(tmp_path, role, expected):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "marugoto"
    fake.write_text('#!/bin/sh\necho "marugoto $*"\n')
    fake.chmod(0o755)
    done = run(role, path_dir=bin_dir)
    assert done.returncode == 0
    assert done.stdout.strip() == f"marugoto {expected}"


def test_unknown_role_is_refused_with_the_list_of_roles():
    done = run(["webb"])
    assert done.returncode == 64
    assert "unknown command 'webb'" in done.stderr and "web, worker, scheduler, migrate" in done.stderr


def test_no_role_prints_usage_and_fails():
    done = run([])
    assert done.returncode == 64 and "usage:" in done.stderr


def test_a_program_in_the_image_passes_through():
    done = run(["echo", "hello"])
    assert done.returncode == 0 and done.stdout == "hello\n"


def test_alive_follows_the_heartbeat_age(tmp_path):
    beat = tmp_path / "alive"
    assert run(["alive"], env={"MARUGOTO_HEARTBEAT_FILE": str(beat)}).returncode == 1
    beat.touch()
    assert run(["alive"], env={"MARUGOTO_HEARTBEAT_FILE": str(beat)}).returncode == 0
    stale = time.time() - 301
    os.utime(beat, (stale, stale))
    old = run(["alive"], env={"MARUGOTO_HEARTBEAT_FILE": str(beat)})
    assert old.returncode == 1 and "old" in old.stderr
