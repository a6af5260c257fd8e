"""Login, two-factor (check and enrolment), password change and logout."""

from flask import g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from console.auth import totp
from console.auth.client_address import client_address
from console.auth.guard import STAGE_PAGES, load_staff, next_stage, session_manager
from console.auth.sessions import STAGE_ACTIVE, STAGE_TOTP, STAGE_TOTP_ENROL, ConsoleSession
from console.auth.throttle import LoginThrottle
from console.blueprint import bp
from console.config import console_config, services
from console.errors import Throttled
from console.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from storage import events
from storage.models import StaffUser
from storage.repositories.audit import record_audit
from storage.repositories.staff import get_staff_by_login

# Checked when the login is unknown, so that both cases take the same time.
_DUMMY_HASH = hash_password("marugoto-no-such-user")
MAX_PASSWORD_CHARS = 256
WRONG_PASSWORD = "ログインIDまたはパスワードが違います。"
WRONG_CODE = "確認コードが違います。認証アプリに表示されている6桁の数字を入力してください。"


def _throttle() -> LoginThrottle:
    return LoginThrottle(services().store, services().cipher.keyed_hash, console_config())


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def _enter(db: Session, current: ConsoleSession | None, user: StaffUser, stage: str):
    """Continue under a new session id, to the next stage's page or, when done, into the console."""
    manager = session_manager()
    moved = manager.create(user, stage) if current is None else manager.advance(current, user, stage)
    g.new_session_id = moved.sid
    if stage != STAGE_ACTIVE:
        return redirect(url_for(STAGE_PAGES[stage], next=_safe_next(request.args.get("next"))))
    user.last_login_at = console_config().now()
    record_audit(
        db,
        actor_type="staff",
        actor_id=user.id,
        action=events.STAFF_LOGIN,
        detail={"two_factor": bool(user.totp_secret_enc)},
    )
    return redirect(_safe_next(request.args.get("next")) or url_for("console.queue_page"))


def _failed(db: Session, user: StaffUser | None, reason: str) -> None:
    record_audit(
        db,
        actor_type="staff",
        actor_id=user.id if user else None,
        action=events.STAFF_LOGIN_FAILED,
        detail={"reason": reason},
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
    throttle = _throttle()
    if throttle.is_locked(login_name, client_address()):
        return render_template("console/login.html", error=Throttled.message, login=login_name), 429
    with services().sessions.begin() as db:
        user = get_staff_by_login(db, login_name) if login_name else None
        if user is not None and user.active and verify_password(user.password_hash, password):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            throttle.clear_account(login_name)
            if current is not None:
                session_manager().delete(current)  # a half-finished earlier login
            return _enter(db, None, user, next_stage(user, totp_verified=False))
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)
        _failed(db, user, "password")
    throttle.record_failure(login_name, client_address())
    return render_template("console/login.html", error=WRONG_PASSWORD, login=login_name), 401


@bp.route("/login/totp", methods=["GET", "POST"], endpoint="totp")
def totp_check():
    current: ConsoleSession = g.console_session
    if current.stage != STAGE_TOTP:
        return redirect(url_for("console.queue_page"))
    if request.method == "GET":
        return render_template("console/totp.html")
    throttle = _throttle()
    with services().sessions.begin() as db:
        user = load_staff(db, current.staff_id)
        if throttle.is_locked(user.login, client_address()):
            return render_template("console/totp.html", error=Throttled.message), 429
        secret = services().cipher.decrypt(user.totp_secret_enc, context=totp.SECRET_CONTEXT)
        if totp.verify_once(services().store, user.id, secret, request.form.get("code", ""), console_config().now()):
            return _enter(db, current, user, next_stage(user, totp_verified=True))
        _failed(db, user, "totp")
        login_name = user.login
    throttle.record_failure(login_name, client_address())
    return render_template("console/totp.html", error=WRONG_CODE), 401


@bp.route("/account/totp", methods=["GET", "POST"], endpoint="totp_enrol")
def totp_enrol():
    """Set up an authenticator app: required for administrators, optional for staff."""
    current: ConsoleSession = g.console_session
    cipher = services().cipher
    with services().sessions.begin() as db:
        user = load_staff(db, current.staff_id)
        if user.totp_secret_enc:
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
            if totp.verify_once(
                services().store, user.id, secret, request.form.get("code", ""), console_config().now()
            ):
                user.totp_secret_enc = cipher.encrypt(secret, context=totp.SECRET_CONTEXT)
                record_audit(db, actor_type="staff", actor_id=user.id, action=events.STAFF_TOTP_ENROL)
                db.flush()
                if current.active:
                    g.new_session_id = session_manager().advance(current, user, STAGE_ACTIVE).sid
                    return redirect(url_for("console.queue_page", done="totp"))
                return _enter(db, current, user, next_stage(user, totp_verified=True))
            error = WRONG_CODE
        uri = totp.provisioning_uri(secret, user.login)
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
    new = request.form.get("new_password", "")[:MAX_PASSWORD_CHARS]
    with services().sessions.begin() as db:
        user = load_staff(db, current.staff_id)
        error = _password_problem(
            user,
            request.form.get("current_password", "")[:MAX_PASSWORD_CHARS],
            new,
            request.form.get("confirm_password", "")[:MAX_PASSWORD_CHARS],
        )
        if error is None:
            user.password_hash, user.must_change_password = hash_password(new), False
            record_audit(db, actor_type="staff", actor_id=user.id, action=events.STAFF_PASSWORD_CHANGE)
            db.flush()
            if forced:
                return _enter(db, current, user, next_stage(user, totp_verified=True))
            g.new_session_id = session_manager().advance(current, user, STAGE_ACTIVE).sid
            return redirect(url_for("console.queue_page", done="password"))
    return render_template("console/password.html", forced=forced, min_length=MIN_PASSWORD_LENGTH, error=error), 400


def _password_problem(user: StaffUser, current_password: str, new: str, confirm: str) -> str | None:
    if not verify_password(user.password_hash, current_password):
        return "いまのパスワードが違います。"
    if len(new) < MIN_PASSWORD_LENGTH:
        return f"新しいパスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。"
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
