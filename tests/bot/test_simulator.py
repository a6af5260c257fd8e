"""/simulator: signed events through the real webhook path, replies and staff messages by polling."""

import re
import secrets
import uuid

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.conversation import intake_conversation
from bot.delivery import DELIVER_JOB
from bot.demo import seed_default_rules, seed_municipality
from bot.jobs import run_job
from routing.municipality_file import demo_municipality_source
from storage.models import InboundEvent, Resident
from storage.repositories.cases import add_message, create_case
from tests.bot.conftest import build_test_services
from tests.conftest import make_settings


def sim_user() -> str:
    return "Usim" + secrets.token_hex(15)[:29]


@pytest.fixture
def sim(tmp_path, sqlite_url, line_stub):
    settings = make_settings(tmp_path, sqlite_url, line_api_url=line_stub.url, simulator_enabled=True)
    services = build_test_services(settings, conversation=intake_conversation)
    with services.sessions.begin() as session:
        seed_municipality(session, demo_municipality_source())
        seed_default_rules(session)
    yield create_app(settings, services).test_client(), services
    services.close()


def _send(client, services, **event):
    response = client.post("/simulator/api/events", json=event)
    services.jobs.join()
    return response


def _messages(client, user_id, after=0):
    response = client.get(f"/simulator/api/messages?user_id={user_id}&after={after}")
    assert response.status_code == 200
    return response.get_json()["messages"]


def test_page_is_a_phone_chat_with_external_scripts_only(sim):
    client, _ = sim
    response = client.get("/simulator")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline scripts
    assert "style=" not in html
    with client.get("/simulator/static/simulator.js") as script:
        assert script.status_code == 200


def test_simulator_is_absent_when_disabled(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, sqlite_url, simulator_enabled=False)
    app = create_app(settings)
    try:
        assert app.test_client().get("/simulator").status_code == 404
        assert app.test_client().post("/simulator/api/events", json={}).status_code == 404
    finally:
        app.extensions["marugoto"].close()


def test_a_conversation_goes_through_the_signed_webhook_and_never_reaches_line(sim, line_stub):
    client, services = sim
    user = sim_user()
    assert _send(client, services, user_id=user, kind="follow").status_code == 200
    assert _send(client, services, user_id=user, kind="text", text="介護のことで相談したいです").status_code == 200
    shown = _messages(client, user)
    assert shown[0]["sender"] == "bot" and "すずかぜ市" in shown[0]["text"]
    resident_texts = [m["text"] for m in shown if m["sender"] == "resident"]
    assert resident_texts == ["介護のことで相談したいです"]
    assert shown[-1]["quick_replies"] == [{"label": "これで全部です", "data": "concern:done"}]
    with services.sessions() as session:
        rows = list(session.scalars(select(InboundEvent).where(InboundEvent.event_type != "pause")))
        assert [r.status for r in rows] == ["done", "done"]
        assert session.scalar(select(Resident.channel)) == "simulator"
    assert line_stub.calls == []
    # Polling from the newest id returns nothing new.
    assert _messages(client, user, after=shown[-1]["id"]) == []


def test_each_browser_has_its_own_conversation(sim):
    client, services = sim
    first, second = sim_user(), sim_user()
    _send(client, services, user_id=first, kind="text", text="一人目です")
    _send(client, services, user_id=second, kind="text", text="二人目です")
    assert [m["text"] for m in _messages(client, first) if m["sender"] == "resident"] == ["一人目です"]
    assert [m["text"] for m in _messages(client, second) if m["sender"] == "resident"] == ["二人目です"]


def test_staff_replies_from_the_console_appear_in_the_simulator(sim, line_stub):
    client, services = sim
    user = sim_user()
    _send(client, services, user_id=user, kind="text", text="返事を待っています")
    with services.sessions.begin() as session:
        resident = session.scalar(select(Resident))
        case = create_case(session, resident, channel="simulator")
        reply = add_message(session, services.cipher, case, sender="staff", text="担当の佐藤です。",
                            delivery_status="pending")
        session.flush()
        reply_id = reply.id
    assert all(m["sender"] != "staff" for m in _messages(client, user))  # not delivered yet
    run_job(services, DELIVER_JOB, reply_id)
    [staff] = [m for m in _messages(client, user) if m["sender"] == "staff"]
    assert staff["text"] == "担当の佐藤です。"
    assert line_stub.calls == []


@pytest.mark.parametrize(
    "event, code",
    [
        ({"user_id": "U" + uuid.uuid4().hex, "kind": "text", "text": "x"}, "invalid_user_id"),
        ({"user_id": "Usim" + "0" * 29, "kind": "join"}, "invalid_kind"),
        ({"user_id": "Usim" + "0" * 29, "kind": "text", "text": "  "}, "invalid_text"),
        ({"user_id": "Usim" + "0" * 29, "kind": "text", "text": "あ" * 5001}, "invalid_text"),
        ({"user_id": "Usim" + "0" * 29, "kind": "postback"}, "invalid_data"),
    ],
)
def test_bad_simulator_input_is_refused_and_stores_nothing(sim, event, code):
    client, services = sim
    response = client.post("/simulator/api/events", json=event)
    assert (response.status_code, response.get_json()) == (400, {"error": code})
    with services.sessions() as session:
        assert session.scalar(select(InboundEvent.id)) is None


def test_stickers_and_blocking_from_the_simulator(sim):
    client, services = sim
    user = sim_user()
    _send(client, services, user_id=user, kind="sticker")
    [sticker] = [m for m in _messages(client, user) if m["sender"] == "resident"]
    assert (sticker["kind"], sticker["text"]) == ("sticker", None)
    _send(client, services, user_id=user, kind="unfollow")
    assert client.get(f"/simulator/api/messages?user_id={user}").get_json()["reachable"] is False
    _send(client, services, user_id=user, kind="follow", data="unblocked")
    answer = client.get(f"/simulator/api/messages?user_id={user}").get_json()
    assert answer["reachable"] is True
    welcome, prompt = answer["messages"][-2:]
    assert welcome["text"].startswith("おかえりなさい") and prompt["text"].startswith("どんなことでお困りですか")
