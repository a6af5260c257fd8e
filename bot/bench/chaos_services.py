"""Private, throwaway Redis and PostgreSQL for the chaos run (never the shared 5432/6379).

Both listen on loopback at free ports and keep their files in one temporary
directory. PostgreSQL refuses to run as root, so as root its cluster is owned by,
and run as, the `postgres` system user.
"""

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from bot.bench.cluster import free_port


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self._dir = workdir
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self._dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop without saving: everything queued in Redis is gone, as after a crash."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None


class PrivatePostgres:
    def __init__(self, workdir: Path):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self._bin = Path(found[-1]).parent
        self.port = free_port()
        self._root = workdir / "pg"
        self._data = self._root / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self._root.mkdir(parents=True)
        if self._as_user:
            shutil.chown(self._root, "postgres")
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self._data), "-o", options, "-l", str(self._root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop", check=False)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self._as_user, str(self._bin / program), *args],
            check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
