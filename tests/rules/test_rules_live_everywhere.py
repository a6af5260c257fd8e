"""A saved version decides the next case in every process already running: no restart."""

import subprocess
import sys
from pathlib import Path

from routing.facts import Facts
from routing.store import route_case
from routing.versions import do_rollback_rules, do_save_rules
from tests.rules.conftest import POVERTY_TO_COMPREHENSIVE

REPO_ROOT = Path(__file__).resolve().parents[2]

# A stand-in worker: its own engine, sessions and cache; routes a poverty-only case per input line.
WORKER = """
import sys
from routing.facts import Facts
from routing.store import route_case
from storage.db import make_engine, make_session_factory

sessions = make_session_factory(make_engine(sys.argv[1]))
for _ in sys.stdin:
    with sessions() as session:
        routed = route_case(session, Facts(domains=frozenset({"poverty"})))
    print(routed.decision.queue, routed.version, flush=True)
"""


def test_a_new_version_reaches_a_running_process_and_this_one(services, database_url):
    with subprocess.Popen(
        [sys.executable, "-c", WORKER, database_url],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as worker:
        _converse(services, worker)
    assert worker.returncode == 0


def _converse(services, worker: subprocess.Popen) -> None:
    def ask_worker() -> str:
        worker.stdin.write("route\n")
        worker.stdin.flush()
        return worker.stdout.readline().strip()

    def ask_here() -> str:
        with services.sessions() as session:
            routed = route_case(session, Facts(domains=frozenset({"poverty"})))
        return f"{routed.decision.queue} {routed.version}"

    # Both processes have read (and cached) version 1 before the change.
    assert ask_worker() == ask_here() == "poverty 1"
    with services.sessions.begin() as session:
        do_save_rules(session, POVERTY_TO_COMPREHENSIVE, "困窮も包括へ", actor="test")
    assert ask_worker() == ask_here() == "comprehensive 2"
    with services.sessions.begin() as session:
        do_rollback_rules(session, 1, actor="test")
    assert ask_worker() == ask_here() == "poverty 3"
