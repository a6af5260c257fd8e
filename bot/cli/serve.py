"""`marugoto serve`, `worker` and `scheduler`: the long-running processes."""

import signal
import threading

import click
from gunicorn.app.base import BaseApplication

from bot.cli.main import CliContext, pass_cli
from bot.gunicorn_config import DEFAULT_THREADS, gunicorn_options
from bot.services import build_services
from storage.db import check_database


class GunicornApplication(BaseApplication):
    def __init__(self, app_factory, options: dict):
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._factory()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", type=click.IntRange(min=1),
    help="gunicorn worker processes [default: MARUGOTO_WEB_CONCURRENCY, else CPUs + 1]",
)
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(min=1))
@click.option("--dev", is_flag=True, help="werkzeug development server instead of gunicorn")
@pass_cli
def serve(
    cli_ctx: CliContext, host: str, port: int, workers: int | None, threads: int, dev: bool
) -> None:
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
    options = gunicorn_options(settings, host=host, port=port, workers=workers, threads=threads)
    GunicornApplication(lambda: create_app(settings), options).run()


@click.command()
@click.option("--burst", is_flag=True, help="process what is queued, then exit")
@pass_cli
def worker(cli_ctx: CliContext, burst: bool) -> None:
    """Run background jobs (RQ with Redis; the embedded loop without it)."""
    from bot import job_handlers, jobs, periodic_tasks  # noqa: F401
    from bot.logging_setup import configure_logging
    from bot.metrics_http import start_metrics_server
    from bot.scheduler import run_scheduler
    from bot.worker_process import WORKER_TTL_SECONDS, heartbeat_callback, log_ready, run_rq_worker, yield_cpu_to_web

    settings = cli_ctx.settings
    configure_logging(settings.log_level)
    services = build_services(settings)
    check_database(services.engine)
    services.classifier.warm_up()
    metrics_server = None
    if settings.worker_metrics_port is not None:
        metrics_server = start_metrics_server(services, settings.worker_metrics_port)
    beat = heartbeat_callback(settings.heartbeat_file)
    if beat is not None:
        beat()
    try:
        if services.redis is None:
            click.echo("no MARUGOTO_REDIS_URL: running the embedded job loop")
            log_ready("embedded worker")
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            run_scheduler(services, stop, on_tick=beat)
            return
        jobs.set_worker_services(services)
        yield_cpu_to_web()
        log_ready("worker")
        # A non-forking worker: the model and the database pool are loaded once per process.
        run_rq_worker(
            services.jobs.rq_queue, services.redis, burst=burst,
            heartbeat_file=settings.heartbeat_file, ttl=WORKER_TTL_SECONDS,
        )
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        services.close()


@click.command()
@pass_cli
def scheduler(cli_ctx: CliContext) -> None:
    """Run periodic tasks (sweeps and purges)."""
    # Without Redis the sweeps' jobs run in this process: it needs their handlers too.
    from bot import job_handlers, periodic_tasks  # noqa: F401
    from bot.logging_setup import configure_logging
    from bot.scheduler import run_scheduler
    from bot.worker_process import heartbeat_callback, log_ready

    settings = cli_ctx.settings
    configure_logging(settings.log_level)
    services = build_services(settings)
    check_database(services.engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log_ready("scheduler")
    try:
        run_scheduler(services, stop, on_tick=heartbeat_callback(settings.heartbeat_file))
    finally:
        services.close()
