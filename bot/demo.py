"""Seeding a municipality: queues and agencies, its settings document, the first rules."""

from sqlalchemy.orm import Session

from console.passwords import hash_password, one_time_password
from routing.municipality import Municipality
from routing.municipality_file import load_municipality
from routing.municipality_sync import stored_municipality, sync_queues
from routing.rule_file import default_rules_source
from routing.store import MUNICIPALITY_DOCUMENT
from storage import events
from storage.repositories.audit import record_audit
from storage.repositories.config_documents import get_document, put_document
from storage.repositories.rulesets import add_ruleset_version, get_live_ruleset
from storage.repositories.staff import add_staff, get_staff_by_login


def seed_municipality(session: Session, source: str) -> Municipality:
    """Store the municipality document (keeping its message overrides) and mirror its queues
    and agencies as Queue rows."""
    municipality = load_municipality(source)
    previous = stored_municipality(session)
    document = {**(get_document(session, MUNICIPALITY_DOCUMENT) or {}), "source": source}
    put_document(session, MUNICIPALITY_DOCUMENT, document)
    sync_queues(session, municipality, previous=previous, actor_type="system", actor_id="demo")
    return municipality


def seed_default_rules(session: Session) -> bool:
    """Save the shipped rules as version 1 of a new install; False if rules exist."""
    if get_live_ruleset(session) is not None:
        return False
    add_ruleset_version(
        session, source=default_rules_source(), comment="初期設定（標準ルール）",
        created_by=None, created_by_label="system",
    )
    record_audit(session, actor_type="system", actor_id="demo", action=events.RULES_SAVE, detail={"version": 1})
    return True


def ensure_admin(session: Session, login: str = "admin") -> str:
    """Create the administrator, or give it a fresh one-time password; returns that password."""
    password = one_time_password()
    user = get_staff_by_login(session, login)
    if user is None:
        user = add_staff(
            session, login=login, display_name="管理者", password_hash=hash_password(password),
            role="admin", queues=[], must_change_password=True,
        )
        session.flush()
        action = events.STAFF_CREATE
    else:
        user.password_hash, user.must_change_password, user.active = hash_password(password), True, True
        action = "staff.password_reset"
    record_audit(session, actor_type="system", actor_id="demo", action=action, target_type="staff", target_id=user.id)
    return password
