"""Queues and agencies: where a case waits and who takes it."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

MAX_QUEUE_NAME = 128


class Queue(Base):
    __tablename__ = "queues"
    __table_args__ = {"sqlite_autoincrement": True}  # ids named by audit rows are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_QUEUE_NAME))
    # The SCHEMA field it serves (a domain, "comprehensive", "emergency" or "general").
    field: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="queue")  # queue | agency
    contact: Mapped[str] = mapped_column(Text, default="")
    target_reply_hours: Mapped[int] = mapped_column(default=48)
    office_hours: Mapped[dict] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
