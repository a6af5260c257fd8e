"""Console policy values and the clock, kept on the app so tests can shift time."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from storage.models import utcnow


@dataclass
class ConsoleConfig:
    secure_cookies: bool
    hsts: bool
    clock: Callable[[], datetime] = field(default=utcnow)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    # Failed logins within the window before a lock-out.
    throttle_window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5
    max_failures_per_ip: int = 20
    poll_seconds: int = 5

    def now(self) -> datetime:
        return self.clock()


EXTENSION = "marugoto_console"


def console_config() -> ConsoleConfig:
    return current_app.extensions[EXTENSION]


def services():
    """The Services of the composition root (duck-typed: console never imports bot)."""
    return current_app.extensions["marugoto"]
