"""The benchmark's parts on a tiny scale (no timing is asserted): percentiles are
nearest-rank, the open-loop generator sends every body signed and counts errors,
and the reply clock matches a stub reply to the message that caused it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.bench import line_payloads as p
from bot.bench.line_stub import LineStub
from bot.bench.load import SignedBody, WebhookClient, run_open_loop
from bot.bench.scenarios import CONCERNS, DONE_TEXT, ReplyClock, burst_texts, step_passes
from bot.bench.stats import BenchError, Summary, percentile, ratio

SECRET = "bench-test-secret"


def test_percentile_is_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile(samples, 1.0) == 100.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([7.0], 0.01) == 7.0


def test_percentile_refuses_no_samples_and_bad_fractions():
    with pytest.raises(BenchError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1.0], 0.0)


def test_summary_is_in_milliseconds_and_ratio_reads_theirs_over_ours():
    summary = Summary.of([0.010, 0.020, 0.030, 0.040])
    assert (summary.count, summary.p50_ms, summary.max_ms) == (4, 20.0, 40.0)
    assert ratio(10.0, 25.0) == "2.50×"
    assert ratio(0.0, 5.0) == "n/a"


class _Recorder:
    """A webhook endpoint that checks signatures like LINE's SDK does, and fails on request."""

    def __init__(self, fail_every: int = 0):
        self.bodies: list[bytes] = []
        self.fail_every = fail_every
        lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - the http.server API
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    recorder.bodies.append(raw)
                    count = len(recorder.bodies)
                good = self.headers["X-Line-Signature"] == p.sign(raw, SECRET)
                failed = recorder.fail_every and count % recorder.fail_every == 0
                self.send_response(200 if good and not failed else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _bodies(count: int) -> list[SignedBody]:
    return [SignedBody.of([p.text_event(p.user_id(), f"テスト{i}")], SECRET) for i in range(count)]


def test_open_loop_sends_every_signed_body_once():
    recorder = _Recorder()
    try:
        bodies = _bodies(12)
        client = WebhookClient(recorder.url)
        step = run_open_loop(client, bodies, rate=200, threads=4)
    finally:
        client.close()
        recorder.close()
    assert (len(step.latencies), step.errors) == (12, 0)
    assert sorted(recorder.bodies) == sorted(b.raw for b in bodies)


def test_open_loop_counts_server_errors_and_a_failed_step_does_not_pass():
    recorder = _Recorder(fail_every=3)
    try:
        client = WebhookClient(recorder.url)
        step = run_open_loop(client, _bodies(9), rate=200, threads=2)
    finally:
        client.close()
        recorder.close()
    assert (len(step.latencies), step.errors) == (6, 3)
    assert not step_passes(step)


def test_unreachable_server_is_an_error_not_a_crash():
    recorder = _Recorder()
    url = recorder.url
    recorder.close()
    client = WebhookClient(url)
    step = run_open_loop(client, _bodies(2), rate=100, threads=1)
    client.close()
    assert (step.latencies, step.errors) == ([], 2)


def test_reply_clock_matches_a_stub_reply_to_its_reply_token():
    clock = ReplyClock()
    stub = LineStub(on_call=clock.on_call).start()
    try:
        clock.expect("token-a")
        clock.expect("token-b")
        answer = requests.post(
            stub.url + "/v2/bot/message/reply",
            json={"replyToken": "token-a", "messages": [{"type": "text", "text": "はい"}]}, timeout=5,
        )
        assert answer.status_code == 200
        assert clock.wait("token-a", timeout=5) == stub.calls[0].at
        assert clock.wait("token-b", timeout=0.05) is None
    finally:
        stub.stop()


@pytest.mark.parametrize("per_resident", [2, 4, 7])
def test_a_burst_resident_writes_a_concern_then_details_then_done(per_resident):
    texts = burst_texts(per_resident, index=1)
    # The bot answers the first message (acknowledgement) and the last (これで全部です): the burst awaits those two.
    assert len(texts) == per_resident
    assert texts[0] == CONCERNS[1] and texts[-1] == DONE_TEXT
    assert DONE_TEXT not in texts[:-1] and not set(texts[1:-1]) & set(CONCERNS)
