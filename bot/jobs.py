"""Background jobs: a registry of named handlers and two queues that run them.

The database is the source of truth; a queue only wakes a worker. With Redis the
queue is RQ (run by `marugoto worker`); without it, the embedded queue runs jobs on
a thread inside the web process. Either way a periodic sweep re-enqueues work the
queue lost, so a lost wake-up delays a job but never drops it.
"""

import logging
import queue
import threading
from collections.abc import Callable

import rq

from bot.logging_setup import reset_log_context, set_log_context
from bot.metrics import observe_job
from bot.services import Services
from storage.redis_keys import job_queue_name

log = logging.getLogger(__name__)

JobHandler = Callable[..., None]
_HANDLERS: dict[str, JobHandler] = {}


class UnknownJob(Exception):
    code = "unknown_job"


def job(name: str) -> Callable[[JobHandler], JobHandler]:
    """Register `handler(services, *args)` under `name`."""

    def register(handler: JobHandler) -> JobHandler:
        _HANDLERS[name] = handler
        return handler

    return register


def run_job(services: Services, name: str, *args) -> None:
    handler = _HANDLERS.get(name)
    if handler is None:
        raise UnknownJob(name)
    token = set_log_context(f"job={name}")
    try:
        with observe_job(name):
            handler(services, *args)
    finally:
        reset_log_context(token)


class InProcessQueue:
    """Runs jobs in order on one daemon thread of this process."""

    def __init__(self, services: Services):
        self._services = services
        self._jobs: queue.Queue[tuple[str, tuple]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def enqueue(self, name: str, *args) -> None:
        self._ensure_thread()
        self._jobs.put((name, args))

    def join(self) -> None:
        """Wait until every enqueued job has run (used by the CLI and tests)."""
        self._jobs.join()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="marugoto-jobs", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            name, args = self._jobs.get()
            try:
                run_job(self._services, name, *args)
            except Exception:
                log.exception("job %s failed; the sweeper will retry it", name)
            finally:
                self._jobs.task_done()


class RqQueue:
    def __init__(self, services: Services, queue_name: str = "default"):
        assert services.redis is not None
        self._queue = rq.Queue(job_queue_name(queue_name), connection=services.redis)

    def enqueue(self, name: str, *args) -> None:
        self._queue.enqueue(rq_entry, name, *args, failure_ttl=7 * 24 * 3600)

    @property
    def rq_queue(self) -> rq.Queue:
        return self._queue


# The RQ worker process sets this once, before it takes jobs.
_worker_services: Services | None = None


def set_worker_services(services: Services) -> None:
    global _worker_services
    _worker_services = services


def rq_entry(name: str, *args) -> None:
    if _worker_services is None:
        raise RuntimeError("the worker process has no services; start it with `marugoto worker`")
    run_job(_worker_services, name, *args)
