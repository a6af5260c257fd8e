"""The console blueprint: registration, security headers, cookies and error pages."""

from flask import Blueprint, Flask, Response, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from console import display
from console.auth import guard
from console.config import EXTENSION, ConsoleConfig, console_config
from console.errors import ConsoleError, NotLoggedIn
from console.inputs import MAX_ID

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")
API_PREFIX = "/console/api/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a row id in URLs; one too large for the database is no page (404), not an error."""

    regex = r"[0-9]+"  # `\d` would also take other scripts' digits (١ is 1)

    def __init__(self, url_map):
        super().__init__(url_map, max=MAX_ID)


def register_console(app: Flask, config: ConsoleConfig | None = None) -> None:
    """Mount the staff console under /console (called by the composition root)."""
    # Imported for their routes on `bp`.
    from console.views import admin_queues, admin_rules, admin_settings, admin_staff, api, auth, cases, dashboard  # noqa: F401  # noqa: F401

    settings = app.extensions["marugoto"].settings
    app.extensions[EXTENSION] = config or ConsoleConfig(
        secure_cookies=settings.is_production, hsts=settings.is_production
    )
    app.url_map.converters["id"] = RowIdConverter
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)


bp.before_request(guard.authenticate)


@bp.after_request
def _finish(response: Response) -> Response:
    config = console_config()
    _set_cookies(response, config)
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if config.hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "console.static":
        # Case pages and API answers hold personal data: never cached, anywhere.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _set_cookies(response: Response, config: ConsoleConfig) -> None:
    flags = {"httponly": True, "secure": config.secure_cookies, "samesite": "Lax", "path": "/"}
    if g.get("new_session_id"):
        response.set_cookie(guard.session_cookie_name(), g.new_session_id, **flags)
    elif g.get("end_session"):
        response.delete_cookie(guard.session_cookie_name(), path="/", secure=config.secure_cookies, samesite="Lax")
    if g.get("pre_login_value"):
        response.set_cookie(guard.pre_login_cookie_name(), g.pre_login_value, **flags)


@bp.errorhandler(ConsoleError)
def _console_error(error: ConsoleError):
    if request.path.startswith(API_PREFIX):
        return error_envelope(error.code, error.message, error.status)
    if isinstance(error, NotLoggedIn):
        return redirect(url_for("console.login"))
    return render_template("console/error.html", failure=error), error.status


def error_envelope(code: str, message: str, status: int):
    return jsonify(error={"code": code, "message": message}), status


def _http_error(error: HTTPException):
    """Unknown API URLs and wrong methods answer in the API's envelope too."""
    if not request.path.startswith(API_PREFIX):
        return error
    return error_envelope(error.name.lower().replace(" ", "_"), error.description or error.name, error.code or 500)


bp.app_template_global("csrf_token")(guard.csrf_token)
bp.app_context_processor(display.template_names)
for _name, _filter in display.FILTERS.items():
    bp.app_template_filter(_name)(_filter)
