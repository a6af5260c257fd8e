"""Chaos run: residents talk to a running marugoto while Redis, PostgreSQL and a worker fail.

    python -m bot.bench.chaos --residents 6 --max-seconds 480

Starts a PRIVATE Redis and a throwaway PostgreSQL cluster on free loopback ports (the
shared 5432/6379 are never touched), seeds the demo city, then runs `marugoto serve`,
`marugoto worker` and `marugoto scheduler` against them with MARUGOTO_LINE_API_URL at
a recording LINE stub. While the residents' signed conversations go on it:
stops Redis (losing its queue) and starts it again empty, restarts PostgreSQL, and
SIGKILLs the worker in the middle of a job and starts another. Then it waits for the
work to drain and prints what was sent, stored, processed, answered and lost.
Exits 1 if anything was lost or duplicated. Not part of pytest: it takes minutes.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.bench.chaos_residents import Resident, Tally
from bot.bench.chaos_services import PrivatePostgres, PrivateRedis, wait_for_port
from bot.bench.cluster import free_port
from bot.bench.line_stub import PUSH, REPLY, LineStub

ROOT = Path(__file__).resolve().parents[1]
LINE_SECRET = "chaos-channel-secret"


class Processes:
    """The marugoto processes, each logging to its own file."""

    def __init__(self, env: dict[str, str], logdir: Path):
        self._env, self._logdir = env, logdir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self._logdir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's life
        process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli.main import main; main()", *args],
            cwd=ROOT, env={**os.environ, **self._env, **(extra_env or {})}, stdout=log, stderr=log,
        )
        self.running[name] = process
        return process

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def error_lines(self) -> dict[str, int]:
        return {
            path.stem: sum(" ERROR " in line or "Traceback" in line for line in path.read_text(errors="replace").splitlines())
            for path in sorted(self._logdir.glob("*.log"))
        }


def _wait(condition, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def _start_worker(processes: Processes, workdir: Path, name: str) -> subprocess.Popen:
    beat = workdir / f"{name}.beat"
    process = processes.start(name, "worker", extra_env={"MARUGOTO_HEARTBEAT_FILE": str(beat)})
    _wait(lambda: beat.exists(), f"{name} to load the classifier", 180)
    return process


def _kill_worker_mid_job(engine, worker: subprocess.Popen, seconds: float) -> int | None:
    """SIGKILL the worker while an event is claimed (status processing); the event's id."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with engine.connect() as conn:
                event_id = conn.scalar(text("SELECT id FROM inbound_events WHERE status = 'processing' LIMIT 1"))
        except Exception:  # noqa: BLE001 - the database may be restarting
            event_id = None
        if event_id is not None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            return event_id
        time.sleep(0.02)
    return None


def _unfinished(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        events = conn.scalar(text("SELECT count(*) FROM inbound_events WHERE status IN ('pending', 'processing')"))
        messages = conn.scalar(
            text("SELECT count(*) FROM messages WHERE sender <> 'resident' AND delivery_status = 'pending'")
        )
    return events, messages


def _report(engine, tally: Tally, stub: LineStub, notes: list[str], errors: dict[str, int]) -> bool:
    with engine.connect() as conn:
        stored_ids = set(conn.scalars(text("SELECT webhook_event_id FROM inbound_events")))
        by_status = dict(conn.execute(text("SELECT status, count(*) FROM inbound_events GROUP BY status")).all())
        outbound = dict(
            conn.execute(
                text("SELECT delivery_status, count(*) FROM messages WHERE sender <> 'resident' GROUP BY delivery_status")
            ).all()
        )
        cases = conn.scalar(text("SELECT count(*) FROM cases"))
        per_resident = list(conn.scalars(text("SELECT count(*) FROM cases GROUP BY resident_id")))
    accepted = [c for c in stub.calls if c.path in (REPLY, PUSH) and c.status == 200]
    bubbles = sum(len(c.body.get("messages", [])) for c in accepted)
    refused_repeats = sum(1 for c in stub.calls if c.path == PUSH and c.status == 409)
    sent_rows = outbound.get("sent", 0)
    lost_events = len(tally.sent_ids - stored_ids) + by_status.get("pending", 0) + by_status.get("processing", 0)
    lost_events += by_status.get("failed", 0)
    duplicates = max(0, bubbles - sent_rows)
    rows = [
        ("events sent (distinct webhook ids)", len(tally.sent_ids)),
        ("webhook posts (incl. redeliveries)", tally.posts),
        ("acknowledged 200", tally.acknowledged),
        ("503 database_unavailable", tally.statuses.get("503", 0)),
        ("other answers / connection errors", {k: v for k, v in tally.statuses.items() if k not in ("200", "503")}),
        ("LINE-style redeliveries simulated", tally.redeliveries),
        ("events never acknowledged", len(tally.undelivered_ids)),
        ("stored (inbound_events rows)", len(stored_ids & tally.sent_ids)),
        ("rows done / ignored / failed (incl. timers)", f"{by_status.get('done', 0)} / {by_status.get('ignored', 0)} / "
                                               f"{by_status.get('failed', 0)}"),
        ("still pending or processing", by_status.get("pending", 0) + by_status.get("processing", 0)),
        ("bot messages sent / pending / failed", f"{sent_rows} / {outbound.get('pending', 0)} / "
                                                 f"{outbound.get('failed', 0)}"),
        ("bubbles accepted at the LINE stub", bubbles),
        ("pushes refused 409 (repeated retry key)", refused_repeats),
        ("duplicate replies (stub bubbles - sent rows)", duplicates),
        ("lost events", lost_events),
        ("cases / residents told 'accepted'", f"{cases} / {tally.handed_off}"),
        ("residents with more than one case", sum(1 for n in per_resident if n > 1)),
        ("residents stalled (no answer in time)", tally.stalled_residents),
        ("ERROR lines in process logs", errors),
    ]
    width = max(len(name) for name, _ in rows)
    print("\nchaos timeline:")
    for note in notes:
        print("  " + note)
    print()
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    ok = (
        lost_events == 0 and duplicates == 0 and not tally.undelivered_ids and tally.stalled_residents == 0
        and all(n <= 1 for n in per_resident) and outbound.get("pending", 0) == 0
    )
    print("\nresult:", "nothing lost, nothing duplicated" if ok else "LOSS OR DUPLICATION: see above")
    return ok


def run(residents: int, max_seconds: float) -> bool:
    started = time.monotonic()
    notes: list[str] = []

    def note(message: str) -> None:
        notes.append(f"{time.monotonic() - started:6.1f}s  {message}")
        print(notes[-1], flush=True)

    with tempfile.TemporaryDirectory(prefix="marugoto-chaos-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)  # the postgres user must reach its cluster below
        redis_server, postgres = PrivateRedis(workdir), PrivatePostgres(workdir)
        stub = LineStub(timeout_seconds=1.0).start()
        processes: Processes | None = None
        try:
            redis_server.start()
            postgres.init()
            postgres.start()
            note(f"private redis :{redis_server.port}, private postgresql :{postgres.port}, LINE stub {stub.url}")
            port = free_port()
            env = {
                "MARUGOTO_ENV": "development",
                "MARUGOTO_VAR_DIR": str(workdir / "var"),
                "MARUGOTO_DATABASE_URL": postgres.url,
                "MARUGOTO_REDIS_URL": redis_server.url,
                "MARUGOTO_LINE_CHANNEL_SECRET": LINE_SECRET,
                "MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN": "chaos-access-token",
                "MARUGOTO_LINE_API_URL": stub.url,
                "MARUGOTO_SIMULATOR": "false",
                "MARUGOTO_LOG_LEVEL": "INFO",
                "MARUGOTO_WEB_CONCURRENCY": "1",
            }
            processes = Processes(env, workdir)
            seeded = subprocess.run(
                [sys.executable, "-c", "from bot.cli.main import main; main()", "demo", "--no-serve"],
                cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
            )
            if seeded.returncode != 0:
                raise RuntimeError(f"seeding failed: {seeded.stderr.strip()[-500:]}")
            processes.start("serve", "serve", "--port", str(port), "--threads", "4")
            processes.start("scheduler", "scheduler")
            worker = _start_worker(processes, workdir, "worker-1")
            wait_for_port(port, 60)
            note("serve, scheduler and worker-1 ready")

            engine = create_engine(postgres.url, pool_pre_ping=True)
            tally = Tally()
            step_seconds = max(60.0, max_seconds / 2)
            people = [Resident(i, f"http://127.0.0.1:{port}", LINE_SECRET, stub, tally, step_seconds)
                      for i in range(residents)]
            threads = [threading.Thread(target=r.converse, daemon=True) for r in people]
            for thread in threads:
                thread.start()
                time.sleep(0.5)
            note(f"{residents} residents talking")

            time.sleep(5)
            redis_server.stop()
            note("redis stopped (queue contents lost)")
            time.sleep(8)
            redis_server.start()
            note("redis started again, empty")
            time.sleep(3)
            postgres.stop()
            note("postgresql stopped; a new resident writes meanwhile")
            # Someone always writes during an outage: this one meets the 503s and LINE's redelivery.
            probe = Resident(residents, f"http://127.0.0.1:{port}", LINE_SECRET, stub, tally, step_seconds)
            threads.append(threading.Thread(target=probe.converse, daemon=True))
            threads[-1].start()
            time.sleep(3)
            postgres.start()
            note("postgresql started again")
            killed = _kill_worker_mid_job(engine, worker, 60)
            note(f"SIGKILL worker-1 while event {killed} was processing" if killed else "no job caught mid-way")
            _start_worker(processes, workdir, "worker-2")
            note("worker-2 ready")

            for thread in threads:
                thread.join(timeout=max(1.0, max_seconds - (time.monotonic() - started)))
            note("conversations finished" if not any(t.is_alive() for t in threads) else "time limit: residents cut off")
            try:
                _wait(lambda: _unfinished(engine) == (0, 0), "the work to drain",
                      max(1.0, max_seconds - (time.monotonic() - started)))
                note("all events processed, no message pending")
            except RuntimeError:
                note("time limit: work left unfinished")
            processes.stop_all()
            return _report(engine, tally, stub, notes, processes.error_lines())
        finally:
            if processes is not None:
                processes.stop_all()
            stub.stop()
            redis_server.stop()
            postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=6, help="conversations at once (1-20)")
    parser.add_argument("--max-seconds", type=float, default=480, help="overall time limit (60-1200)")
    args = parser.parse_args()
    if not 1 <= args.residents <= 20 or not 60 <= args.max_seconds <= 1200:
        parser.error("--residents must be 1-20 and --max-seconds 60-1200")
    sys.exit(0 if run(args.residents, args.max_seconds) else 1)


if __name__ == "__main__":
    main()
