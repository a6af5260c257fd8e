"""`marugoto serve`, `worker` and `scheduler`: the long-running processes."""

import os
import signal
import threading

import click
from gunicorn.app.base import BaseApplication

from bot.cli.main import CliContext, pass_cli
from bot.services import build_services
from storage.db import check_database


class _Gunicorn(BaseApplication):
    def __init__(self, app_factory, options: dict):
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._factory()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="werkzeug development server instead of gunicorn")
@pass_cli
def serve(cli_ctx: CliContext, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve the webhook, console and simulator."""
    settings = cli_ctx.settings
    probe = build_services(settings)
    try:
        check_database(probe.engine)
    finally:
        probe.close()

    from bot.app import create_app

    if dev:
        create_app(settings).run(host=host, port=port, threaded=True)
        return
    _Gunicorn(lambda: create_app(settings), gunicorn_options(host, port, workers, threads)).run()


@click.command()
@click.option("--burst", is_flag=True, help="process what is queued, then exit")
@pass_cli
def worker(cli_ctx: CliContext, burst: bool) -> None:
    """Run background jobs (RQ with Redis; the embedded loop without it)."""
    from bot import jobs, periodic_tasks  # noqa: F401
    from bot.scheduler import run_scheduler

    services = build_services(cli_ctx.settings)
    check_database(services.engine)
    if services.redis is None:
        click.echo("no MARUGOTO_REDIS_URL: running the embedded job loop")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        run_scheduler(services, stop)
        return
    from rq import SimpleWorker

    jobs.set_worker_services(services)
    queue = services.jobs.rq_queue
    # A non-forking worker: the model and the database pool are loaded once per process.
    SimpleWorker([queue], connection=services.redis, name=f"marugoto-{os.getpid()}").work(
        burst=burst, with_scheduler=False
    )


@click.command()
@pass_cli
def scheduler(cli_ctx: CliContext) -> None:
    """Run periodic tasks (sweeps and purges)."""
    from bot import periodic_tasks  # noqa: F401
    from bot.scheduler import run_scheduler

    services = build_services(cli_ctx.settings)
    check_database(services.engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_scheduler(services, stop)
