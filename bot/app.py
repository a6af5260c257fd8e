"""The Flask application factory (no import-time side effects)."""

import logging
import uuid

import redis
from flask import Flask, Response, abort, g, jsonify, request

from bot import job_handlers, periodic_tasks  # noqa: F401  (the embedded worker runs them)
from bot.logging_setup import configure_logging, reset_log_context, set_log_context
from bot.metrics import render_metrics
from bot.metrics_http import metrics_access_allowed
from bot.scheduler import start_scheduler_thread
from bot.services import Services, build_services
from bot.settings import Settings
from console.blueprint import register_console
from storage.db import check_database
from storage.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask("marugoto")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
    )
    services = services or build_services(settings)
    app.extensions["marugoto"] = services
    _register_request_context(app)
    _register_health(app, services)
    _register_metrics(app, services)
    _register_blueprints(app, settings)
    register_console(app)
    if settings.embedded_worker:
        # Embedded default: jobs, sweeps and purges run on threads of this process.
        services.classifier.warm_up()
        app.extensions["marugoto_scheduler_stop"] = start_scheduler_thread(services)
    return app


def get_services(app: Flask) -> Services:
    return app.extensions["marugoto"]


def _register_blueprints(app: Flask, settings: Settings) -> None:
    from bot import simulator, webhook

    app.register_blueprint(webhook.blueprint)
    if settings.simulator_enabled:
        app.register_blueprint(simulator.blueprint)


def _register_request_context(app: Flask) -> None:
    @app.before_request
    def _bind_request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:12]
        g.log_token = set_log_context(f"req={g.request_id}")

    @app.teardown_request
    def _unbind_request_id(_exc):
        token = g.pop("log_token", None)
        if token is not None:
            reset_log_context(token)


def _register_health(app: Flask, services: Services) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        checks: dict[str, str] = {}
        try:
            check_database(services.engine)
            checks["database"] = "ok"
        except DatabaseUnavailable:
            checks["database"] = "unavailable"
        if services.redis is not None:
            try:
                services.redis.ping()
                checks["redis"] = "ok"
            except redis.RedisError:
                checks["redis"] = "unavailable"
        failing = sorted(name for name, state in checks.items() if state != "ok")
        if failing:
            log.warning("not ready: %s", ", ".join(failing))
            return jsonify(status="unavailable", failing=failing, checks=checks), 503
        return jsonify(status="ok", checks=checks)


def _register_metrics(app: Flask, services: Services) -> None:
    @app.get("/metrics")
    def metrics():
        allowed = metrics_access_allowed(
            services.settings,
            request.remote_addr,
            request.headers.get("Authorization"),
            "X-Forwarded-For" in request.headers,
        )
        if not allowed:
            abort(403)
        body, content_type = render_metrics(services, with_state=True)
        return Response(body, content_type=content_type)
