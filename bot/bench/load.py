"""Signed webhook POSTs: one at a time, or open-loop at a fixed rate.

Open loop: request i is due at start + i / rate whatever happened to earlier ones,
and its latency runs from when it was due, so a server that falls behind shows it
in the figures instead of slowing the generator down (no coordinated omission).
"""

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.bench import line_payloads as p

REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SignedBody:
    raw: bytes
    signature: str

    @classmethod
    def of(cls, events: list[dict], secret: str) -> "SignedBody":
        raw = p.body(*events)
        return cls(raw, p.sign(raw, secret))


class WebhookClient:
    """POSTs signed bodies to `<base_url>/callback` on one keep-alive connection per thread."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{base_url!r} is not an http URL")
        self._host, self._port = parts.hostname, parts.port or 80
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=REQUEST_TIMEOUT_SECONDS)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def post(self, body: SignedBody) -> int:
        """The response status, or 0 when the request failed on the wire."""
        conn = self._connection()
        try:
            conn.request(
                "POST", "/callback", body=body.raw,
                headers={"Content-Type": "application/json", "X-Line-Signature": body.signature},
            )
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            return 0


@dataclass(frozen=True)
class StepResult:
    rate: float
    latencies: list[float]  # seconds from due time to response, successful requests
    errors: int
    seconds: float  # wall time from the first due time to the last response


def run_open_loop(client: WebhookClient, bodies: list[SignedBody], rate: float, *, threads: int = 64) -> StepResult:
    """Send every body, body i at start + i / rate, and wait for all answers."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def send(body: SignedBody, due: float) -> None:
        nonlocal errors
        status = client.post(body)
        elapsed = time.monotonic() - due
        with lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1

    start = time.monotonic() + 0.05
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bench-load") as pool:
        for i, body in enumerate(bodies):
            due = start + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, body, due)
    return StepResult(rate, latencies, errors, time.monotonic() - start)
