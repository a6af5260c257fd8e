"""Residents for the chaos run: signed LINE conversations against a running server.

Each resident follows the account, writes a concern and taps the quick replies the
bot offers until the hand-off, waiting for each answer at the LINE stub. A webhook
answered with anything but 200 is redelivered the way LINE does (same event id,
`isRedelivery: true`) after a pause, so a 503 costs time, never the event.
"""

import threading
import time
from dataclasses import dataclass, field

import requests

from bot.bench import line_payloads as p
from bot.bench.line_stub import PUSH, REPLY, LineStub

CONCERNS = (
    "母の物忘れがひどくなり、一人で買い物に行けなくなりました。介護のサービスを知りたいです。",
    "仕事を失って家賃が払えず、来月の生活費もありません。どこに相談すればいいですか。",
    "息子が半年ほど部屋から出てこなくなりました。家族だけではどうにもなりません。",
    "夫の暴言がつらくて眠れません。子どもと一緒に家を出たほうがいいのか迷っています。",
)
PREFERRED_TAPS = ("これで全部です", "家族のこと", "75歳以上", "本町地区", "このLINE", "はい")
HAND_OFF = "ご相談を受け付けました"
MAX_TAPS = 8
REDELIVERY_PAUSE_SECONDS = 1.0
MAX_DELIVERIES = 60


@dataclass
class Tally:
    """What the senders did, shared by every resident thread."""

    sent_ids: set[str] = field(default_factory=set)
    posts: int = 0
    acknowledged: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    redeliveries: int = 0
    undelivered_ids: set[str] = field(default_factory=set)
    stalled_residents: int = 0
    handed_off: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: str) -> None:
        with self.lock:
            self.posts += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == "200":
                self.acknowledged += 1


class Resident:
    def __init__(self, index: int, url: str, secret: str, stub: LineStub, tally: Tally, step_seconds: float):
        self.user_id = p.user_id()
        self._concern = CONCERNS[index % len(CONCERNS)]
        self._url, self._secret, self._stub, self._tally = url, secret, stub, tally
        self._step_seconds = step_seconds
        self._tokens: set[str] = set()  # reply tokens of this resident's events

    def converse(self) -> None:
        calls = self._send(p.follow_event(self.user_id))
        if calls is not None:
            calls = self._send(p.text_event(self.user_id, self._concern))
        for _ in range(MAX_TAPS):
            if calls is None:
                with self._tally.lock:
                    self._tally.stalled_residents += 1
                return
            if any(HAND_OFF in text for call in calls for text in call.texts):
                with self._tally.lock:
                    self._tally.handed_off += 1
                return
            items = _quick_replies(calls)
            if not items:
                return
            labels = [i["action"]["label"] for i in items]
            label = next((t for t in PREFERRED_TAPS if t in labels), labels[0])
            data = next(i["action"]["data"] for i in items if i["action"]["label"] == label)
            calls = self._send(p.postback_event(self.user_id, data))

    def _answers(self) -> list:
        mine = []
        for call in self._stub.calls_to(REPLY) + self._stub.calls_to(PUSH):
            if call.body.get("to") == self.user_id or call.body.get("replyToken") in self._tokens:
                mine.append(call)
        return mine

    def _send(self, event: dict) -> list | None:
        """Deliver the event until acknowledged, then wait for the bot's answer (None: none came)."""
        if event.get("replyToken"):
            self._tokens.add(event["replyToken"])
        before = len(self._answers())
        with self._tally.lock:
            self._tally.sent_ids.add(event["webhookEventId"])
        if not self._deliver(event):
            return None
        deadline = time.monotonic() + self._step_seconds
        while time.monotonic() < deadline:
            answers = self._answers()
            if len(answers) > before:
                time.sleep(0.3)  # a split answer (reply then push) arrives together
                return self._answers()[before:]
            time.sleep(0.1)
        return None

    def _deliver(self, event: dict) -> bool:
        for attempt in range(MAX_DELIVERIES):
            if attempt:
                event["deliveryContext"] = {"isRedelivery": True}
                with self._tally.lock:
                    self._tally.redeliveries += 1
                time.sleep(REDELIVERY_PAUSE_SECONDS)
            raw = p.body(event)
            try:
                response = requests.post(
                    self._url + "/callback", data=raw,
                    headers={"X-Line-Signature": p.sign(raw, self._secret), "Content-Type": "application/json"},
                    timeout=15,
                )
                status = str(response.status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self._tally.count(status)
            if status == "200":
                return True
        with self._tally.lock:
            self._tally.undelivered_ids.add(event["webhookEventId"])
        return False


def _quick_replies(calls: list) -> list[dict]:
    messages = calls[-1].body.get("messages", [])
    return (messages[-1].get("quickReply") or {}).get("items", []) if messages else []
