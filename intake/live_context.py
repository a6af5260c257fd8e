"""What one step of the flow needs from the database: the municipality as the flow
sees it, the queue targets routing would choose, and an unused case reference."""

import json
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from intake.context import MunicipalityConfig, config_from_municipality
from routing.facts import Facts
from routing.municipality import Municipality
from routing.store import MUNICIPALITY_DOCUMENT, load_live_municipality, route_case
from routing.vocabulary import BOT_QUEUE, FALLBACK_QUEUE
from storage.repositories.config_documents import get_document
from storage.repositories.queues import get_queue_by_key

# When no queue row can be found (a misconfigured install), what the resident is told.
DEFAULT_TARGET_HOURS = 48.0


def load_config(session: Session) -> tuple[Municipality, MunicipalityConfig]:
    """The live municipality and the flow's view of it (raises MunicipalityMissing if none)."""
    municipality = load_live_municipality(session)
    # The administrator's overrides of resident-facing texts live beside the municipality's source.
    overrides = (get_document(session, MUNICIPALITY_DOCUMENT) or {}).get("messages") or {}
    return municipality, _config(municipality, json.dumps(overrides, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=8)
def _config(municipality: Municipality, overrides_json: str) -> MunicipalityConfig:
    return config_from_municipality(municipality, json.loads(overrides_json))


def district_key(municipality: Municipality, name: str | None) -> str | None:
    """Residents pick a district by name; cases and rules use its key."""
    return next((d.key for d in municipality.districts if d.name == name), None)


def district_name(municipality: Municipality, key: str | None) -> str | None:
    return next((d.name for d in municipality.districts if d.key == key), None)


def routing_facts(municipality: Municipality, facts: Facts) -> Facts:
    """The flow's facts carry the district's name; routing expects its key."""
    return replace(facts, district=district_key(municipality, facts.district))


def person_queue(queue: str) -> str:
    """A case handed to people never waits in the bot's own queue."""
    return FALLBACK_QUEUE if queue == BOT_QUEUE else queue


def target_hours_for(sessions: sessionmaker[Session], municipality: Municipality) -> Callable[[Facts], float]:
    def target(facts: Facts) -> float:
        with sessions() as session:
            routed = route_case(session, routing_facts(municipality, facts))
            queue = get_queue_by_key(session, person_queue(routed.decision.queue))
            return float(queue.target_reply_hours) if queue is not None else DEFAULT_TARGET_HOURS

    return target
