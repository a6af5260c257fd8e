"""Periodic sweeps: the queue only wakes workers, so work it lost is found here.

Stored events nobody processed (a lost enqueue, Redis down at the webhook, a worker
killed mid-job whose lease ran out, a typing-pause timer that fell due) and outbound
messages still pending long after their sender should have sent them are enqueued
again. Redoing is safe: events are claimed, messages carry retry keys.
"""

import logging
from datetime import timedelta

from bot.delivery import DELIVER_JOB
from bot.inbound import PROCESS_JOB
from bot.scheduler import periodic
from bot.services import Services
from storage.models import utcnow
from storage.repositories.cases import list_undelivered_message_ids
from storage.repositories.inbound import list_unprocessed_event_ids

log = logging.getLogger(__name__)

# A fresh event is normally being handled already; leave it to its worker for a while.
EVENT_GRACE_SECONDS = 20
# Longer than the gateway's retries of one message with every timeout.
MESSAGE_GRACE_SECONDS = 120


@periodic("sweep_inbound_events", every_seconds=10)
def sweep_inbound_events(services: Services) -> None:
    with services.sessions() as session:
        ids = list_unprocessed_event_ids(session, older_than=utcnow() - timedelta(seconds=EVENT_GRACE_SECONDS))
    for event_id in ids:
        services.jobs.enqueue(PROCESS_JOB, event_id)
    if ids:
        log.info("re-enqueued %d inbound events", len(ids))


@periodic("sweep_pending_messages", every_seconds=30)
def sweep_pending_messages(services: Services) -> None:
    with services.sessions() as session:
        ids = list_undelivered_message_ids(session, older_than=utcnow() - timedelta(seconds=MESSAGE_GRACE_SECONDS))
    for message_id in ids:
        services.jobs.enqueue(DELIVER_JOB, message_id)
    if ids:
        log.info("re-enqueued %d undelivered messages", len(ids))
