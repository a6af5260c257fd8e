"""Live notices for the console: which case changed, never what it says.

With Redis they are published on one channel the console subscribes to; without it
the console polls the database, which is the source of truth either way, so a
lost notice only delays a screen update.
"""

import json
import logging

import redis

from bot.services import Services
from storage.models import utcnow
from storage.redis_keys import channel_name

log = logging.getLogger(__name__)

CONSOLE_CHANNEL = "console"


def publish_case_events(services: Services, events: list[tuple[str, int]]) -> None:
    if services.redis is None or not events:
        return
    at = utcnow().isoformat()
    try:
        for name, case_id in events:
            services.redis.publish(channel_name(CONSOLE_CHANNEL), json.dumps({"event": name, "case_id": case_id, "at": at}))
    except redis.RedisError as exc:
        log.warning("console notice not published (%s)", type(exc).__name__)
