"""`POST /callback`: verify, store, enqueue, answer. Nothing slow happens here.

The signature is checked on the raw body before anything is parsed or stored.
A body the SDK cannot read as events, or with an event whose id or timestamp is
unusable, is refused whole (400, nothing stored); every readable event is stored
once by its id, those marugoto does not act on as `ignored` with a code.
Every event is stored in one transaction (the database is the source of truth);
the queue only wakes a worker, and the sweeper covers a lost wake-up, so a queue
failure still answers 200. Logs carry counts and codes, never the body.
"""

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from bot.inbound import PROCESS_JOB
from bot.line_events import IgnoredEvent, check_envelope, event_time, read_event, user_id_of
from bot.services import Services
from storage.models import utcnow
from storage.repositories.inbound import store_inbound_event
from storage.repositories.residents import resident_hash

log = logging.getLogger(__name__)

blueprint = Blueprint("webhook", __name__)


def _error(code: str, status: int):
    return jsonify(error=code), status


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _error("payload_too_large", 413)


@blueprint.post("/callback")
def callback():
    services: Services = current_app.extensions["marugoto"]
    secret = services.settings.line_channel_secret
    if not secret:
        # HMAC with an empty key is computable by anyone: without a secret nothing is accepted.
        log.error("webhook refused: no channel secret is configured")
        return _error("not_configured", 503)
    signature = request.headers.get("x-line-signature", "")
    raw = request.get_data(cache=False)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("webhook rejected: body is not UTF-8")
        return _error("invalid_body", 400)
    if not signature:
        log.warning("webhook rejected: no signature")
        return _error("invalid_signature", 400)
    try:
        events = WebhookParser(secret).parse(body, signature)
        raw_events = json.loads(body)["events"]
        for event in events:
            check_envelope(event)
    except InvalidSignatureError:
        log.warning("webhook rejected: wrong signature")
        return _error("invalid_signature", 400)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # Also an event whose id or timestamp cannot be stored (bot.line_events.check_envelope).
        # The message of these errors may quote the event: log the type only.
        log.warning("webhook rejected: malformed body (%s)", type(exc).__name__)
        return _error("invalid_body", 400)
    try:
        stored, duplicates = _store(services, events, raw_events)
    except (OperationalError, InterfaceError) as exc:
        log.error("webhook not stored: database unavailable (%s)", type(exc).__name__)
        return _error("database_unavailable", 503)
    _wake_workers(services, stored)
    log.info("webhook: %d events, %d to process, %d already stored", len(events), len(stored), duplicates)
    return jsonify(status="ok")


def _store(services: Services, events: list, raw_events: list[dict]) -> tuple[list[int], int]:
    """Insert every new event in one transaction; returns the ids to process and the duplicate count."""
    to_process: list[int] = []
    duplicates = 0
    with services.sessions.begin() as session:
        for event, raw_event in zip(events, raw_events, strict=True):
            try:
                read_event(event)
                ignored = None
            except IgnoredEvent as exc:
                ignored = exc.code
            user_id = user_id_of(event)
            row = store_inbound_event(
                session,
                services.cipher,
                webhook_event_id=event.webhook_event_id,
                event_type=str(raw_event.get("type", ""))[:32],
                resident_hash=resident_hash(services.cipher, user_id) if user_id else None,
                payload_json=json.dumps(raw_event, ensure_ascii=False),
                redelivery=bool(event.delivery_context.is_redelivery),
                event_at=event_time(event.timestamp),
            )
            if row is None:
                duplicates += 1
            elif ignored is not None:
                row.status, row.error_code, row.processed_at = "ignored", ignored, utcnow()
                log.info("event %s ignored: %s", row.id, ignored)
            else:
                to_process.append(row.id)
    return to_process, duplicates


def _wake_workers(services: Services, event_ids: list[int]) -> None:
    for event_id in event_ids:
        try:
            services.jobs.enqueue(PROCESS_JOB, event_id)
        except Exception as exc:  # noqa: BLE001 - the rows are stored; the sweeper enqueues them later
            log.warning("enqueue failed (%s); the sweeper will pick up the stored events", type(exc).__name__)
            return
