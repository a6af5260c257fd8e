"""The intake service behind the webhook: crisis words, classification with its fallback and
loading animation, evidence without text, pause timers, redo after a crash, console notices."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from rq import SimpleWorker

from bot import jobs
from bot.app import create_app
from bot.classification import ClassifierRunner
from bot.conversation import intake_conversation
from bot.demo import seed_default_rules, seed_municipality
from bot.inbound import PROCESS_JOB
from bot.jobs import run_job
from intake import service as intake_service
from intake.timers import pause_webhook_event_id
from nlp.result import Classification, Evidence
from storage import events
from storage.models import AuditEvent, Case, InboundEvent, Message, Queue, utcnow
from storage.redis_keys import channel_name
from routing.store import MUNICIPALITY_DOCUMENT
from storage.repositories.cases import message_text
from storage.repositories.config_documents import get_document, put_document
from storage.repositories.residents import resident_hash
from bot.bench import line_payloads as p
from tests.bot.conftest import build_test_services, post_signed
from tests.bot.script_player import MUNICIPALITY_FILE
from tests.conftest import make_settings
from bot.bench.line_stub import LOADING, PUSH, REPLY
from tests.services import REDIS_URL

CARE = Classification(("elderly_care",), (), "normal", {"elderly_care": 0.9},
                      (Evidence("elderly_care", 2, 4, "介護"),))


def _start(tmp_path, database_url, stub, *, classify=lambda text: CARE, redis_url=None):
    settings = make_settings(tmp_path, database_url, line_api_url=stub.url, redis_url=redis_url)
    services = build_test_services(settings, conversation=intake_conversation)
    services.classifier.close()
    services.classifier = ClassifierRunner(classify, timeout_seconds=2.0)
    with services.sessions.begin() as session:
        seed_municipality(session, MUNICIPALITY_FILE.read_text(encoding="utf-8"))
        seed_default_rules(session)
    return create_app(settings, services).test_client(), services


@pytest.fixture
def talk(tmp_path, database_url, line_stub):
    client, services = _start(tmp_path, database_url, line_stub)
    yield client, services
    services.close()


def _post(client, services, event) -> None:
    assert post_signed(client, p.body(event)).status_code == 200
    services.jobs.join()


def _tap(client, services, stub, uid, label) -> None:
    items = stub.calls[-1].body["messages"][-1]["quickReply"]["items"]
    data = next(i["action"]["data"] for i in items if i["action"]["label"] == label)
    _post(client, services, p.postback_event(uid, data))


def _cases(services) -> list[Case]:
    with services.sessions() as session:
        return list(session.scalars(select(Case).options(selectinload(Case.queue)).order_by(Case.id)))


def test_real_crisis_words_bring_emergency_numbers_and_an_open_emergency_case(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    before = utcnow()
    _post(client, services, p.text_event(uid, "もう限界です。今から死にます"))
    [call] = [c for c in line_stub.calls if c.path in (REPLY, PUSH)]
    assert "命や安全にかかわる状況かもしれません" in call.texts[0] and "いのちの電話 0570-783-556" in call.texts[0]
    [case] = _cases(services)
    assert (case.status, case.emergency, case.urgency, case.queue.key) == ("open", True, "emergency", "emergency")
    # The queue shows a reply target: the emergency queue's hours on the clock, whatever the office hours
    # (counted from the event's time, which LINE gives in milliseconds).
    target = timedelta(hours=case.queue.target_reply_hours)
    assert before - timedelta(milliseconds=1) + target <= case.reply_due_at <= utcnow() + target
    with services.sessions() as session:
        alert = session.scalar(select(AuditEvent).where(AuditEvent.action == events.EMERGENCY_ALERT))
    assert alert.detail == {"reason": "crisis_words"} and alert.target_id == str(case.id)


@pytest.mark.parametrize("text, crisis", [("死にたい", True), ("死ぬほど眠い", False), ("ご飯がおいしい", False)])
def test_the_crisis_check_counts_suicidal_thoughts_but_not_figures_of_speech(text, crisis):
    assert ClassifierRunner.crisis(text) is crisis


def test_classification_shows_the_loading_animation_and_keeps_evidence_without_text(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "父の介護が大変です"))
    _tap(client, services, line_stub, uid, "これで全部です")
    paths = [c.path for c in line_stub.calls]
    assert paths[-2:] == [LOADING, REPLY]  # the animation comes before the questions
    assert line_stub.calls[-2].body == {"chatId": uid, "loadingSeconds": 20}
    [case] = _cases(services)
    with services.sessions() as session:
        concern = session.scalar(select(Message).where(Message.case_id == case.id, Message.sender == "resident"))
        text = message_text(services.cipher, concern)
    assert case.evidence == [{"label": "elderly_care", "message_id": concern.id, "start": 2, "end": 4}]
    assert text[2:4] == "介護"
    assert "介護" not in json.dumps(case.evidence, ensure_ascii=False)


def test_a_failing_or_slow_classifier_gives_the_urgent_fallback_for_a_person(tmp_path, sqlite_url, line_stub):
    release = threading.Event()

    def stuck(text):
        release.wait(30)
        return CARE

    client, services = _start(tmp_path, sqlite_url, line_stub, classify=stuck)
    services.classifier = ClassifierRunner(stuck, timeout_seconds=0.2)
    try:
        uid = p.user_id()
        _post(client, services, p.text_event(uid, "話を聞いてほしいです"))
        _tap(client, services, line_stub, uid, "これで全部です")
        [case] = _cases(services)
        assert (case.urgency, case.classifier_degraded, case.domains) == ("urgent", True, [])
        # Not offered general information only: the questions lead to a person.
        assert line_stub.calls[-1].quick_reply_labels == ["自分のこと", "家族のこと", "知人・近所の人のこと"]
    finally:
        release.set()
        services.close()


def test_a_pause_closes_the_concern_and_a_newer_message_makes_the_old_pause_stale(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "母のことです"))
    _post(client, services, p.text_event(uid, "介護に疲れました"))
    with services.sessions.begin() as session:
        first, second = session.scalars(
            select(InboundEvent.id).where(InboundEvent.event_type == "message").order_by(InboundEvent.id)
        ).all()
        timers = {
            row.webhook_event_id: row.id
            for row in session.scalars(select(InboundEvent).where(InboundEvent.event_type == "pause"))
        }
        session.execute(update(InboundEvent).where(InboundEvent.event_type == "pause").values(process_after=utcnow()))
    run_job(services, PROCESS_JOB, timers[pause_webhook_event_id(first)])
    assert _cases(services) == []  # stale: the resident wrote again after that silence
    run_job(services, PROCESS_JOB, timers[pause_webhook_event_id(second)])
    [case] = _cases(services)
    with services.sessions() as session:
        assert session.get(InboundEvent, timers[pause_webhook_event_id(first)]).error_code == "stale_pause"
        kept = session.scalars(select(Message).where(Message.case_id == case.id, Message.sender == "resident"))
        assert len(list(kept)) == 2
    assert "どなたについてのご相談ですか" in line_stub.calls[-1].texts[-1]


def test_a_crash_before_the_commit_is_redone_from_the_same_state_with_one_reply(
    talk, line_stub, monkeypatch
):
    client, services = talk
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "介護の相談です"))
    real_finish = intake_service.finish_inbound_event
    crashes = []

    def crash_once(session, event_id, **kwargs):
        if not crashes:
            crashes.append(event_id)
            raise RuntimeError("worker died before the commit")
        real_finish(session, event_id, **kwargs)

    monkeypatch.setattr(intake_service, "finish_inbound_event", crash_once)
    before = len(line_stub.calls)
    _post(client, services, p.postback_event(uid, "concern:done"))  # state saved, commit lost
    assert line_stub.calls[before:] == [c for c in line_stub.calls[before:] if c.path == LOADING]
    assert _cases(services) == []
    run_job(services, PROCESS_JOB, crashes[0])  # the sweeper's redo
    replies = [c for c in line_stub.calls[before:] if c.path in (REPLY, PUSH)]
    assert len(replies) == 1 and "どなたについてのご相談ですか" in replies[0].texts[-1]
    [case] = _cases(services)
    assert case.domains == ["elderly_care"]


def _hand_off_a_care_concern(client, services, line_stub, uid) -> None:
    _post(client, services, p.text_event(uid, "介護の相談です"))
    _tap(client, services, line_stub, uid, "これで全部です")
    for label in ("自分のこと", "75歳以上", "北地区", "このLINE", "はい"):
        _tap(client, services, line_stub, uid, label)


def test_a_resident_whose_case_was_resolved_starts_a_new_conversation(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    _hand_off_a_care_concern(client, services, line_stub, uid)
    with services.sessions.begin() as session:
        session.execute(update(Case).values(status="resolved", outcome="supported", resolved_at=utcnow()))
    _post(client, services, p.text_event(uid, "また相談があります"))
    assert "続けて書いてください" in line_stub.calls[-1].texts[-1]  # a new concern, not a silent append
    with services.sessions() as session:
        latest = session.scalar(select(Message).where(Message.sender == "resident").order_by(Message.id.desc()))
        assert latest.case_id is None  # waits for the next case


def test_a_resident_message_on_a_waiting_case_hands_it_back_to_the_assignee(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    _hand_off_a_care_concern(client, services, line_stub, uid)
    with services.sessions.begin() as session:
        session.execute(update(Case).values(status="waiting"))  # staff replied and wait for the resident
    _post(client, services, p.text_event(uid, "お返事ありがとうございます。明日なら大丈夫です"))
    [case] = _cases(services)
    assert case.status == "assigned"
    with services.sessions() as session:
        latest = session.scalar(select(Message).where(Message.sender == "resident").order_by(Message.id.desc()))
        audit = session.scalar(
            select(AuditEvent).where(AuditEvent.action == events.CASE_STATUS).order_by(AuditEvent.id.desc())
        )
    assert latest.case_id == case.id
    assert (audit.actor_type, audit.target_id) == ("resident", str(case.id))
    assert audit.detail == {"from": "waiting", "to": "assigned", "via": "resident_message"}


def test_hand_off_and_emergencies_are_published_for_the_console(tmp_path, sqlite_url, line_stub, redis_db):
    db = redis_db.connection_pool.connection_kwargs["db"]
    client, services = _start(tmp_path, sqlite_url, line_stub, redis_url=f"{REDIS_URL}/{db}")
    listener = redis_db.pubsub()
    listener.subscribe(channel_name("console"))
    try:
        uid = p.user_id()
        _post_with_worker(client, services, p.text_event(uid, "今から死にます"))
        notices = _drain(listener)
        [case] = _cases(services)
        assert [n["event"] for n in notices] == [events.EVENT_EMERGENCY] and notices[0]["case_id"] == case.id
    finally:
        listener.close()
        services.close()


def _post_with_worker(client, services, event) -> None:
    assert post_signed(client, p.body(event)).status_code == 200
    jobs.set_worker_services(services)
    try:
        SimpleWorker([services.jobs.rq_queue], connection=services.redis).work(burst=True)
    finally:
        jobs.set_worker_services(None)


def _drain(listener) -> list[dict]:
    """Every notice published so far (the subscription's own confirmation is skipped)."""
    found = []
    while (message := listener.get_message(timeout=1.0)) is not None:
        if message["type"] == "message":
            found.append(json.loads(message["data"]))
    return found


def test_state_in_the_session_store_is_encrypted(talk):
    client, services = talk
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "介護の相談です"))
    sealed = services.store.get(f"intake:{resident_hash(services.cipher, uid)}")
    assert sealed.startswith("v1.") and "collecting" not in sealed


def test_the_emergency_reply_goes_out_even_when_no_queue_can_take_the_case(talk, line_stub):
    client, services = talk
    with services.sessions.begin() as session:
        session.execute(delete(Queue))  # a broken install: no queue rows at all
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "今から死にます"))
    [call] = [c for c in line_stub.calls if c.path in (REPLY, PUSH)]
    assert "いのちの電話" in call.texts[0]
    [case] = _cases(services)
    assert (case.emergency, case.status, case.queue) == (True, "open", None)
    assert "comprehensive" in case.routing_warning


def test_deletion_leaves_no_conversation_state_behind(talk, line_stub):
    client, services = talk
    uid = p.user_id()
    _post(client, services, p.text_event(uid, "介護の相談です"))
    _post(client, services, p.text_event(uid, "削除"))
    _tap(client, services, line_stub, uid, "削除する")
    assert "削除を受け付けました" in line_stub.calls[-1].texts[0]
    assert services.store.get(f"intake:{resident_hash(services.cipher, uid)}") is None
    with services.sessions() as session:
        assert session.scalar(select(Message.id).where(Message.sender == "resident")) is None
        assert session.scalar(select(InboundEvent.id)) is None


def test_message_overrides_saved_with_the_municipality_are_what_residents_read(talk, line_stub):
    client, services = talk
    with services.sessions.begin() as session:
        document = get_document(session, MUNICIPALITY_DOCUMENT)
        put_document(session, MUNICIPALITY_DOCUMENT, {**document, "messages": {"welcome_back": "またお会いできましたね。"}})
    _post(client, services, p.follow_event(p.user_id(), unblocked=True))
    assert line_stub.calls[-1].texts[0] == "またお会いできましたね。"
