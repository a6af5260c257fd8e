"""Redis and the database going away under a running app, and coming back.

The shared services are never stopped: a TCP proxy in front of them is cut and
restored, which the app sees exactly as a dead server (refused connections, resets).
"""

import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from redis.client import PubSubWorkerThread
from rq import SimpleWorker
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from bot import jobs
from bot.app import create_app
from bot.services import build_services
from bot.sweeper import EVENT_GRACE_SECONDS, sweep_inbound_events
from bot.worker_process import run_rq_worker
from storage.models import InboundEvent, utcnow
from bot.bench import line_payloads as p
from tests.bot.conftest import build_test_services, line_stub, post_signed  # noqa: F401
from tests.conftest import make_settings
from tests.services import REDIS_URL
from tests.tcp_proxy import TcpProxy


def _rows(services) -> list[InboundEvent]:
    with services.sessions() as session:
        return list(session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


def _age_events(services) -> None:
    """As if the sweeper's grace period had passed."""
    with services.sessions.begin() as session:
        session.execute(update(InboundEvent).values(received_at=utcnow() - timedelta(seconds=EVENT_GRACE_SECONDS + 1)))


def test_redis_down_the_webhook_stores_and_acknowledges_and_the_work_resumes_when_it_returns(
    tmp_path, database_url, line_stub, redis_db  # noqa: F811
):
    earlier_listeners = set(_rq_listeners())  # other tests' listeners may still be ending on a loaded machine
    redis_target = urlsplit(REDIS_URL)
    proxy = TcpProxy(redis_target.hostname, redis_target.port or 6379).start()
    db = redis_db.connection_pool.connection_kwargs["db"]
    settings = make_settings(
        tmp_path, database_url, line_api_url=line_stub.url, redis_url=f"redis://127.0.0.1:{proxy.port}/{db}"
    )
    services = build_test_services(settings)
    try:
        client = create_app(settings, services).test_client()
        proxy.cut()
        uid = p.user_id()
        for text in ("一通目", "二通目"):
            assert post_signed(client, p.body(p.text_event(uid, text))).status_code == 200
        # Acknowledged and stored, nothing answered yet: the database holds the work.
        assert [r.status for r in _rows(services)] == ["pending", "pending"]
        assert line_stub.calls == []
        _age_events(services)
        with pytest.raises(Exception):
            sweep_inbound_events(services)  # the sweeper cannot enqueue either; it tries again next tick
        proxy.restore()
        sweep_inbound_events(services)
        jobs.set_worker_services(services)
        assert SimpleWorker([services.jobs.rq_queue], connection=services.redis).work(burst=True, with_scheduler=False)
        assert [r.status for r in _rows(services)] == ["done", "done"]
        # Each event answered once, in order: nothing lost, nothing doubled.
        assert line_stub.sent_texts() == ["echo text 0", "echo text 0"]
    finally:
        jobs.set_worker_services(None)
        services.close()
        proxy.cut()
    # The abandoned worker's command listener ends too, instead of dying later inside another test.
    deadline = time.monotonic() + 15
    while set(_rq_listeners()) - earlier_listeners and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(_rq_listeners()) - earlier_listeners == set()


def _rq_listeners() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if isinstance(t, PubSubWorkerThread) and t.is_alive()]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_database_down_is_503_and_the_same_process_recovers_when_it_returns(
    tmp_path, database_url, line_stub  # noqa: F811
):
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = make_settings(tmp_path, proxied, line_api_url=line_stub.url)
    services = build_test_services(settings)
    try:
        client = create_app(settings, services).test_client()
        uid = p.user_id()
        first = p.text_event(uid, "はじめ")
        assert post_signed(client, p.body(first)).status_code == 200  # the pool now holds live connections
        services.jobs.join()
        proxy.cut()
        during = p.text_event(uid, "止まっている間")
        response = post_signed(client, p.body(during))
        assert (response.status_code, response.get_json()) == (503, {"error": "database_unavailable"})
        proxy.restore()
        # LINE redelivers the refused event; the same process takes it without a restart.
        during["deliveryContext"] = {"isRedelivery": True}
        assert post_signed(client, p.body(during)).status_code == 200
        services.jobs.join()
        rows = _rows(services)
        assert [r.webhook_event_id for r in rows] == [first["webhookEventId"], during["webhookEventId"]]
        assert [r.status for r in rows] == ["done", "done"] and rows[1].redelivery
        assert line_stub.sent_texts() == ["echo text 0", "echo text 0"]
    finally:
        services.close()
        proxy.cut()


_CUT: list[TcpProxy] = []
_RAN: list[str] = []


@jobs.job("test_cut_redis_mid_job")
def _cut_redis_mid_job(_services) -> None:
    proxy = _CUT[0]
    proxy.cut()
    threading.Timer(1.0, proxy.restore).start()  # Redis "comes back" a second later
    _RAN.append("cut")


@jobs.job("test_after_the_outage")
def _after_the_outage(_services) -> None:
    _RAN.append("after")


# RQ's own pub/sub thread dies with the connection (it is restarted with the next worker).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_worker_that_loses_redis_mid_job_waits_for_it_and_serves_the_queue_again(tmp_path, sqlite_url, redis_db):
    # Regression found by bot/bench/chaos.py: RQ's worker quit ("unhandled exception") when Redis went
    # away during a job, so nothing was processed after Redis returned.
    redis_target = urlsplit(REDIS_URL)
    proxy = TcpProxy(redis_target.hostname, redis_target.port or 6379).start()
    db = redis_db.connection_pool.connection_kwargs["db"]
    settings = make_settings(tmp_path, sqlite_url, redis_url=f"redis://127.0.0.1:{proxy.port}/{db}")
    services = build_services(settings)
    _CUT[:], _RAN[:] = [proxy], []
    try:
        services.jobs.enqueue("test_cut_redis_mid_job")
        services.jobs.enqueue("test_after_the_outage")
        jobs.set_worker_services(services)
        run_rq_worker(services.jobs.rq_queue, services.redis, burst=True, heartbeat_file=None, ttl=60)
        assert _RAN == ["cut", "after"]
        assert services.jobs.rq_queue.count == 0
    finally:
        jobs.set_worker_services(None)
        services.close()
        proxy.cut()
