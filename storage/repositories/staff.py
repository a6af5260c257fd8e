"""Staff users and their queue memberships."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Queue, StaffUser

STAFF_ROLES = ("staff", "supervisor", "admin")


def get_staff_by_login(session: Session, login: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.login) == login.lower()))


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.login)))


def add_staff(
    session: Session,
    *,
    login: str,
    display_name: str,
    password_hash: str,
    role: str,
    queues: list[Queue],
    must_change_password: bool = False,
) -> StaffUser:
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = StaffUser(
        login=login,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        must_change_password=must_change_password,
    )
    user.queues = list(queues)
    session.add(user)
    return user
