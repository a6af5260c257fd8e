"""`marugoto bench`: figures from real processes on this machine (see docs/performance.md)."""

import signal
import sys

import click


@click.command()
@click.option("--quick", is_flag=True, help="a scaled-down run (about 2 minutes) instead of the full one (about 10)")
@click.option("--web-workers", default=2, show_default=True, type=click.IntRange(1, 16), help="gunicorn processes")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16), help="RQ worker processes")
def bench(quick: bool, web_workers: int, workers: int) -> None:
    """Measure webhook acknowledgement, end-to-end reply latency and a burst against gunicorn,
    RQ workers, PostgreSQL (a throw-away database) and Redis (a claimed db index) on
    127.0.0.1 with a local LINE API stub, then the SDK-example baseline. Prints figures."""
    from bot.bench.run import FULL, QUICK, run
    from bot.bench.stats import BenchError

    # A terminated run still stops its processes and drops its database (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(QUICK if quick else FULL, web_workers, workers)
    except BenchError as exc:
        raise click.ClickException(str(exc)) from None
