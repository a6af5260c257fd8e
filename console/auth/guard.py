"""Per-request authentication, login stages, CSRF and role checks for the console blueprint."""

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, redirect, request, url_for
from sqlalchemy.orm import selectinload

from console.actor import Actor
from console.auth import csrf
from console.auth.sessions import (
    STAGE_ACTIVE,
    STAGE_PASSWORD_CHANGE,
    STAGE_TOTP,
    STAGE_TOTP_ENROL,
    ConsoleSession,
    SessionManager,
    staff_fingerprint,
)
from console.config import console_config, services
from console.errors import CsrfFailed, Forbidden, NotLoggedIn
from storage.models import StaffUser

PUBLIC_ENDPOINTS = frozenset({"console.login", "console.static"})
STAGE_PAGES = {
    STAGE_TOTP: "console.totp",
    STAGE_PASSWORD_CHANGE: "console.change_password",
    STAGE_TOTP_ENROL: "console.totp_enrol",
}
# Requests that do not count as activity (an open queue page must still idle out).
PASSIVE_ENDPOINTS = frozenset({"console.api_queue", "console.api_emergencies", "console.api_case_status"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_cookie_name() -> str:
    # __Host- cookies must be Secure, host-only and path=/ (browsers enforce it).
    return "__Host-mg_session" if console_config().secure_cookies else "mg_session"


def pre_login_cookie_name() -> str:
    return "__Host-" + csrf.PRE_LOGIN_COOKIE if console_config().secure_cookies else csrf.PRE_LOGIN_COOKIE


def session_manager() -> SessionManager:
    return SessionManager(services().store, console_config())


def is_api_request() -> bool:
    return request.path.startswith("/console/api/")


def next_stage(user: StaffUser, *, totp_verified: bool) -> str:
    if user.totp_secret_enc and not totp_verified:
        return STAGE_TOTP
    if user.must_change_password:
        return STAGE_PASSWORD_CHANGE
    if user.role == "admin" and not user.totp_secret_enc:
        return STAGE_TOTP_ENROL
    return STAGE_ACTIVE


def load_staff(session, staff_id: int) -> StaffUser | None:
    return session.get(StaffUser, staff_id, options=[selectinload(StaffUser.queues)])


def authenticate() -> Response | None:
    """before_request: resolve the session, enforce login stages and CSRF."""
    g.actor = None
    g.console_session = _current_session()
    endpoint = request.endpoint or ""
    current: ConsoleSession | None = g.console_session
    if endpoint in PUBLIC_ENDPOINTS:
        _check_csrf(current)
        return None
    if current is None:
        if is_api_request():
            raise NotLoggedIn()
        return redirect(
            url_for("console.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
        )
    _check_csrf(current)
    if not current.active:
        page = STAGE_PAGES[current.stage]
        if endpoint not in (page, "console.logout"):
            if is_api_request():
                raise NotLoggedIn()
            return redirect(url_for(page))
    if endpoint not in PASSIVE_ENDPOINTS:
        g.console_session = session_manager().touch(current)
    return None


def _current_session() -> ConsoleSession | None:
    manager = session_manager()
    current = manager.load(request.cookies.get(session_cookie_name()))
    if current is None:
        return None
    with services().sessions() as db:
        user = load_staff(db, current.staff_id)
        valid = user is not None and user.active and staff_fingerprint(user) == current.fingerprint
        actor = Actor.of(user) if valid and current.active else None
    if not valid:
        # Deactivated, or the password, second factor or role changed since: log in again.
        manager.delete(current)
        return None
    g.actor = actor
    return current


def _check_csrf(current: ConsoleSession | None) -> None:
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(csrf.HEADER) or request.form.get(csrf.FORM_FIELD)
    if current is not None:
        expected = current.csrf_token
    else:
        pre = request.cookies.get(pre_login_cookie_name())
        expected = csrf.pre_login_token(current_app.secret_key, pre) if pre else None
    if not csrf.token_matches(expected, given):
        raise CsrfFailed()


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise NotLoggedIn()
    return actor


def require_role(*roles: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_actor().role not in roles:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def csrf_token() -> str:
    """The token forms of this response must carry."""
    current: ConsoleSession | None = g.get("console_session")
    if current is not None:
        return current.csrf_token
    pre = g.get("pre_login_value") or request.cookies.get(pre_login_cookie_name())
    if pre is None:
        pre = g.pre_login_value = csrf.new_pre_login_value()
    return csrf.pre_login_token(current_app.secret_key, pre)
