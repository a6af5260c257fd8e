"""Cases, their conversation, staff notes, tag corrections and shares."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow
from storage.models.people import Resident, StaffUser
from storage.models.queues import Queue

CASE_STATUSES = ("intake", "open", "assigned", "waiting", "resolved", "referred")
MESSAGE_SENDERS = ("resident", "bot", "staff", "system")
DELIVERY_STATUSES = ("received", "pending", "sent", "failed")


class Case(Base):
    __tablename__ = "cases"
    # AUTOINCREMENT: SQLite never reuses a deleted row's id (audit rows name cases by id).
    __table_args__ = (Index("ix_cases_status_queue", "status", "queue_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="intake")
    channel: Mapped[str] = mapped_column(String(16), default="line")

    # Classifier output and the labels staff see (corrected labels overwrite these).
    domains: Mapped[list] = mapped_column(default=list)
    patterns: Mapped[list] = mapped_column(default=list)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    scores: Mapped[dict] = mapped_column(default=dict)
    evidence: Mapped[list] = mapped_column(default=list)
    classifier_degraded: Mapped[bool] = mapped_column(default=False)

    # Household summary from the intake questions.
    whose: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(64))
    preferred_contact: Mapped[str | None] = mapped_column(String(16))

    # 重層的支援会議 needs consent (granted); otherwise 支援会議 only.
    consent: Mapped[str] = mapped_column(String(16), default="unknown")
    consent_set_by: Mapped[str | None] = mapped_column(String(64))
    consent_set_at: Mapped[datetime | None]

    emergency: Mapped[bool] = mapped_column(default=False)
    emergency_acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    emergency_acknowledged_at: Mapped[datetime | None]

    # Routing decision, its trace and the rule-set version that made it.
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    priority: Mapped[int] = mapped_column(default=0)
    routing_rule: Mapped[str | None] = mapped_column(String(128))
    routing_trace: Mapped[list] = mapped_column(default=list)
    routing_warning: Mapped[str | None] = mapped_column(Text)
    ruleset_version_id: Mapped[int | None] = mapped_column(ForeignKey("ruleset_versions.id"))
    co_agencies: Mapped[list] = mapped_column(default=list)

    reply_due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_off_at: Mapped[datetime | None]
    first_staff_reply_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    resident: Mapped[Resident] = relationship()
    queue: Mapped[Queue | None] = relationship()
    assignee: Mapped[StaffUser | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list["Message"]] = relationship(
        back_populates="case", order_by="Message.id", cascade="all, delete-orphan"
    )


class Message(Base):
    """One bubble of the conversation. The text is kept only encrypted.

    A message belongs to its resident from the start and joins a case when there is
    one: the bot's first replies and the concern exist before intake opens the case.
    """

    __tablename__ = "messages"
    __table_args__ = (CheckConstraint("case_id IS NOT NULL OR resident_id IS NOT NULL", name="case_or_resident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    body_enc: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # A resident's message: the event it came in; a bot reply: the event it answers.
    inbound_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id", ondelete="SET NULL"))
    # Quick-reply buttons shown under a bot message: [{"label": ..., "data": ...}].
    quick_replies: Mapped[list | None]
    # Outbound delivery: the retry key is stored before the first attempt.
    delivery_status: Mapped[str] = mapped_column(String(16), default="received")
    delivery_error: Mapped[str | None] = mapped_column(String(256))
    retry_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # Client token of a staff reply form: a double submit finds the first row.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    case: Mapped[Case | None] = relationship(back_populates="messages")
    resident: Mapped[Resident | None] = relationship()


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    body_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TagCorrection(Base):
    """A staff correction of the classifier's tags, kept as training feedback."""

    __tablename__ = "tag_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    before: Mapped[dict] = mapped_column(default=dict)
    after: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseShare(Base):
    """A case made visible to another queue (e.g. a co-agency)."""

    __tablename__ = "case_shares"
    __table_args__ = (UniqueConstraint("case_id", "queue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
