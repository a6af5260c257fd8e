"""One benchmark run: marugoto (gunicorn + RQ workers + scheduler + PostgreSQL + Redis),
then the SDK-example baseline, against one LINE stub; prints figures as it goes."""

import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.bench import cluster, scenarios
from bot.bench.ledger import last_event_id, read_ledger, wait_drained
from bot.bench.line_stub import LineStub
from bot.bench.load import StepResult, WebhookClient
from bot.bench.stats import Summary, percentile, ratio
from intake.timers import PAUSE_SECONDS

DRAIN_TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True)
class Profile:
    name: str
    rates: tuple[int, ...]
    step_seconds: float
    e2e: tuple[tuple[int, int], ...]  # (concurrent residents, conversations each)
    burst_messages: int
    burst_residents: int
    burst_window_seconds: float


QUICK = Profile("quick", (10, 25, 50, 100, 200, 400), 2.0, ((1, 3), (10, 1), (50, 1)), 200, 50, 10.0)
FULL = Profile("full", (10, 25, 50, 100, 200, 400, 800), 5.0, ((1, 10), (10, 3), (50, 2)), 2000, 500, 60.0)


def say(line: str = "") -> None:
    print(line, flush=True)


def _ack_report(steps: list[StepResult]) -> int:
    held = 0
    for step in steps:
        passed = scenarios.step_passes(step)
        figures = Summary.of(step.latencies) if step.latencies else None
        say(
            f"  {step.rate:>4} req/s: {len(step.latencies) + step.errors} sent, {step.errors} errors, "
            + (f"p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms" if figures else "no answers")
            + ("" if passed else "  <- fails (p99 >= 100 ms or errors)")
        )
        if passed:
            held = step.rate
    say(f"  highest rate held (p99 < 100 ms, no errors): {held} req/s")
    return held


def _e2e_report(client, clock, secret, profile: Profile) -> dict[int, Summary]:
    figures = {}
    for residents, rounds in profile.e2e:
        timings = scenarios.conversations(client, clock, secret, residents, rounds)
        summary = Summary.of(timings.latencies)
        figures[residents] = summary
        say(
            f"  {residents:>3} concurrent residents: {summary.count} messages, {timings.failures} without reply, "
            f"p50 {summary.p50_ms:.0f} ms, p95 {summary.p95_ms:.0f} ms"
        )
    return figures


def _machine() -> None:
    load = os.getloadavg()
    say(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; "
        f"python {sys.version.split()[0]}")
    say("  (other agents may be using these cores during the run: compare figures within one run)")


def run(profile: Profile, web_workers: int, rq_workers: int) -> None:
    started = time.monotonic()
    say(f"marugoto bench ({profile.name}): {web_workers} gunicorn workers x 8 threads, {rq_workers} RQ workers")
    _machine()
    secret = secrets.token_hex(16)
    clock = scenarios.ReplyClock()
    stub = LineStub(on_call=clock.on_call).start()
    try:
        with tempfile.TemporaryDirectory(prefix="marugoto-bench-") as tmp, \
                cluster.dedicated_database() as database_url, cluster.dedicated_redis_db() as redis_url:
            env = cluster.production_environment(database_url, redis_url, stub.url, secret, Path(tmp) / "var")
            ours = _run_marugoto(profile, env, Path(tmp), web_workers, rq_workers, clock, secret)
            stub.reset()
            theirs = _run_baseline(profile, env, Path(tmp), web_workers, clock, secret)
        _comparison(ours, theirs)
    finally:
        stub.stop()
    say(f"\nrun took {time.monotonic() - started:.0f} s; load average at end {os.getloadavg()[0]:.2f}")


def _run_marugoto(profile, env, tmp: Path, web_workers, rq_workers, clock, secret) -> dict:
    processes = cluster.Processes(tmp)
    cluster.run_marugoto(env, "demo", "--no-serve")
    port = cluster.free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        processes.start_marugoto("web", env, "serve", "--port", str(port), "--workers", str(web_workers))
        workers = [processes.start_marugoto(f"worker-{i}", env, "worker") for i in range(rq_workers)]
        processes.start_marugoto("scheduler", env, "scheduler")
        cluster.wait_ready(url, processes)
        cluster.wait_workers(env["MARUGOTO_REDIS_URL"], rq_workers, processes)
        client = WebhookClient(url)
        database_url = env["MARUGOTO_DATABASE_URL"]

        # Unmeasured: each worker's first message waits for its background model load.
        scenarios.conversations(client, clock, secret, residents=rq_workers * 2, rounds=1)
        say("\n[marugoto] end-to-end: signed message in -> reply recorded at the LINE stub")
        e2e = _e2e_report(client, clock, secret, profile)

        say("\n[marugoto] memory after the model is loaded")
        worker_rss = [cluster.rss_mib(w.pid) for w in workers]
        web_pid = processes.started[0][1].pid
        web_rss = [cluster.rss_mib(pid) for pid in cluster.child_pids(web_pid)]
        say("  RQ worker RSS: " + ", ".join(f"{m:.0f} MiB" for m in worker_rss))
        say("  gunicorn worker RSS: " + ", ".join(f"{m:.0f} MiB" for m in web_rss)
            + f" (master {cluster.rss_mib(web_pid):.0f} MiB)")

        say(f"\n[marugoto] webhook acknowledgement, open-loop steps of {profile.step_seconds:.0f} s")
        ack_steps = scenarios.ack_steps(client, secret, list(profile.rates), profile.step_seconds)
        held = _ack_report(ack_steps)
        drained = wait_drained(database_url, DRAIN_TIMEOUT_SECONDS)
        sent = sum(len(s.latencies) for s in ack_steps)
        say(f"  workers then handled those {sent} messages in "
            + (f"{drained:.1f} s more" if drained is not None else f"more than {DRAIN_TIMEOUT_SECONDS:.0f} s"))
        classified = wait_drained(database_url, DRAIN_TIMEOUT_SECONDS + PAUSE_SECONDS, timers=True)
        say(f"  and classified their concerns (each after the {PAUSE_SECONDS} s typing pause) "
            + (f"{classified:.1f} s after the last step" if classified is not None else "NOT within the wait"))

        say(f"\n[marugoto] burst: {profile.burst_messages} messages from {profile.burst_residents} residents "
            f"within {profile.burst_window_seconds:.0f} s")
        before = last_event_id(database_url)
        result = scenarios.burst(client, clock, secret, profile.burst_residents, profile.burst_messages,
                                 profile.burst_window_seconds)
        wait_drained(database_url, DRAIN_TIMEOUT_SECONDS)
        ledger = read_ledger(database_url, since_id=before)
        stored = sum(ledger.by_status.values())
        say(f"  sent {result.sent} ({result.rejected} rejected) in {result.send_seconds:.1f} s")
        say("  drained: " + (f"the last reply was recorded {result.drain_seconds:.1f} s after the first message"
                             if result.drain_seconds is not None else "NOT fully")
            + f" ({result.answered} of {result.awaited} awaited replies: each resident's first and last message)")
        say(f"  stored messages by status: {ledger.by_status}; lost: {result.sent - result.rejected - stored}")
        say(f"  order per resident: {ledger.out_of_order_residents} of {ledger.residents} residents processed out of "
            f"order in the DB, {result.out_of_order_residents} got replies out of order at the stub")
        processes.check_alive()
        client.close()
        return {"ack_held": held, "ack": ack_steps, "e2e": e2e, "worker_rss": worker_rss}
    finally:
        processes.stop()


def _run_baseline(profile, env, tmp: Path, web_workers, clock, secret) -> dict:
    processes = cluster.Processes(tmp)
    port = cluster.free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        processes.start(
            "baseline", [sys.executable, "-m", "bot.bench.baseline_app", "--port", str(port),
                         "--workers", str(web_workers)], env,
        )
        cluster.wait_ready(url, processes)
        client = WebhookClient(url)
        say("\n[baseline: SDK Flask example pattern, classify + reply inside the request] end-to-end")
        e2e = _e2e_report(client, clock, secret, profile)
        say("  gunicorn worker RSS: " + ", ".join(
            f"{cluster.rss_mib(pid):.0f} MiB" for pid in cluster.child_pids(processes.started[0][1].pid)))
        say(f"\n[baseline] webhook acknowledgement, open-loop steps of {profile.step_seconds:.0f} s")
        ack_steps = scenarios.ack_steps(client, secret, list(profile.rates), profile.step_seconds)
        held = _ack_report(ack_steps)
        processes.check_alive()
        client.close()
        return {"ack_held": held, "ack": ack_steps, "e2e": e2e}
    finally:
        processes.stop()


def _p99_at(steps: list[StepResult], rate: int) -> float | None:
    step = next((s for s in steps if s.rate == rate and s.latencies), None)
    return None if step is None else percentile(step.latencies, 0.99) * 1000


def _comparison(ours: dict, theirs: dict) -> None:
    say("\n[comparison] marugoto vs baseline (ratio = baseline / marugoto; > 1 means marugoto is lower/faster)")
    say(f"  highest acknowledged rate held: {ours['ack_held']} vs {theirs['ack_held']} req/s")
    for rate in sorted({s.rate for s in ours["ack"]} & {s.rate for s in theirs["ack"]}):
        a, b = _p99_at(ours["ack"], rate), _p99_at(theirs["ack"], rate)
        if a is not None and b is not None:
            say(f"  ack p99 at {rate} req/s: {a:.1f} ms vs {b:.1f} ms ({ratio(a, b)})")
    for residents, mine in ours["e2e"].items():
        other = theirs["e2e"][residents]
        say(f"  end-to-end at {residents} residents: p50 {mine.p50_ms:.0f} vs {other.p50_ms:.0f} ms "
            f"({ratio(mine.p50_ms, other.p50_ms)}), p95 {mine.p95_ms:.0f} vs {other.p95_ms:.0f} ms "
            f"({ratio(mine.p95_ms, other.p95_ms)})")
