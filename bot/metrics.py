"""Prometheus metrics: every metric marugoto exports is defined here.

Two kinds:
- event metrics (histograms, counters) that the webhook, jobs, classifier calls and
  the LINE gateway update through the small helpers below;
- state metrics (queue depth, cases by queue and status) read from the database and
  Redis when /metrics is scraped, by `StateCollector`, so they are never stale and
  cost one cheap indexed query per scrape.

Under gunicorn with several workers, prometheus_client's multiprocess mode keeps the
event metrics in files under PROMETHEUS_MULTIPROC_DIR and `render_metrics` adds them
up; that variable must be in the process environment before prometheus_client is
imported (see docs/scaling.md). No label ever carries personal data: job names,
queue keys, case statuses and HTTP status codes only.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
import rq
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.services import Services
from storage.models import Case, InboundEvent, Queue
from storage.redis_keys import job_queue_name

# LINE gives a webhook 2 s; the interesting range is a few ms to that limit.
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
_JOB_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_CLASSIFY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Inbound events still to be worked on (done and ignored rows are history).
BACKLOG_STATUSES = ("pending", "processing", "failed")
RQ_QUEUES = ("default",)

WEBHOOK_ACK_SECONDS = Histogram(
    "marugoto_webhook_ack_seconds",
    "Time from receiving POST /callback to the 200 answer (verify, store, enqueue).",
    buckets=_ACK_BUCKETS,
)
JOB_SECONDS = Histogram(
    "marugoto_job_seconds",
    "Run time of background jobs by job name and outcome (ok or error).",
    ["job", "outcome"],
    buckets=_JOB_BUCKETS,
)
CLASSIFICATION_SECONDS = Histogram(
    "marugoto_classification_seconds",
    "Time the classifier took for one message.",
    buckets=_CLASSIFY_BUCKETS,
)
LINE_API_ERRORS = Counter(
    "marugoto_line_api_errors",
    "Failed LINE Messaging API calls by HTTP status code ('network' when none came back).",
    ["status"],
)


@contextmanager
def observe_webhook_ack() -> Iterator[None]:
    """Time one webhook request, from its first byte read to the answer."""
    started = time.perf_counter()
    try:
        yield
    finally:
        WEBHOOK_ACK_SECONDS.observe(time.perf_counter() - started)


@contextmanager
def observe_job(name: str) -> Iterator[None]:
    """Time one job; a raised exception counts as outcome=error and propagates."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        JOB_SECONDS.labels(job=name, outcome=outcome).observe(time.perf_counter() - started)


@contextmanager
def observe_classification() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        CLASSIFICATION_SECONDS.observe(time.perf_counter() - started)


def count_line_api_error(status: int | None) -> None:
    """Count one failed LINE API call; `None` when no HTTP answer came back."""
    LINE_API_ERRORS.labels(status="network" if status is None else str(status)).inc()


class StateCollector(Collector):
    """Gauges read from the database and Redis at scrape time."""

    def __init__(self, services: Services):
        self._services = services

    def collect(self):
        backlog = GaugeMetricFamily(
            "marugoto_inbound_events",
            "Stored webhook events not yet done, by status (the worker backlog).",
            labels=["status"],
        )
        cases = GaugeMetricFamily(
            "marugoto_cases", "Cases by queue key ('none' before routing) and status.",
            labels=["queue", "status"],
        )
        scrape_errors = GaugeMetricFamily(
            "marugoto_state_scrape_errors",
            "1 when a source of the state metrics could not be read during this scrape.",
            labels=["source"],
        )
        database_error = 0
        try:
            backlog_counts, case_counts = self._read_database()
        except SQLAlchemyError:
            database_error, backlog_counts, case_counts = 1, {}, []
        for status in BACKLOG_STATUSES:
            if not database_error:
                backlog.add_metric([status], backlog_counts.get(status, 0))
        for queue_key, status, count in case_counts:
            cases.add_metric([queue_key or "none", status], count)
        scrape_errors.add_metric(["database"], database_error)
        yield backlog
        yield cases
        if self._services.redis is not None:
            yield from self._collect_redis(scrape_errors)
        yield scrape_errors

    def _read_database(self) -> tuple[dict[str, int], list[tuple[str | None, str, int]]]:
        with self._services.sessions() as session:
            backlog = session.execute(
                select(InboundEvent.status, func.count())
                .where(InboundEvent.status.in_(BACKLOG_STATUSES))
                .group_by(InboundEvent.status)
            ).all()
            cases = session.execute(
                select(Queue.key, Case.status, func.count())
                .select_from(Case)
                .outerjoin(Queue, Case.queue_id == Queue.id)
                .group_by(Queue.key, Case.status)
            ).all()
        return {status: count for status, count in backlog}, [tuple(row) for row in cases]

    def _collect_redis(self, scrape_errors: GaugeMetricFamily):
        lengths = GaugeMetricFamily(
            "marugoto_job_queue_length", "Jobs waiting in the RQ queue.", labels=["queue"]
        )
        redis_error = 0
        for name in RQ_QUEUES:
            try:
                queue = rq.Queue(job_queue_name(name), connection=self._services.redis)
                lengths.add_metric([name], queue.count)
            except redis.RedisError:
                redis_error = 1
        scrape_errors.add_metric(["redis"], redis_error)
        yield lengths


def render_metrics(services: Services, *, with_state: bool) -> tuple[bytes, str]:
    """The Prometheus text exposition for this process (or all gunicorn workers)."""
    if services.settings.metrics_multiproc_dir is not None:
        events = CollectorRegistry()
        MultiProcessCollector(events, path=str(services.settings.metrics_multiproc_dir))
    else:
        events = REGISTRY  # also carries process_* (memory, CPU) and python_* metrics
    body = generate_latest(events)
    if with_state:
        state = CollectorRegistry()
        state.register(StateCollector(services))
        body += generate_latest(state)
    return body, CONTENT_TYPE_LATEST
