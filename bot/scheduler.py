"""Periodic tasks (sweeps, purges): registered by name, run on an interval.

In the embedded default a daemon thread of the web process runs them; in production
`marugoto scheduler` does. Every task must be safe to run in several processes at
once (they claim rows in the database), so a second scheduler is harmless.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.logging_setup import reset_log_context, set_log_context
from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    interval_seconds: float
    run: Callable[[Services], None]


_TASKS: dict[str, PeriodicTask] = {}


def periodic(name: str, *, every_seconds: float) -> Callable:
    def register(func: Callable[[Services], None]) -> Callable[[Services], None]:
        _TASKS[name] = PeriodicTask(name, every_seconds, func)
        return func

    return register


def registered_tasks() -> list[PeriodicTask]:
    return list(_TASKS.values())


def run_due_tasks(services: Services, last_run: dict[str, float], now: float) -> None:
    for task in registered_tasks():
        if now - last_run.get(task.name, float("-inf")) < task.interval_seconds:
            continue
        last_run[task.name] = now
        token = set_log_context(f"task={task.name}")
        try:
            task.run(services)
        except Exception:
            log.exception("periodic task %s failed", task.name)
        finally:
            reset_log_context(token)


def run_scheduler(
    services: Services,
    stop: threading.Event,
    *,
    tick_seconds: float = 1.0,
    on_tick: Callable[[], None] | None = None,
) -> None:
    """Run due tasks every tick until `stop`; `on_tick` is a liveness signal."""
    last_run: dict[str, float] = {}
    while not stop.is_set():
        run_due_tasks(services, last_run, time.monotonic())
        if on_tick is not None:
            on_tick()
        stop.wait(tick_seconds)


def start_scheduler_thread(services: Services) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_scheduler, args=(services, stop), name="marugoto-scheduler", daemon=True
    )
    thread.start()
    return stop
