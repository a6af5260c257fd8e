"""Inbound webhook events, rule-set versions, audit, settings and session entries."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

INBOUND_STATUSES = ("pending", "processing", "done", "failed", "ignored")


class InboundEvent(Base):
    """A LINE webhook event, stored before the 200 so nothing is lost."""

    __tablename__ = "inbound_events"
    __table_args__ = (Index("ix_inbound_events_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(32))
    resident_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    payload_enc: Mapped[str] = mapped_column(Text)
    redelivery: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_at: Mapped[datetime | None]
    # Not to be processed before this time (an internal timer event, e.g. a typing pause).
    process_after: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


class RuleSetVersion(Base):
    """One saved version of the routing rules; the highest version is live."""

    __tablename__ = "ruleset_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    source: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_by_label: Mapped[str] = mapped_column(String(64), default="system")
    rolled_back_from: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what to which record; never the content itself."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # staff | system | resident
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(default=dict)


class ConfigDocument(Base):
    """An administrator-edited settings document (the municipality, catalogue overrides)."""

    __tablename__ = "config_documents"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class SessionEntry(Base):
    """The embedded session store: shared by every thread and process on one database."""

    __tablename__ = "session_entries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
