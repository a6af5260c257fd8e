"""What `marugoto worker` and `scheduler` add around their loops: liveness, memory.

Liveness: RQ's SimpleWorker runs jobs in its own process (no fork per job, so the
model is loaded once per process) and calls `heartbeat()` while it waits for work
and between jobs; `HeartbeatWorker` then also touches MARUGOTO_HEARTBEAT_FILE. The
scheduler loop touches it every tick. A container probe tells a live process from a
hung one by the file's age alone (`deploy/entrypoint.sh alive`), without Redis or
Python.
"""

import logging
import os
import resource
from collections.abc import Callable
from pathlib import Path

from rq import SimpleWorker

log = logging.getLogger(__name__)

# Idle workers wake every WORKER_TTL - 15 s to heartbeat (RQ's rule); a job may run
# up to RQ's default timeout (180 s) without one. The probe allows both.
WORKER_TTL_SECONDS = 60


class HeartbeatWorker(SimpleWorker):
    heartbeat_file: Path | None = None

    def heartbeat(self, *args, **kwargs):
        result = super().heartbeat(*args, **kwargs)
        if self.heartbeat_file is not None:
            touch_heartbeat(self.heartbeat_file)
        return result


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
