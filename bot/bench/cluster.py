"""The processes under test: a dedicated PostgreSQL database and Redis db, gunicorn,
RQ workers and the scheduler as subprocesses, all on loopback.

Other runs share this PostgreSQL and Redis: the benchmark creates its own
database and drops it afterwards, and claims a Redis db index the way test runs
do (bot.bench.redis_claim), flushing only that one.
"""

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

from bot.bench.redis_claim import NoFreeRedisDb, claimed_redis_db
from bot.bench.stats import BenchError

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM_SECONDS = 3600
START_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise BenchError(f"timed out after {seconds:.0f} s waiting for {what}")


@contextmanager
def dedicated_database():
    """Yields the SQLAlchemy URL of a fresh database, dropped on the way out."""
    name = f"marugoto_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def dedicated_redis_db():
    """Yields the URL of a Redis db index this run has claimed (bot.bench.redis_claim), flushed before and after."""
    locks = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    try:
        with claimed_redis_db(locks, hold_seconds=CLAIM_SECONDS, wait_seconds=0) as index:
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=index)
            client.flushdb()
            try:
                yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{index}"
            finally:
                client.flushdb()
                client.close()
    except NoFreeRedisDb as exc:
        raise BenchError(str(exc)) from None
    finally:
        locks.close()


def production_environment(database_url: str, redis_url: str, line_api_url: str, secret: str, var_dir: Path) -> dict:
    """MARUGOTO_* for a production-mode run with throw-away keys."""

    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")

    return {
        "MARUGOTO_ENV": "production",
        "MARUGOTO_VAR_DIR": str(var_dir),
        "MARUGOTO_DATABASE_URL": database_url,
        "MARUGOTO_REDIS_URL": redis_url,
        "MARUGOTO_SECRET_KEY": key(),
        "MARUGOTO_ENCRYPTION_KEYS": "bench:" + key(),
        "MARUGOTO_HASH_KEY": key(),
        "MARUGOTO_LINE_CHANNEL_SECRET": secret,
        "MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN": "bench-" + secrets.token_hex(16),
        "MARUGOTO_LINE_API_URL": line_api_url,
        "MARUGOTO_LOG_LEVEL": "WARNING",
    }


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from bot.cli.main import main; main()", *args]


def run_marugoto(env: dict, *args: str) -> None:
    done = subprocess.run(
        _command(*args), cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise BenchError(f"marugoto {' '.join(args)} failed: {done.stderr.strip()[-500:]}")


def rss_mib(pid: int) -> float:
    """Resident memory of one process from /proc, in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Processes:
    """Started subprocesses; `stop()` ends each by its own pid."""

    log_dir: Path
    started: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.started.append((name, process))
        return process

    def start_marugoto(self, name: str, env: dict, *args: str) -> subprocess.Popen:
        return self.start(name, _command(*args), env)

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-800:]
                raise BenchError(f"{name} exited with {process.returncode}: {tail}")

    def stop(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                process.terminate()
        for _, process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.started.clear()


def wait_ready(url: str, processes: Processes) -> None:
    def ready() -> bool:
        processes.check_alive()
        try:
            return requests.get(url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_until(ready, f"{url}/readyz", START_TIMEOUT_SECONDS)


def wait_workers(redis_url: str, count: int, processes: Processes) -> None:
    """Until `count` RQ workers have registered (they register after loading settings and the database)."""
    from rq import Worker

    client = redis.Redis.from_url(redis_url)
    try:
        def registered() -> bool:
            processes.check_alive()
            return Worker.count(connection=client) >= count

        wait_until(registered, f"{count} RQ workers", START_TIMEOUT_SECONDS)
    finally:
        client.close()
