"""Administrators' actions on staff accounts; each writes one audit row (never a password)."""

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.actor import Actor
from console.errors import Conflict, InvalidInput, NotFound
from console.passwords import hash_password, one_time_password
from storage import events
from storage.models import Queue, StaffUser
from storage.repositories.audit import record_audit
from storage.repositories.staff import STAFF_ROLES, add_staff, get_staff_by_login
from storage.text import has_control_characters

LOGIN_PATTERN = re.compile(r"[A-Za-z0-9._-]{3,64}")


def _queues(session: Session, queue_ids: list[int]) -> list[Queue]:
    queues = list(session.scalars(select(Queue).where(Queue.id.in_(queue_ids)))) if queue_ids else []
    if len(queues) != len(set(queue_ids)):
        raise InvalidInput("所属キューは一覧から選んでください。")
    return queues


def display_name_problem(display_name: str) -> str | None:
    """Why a display name cannot be used (for the form), or None."""
    if not display_name.strip() or len(display_name) > 64:
        return "表示名を64文字以内で入力してください。"
    if has_control_characters(display_name):
        return "表示名に使えない文字（制御文字）が含まれています。"
    return None


def _check(display_name: str, role: str) -> None:
    if problem := display_name_problem(display_name):
        raise InvalidInput(problem)
    if role not in STAFF_ROLES:
        raise InvalidInput("役割を選んでください。")


def _audit(session: Session, actor: Actor, action: str, user: StaffUser, **detail) -> None:
    record_audit(session, **actor.audit, action=action, target_type="staff", target_id=user.id, detail=detail)


def get_staff(session: Session, staff_id: int) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise NotFound("この職員は見つかりません。")
    return user


def do_create_staff(
    session: Session, *, login: str, display_name: str, role: str, queue_ids: list[int], actor: Actor
) -> tuple[StaffUser, str]:
    """A new account with a one-time password (shown once; changed at first login)."""
    login = login.strip()
    if not LOGIN_PATTERN.fullmatch(login):
        raise InvalidInput("ログインIDは半角英数字と . _ - で3〜64文字にしてください。")
    _check(display_name, role)
    if get_staff_by_login(session, login) is not None:
        raise InvalidInput("このログインIDはすでに使われています。")
    password = one_time_password()
    user = add_staff(
        session,
        login=login,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        queues=_queues(session, queue_ids),
        must_change_password=True,
    )
    session.flush()
    _audit(session, actor, events.STAFF_CREATE, user, role=role, queues=sorted(queue_ids))
    return user, password


def do_update_staff(
    session: Session, staff_id: int, *, display_name: str, role: str, queue_ids: list[int], actor: Actor
) -> StaffUser:
    user = get_staff(session, staff_id)
    _check(display_name, role)
    if user.role == "admin" and role != "admin":
        _keep_an_admin(session, user)
    before = {"role": user.role, "queues": sorted(q.id for q in user.queues)}
    user.display_name, user.role = display_name.strip(), role
    user.queues = _queues(session, queue_ids)
    _audit(session, actor, events.STAFF_UPDATE, user, before=before, after={"role": role, "queues": sorted(queue_ids)})
    return user


def do_set_staff_active(session: Session, staff_id: int, active: bool, *, actor: Actor) -> StaffUser:
    """Deactivating ends the user's sessions at their next request (the fingerprint changes)."""
    user = get_staff(session, staff_id)
    if user.active == active:
        return user
    if not active:
        if user.id == actor.id:
            raise Conflict("自分自身のアカウントは無効にできません。")
        if user.role == "admin":
            _keep_an_admin(session, user)
    user.active = active
    _audit(session, actor, events.STAFF_REACTIVATE if active else events.STAFF_DEACTIVATE, user)
    return user


def do_reset_password(session: Session, staff_id: int, *, actor: Actor) -> tuple[StaffUser, str]:
    user = get_staff(session, staff_id)
    password = one_time_password()
    user.password_hash, user.must_change_password = hash_password(password), True
    _audit(session, actor, events.STAFF_PASSWORD_RESET, user)
    return user, password


def do_reset_totp(session: Session, staff_id: int, *, actor: Actor) -> StaffUser:
    """For a lost phone: the user sets up an authenticator again (administrators at their next login)."""
    user = get_staff(session, staff_id)
    if user.totp_secret_enc is None:
        raise Conflict("この職員は2段階認証を設定していません。")
    user.totp_secret_enc = None
    _audit(session, actor, events.STAFF_TOTP_RESET, user)
    return user


def _keep_an_admin(session: Session, user: StaffUser) -> None:
    others = session.scalar(
        select(func.count(StaffUser.id)).where(
            StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id
        )
    )
    if not others:
        raise Conflict("有効な管理者が一人もいなくなるため、この変更はできません。")
