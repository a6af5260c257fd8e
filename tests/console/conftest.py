"""Console fixtures: an app on each database with real Redis, a movable clock, logged-in clients."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from bot.app import create_app
from storage.models import Queue
from storage.session_store import SqlSessionStore
from tests.conftest import make_settings
from tests.console.seed import PASSWORD, seed_people
from tests.services import REDIS_URL

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_BODY = re.compile(r'data-csrf="([^"]+)"')


class Clock:
    """The console's clock, moved by tests instead of sleeping."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock(datetime.now(UTC).replace(microsecond=0))


def _app(tmp_path, database_url, redis_db, clock, *, redis_sessions: bool):
    db = redis_db.connection_pool.connection_kwargs["db"]
    app = create_app(make_settings(tmp_path, database_url, redis_url=f"{REDIS_URL}/{db}"))
    app.config["TESTING"] = True
    app.extensions["marugoto_console"].clock = clock
    if not redis_sessions:
        # Sessions and throttling in the database (the embedded store): other test runs
        # on this Redis server flush their own databases, which may be ours by chance.
        app.extensions["marugoto"].store = SqlSessionStore(app.extensions["marugoto"].sessions)
    return app


@pytest.fixture
def console_app(tmp_path, database_url, redis_db, clock):
    """The whole app (create_app) on SQLite or PostgreSQL; RQ on Redis queues the reply deliveries."""
    app = _app(tmp_path, database_url, redis_db, clock, redis_sessions=False)
    yield app
    app.extensions["marugoto"].close()


@pytest.fixture
def redis_console_app(tmp_path, database_url, redis_db, clock):
    """The same with the production session store, Redis."""
    app = _app(tmp_path, database_url, redis_db, clock, redis_sessions=True)
    yield app
    app.extensions["marugoto"].close()


@pytest.fixture
def services(console_app):
    return console_app.extensions["marugoto"]


@pytest.fixture
def seeded(services):
    return seed_people(services)


@pytest.fixture
def rule_queues(services, seeded):
    """The queues the shipped default rules name beyond the seeded ones, so that those rules can be saved."""
    with services.sessions.begin() as session:
        session.add_all(Queue(key=key, name=key, field=key) for key in ("disability", "child_parenting"))


def form_token(html: str) -> str:
    return CSRF_FIELD.search(html).group(1)


def page_token(html: str) -> str:
    return CSRF_BODY.search(html).group(1)


def login(client, name: str, password: str = PASSWORD, *, totp_secret: str | None = None, at: datetime | None = None):
    """Log in through the forms (and the TOTP step when a secret is given); return the CSRF token."""
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"login": name, "password": password, "csrf_token": form_token(page.get_data(as_text=True))},
    )
    if totp_secret is not None:
        page = client.get("/console/login/totp")
        code = pyotp.TOTP(totp_secret).at(at or datetime.now(UTC))
        response = client.post(
            "/console/login/totp", data={"code": code, "csrf_token": form_token(page.get_data(as_text=True))}
        )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return page_token(client.get("/console/").get_data(as_text=True))


@pytest.fixture
def staff_client(console_app, seeded):
    """佐藤 (staff of elderly_care), logged in; `.csrf` holds the token."""
    client = console_app.test_client()
    client.csrf = login(client, "sato")
    return client


@pytest.fixture
def admin_client(console_app, seeded, clock):
    client = console_app.test_client()
    client.csrf = login(client, "admin", totp_secret=seeded.totp_secrets["admin"], at=clock.now)
    return client
