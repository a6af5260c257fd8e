"""An RQ worker lowers its own CPU priority so that the webhook keeps LINE's 2 s deadline on a shared machine."""

import os
import subprocess
import sys

from bot.worker_process import WORKER_NICENESS


def test_a_worker_process_runs_at_a_lower_priority_than_its_parent():
    probe = "from bot.worker_process import yield_cpu_to_web; yield_cpu_to_web(); import os; print(os.nice(0))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # Afterwards the process is nicer than the test runner by WORKER_NICENESS (capped at 19), never less nice.
    assert int(done.stdout) == min(os.nice(0) + WORKER_NICENESS, 19)
