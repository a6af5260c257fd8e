"""End to end: known phrases and LINE user ids never appear in plain form in any store or log.

They are written the way the product writes them (repositories, session store,
job queue, audit, retention, deletion, key rotation), then the SQLite file and its
WAL / a pg_dump, every Redis key and value, and the captured logs are searched.
"""

import json
import logging
import time
from pathlib import Path

import pytest
from rq import SimpleWorker
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot import jobs
from bot.app import create_app
from bot.demo import seed_default_rules, seed_municipality
from bot.retention import purge_expired_data
from bot.services import build_services
from intake.resident_actions import Actor, do_delete_resident
from routing.municipality_file import demo_municipality_source
from storage import events
from storage.encrypted_columns import CASE_NOTE_BODY
from storage.models import CaseNote, InboundEvent, Message, StaffUser
from storage.repositories.audit import record_audit
from storage.repositories.cases import add_message, create_case, message_text
from storage.repositories.inbound import claim_inbound_event, inbound_payload, store_inbound_event
from storage.repositories.residents import get_or_create_resident
from storage.session_store import held_lock
from bot.bench.line_payloads import sign
from tests.conftest import LINE_SECRET, make_settings
from bot.bench.line_stub import LineStub
from tests.privacy.leakscan import Hit, Scanner
from tests.services import REDIS_URL

PHRASES = ("母が認知症で夜中に外へ出てしまう", "借金の返済で家賃が払えない", "もう死にたいと思うことがある")
USER_IDS = ("U1f2e3d4c5b6a79808f7e6d5c4b3a2910", "Uaa00bb11cc22dd33ee44ff5566778899")
STAFF_NOTE = "長男とは連絡がとれない状態"


def line_message_event(user_id: str, text: str, event_id: str) -> dict:
    """A LINE Messaging API message event, as the webhook receives it."""
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1700000000000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "b60d432864f44d079f6d8efe86cf404b",
        "message": {"id": "444573844083572737", "type": "text", "quoteToken": "q3Plxr4AgKd", "text": text},
    }


@pytest.fixture
def privacy_services(tmp_path, database_url, redis_db):
    db = redis_db.connection_pool.connection_kwargs["db"]
    settings = make_settings(tmp_path, database_url, redis_url=f"{REDIS_URL}/{db}")
    services = build_services(settings)
    yield services
    services.close()


def write_through_storage(services) -> None:
    """Everything the product stores about two residents, through the storage layer."""
    cipher = services.cipher
    for n, user_id in enumerate(USER_IDS):
        with services.sessions.begin() as session:
            resident = get_or_create_resident(session, cipher, user_id, channel="line")
            for i, phrase in enumerate(PHRASES):
                payload = json.dumps(line_message_event(user_id, phrase, f"01HZ{n}{i}"), ensure_ascii=False)
                row = store_inbound_event(session, cipher, webhook_event_id=f"01HZ{n}{i}", event_type="message",
                                          resident_hash=resident.user_hash, payload_json=payload,
                                          redelivery=False, event_at=None)
                session.flush()
                services.jobs.enqueue("process_inbound_event", row.id)
            case = create_case(session, resident, channel="line")
            for phrase in PHRASES:
                add_message(session, cipher, case, sender="resident", text=phrase)
            add_message(session, cipher, case, sender="staff", text=f"「{PHRASES[0]}」について伺います")
            staff = session.scalar(select(StaffUser)) or StaffUser(login="sato", display_name="佐藤", password_hash="x")
            session.add(staff)
            session.flush()
            session.add(CaseNote(case_id=case.id, staff_id=staff.id, body_enc=CASE_NOTE_BODY.encrypt(cipher, STAFF_NOTE)))
            record_audit(session, actor_type="staff", actor_id=staff.id, action=events.CASE_VIEW,
                         target_type="case", target_id=case.id)
        with services.sessions.begin() as session:
            claim_inbound_event(session, row.id, lease_seconds=30)
        # Conversation state and the per-resident lock are keyed by the pseudonymous row id.
        services.store.set(f"conversation:{resident.id}", json.dumps({"phase": "collecting"}), ttl_seconds=600)
        with held_lock(services.store, f"resident:{resident.id}", ttl_seconds=30, wait_seconds=5):
            pass
    logging.getLogger("marugoto.privacy-test").info("stored %d residents", len(USER_IDS))


def read_back(services) -> set[str]:
    """The plaintexts are really stored (decryptable): the scan below is not searching an empty store."""
    with services.sessions() as session:
        texts = {message_text(services.cipher, m) for m in session.scalars(select(Message))}
        texts |= {CASE_NOTE_BODY.decrypt(services.cipher, n.body_enc) for n in session.scalars(select(CaseNote))}
    return texts


def scan_everything(services, scanner: Scanner, log_text: str) -> list[Hit]:
    url = make_url(services.settings.database_url)
    services.engine.dispose()  # close connections so the SQLite WAL is as the product leaves it
    if url.get_backend_name() == "sqlite":
        hits = scanner.scan_sqlite(Path(url.database))
    else:
        hits = scanner.scan_pg_dump(url.set(drivername="postgresql").render_as_string(hide_password=False))
    return hits + scanner.scan_redis(services.redis) + scanner.scan_text(log_text, "captured logs")


def test_phrases_and_user_ids_written_through_storage_leave_no_trace(privacy_services, caplog):
    services = privacy_services
    caplog.set_level(logging.DEBUG)
    app = create_app(services.settings, services)
    assert app.test_client().get("/readyz").status_code == 200

    write_through_storage(services)
    assert set(PHRASES) | {STAFF_NOTE} <= read_back(services)
    with services.sessions() as session:
        payloads = [json.loads(inbound_payload(services.cipher, row)) for row in session.scalars(select(InboundEvent))]
    assert {p["source"]["userId"] for p in payloads} == set(USER_IDS)
    purge_expired_data(services)

    hits = scan_everything(services, Scanner([*PHRASES, *USER_IDS, STAFF_NOTE]), caplog.text)
    assert hits == []


def test_deleting_a_resident_leaves_no_trace_of_them(privacy_services, caplog):
    services = privacy_services
    caplog.set_level(logging.DEBUG)
    write_through_storage(services)
    with services.sessions.begin() as session:
        resident = get_or_create_resident(session, services.cipher, USER_IDS[0], channel="line")
        counts = do_delete_resident(session, resident, actor=Actor("resident"))
    assert counts["messages"] == len(PHRASES) + 1
    hits = scan_everything(services, Scanner([*PHRASES, *USER_IDS]), caplog.text)
    assert hits == []


def test_webhook_path_leaves_no_trace(tmp_path, database_url, redis_db, caplog):
    """Signed webhook events through the whole path: webhook, RQ worker, intake service with the
    real classifier and crisis check, routing, the outbox and the LINE stub."""
    stub = LineStub().start()
    db = redis_db.connection_pool.connection_kwargs["db"]
    settings = make_settings(tmp_path, database_url, redis_url=f"{REDIS_URL}/{db}", line_api_url=stub.url)
    services = build_services(settings)
    caplog.set_level(logging.DEBUG)
    try:
        with services.sessions.begin() as session:
            seed_municipality(session, demo_municipality_source())
            seed_default_rules(session)
        client = create_app(settings, services).test_client()
        for n, user_id in enumerate(USER_IDS):
            for i, phrase in enumerate(PHRASES):
                event = line_message_event(user_id, phrase, f"01HZW{n}{i}")
                event["timestamp"] = int(time.time() * 1000)
                raw = json.dumps({"destination": "U0", "events": [event]}, ensure_ascii=False).encode()
                response = client.post("/callback", data=raw, headers={"X-Line-Signature": sign(raw, LINE_SECRET)})
                assert response.status_code == 200
        jobs.set_worker_services(services)
        assert SimpleWorker([services.jobs.rq_queue], connection=services.redis).work(burst=True)
        with services.sessions() as session:
            rows = list(session.scalars(select(InboundEvent)))
            # Every message is handled; only typing-pause timers (not due yet) still wait.
            assert {r.status for r in rows if r.event_type != "pause"} == {"done"}
        assert set(PHRASES) <= read_back(services)
        assert len(stub.sent_texts()) >= len(USER_IDS) * len(PHRASES)  # the bot answered every message
        sent = "\n".join(json.dumps(c.body, ensure_ascii=False) for c in stub.calls)
        hits = scan_everything(services, Scanner([*PHRASES, *USER_IDS]), caplog.text)
        hits += Scanner(PHRASES).scan_text(sent, "calls to LINE")
        assert hits == []
    finally:
        jobs.set_worker_services(None)
        services.close()
        stub.stop()
