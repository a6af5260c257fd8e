"""A local stand-in for the LINE Messaging API: a real HTTP server that records calls.

Tests and the benchmark point `line_api_url` at it. It answers reply, push and loading calls like LINE
does, records every call (path, headers, JSON body), and can be told to fail the
next N calls with 429, 500, 409 or a timeout (it waits longer than the client's
read timeout, then answers nothing; a push's retry key counts as accepted, the worst
case). A push repeating an accepted retry key is answered 409, as LINE does.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
LOADING = "/v2/bot/chat/loading/start"


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: dict
    status: int
    # time.monotonic() when the call arrived (the benchmark's end of a round trip).
    at: float = 0.0

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("x-line-retry-key")

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.body.get("messages", [])]

    @property
    def quick_reply_labels(self) -> list[str]:
        messages = self.body.get("messages", [])
        items = (messages[-1].get("quickReply") or {}).get("items", []) if messages else []
        return [item["action"]["label"] for item in items]


@dataclass
class _Failure:
    kind: str  # "429" | "500" | "409" | "timeout"
    remaining: int


@dataclass
class LineStub:
    timeout_seconds: float = 1.0
    calls: list[Call] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _accepted_keys: set[str] = field(default_factory=set)
    # Called with every recorded call, outside the lock (the benchmark's reply clock).
    on_call: Callable[[Call], None] | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, kind: str) -> None:
        """The next `count` calls fail with `kind`: 429, 500, 409 or timeout."""
        if kind not in ("429", "500", "409", "timeout"):
            raise ValueError(kind)
        with self._lock:
            self._failures.append(_Failure(kind, count))

    def calls_to(self, path: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == path and c.status == 200]

    def sent_texts(self) -> list[str]:
        """Texts LINE accepted (reply and push), in order."""
        with self._lock:
            return [t for c in self.calls if c.path in (REPLY, PUSH) and c.status == 200 for t in c.texts]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    def start(self) -> "LineStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = stub._answer(self.path, headers, body)
                if status == 0:
                    time.sleep(stub.timeout_seconds)
                    self.close_connection = True
                    return
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="line-stub", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, path: str, headers: dict, body: dict) -> tuple[int, dict]:
        with self._lock:
            failure = next((f for f in self._failures if f.remaining > 0), None)
            if failure is not None:
                failure.remaining -= 1
                status = 0 if failure.kind == "timeout" else int(failure.kind)
                if failure.kind == "timeout" and headers.get("x-line-retry-key"):
                    # Worst case: LINE took the push, the answer was lost.
                    self._accepted_keys.add(headers["x-line-retry-key"])
            else:
                key = headers.get("x-line-retry-key")
                status = 409 if key and key in self._accepted_keys else 200
                if key and status == 200:
                    self._accepted_keys.add(key)
            call = Call(path, headers, body, status, time.monotonic())
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        if status in (0, 409, 429, 500):
            return status, {"message": "stub failure"}
        if path in (REPLY, PUSH):
            sent = [{"id": uuid.uuid4().hex[:18], "quoteToken": uuid.uuid4().hex} for _ in body.get("messages", [])]
            return 200, {"sentMessages": sent}
        if path == LOADING:
            return 200, {}
        return 404, {"message": "Not found"}
