"""Health and readiness: /readyz names the part that is down."""

from bot.app import create_app
from tests.conftest import make_settings


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_with_a_reachable_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok"}


def test_readyz_names_an_unreachable_database(tmp_path):
    settings = make_settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = create_app(settings)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["database"]


def test_readyz_names_an_unreachable_redis(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, sqlite_url, redis_url="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis"]
    assert response.json["checks"]["database"] == "ok"


def test_readyz_with_real_redis(tmp_path, sqlite_url, redis_db):
    url = redis_db.connection_pool.connection_kwargs
    app = create_app(make_settings(tmp_path, sqlite_url, redis_url=f"redis://{url['host']}:{url['port']}/{url['db']}"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}
