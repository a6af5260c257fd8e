"""Logging configured once; every record carries request/job/event ids, never content."""

import contextvars
import logging
import sys

_context: contextvars.ContextVar[str] = contextvars.ContextVar("marugoto_log_context", default="-")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.ctx = _context.get()
        return True


def set_log_context(value: str) -> contextvars.Token:
    return _context.set(value)


def reset_log_context(token: contextvars.Token) -> None:
    _context.reset(token)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(ctx)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
