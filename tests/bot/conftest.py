"""Fixtures for the LINE side: the recording LINE stub, services pointed at it, signed posts."""

import pytest

from bot.app import create_app
from bot.line_gateway import LineGateway
from bot.services import build_services
from tests.bot.echo import echo_conversation
from bot.bench.line_payloads import sign
from tests.conftest import LINE_SECRET, make_settings
from bot.bench.line_stub import LineStub

# Short enough that a stub "timeout" (1 s of silence) trips the read timeout quickly.
TEST_TIMEOUTS = (1.0, 0.3)
NO_BACKOFF = (0.0, 0.0, 0.0)


@pytest.fixture
def line_stub():
    stub = LineStub(timeout_seconds=0.6).start()
    yield stub
    stub.stop()


def build_test_services(settings, *, conversation=echo_conversation):
    services = build_services(settings)
    services.line.close()
    services.line = LineGateway(settings, timeouts=TEST_TIMEOUTS, backoff_seconds=NO_BACKOFF)
    services.conversation = conversation
    return services


@pytest.fixture
def bot_settings(tmp_path, database_url, line_stub):
    return make_settings(tmp_path, database_url, line_api_url=line_stub.url)


@pytest.fixture
def bot_services(bot_settings):
    services = build_test_services(bot_settings)
    yield services
    services.close()


@pytest.fixture
def bot_app(bot_settings, bot_services):
    app = create_app(bot_settings, bot_services)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def bot_client(bot_app):
    return bot_app.test_client()


def post_signed(client, raw: bytes, *, secret: str = LINE_SECRET, signature: str | None = None):
    headers = {"Content-Type": "application/json", "X-Line-Signature": signature or sign(raw, secret)}
    return client.post("/callback", data=raw, headers=headers)
