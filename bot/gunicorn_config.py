"""gunicorn's configuration: the one source for `marugoto serve` and the image.

The image's `web` command runs `marugoto serve`, so every setting comes from here
and from Settings; gunicorn reads no config file and no GUNICORN_CMD_ARGS.

Decisions:
- gthread workers: requests wait on PostgreSQL and Redis, rarely on the CPU (the
  classifier runs in RQ workers), so a few processes with several threads each
  serve many concurrent requests without the memory of many processes.
- preload_app stays off. The web process holds no model worth sharing, and loading
  the app before fork would open database and Redis connections in the master and
  hand the same sockets to every worker; in the embedded default the job and
  scheduler threads would also not survive the fork.
- timeout 30 s: LINE expects the webhook's answer within 2 s and console pages are
  short; a worker silent for 30 s is stuck and is replaced.
- graceful_timeout 25 s: on SIGTERM requests in flight may finish; Kubernetes waits
  terminationGracePeriodSeconds (30 s) before SIGKILL, Compose stop_grace_period.
- The access log has method, path without query string, status, size, duration and
  the request id: never a query string, body, referrer or cookie.
"""

import logging
import os

from prometheus_client import multiprocess

from bot.settings import Settings

log = logging.getLogger(__name__)

# Path only (%(U)s, never %(r)s or %(q)s, which carry the query string).
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms req=%({x-request-id}i)s'
DEFAULT_THREADS = 8
MAX_DEFAULT_WORKERS = 8


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_worker_count(settings: Settings) -> int:
    if settings.redis_url is None:
        # The embedded default (SQLite, in-process jobs) is one machine's trial set-up:
        # one process keeps SQLite to a single writer and one job thread.
        return 1
    # One process per CPU plus one that can run while another waits on the GIL;
    # capped because each process holds its own connection pools.
    return min(available_cpus() + 1, MAX_DEFAULT_WORKERS)


def gunicorn_options(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
) -> dict:
    """Options for gunicorn's `cfg.set`; `workers` overrides MARUGOTO_WEB_CONCURRENCY."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or settings.web_concurrency or default_worker_count(settings),
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        "timeout": 30,
        "graceful_timeout": 25,
        # Longer than a reverse proxy's idle upstream timeout, so the proxy closes first.
        "keepalive": 75,
        # Restart a worker now and then (jittered, so not all at once): a slow leak
        # in any library then never grows without bound.
        "max_requests": 10000,
        "max_requests_jitter": 1000,
        # Heartbeat files on tmpfs: a container's overlay /tmp can stall under load.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "proc_name": "marugoto-web",
        "on_starting": _on_starting(settings),
        "child_exit": _child_exit(settings),
    }


def _on_starting(settings: Settings):
    def on_starting(server) -> None:
        directory = settings.metrics_multiproc_dir
        if directory is None:
            if server.cfg.workers > 1:
                log.warning("PROMETHEUS_MULTIPROC_DIR is unset: /metrics shows one worker only")
            return
        # Files from a previous run would be added to this run's counters. The
        # directory itself may be a mounted volume, so only its files go.
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()

    return on_starting


def _child_exit(settings: Settings):
    def child_exit(server, worker) -> None:
        if settings.metrics_multiproc_dir is not None:
            multiprocess.mark_process_dead(worker.pid, str(settings.metrics_multiproc_dir))

    return child_exit
