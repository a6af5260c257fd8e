"""The inbound job and the sweepers: every stored event is handled exactly once, in order per
resident, whatever dies on the way; the Redis path runs on a real RQ worker."""

import threading
from datetime import timedelta

import requests
from rq import SimpleWorker
from sqlalchemy import select, update
from werkzeug.serving import make_server

from bot import jobs
from bot.app import create_app
from bot.inbound import MAX_ATTEMPTS, PROCESS_JOB
from bot.jobs import run_job
from bot.scheduler import registered_tasks
from bot.sweeper import sweep_inbound_events, sweep_pending_messages
from intake.timers import pause_payload, pause_webhook_event_id
from storage.models import InboundEvent, Message, utcnow
from storage.repositories.inbound import store_inbound_event
from bot.bench import line_payloads as p
from tests.bot.conftest import build_test_services, post_signed
from tests.bot.echo import echo_conversation
from tests.conftest import LINE_SECRET, make_settings
from bot.bench.line_stub import PUSH, REPLY
from tests.services import REDIS_URL


class RecordingQueue:
    """Collects enqueued jobs so a test decides when (and whether) they run."""

    def __init__(self):
        self.jobs: list[tuple[str, tuple]] = []

    def enqueue(self, name, *args):
        self.jobs.append((name, args))


def _rows(services) -> list[InboundEvent]:
    with services.sessions() as session:
        return list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


def _age_rows(services, seconds: int) -> None:
    with services.sessions.begin() as session:
        session.execute(update(InboundEvent).values(received_at=utcnow() - timedelta(seconds=seconds)))


def test_sweeper_enqueues_stored_events_the_queue_lost(bot_client, bot_services, line_stub):
    queue = RecordingQueue()
    bot_services.jobs = queue
    post_signed(bot_client, p.body(p.text_event(p.user_id(), "キューに入らなかった")))
    queue.jobs.clear()  # the wake-up is lost
    sweep_inbound_events(bot_services)
    assert queue.jobs == []  # too fresh: its worker may still be on it
    _age_rows(bot_services, 60)
    sweep_inbound_events(bot_services)
    [row] = _rows(bot_services)
    assert queue.jobs == [(PROCESS_JOB, (row.id,))]
    run_job(bot_services, *queue.jobs[0][:1], *queue.jobs[0][1])
    assert _rows(bot_services)[0].status == "done"
    assert len(line_stub.calls) == 1


def test_a_worker_killed_mid_job_is_redone_once_after_its_lease(bot_client, bot_services, line_stub):
    queue = RecordingQueue()
    bot_services.jobs = queue
    post_signed(bot_client, p.body(p.text_event(p.user_id(), "途中で止まる")))
    [row] = _rows(bot_services)
    # The dead worker claimed the row; its lease has run out.
    with bot_services.sessions.begin() as session:
        session.execute(
            update(InboundEvent).values(status="processing", locked_until=utcnow() - timedelta(seconds=1), attempts=1)
        )
    queue.jobs.clear()
    sweep_inbound_events(bot_services)
    assert queue.jobs == [(PROCESS_JOB, (row.id,))]
    run_job(bot_services, PROCESS_JOB, row.id)
    run_job(bot_services, PROCESS_JOB, row.id)  # a late duplicate wake-up
    assert _rows(bot_services)[0].status == "done"
    assert len(line_stub.calls) == 1


def test_a_live_lease_is_left_alone(bot_client, bot_services, line_stub):
    bot_services.jobs = RecordingQueue()
    post_signed(bot_client, p.body(p.text_event(p.user_id(), "処理中")))
    [row] = _rows(bot_services)
    with bot_services.sessions.begin() as session:
        session.execute(update(InboundEvent).values(status="processing", locked_until=utcnow() + timedelta(minutes=1)))
    run_job(bot_services, PROCESS_JOB, row.id)
    assert _rows(bot_services)[0].status == "processing"
    assert line_stub.calls == []


def test_replies_committed_but_never_sent_are_sent_by_the_message_sweeper(bot_client, bot_services, line_stub):
    """The worker died between its commit and the send: the outbox still has the rows."""

    def commit_only(services, event_id, event):
        echo_conversation(services, event_id, event)
        raise SystemExit  # stands for the process dying after the commit

    bot_services.jobs = RecordingQueue()
    bot_services.conversation = commit_only
    post_signed(bot_client, p.body(p.text_event(p.user_id(), "送る前に止まる")))
    [row] = _rows(bot_services)
    try:
        run_job(bot_services, PROCESS_JOB, row.id)
    except SystemExit:
        pass
    assert line_stub.calls == []
    queue = RecordingQueue()
    bot_services.jobs = queue
    with bot_services.sessions.begin() as session:
        session.execute(update(Message).values(created_at=utcnow() - timedelta(minutes=5)))
        session.execute(update(InboundEvent).values(event_at=utcnow() - timedelta(minutes=5)))
    sweep_pending_messages(bot_services)
    assert [name for name, _ in queue.jobs] == ["deliver_message"]
    run_job(bot_services, queue.jobs[0][0], *queue.jobs[0][1])
    [call] = line_stub.calls
    assert call.path == PUSH  # the reply token is past its time
    sweep_pending_messages(bot_services)
    assert len(queue.jobs) == 1  # nothing pending any more


def test_one_residents_events_run_oldest_first(bot_client, bot_services, line_stub):
    queue = RecordingQueue()
    bot_services.jobs = queue
    uid = p.user_id()
    for text in ("一", "二", "三"):
        post_signed(bot_client, p.body(p.text_event(uid, text)))
    last_id = queue.jobs[-1][1][0]
    run_job(bot_services, PROCESS_JOB, last_id)  # the newest wake-up arrives first
    with bot_services.sessions() as session:
        answered = list(session.scalars(select(Message.inbound_event_id).order_by(Message.id)))
    assert answered == [r.id for r in _rows(bot_services)]
    assert {r.status for r in _rows(bot_services)} == {"done"}


def test_a_failing_event_goes_back_to_the_sweeper_then_fails_for_good(bot_client, bot_services, line_stub):
    def broken(services, event_id, event):
        raise RuntimeError("contains 相談 text that must not be logged")

    bot_services.jobs = RecordingQueue()
    bot_services.conversation = broken
    post_signed(bot_client, p.body(p.text_event(p.user_id(), "失敗する")))
    [row] = _rows(bot_services)
    run_job(bot_services, PROCESS_JOB, row.id)
    [row] = _rows(bot_services)
    assert (row.status, row.error_code, row.attempts) == ("pending", "RuntimeError", 1)
    for _ in range(MAX_ATTEMPTS):
        run_job(bot_services, PROCESS_JOB, row.id)
    [row] = _rows(bot_services)
    assert (row.status, row.error_code) == ("failed", "too_many_attempts")
    assert line_stub.calls == []


def test_failure_logs_carry_no_content(bot_client, bot_services, caplog):
    def broken(services, event_id, event):
        raise RuntimeError(event.text)

    bot_services.jobs = RecordingQueue()
    bot_services.conversation = broken
    uid = p.user_id()
    post_signed(bot_client, p.body(p.text_event(uid, "秘密の相談内容")))
    [row] = _rows(bot_services)
    with caplog.at_level("DEBUG"):
        run_job(bot_services, PROCESS_JOB, row.id)
    assert "RuntimeError" in caplog.text
    assert "秘密の相談内容" not in caplog.text and uid not in caplog.text


def test_a_timer_event_waits_until_it_is_due(bot_services, line_stub):
    with bot_services.sessions.begin() as session:
        row = store_inbound_event(
            session,
            bot_services.cipher,
            webhook_event_id=pause_webhook_event_id(1),
            event_type="pause",
            resident_hash="h",
            payload_json=pause_payload(user_id=p.user_id(), last_message_at=utcnow(), after_event_id=1),
            redelivery=False,
            event_at=utcnow(),
            process_after=utcnow() + timedelta(minutes=1),
        )
        row.received_at = utcnow() - timedelta(minutes=5)
    queue = RecordingQueue()
    bot_services.jobs = queue
    run_job(bot_services, PROCESS_JOB, row.id)
    sweep_inbound_events(bot_services)
    assert _rows(bot_services)[0].status == "pending" and queue.jobs == []


def test_sweepers_are_registered_with_the_scheduler(bot_app):
    names = {task.name for task in registered_tasks()}
    assert {"sweep_inbound_events", "sweep_pending_messages"} <= names


def test_one_hundred_concurrent_copies_of_one_event_make_one_row_and_one_reply(bot_app, bot_services, line_stub):
    server = make_server("127.0.0.1", 0, bot_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    raw = p.body(p.text_event(p.user_id(), "同時に100回届く"))
    headers = {"Content-Type": "application/json", "X-Line-Signature": p.sign(raw, LINE_SECRET)}
    url = f"http://127.0.0.1:{server.server_port}/callback"
    statuses: list[int] = []
    barrier = threading.Barrier(100)

    def post():
        barrier.wait()
        statuses.append(requests.post(url, data=raw, headers=headers, timeout=60).status_code)

    try:
        senders = [threading.Thread(target=post) for _ in range(100)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
    finally:
        server.shutdown()
        thread.join()
    bot_services.jobs.join()
    assert statuses == [200] * 100
    assert len(_rows(bot_services)) == 1
    assert len(line_stub.calls_to(REPLY)) + len(line_stub.calls_to(PUSH)) == 1


def test_redis_job_path_with_a_real_rq_worker(tmp_path, database_url, line_stub, redis_db):
    db = redis_db.connection_pool.connection_kwargs["db"]
    settings = make_settings(tmp_path, database_url, line_api_url=line_stub.url, redis_url=f"{REDIS_URL}/{db}")
    services = build_test_services(settings)
    try:
        client = create_app(settings, services).test_client()
        assert post_signed(client, p.body(p.text_event(p.user_id(), "RQで処理"))).status_code == 200
        assert _rows(services)[0].status == "pending"
        jobs.set_worker_services(services)
        worker = SimpleWorker([services.jobs.rq_queue], connection=services.redis)
        assert worker.work(burst=True, with_scheduler=False)
        assert _rows(services)[0].status == "done"
        assert line_stub.sent_texts() == ["echo text 0"]
    finally:
        jobs.set_worker_services(None)
        services.close()
