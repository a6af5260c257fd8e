"""The typing-pause timer: an internal inbound event that closes a concern after silence.

It is stored like a webhook event (so it runs in the resident's order, under the
same lock, and survives restarts) but is never sent by LINE; its payload names the
event that started it, so a newer message makes it stale.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PAUSE_EVENT_TYPE = "pause"
# Silence after the last message before the concern is taken as complete.
PAUSE_SECONDS = 90


@dataclass(frozen=True)
class PauseTimer:
    user_id: str
    at: datetime  # when the pause happened, in event time
    after_event_id: int  # the inbound event whose silence this is


def pause_webhook_event_id(after_event_id: int) -> str:
    return f"pause-{after_event_id}"


def pause_payload(*, user_id: str, last_message_at: datetime, after_event_id: int) -> str:
    at = last_message_at + timedelta(seconds=PAUSE_SECONDS)
    return json.dumps(
        {
            "type": PAUSE_EVENT_TYPE,
            "userId": user_id,
            "timestamp": int(at.timestamp() * 1000),
            "webhookEventId": pause_webhook_event_id(after_event_id),
            "after": after_event_id,
        }
    )


def read_pause_payload(raw: dict) -> PauseTimer:
    return PauseTimer(
        user_id=raw["userId"],
        at=datetime.fromtimestamp(raw["timestamp"] / 1000, UTC),
        after_event_id=int(raw["after"]),
    )
