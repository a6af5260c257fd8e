"""What `marugoto worker` and `scheduler` add around their loops: liveness, memory.

Liveness: RQ's SimpleWorker runs jobs in its own process (no fork per job, so the
model is loaded once per process) and calls `heartbeat()` while it waits for work
and between jobs; `HeartbeatWorker` then also touches MARUGOTO_HEARTBEAT_FILE. The
scheduler loop touches it every tick. A container probe tells a live process from a
hung one by the file's age alone (`deploy/entrypoint.sh alive`), without Redis or
Python.
"""

import itertools
import logging
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

import redis
import rq
from rq import SimpleWorker

log = logging.getLogger(__name__)

# Idle workers wake every WORKER_TTL - 15 s to heartbeat (RQ's rule); a job may run
# up to RQ's default timeout (180 s) without one. The probe allows both.
WORKER_TTL_SECONDS = 60


REDIS_WAIT_SECONDS = 2.0
# LINE gives the webhook 2 s and redelivers otherwise; a job has no such deadline. Where
# workers share cores with gunicorn (one machine, compose), they yield the CPU to it.
WORKER_NICENESS = 10


class HeartbeatWorker(SimpleWorker):
    heartbeat_file: Path | None = None
    stopping = False  # a stop was asked for (SIGTERM/SIGINT), as opposed to RQ giving up
    abandoned = False  # RQ gave up on Redis; a fresh worker takes over

    def abandon(self) -> None:
        """Let this worker's command listener end instead of outliving it."""
        self.abandoned = True
        if self.pubsub_thread is not None:
            self.pubsub_thread.stop()

    def _pubsub_exception_handler(self, exc, pubsub, pubsub_thread):
        # The listener of an abandoned worker ends quietly; otherwise it would die
        # later with an error when the connection it still reads from is closed.
        if self.abandoned:
            pubsub_thread.stop()
            return
        super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)

    def request_stop(self, signum, frame):
        self.stopping = True
        return super().request_stop(signum, frame)

    def heartbeat(self, *args, **kwargs):
        result = super().heartbeat(*args, **kwargs)
        if self.heartbeat_file is not None:
            touch_heartbeat(self.heartbeat_file)
        return result


def run_rq_worker(
    queue: rq.Queue, connection: redis.Redis, *, burst: bool, heartbeat_file: Path | None, ttl: int
) -> None:
    """Run RQ until asked to stop, surviving Redis outages.

    RQ's worker quits on a Redis error (a timeout, or a lost connection while it
    records a job's end), which would leave the queue unserved after Redis returns.
    This process then waits for Redis and starts a fresh worker. A job cut short is
    not lost: its stored event is redone by the sweeper. In burst mode it stops once
    the queue is empty.
    """
    for number in itertools.count(1):
        worker = HeartbeatWorker([queue], connection=connection, name=f"marugoto-{os.getpid()}-{number}",
                                 worker_ttl=ttl)
        worker.heartbeat_file = heartbeat_file
        try:
            worker.work(burst=burst, with_scheduler=False)
        except redis.RedisError as exc:
            log.warning("worker lost Redis (%s)", type(exc).__name__)
            worker.abandon()
        if worker.stopping:
            return
        _wait_for_redis(connection, heartbeat_file)
        if burst and queue.count == 0:
            return
        log.warning("restarting the job loop")


def _wait_for_redis(connection: redis.Redis, heartbeat_file: Path | None) -> None:
    while True:
        try:
            connection.ping()
            return
        except redis.RedisError:
            # Alive and waiting, not hung: keep the liveness file fresh.
            if heartbeat_file is not None:
                touch_heartbeat(heartbeat_file)
            time.sleep(REDIS_WAIT_SECONDS)


def yield_cpu_to_web() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted here: run at the normal priority
        log.info("worker priority unchanged")


def touch_heartbeat(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def heartbeat_callback(path: Path | None) -> Callable[[], None] | None:
    return None if path is None else lambda: touch_heartbeat(path)


def resident_memory_bytes() -> int:
    """This process's resident set size now (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if os.uname().sysname == "Darwin" else peak * 1024


def log_ready(kind: str) -> None:
    """One line operators size memory limits from: RSS once everything is loaded."""
    log.info("%s ready: pid=%d rss_mib=%.1f", kind, os.getpid(), resident_memory_bytes() / 2**20)
