"""Who may read /metrics, and the small HTTP server a worker process exposes it on.

A scraper is let in with `Authorization: Bearer <MARUGOTO_METRICS_TOKEN>`, or when it
connects directly from one of MARUGOTO_METRICS_ALLOWED_NETWORKS (loopback by
default). A request that passed through a proxy (it carries X-Forwarded-For) is
never let in by address: behind a proxy the address is the proxy's, not the
client's, so only the token can vouch for it.
"""

import hmac
import ipaddress
import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.metrics import render_metrics
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)


def metrics_access_allowed(
    settings: Settings, remote_addr: str | None, authorization: str | None, forwarded: bool
) -> bool:
    if settings.metrics_token is not None and authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        ):
            return True
    if forwarded or not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_allowed_networks)


def metrics_wsgi_app(services: Services):
    """A WSGI app answering GET /metrics (event metrics of this process only)."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        allowed = metrics_access_allowed(
            services.settings,
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_AUTHORIZATION"),
            "HTTP_X_FORWARDED_FOR" in environ,
        )
        if not allowed:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden\n"]
        body, content_type = render_metrics(services, with_state=False)
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        """Scrapes every few seconds would drown the worker's log."""


def start_metrics_server(services: Services, port: int, host: str = "0.0.0.0") -> WSGIServer:
    """Serve /metrics on a daemon thread; the caller shuts it down on exit."""
    server = make_server(
        host, port, metrics_wsgi_app(services), server_class=WSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="marugoto-metrics", daemon=True)
    thread.start()
    log.info("worker metrics on port %d", server.server_port)
    return server
