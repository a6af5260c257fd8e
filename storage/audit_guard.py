"""The audit log is append-only from the application: the ORM refuses to change or delete it.

`AppSession` is the Session class of our sessionmaker. Its listeners refuse a
flush that updates or deletes an AuditEvent and a bulk `update()`/`delete()` aimed
at audit_events. Migration 0002 adds database triggers for SQL that bypasses the ORM.
"""

from sqlalchemy import Delete, Update, event
from sqlalchemy.orm import ORMExecuteState, Session

from storage.errors import StorageError
from storage.models import AuditEvent

_AUDIT_TABLE_NAME = AuditEvent.__tablename__


class AuditLogImmutable(StorageError):
    code = "audit_log_immutable"


class AppSession(Session):
    """The Session every part of marugoto uses (see storage.db.make_session_factory)."""


@event.listens_for(AppSession, "before_flush")
def _refuse_audit_changes(session: Session, _flush_context, _instances) -> None:
    for instance in session.deleted:
        if isinstance(instance, AuditEvent):
            raise AuditLogImmutable(f"audit event {instance.id} cannot be deleted")
    for instance in session.dirty:
        if isinstance(instance, AuditEvent) and session.is_modified(instance):
            raise AuditLogImmutable(f"audit event {instance.id} cannot be changed")


@event.listens_for(AppSession, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, Update | Delete) and getattr(statement.table, "name", None) == _AUDIT_TABLE_NAME:
        raise AuditLogImmutable("audit events cannot be updated or deleted")
