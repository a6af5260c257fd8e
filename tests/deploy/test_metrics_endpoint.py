"""/metrics: Prometheus text with real values, and closed to anyone not allowed."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import jobs
from bot.app import create_app
from bot.metrics import count_line_api_error, observe_classification, observe_webhook_ack
from bot.services import build_services
from storage.models import InboundEvent
from storage.repositories.cases import create_case
from storage.repositories.queues import upsert_queue
from storage.repositories.residents import get_or_create_resident
from tests.conftest import make_settings

TOKEN = "t" * 32


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@jobs.job("test_metrics_ok")
def _ok_job(services):
    """Does nothing: its run time is what the test measures."""


@jobs.job("test_metrics_boom")
def _failing_job(services):
    raise RuntimeError("boom")


def _seed(services):
    with services.sessions.begin() as session:
        queue = upsert_queue(session, "comprehensive", name="包括的相談", field="comprehensive")
        resident = get_or_create_resident(session, services.cipher, "Umetrics", channel="line")
        for status in ("open", "open", "assigned", "intake"):
            case = create_case(session, resident, channel="line")
            case.status = status
            case.queue = queue if status != "intake" else None
        for n, status in enumerate(("pending", "pending", "processing", "done")):
            session.add(
                InboundEvent(webhook_event_id=f"ev{n}", event_type="message", payload_enc="x", status=status)
            )


def test_metrics_report_state_and_events_without_personal_data(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url)
    app = create_app(settings)
    services = app.extensions["marugoto"]
    _seed(services)
    found_before = samples(app.test_client().get("/metrics").text)

    jobs.run_job(services, "test_metrics_ok")
    with pytest.raises(RuntimeError):
        jobs.run_job(services, "test_metrics_boom")
    with observe_webhook_ack():
        pass
    with observe_classification():
        pass
    count_line_api_error(429)
    count_line_api_error(None)

    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    found = samples(response.text)
    # State read from the database at scrape time.
    assert value(found, "marugoto_cases", queue="comprehensive", status="open") == 2
    assert value(found, "marugoto_cases", queue="comprehensive", status="assigned") == 1
    assert value(found, "marugoto_cases", queue="none", status="intake") == 1
    assert value(found, "marugoto_inbound_events", status="pending") == 2
    assert value(found, "marugoto_inbound_events", status="processing") == 1
    assert value(found, "marugoto_state_scrape_errors", source="database") == 0
    # Event metrics went up by exactly what happened in between.
    def grew(name, **labels):
        return value(found, name, **labels) - value(found_before, name, **labels)

    assert grew("marugoto_job_seconds_count", job="test_metrics_ok", outcome="ok") == 1
    assert grew("marugoto_job_seconds_count", job="test_metrics_boom", outcome="error") == 1
    assert grew("marugoto_webhook_ack_seconds_count") == 1
    assert grew("marugoto_classification_seconds_count") == 1
    assert grew("marugoto_line_api_errors_total", status="429") == 1
    assert grew("marugoto_line_api_errors_total", status="network") == 1
    assert value(found, "process_resident_memory_bytes") > 10 * 2**20
    assert "Umetrics" not in response.text
    services.close()


def test_rq_queue_length_comes_from_redis(tmp_path, sqlite_url, redis_db):
    kwargs = redis_db.connection_pool.connection_kwargs
    url = f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"
    app = create_app(make_settings(tmp_path, sqlite_url, redis_url=url))
    services = app.extensions["marugoto"]
    services.jobs.enqueue("test_metrics_ok")
    services.jobs.enqueue("test_metrics_ok")
    found = samples(app.test_client().get("/metrics").text)
    assert value(found, "marugoto_job_queue_length", queue="default") == 2
    assert value(found, "marugoto_state_scrape_errors", source="redis") == 0
    services.close()


def test_an_unreachable_database_is_reported_not_raised(tmp_path):
    app = create_app(make_settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert value(samples(response.text), "marugoto_state_scrape_errors", source="database") == 1


@pytest.mark.parametrize(
    ("remote", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),  # loopback is allowed by default
        ("203.0.113.9", {}, 403),  # the internet is not
        ("203.0.113.9", {"Authorization": f"Bearer {TOKEN}"}, 200),
        ("203.0.113.9", {"Authorization": "Bearer wrong-token-wrong-token-x"}, 403),
        # Through a proxy the address is the proxy's: only the token counts.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 403),
        ("10.1.2.3", {}, 200),  # an allowed cluster network
    ],
)
def test_access_needs_an_allowed_network_or_the_token(tmp_path, sqlite_url, remote, headers, status):
    import ipaddress

    networks = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))
    settings = make_settings(tmp_path, sqlite_url, metrics_token=TOKEN, metrics_allowed_networks=networks)
    app = create_app(settings)
    response = app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == status
    if status == 403:
        assert b"marugoto_" not in response.data
    app.extensions["marugoto"].close()


def test_worker_metrics_server_serves_this_process_only(tmp_path, sqlite_url):
    import urllib.error
    import urllib.request

    from bot.metrics_http import start_metrics_server

    services = build_services(make_settings(tmp_path, sqlite_url))
    server = start_metrics_server(services, 0, host="127.0.0.1")
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
            text = response.read().decode()
        assert "process_resident_memory_bytes" in text and "marugoto_job_seconds" in text
        # The database gauges belong to the web role only, so they are not summed twice.
        assert "marugoto_cases" not in text
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{base}/other", timeout=5)
        assert error.value.code == 404
        error.value.close()
    finally:
        server.shutdown()
        server.server_close()
        services.close()
