"""Residents (pseudonymous LINE contacts) and staff users."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow

staff_queues = Table(
    "staff_queues",
    Base.metadata,
    Column("staff_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
)


class Resident(Base):
    """A LINE contact. The user id is kept only encrypted; lookups use its keyed hash."""

    __tablename__ = "residents"
    # AUTOINCREMENT: SQLite never reuses a deleted row's id (audit rows name residents by id).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id_enc: Mapped[str] = mapped_column(String(256))
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="line")
    reachable: Mapped[bool] = mapped_column(default=True)
    unfollowed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = {"sqlite_autoincrement": True}  # ids named by audit rows are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="staff")  # staff | supervisor | admin
    totp_secret_enc: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    queues: Mapped[list["Queue"]] = relationship(secondary=staff_queues)  # noqa: F821
