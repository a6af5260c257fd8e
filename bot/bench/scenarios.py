"""What the benchmark does to a running bot: stepped webhook load, conversations
timed to the reply at the LINE stub, and a burst of messages from many residents.

Replies are matched to the message that caused them by reply token (every event
carries a fresh one), so a latency is "POST sent" to "reply recorded at the stub".
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.bench import line_payloads as p
from bot.bench.line_stub import REPLY, Call
from bot.bench.load import SignedBody, StepResult, WebhookClient, run_open_loop
from bot.bench.stats import percentile

ACK_TARGET_SECONDS = 0.100
REPLY_TIMEOUT_SECONDS = 30.0
DONE_TEXT = "これで全部です"
# Written for the benchmark (never taken from the evaluation set).
CONCERNS = (
    "母が最近物忘れがひどくなって、一人で買い物に行けなくなりました。どこに相談すればいいですか。",
    "仕事を辞めてから家賃が払えなくなりそうで不安です。",
    "中学生の息子が学校に行かなくなって三か月になります。",
    "隣の家のおじいさんが最近ずっと姿を見せなくて心配です。",
    "夫の介護と子育てが重なって、毎日くたくたです。",
    "借金の返済が苦しくて、生活費が足りません。",
)
MORE_TEXTS = ("少し補足します。", "夜はあまり眠れていません。", "できれば平日の昼に連絡がほしいです。")


class ReplyClock:
    """Records when the stub received a reply for each awaited reply token."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting: dict[str, threading.Event] = {}
        self._at: dict[str, float] = {}

    def expect(self, token: str) -> None:
        with self._lock:
            self._waiting[token] = threading.Event()

    def on_call(self, call: Call) -> None:
        token = call.body.get("replyToken")
        if call.path != REPLY or call.status != 200 or token is None:
            return
        with self._lock:
            event = self._waiting.get(token)
            if event is not None and token not in self._at:
                self._at[token] = call.at
                event.set()

    def wait(self, token: str, timeout: float = REPLY_TIMEOUT_SECONDS) -> float | None:
        """When the reply for `token` arrived (time.monotonic()), or None if it did not in time."""
        with self._lock:
            event = self._waiting[token]
        return self._at[token] if event.wait(timeout) else None

    def replied_at(self, token: str) -> float | None:
        with self._lock:
            return self._at.get(token)


def step_passes(step: StepResult) -> bool:
    return step.errors == 0 and bool(step.latencies) and percentile(step.latencies, 0.99) < ACK_TARGET_SECONDS


def ack_steps(client: WebhookClient, secret: str, rates: list[int], step_seconds: float) -> list[StepResult]:
    """One open-loop step per rate, each message from a new resident; stops after the first failing step."""
    results = []
    for rate in rates:
        bodies = [
            SignedBody.of([p.text_event(p.user_id(), CONCERNS[i % len(CONCERNS)])], secret)
            for i in range(int(rate * step_seconds))
        ]
        step = run_open_loop(client, bodies, rate)
        results.append(step)
        if not step_passes(step):
            break
    return results


def _timed_post(client: WebhookClient, clock: ReplyClock, secret: str, event: dict) -> float | None:
    token = event["replyToken"]
    clock.expect(token)
    sent = time.monotonic()
    if client.post(SignedBody.of([event], secret)) != 200:
        return None
    replied = clock.wait(token)
    return None if replied is None else replied - sent


@dataclass(frozen=True)
class Timings:
    latencies: list[float]
    failures: int


def conversations(
    client: WebhookClient, clock: ReplyClock, secret: str, residents: int, rounds: int
) -> Timings:
    """`residents` at once, each holding `rounds` conversations (follow, a concern, これで全部です)
    one message after the other's reply."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def resident(index: int) -> None:
        nonlocal failures
        for turn in range(rounds):
            uid = p.user_id()
            concern = CONCERNS[(index + turn) % len(CONCERNS)]
            for event in (p.follow_event(uid), p.text_event(uid, concern), p.text_event(uid, DONE_TEXT)):
                took = _timed_post(client, clock, secret, event)
                with lock:
                    if took is None:
                        failures += 1
                    else:
                        latencies.append(took)

    with ThreadPoolExecutor(max_workers=residents, thread_name_prefix="bench-resident") as pool:
        list(pool.map(resident, range(residents)))
    return Timings(latencies, failures)


@dataclass(frozen=True)
class BurstResult:
    sent: int
    rejected: int
    send_seconds: float  # first POST to last answered POST
    answered: int  # awaited replies recorded at the stub
    awaited: int  # the first and the last message of each resident get a reply
    drain_seconds: float | None  # first POST to the last awaited reply; None if some never came
    out_of_order_residents: int  # residents whose replies came in another order than their messages


def burst_texts(per_resident: int, index: int) -> tuple[str, ...]:
    """A concern, details, then これで全部です: the bot acknowledges the first message,
    keeps the details quietly and answers the last (see intake.flow)."""
    details = [MORE_TEXTS[k % len(MORE_TEXTS)] for k in range(max(per_resident - 2, 0))]
    return (CONCERNS[index % len(CONCERNS)], *details, DONE_TEXT)[:per_resident]


def burst(
    client: WebhookClient, clock: ReplyClock, secret: str, residents: int, messages: int, window_seconds: float
) -> BurstResult:
    """`messages` from `residents` (each sends its share back to back, as LINE delivers
    one user's events in order), resident starts spread evenly over the window."""
    per_resident = max(messages // residents, 2)
    awaited: list[list[str]] = [[] for _ in range(residents)]
    sent = rejected = 0
    lock = threading.Lock()
    start = time.monotonic() + 0.05

    def resident(index: int) -> None:
        nonlocal sent, rejected
        due = start + index * window_seconds / residents
        time.sleep(max(due - time.monotonic(), 0))
        uid = p.user_id()
        texts = burst_texts(per_resident, index)
        for k, text in enumerate(texts):
            event = p.text_event(uid, text)
            answered_here = k in (0, len(texts) - 1)
            if answered_here:
                clock.expect(event["replyToken"])
            status = client.post(SignedBody.of([event], secret))
            with lock:
                sent += 1
                if status != 200:
                    rejected += 1
                elif answered_here:
                    awaited[index].append(event["replyToken"])

    with ThreadPoolExecutor(max_workers=min(residents, 64), thread_name_prefix="bench-burst") as pool:
        list(pool.map(resident, range(residents)))
    send_seconds = time.monotonic() - start
    tokens = [t for ts in awaited for t in ts]
    for token in tokens:
        clock.wait(token, timeout=max(REPLY_TIMEOUT_SECONDS * 4 - (time.monotonic() - start), 0.1))
    replied = [at for t in tokens if (at := clock.replied_at(t)) is not None]
    out_of_order = 0
    for ts in awaited:
        known = [at for t in ts if (at := clock.replied_at(t)) is not None]
        if known != sorted(known):
            out_of_order += 1
    return BurstResult(
        sent=sent, rejected=rejected, send_seconds=send_seconds, answered=len(replied), awaited=len(tokens),
        drain_seconds=(max(replied) - start) if replied and len(replied) == len(tokens) else None,
        out_of_order_residents=out_of_order,
    )
