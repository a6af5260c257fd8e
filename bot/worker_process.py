"""What a `marugoto worker` process adds around RQ: liveness, memory, metrics.

Liveness: RQ's SimpleWorker runs jobs in its own process (no fork per job, so the
model is loaded once per process) and calls `heartbeat()` while it waits for work
and between jobs. `HeartbeatWorker` also touches MARUGOTO_WORKER_HEARTBEAT_FILE
there, so a container probe can tell a live worker from a hung one by the file's
age alone (`deploy/entrypoint.sh worker-alive`), without Redis or Python.
"""

import logging
import os
import resource
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
