"""Done means: a conversation sent as signed LINE webhook events to a running `marugoto serve`
(gunicorn, embedded worker, the real classifier) with MARUGOTO_LINE_API_URL at the recording
stub yields the replies at the stub and the case in `marugoto cases list --json`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bot.cli.main import cli
from bot.bench import line_payloads as p
from bot.bench.cluster import free_port, wait_until
from tests.conftest import LINE_SECRET
from bot.bench.line_stub import PUSH, REPLY

ROOT = Path(__file__).resolve().parents[2]
CONCERN = "80歳の父の介護のことで相談したいです。デイサービスを利用したいと考えています。"


def _environment(tmp_path, database_url, stub_url) -> dict[str, str]:
    return {
        "MARUGOTO_ENV": "development",
        "MARUGOTO_VAR_DIR": str(tmp_path / "var"),
        "MARUGOTO_DATABASE_URL": database_url,
        "MARUGOTO_LINE_CHANNEL_SECRET": LINE_SECRET,
        "MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN": "running-server-token",
        "MARUGOTO_LINE_API_URL": stub_url,
        "MARUGOTO_SIMULATOR": "false",
        "MARUGOTO_LOG_LEVEL": "WARNING",
    }


class Resident:
    """One LINE user talking to the running server; replies are read at the stub."""

    def __init__(self, url: str, stub):
        self.url, self.stub, self.user_id = url, stub, p.user_id()

    def _answered(self) -> int:
        return len([c for c in self.stub.calls if c.path in (REPLY, PUSH) and c.status == 200])

    def send(self, event: dict) -> list:
        before = self._answered()
        raw = p.body(event)
        response = requests.post(
            self.url + "/callback", data=raw, headers={"X-Line-Signature": p.sign(raw, LINE_SECRET)}, timeout=10
        )
        assert response.status_code == 200
        wait_until(lambda: self._answered() > before, "the bot's reply at the LINE stub", 60)
        return [c for c in self.stub.calls if c.path in (REPLY, PUSH) and c.status == 200][before:]

    def tap(self, label: str, calls: list) -> list:
        items = calls[-1].body["messages"][-1]["quickReply"]["items"]
        data = next(i["action"]["data"] for i in items if i["action"]["label"] == label)
        return self.send(p.postback_event(self.user_id, data))


@pytest.mark.slow
def test_scripted_conversation_against_a_running_server(tmp_path, database_url, line_stub):
    env = _environment(tmp_path, database_url, line_stub.url)
    runner = CliRunner(env=env)
    seeded = runner.invoke(cli, ["demo", "--no-serve"])
    assert seeded.exit_code == 0, seeded.output
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "serve", "--port", str(port)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(url), "the server to be ready", 60)
        resident = Resident(url, line_stub)
        greeting = resident.send(p.follow_event(resident.user_id))
        assert "すずかぜ市の福祉の相談窓口です" in greeting[0].texts[0]
        ack = resident.send(p.text_event(resident.user_id, CONCERN))
        assert ack[-1].quick_reply_labels == ["これで全部です"]
        calls = resident.tap("これで全部です", ack)
        for label in ("家族のこと", "75歳以上", "本町地区", "このLINE", "はい"):
            calls = resident.tap(label, calls)
        handoff = "\n".join(t for c in calls for t in c.texts)
        assert "ご相談を受け付けました" in handoff and "会議での共有: 同意する" in handoff
        # Fresh events are answered with their reply tokens, never by push.
        assert {c.path for c in line_stub.calls if c.path in (REPLY, PUSH)} == {REPLY}
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    listed = runner.invoke(cli, ["cases", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [case] = json.loads(listed.output)
    assert (case["status"], case["domains"], case["urgency"], case["queue"], case["consent"]) == (
        "open", ["elderly_care"], "normal", "elderly_care", "granted"
    )
    assert "ERROR" not in errors.decode(errors="replace")


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/readyz", timeout=5).status_code == 200
    except requests.RequestException:  # not up yet, or too busy to answer: poll again
        return False
