"""Retention of messages that never joined a case: gone after the abandoned-intake period."""

from datetime import timedelta

from sqlalchemy import select

from bot.retention import purge_expired_data
from bot.services import build_services
from storage.models import Message, utcnow
from storage.repositories.cases import add_message, create_case
from storage.repositories.residents import get_or_create_resident
from tests.conftest import make_settings


def test_old_messages_without_a_case_are_purged_and_the_rest_kept(tmp_path, database_url):
    services = build_services(make_settings(tmp_path, database_url))
    now = utcnow()
    try:
        with services.sessions.begin() as session:
            resident = get_or_create_resident(session, services.cipher, "Uretention", channel="line")
            case = create_case(session, resident, channel="line")
            kept_on_case = add_message(session, services.cipher, case, sender="resident", text="相談", at=now - timedelta(days=90))
            old = add_message(session, services.cipher, None, resident=resident, sender="bot", text="挨拶",
                              at=now - timedelta(days=31))
            recent = add_message(session, services.cipher, None, resident=resident, sender="resident", text="終了",
                                 at=now - timedelta(days=2))
            session.flush()
            ids = {"case": kept_on_case.id, "old": old.id, "recent": recent.id}
        counts = purge_expired_data(services, now=now)
        with services.sessions() as session:
            left = set(session.scalars(select(Message.id)))
        assert counts["caseless_messages"] == 1
        assert left == {ids["case"], ids["recent"]}
    finally:
        services.close()
