"""Login, two-factor (check and enrolment), password change and logout.

Each view reads and writes the database in short transactions and touches the
session store only outside them (see SessionManager).
"""

from dataclasses import dataclass

from flask import g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from console.auth import totp
from console.auth.client_address import client_address
from console.auth.guard import STAGE_PAGES, load_staff, next_stage, session_manager
from console.auth.sessions import STAGE_ACTIVE, STAGE_TOTP, STAGE_TOTP_ENROL, ConsoleSession, staff_fingerprint
from console.auth.throttle import LoginThrottle
from console.blueprint import bp
from console.config import console_config, services
from console.errors import Throttled
from console.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from storage import events
from storage.models import StaffUser
from storage.repositories.audit import record_audit
from storage.repositories.staff import get_staff_by_login
from storage.text import has_control_characters

# Checked when the login is unknown, so that both cases take the same time.
_DUMMY_HASH = hash_password("marugoto-no-such-user")
MAX_PASSWORD_CHARS = 256
WRONG_PASSWORD = "ログインIDまたはパスワードが違います。"
WRONG_CODE = "確認コードが違います。認証アプリに表示されている6桁の数字を入力してください。"


@dataclass(frozen=True)
class Step:
    """Where a login goes next, decided inside a transaction and carried out after it."""

    staff_id: int
    fingerprint: str
    stage: str


def _throttle() -> LoginThrottle:
    return LoginThrottle(services().store, services().cipher.keyed_hash, console_config())


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def _step(db: Session, user: StaffUser, *, totp_verified: bool) -> Step:
    """The next stage; reaching the console is the login that the audit log records."""
    stage = next_stage(user, totp_verified=totp_verified)
    if stage == STAGE_ACTIVE:
        user.last_login_at = console_config().now()
        record_audit(
            db,
            actor_type="staff",
            actor_id=user.id,
            action=events.STAFF_LOGIN,
            detail={"two_factor": bool(user.totp_secret_enc)},
        )
        db.flush()
    return Step(user.id, staff_fingerprint(user), stage)


def _continue(current: ConsoleSession | None, step: Step):
    """Store the session under a new id; go to the page of the next stage, or into the console."""
    manager = session_manager()
    if current is None:
        moved = manager.create(step.staff_id, step.fingerprint, step.stage)
    else:
        moved = manager.advance(current, step.fingerprint, step.stage)
    g.new_session_id = moved.sid
    wanted = _safe_next(request.args.get("next"))
    if step.stage != STAGE_ACTIVE:
        return redirect(url_for(STAGE_PAGES[step.stage], next=wanted))
    return redirect(wanted or url_for("console.queue_page"))


def _failed(user_id: int | None, reason: str) -> None:
    with services().sessions.begin() as db:
        record_audit(
            db, actor_type="staff", actor_id=user_id, action=events.STAFF_LOGIN_FAILED, detail={"reason": reason}
        )


@bp.route("/login", methods=["GET", "POST"])
def login():
    current = g.console_session
    if current is not None and current.active:
        return redirect(url_for("console.queue_page"))
    if request.method == "GET":
        return render_template("console/login.html")
    login_name = request.form.get("login", "").strip()[:64]
    password = request.form.get("password", "")[:MAX_PASSWORD_CHARS]
    throttle, address = _throttle(), client_address()
    if throttle.is_locked(login_name, address):
        return render_template("console/login.html", error=Throttled.message, login=login_name), 429
    with services().sessions() as db:
        # No login holds a control character (PostgreSQL could not even compare a NUL).
        known = login_name and not has_control_characters(login_name)
        user = get_staff_by_login(db, login_name) if known else None
        user_id, stored_hash = (user.id, user.password_hash) if user is not None and user.active else (None, None)
    if stored_hash is None or not verify_password(stored_hash, password):
        if stored_hash is None:
            verify_password(_DUMMY_HASH, password)
        _failed(user.id if user is not None else None, "password")
        throttle.record_failure(login_name, address)
        return render_template("console/login.html", error=WRONG_PASSWORD, login=login_name), 401
    with services().sessions.begin() as db:
        user = load_staff(db, user_id)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        step = _step(db, user, totp_verified=False)
    throttle.clear_account(login_name)
    if current is not None:
        session_manager().delete(current)  # a half-finished earlier login
    return _continue(None, step)


@bp.route("/login/totp", methods=["GET", "POST"], endpoint="totp")
def totp_check():
    current: ConsoleSession = g.console_session
    if current.stage != STAGE_TOTP:
        return redirect(url_for("console.queue_page"))
    if request.method == "GET":
        return render_template("console/totp.html")
    with services().sessions() as db:
        user = load_staff(db, current.staff_id)
        login_name, secret_enc = user.login, user.totp_secret_enc
    throttle, address = _throttle(), client_address()
    if throttle.is_locked(login_name, address):
        return render_template("console/totp.html", error=Throttled.message), 429
    secret = services().cipher.decrypt(secret_enc, context=totp.SECRET_CONTEXT)
    if not totp.verify_once(
        services().store, current.staff_id, secret, request.form.get("code", ""), console_config().now()
    ):
        _failed(current.staff_id, "totp")
        throttle.record_failure(login_name, address)
        return render_template("console/totp.html", error=WRONG_CODE), 401
    with services().sessions.begin() as db:
        step = _step(db, load_staff(db, current.staff_id), totp_verified=True)
    return _continue(current, step)


@bp.route("/account/totp", methods=["GET", "POST"], endpoint="totp_enrol")
def totp_enrol():
    """Set up an authenticator app: required for administrators, optional for staff."""
    current: ConsoleSession = g.console_session
    cipher, store = services().cipher, services().store
    with services().sessions() as db:
        user = load_staff(db, current.staff_id)
        enrolled, login_name = bool(user.totp_secret_enc), user.login
    if enrolled:
        return render_template("console/totp_enrol.html", enrolled=True)
    if current.pending_totp_enc is None:
        secret = totp.new_secret()
        current = session_manager().update(
            current, pending_totp_enc=cipher.encrypt(secret, context=totp.PENDING_CONTEXT)
        )
    else:
        secret = cipher.decrypt(current.pending_totp_enc, context=totp.PENDING_CONTEXT)
    error = None
    if request.method == "POST":
        if totp.verify_once(store, current.staff_id, secret, request.form.get("code", ""), console_config().now()):
            with services().sessions.begin() as db:
                user = load_staff(db, current.staff_id)
                user.totp_secret_enc = cipher.encrypt(secret, context=totp.SECRET_CONTEXT)
                record_audit(db, actor_type="staff", actor_id=user.id, action=events.STAFF_TOTP_ENROL)
                db.flush()
                step = _step(db, user, totp_verified=True) if not current.active else None
                fingerprint = staff_fingerprint(user)
            if step is not None:
                return _continue(current, step)
            g.new_session_id = session_manager().advance(current, fingerprint, STAGE_ACTIVE).sid
            return redirect(url_for("console.queue_page", done="totp"))
        error = WRONG_CODE
    uri = totp.provisioning_uri(secret, login_name)
    page = render_template(
        "console/totp_enrol.html",
        enrolled=False,
        secret=secret,
        uri=uri,
        qr_svg=totp.qr_svg(uri),
        required=current.stage == STAGE_TOTP_ENROL,
        error=error,
    )
    return page, 400 if error else 200


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
def change_password():
    current: ConsoleSession = g.console_session
    forced = not current.active
    if request.method == "GET":
        return render_template("console/password.html", forced=forced, min_length=MIN_PASSWORD_LENGTH)
    # The current password is cut as at login; a new one too long is refused, never cut silently.
    form = {k: request.form.get(k, "") for k in ("current_password", "new_password", "confirm_password")}
    form["current_password"] = form["current_password"][:MAX_PASSWORD_CHARS]
    with services().sessions() as db:
        user = load_staff(db, current.staff_id)
        error = _password_problem(user, form["current_password"], form["new_password"], form["confirm_password"])
    if error is not None:
        return render_template("console/password.html", forced=forced, min_length=MIN_PASSWORD_LENGTH, error=error), 400
    with services().sessions.begin() as db:
        user = load_staff(db, current.staff_id)
        user.password_hash, user.must_change_password = hash_password(form["new_password"]), False
        record_audit(db, actor_type="staff", actor_id=user.id, action=events.STAFF_PASSWORD_CHANGE)
        db.flush()
        step = _step(db, user, totp_verified=True) if forced else Step(user.id, staff_fingerprint(user), STAGE_ACTIVE)
    if forced:
        return _continue(current, step)
    g.new_session_id = session_manager().advance(current, step.fingerprint, STAGE_ACTIVE).sid
    return redirect(url_for("console.queue_page", done="password"))


def _password_problem(user: StaffUser, current_password: str, new: str, confirm: str) -> str | None:
    if not verify_password(user.password_hash, current_password):
        return "いまのパスワードが違います。"
    if len(new) < MIN_PASSWORD_LENGTH:
        return f"新しいパスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。"
    if len(new) > MAX_PASSWORD_CHARS:
        return f"新しいパスワードは{MAX_PASSWORD_CHARS}文字以内にしてください。"
    if new != confirm:
        return "確認のために入力したパスワードが一致しません。"
    if new == current_password or new.lower() == user.login.lower():
        return "いまのパスワードやログインIDとは違うパスワードにしてください。"
    return None


@bp.post("/logout")
def logout():
    current: ConsoleSession = g.console_session
    session_manager().delete(current)
    g.end_session = True
    with services().sessions.begin() as db:
        record_audit(db, actor_type="staff", actor_id=current.staff_id, action=events.STAFF_LOGOUT)
    return redirect(url_for("console.login"))
