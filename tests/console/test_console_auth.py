"""Login, two-factor, forced password change, throttling and server-side session expiry."""

import re

import pyotp
from sqlalchemy import select

from console.auth.totp import SECRET_CONTEXT
from storage import events
from storage.models import AuditEvent, StaffUser
from tests.console.conftest import form_token, login, page_token
from tests.console.seed import PASSWORD, seed_case, seed_people


def post_login(client, name, password, **kwargs):
    token = form_token(client.get("/console/login", **kwargs).get_data(as_text=True))
    return client.post("/console/login", data={"login": name, "password": password, "csrf_token": token}, **kwargs)


def actions(services) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_sets_a_random_http_only_cookie_and_is_audited(redis_console_app):
    services = redis_console_app.extensions["marugoto"]
    seeded = seed_people(services)
    client = redis_console_app.test_client()
    response = post_login(client, "sato", PASSWORD)
    assert response.status_code == 302 and response.location == "/console/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("mg_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    sid = re.match(r"mg_session=([^;]+)", cookie).group(1)
    assert len(sid) >= 40 and str(seeded.staff["sato"]) != sid
    # The store keeps the session under a hash of the id, never the id itself.
    keys = [k.decode() for k in services.redis.keys("*")]
    assert keys and not any(sid in k for k in keys)
    assert events.STAFF_LOGIN in actions(services)


def test_production_cookies_are_secure_host_only_and_hsts_is_sent(console_app, seeded):
    config = console_app.extensions["marugoto_console"]
    config.secure_cookies = config.hsts = True
    client = console_app.test_client()
    page = client.get("/console/login")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert any(c.startswith("__Host-mg_pre=") and "Secure" in c for c in page.headers.getlist("Set-Cookie"))


def test_wrong_password_and_unknown_login_get_the_same_answer(console_app, services, seeded):
    client = console_app.test_client()
    wrong = post_login(client, "sato", "not the password")
    unknown = post_login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "ログインIDまたはパスワードが違います" in wrong.get_data(as_text=True)
    assert "ログインIDまたはパスワードが違います" in unknown.get_data(as_text=True)
    assert actions(services) == [events.STAFF_LOGIN_FAILED, events.STAFF_LOGIN_FAILED]


def test_an_account_is_locked_after_repeated_failures_then_unlocked_by_time(console_app, seeded, clock):
    client = console_app.test_client()
    for _ in range(5):
        assert post_login(client, "sato", "guess").status_code == 401
    locked = post_login(client, "sato", PASSWORD)  # even the right password
    assert locked.status_code == 429 and "一時的にログインできません" in locked.get_data(as_text=True)
    other_ip = post_login(client, "sato", PASSWORD, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_ip.status_code == 429  # the account is locked wherever the attempt comes from
    clock.advance(minutes=16)
    assert post_login(client, "sato", PASSWORD).status_code == 302


def test_an_address_is_locked_after_failures_across_accounts(console_app, seeded):
    console_app.extensions["marugoto_console"].max_failures_per_ip = 3
    client = console_app.test_client()
    here = {"REMOTE_ADDR": "192.0.2.7"}
    for name in ("a1", "a2", "a3"):
        assert post_login(client, name, "guess", environ_base=here).status_code == 401
    assert post_login(client, "suzuki", PASSWORD, environ_base=here).status_code == 429
    assert post_login(client, "suzuki", PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 302


def test_an_admin_must_pass_totp_before_anything_else(console_app, services, seeded, clock):
    client = console_app.test_client()
    response = post_login(client, "admin", PASSWORD)
    assert response.location.startswith("/console/login/totp")
    assert client.get("/console/admin/staff").location.startswith("/console/login/totp")
    assert client.get("/console/api/queue").status_code == 401
    page = client.get("/console/login/totp").get_data(as_text=True)
    wrong = client.post("/console/login/totp", data={"code": "000000", "csrf_token": form_token(page)})
    assert wrong.status_code == 401
    code = pyotp.TOTP(seeded.totp_secrets["admin"]).at(clock.now)
    ok = client.post("/console/login/totp", data={"code": code, "csrf_token": form_token(page)})
    assert ok.status_code == 302 and client.get("/console/admin/staff").status_code == 200
    # The same code cannot be used again (a second login within the same 30 seconds).
    other = console_app.test_client()
    post_login(other, "admin", PASSWORD)
    page = other.get("/console/login/totp").get_data(as_text=True)
    assert other.post("/console/login/totp", data={"code": code, "csrf_token": form_token(page)}).status_code == 401


def test_an_admin_without_totp_must_enrol_first(console_app, services, seeded, clock):
    with services.sessions.begin() as session:
        session.get(StaffUser, seeded.staff["admin"]).totp_secret_enc = None
    client = console_app.test_client()
    assert post_login(client, "admin", PASSWORD).location.startswith("/console/account/totp")
    assert client.get("/console/").location.startswith("/console/account/totp")
    page = client.get("/console/account/totp").get_data(as_text=True)
    assert "<svg" in page and "otpauth://totp/" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert (
        client.post("/console/account/totp", data={"code": "123456", "csrf_token": form_token(page)}).status_code == 400
    )
    code = pyotp.TOTP(secret).at(clock.now)
    response = client.post("/console/account/totp", data={"code": code, "csrf_token": form_token(page)})
    assert response.status_code == 302 and client.get("/console/admin/staff").status_code == 200
    with services.sessions() as session:
        stored = session.get(StaffUser, seeded.staff["admin"]).totp_secret_enc
    assert secret not in stored and services.cipher.decrypt(stored, context=SECRET_CONTEXT) == secret
    assert events.STAFF_TOTP_ENROL in actions(services)


def test_staff_log_in_without_totp(console_app, seeded):
    client = console_app.test_client()
    assert post_login(client, "sato", PASSWORD).location == "/console/"


def test_a_one_time_password_must_be_changed_at_first_login(console_app, admin_client, services):
    page = admin_client.get("/console/admin/staff/new").get_data(as_text=True)
    created = admin_client.post(
        "/console/admin/staff/new",
        data={"login": "ito", "display_name": "伊藤", "role": "staff", "csrf_token": form_token(page)},
    )
    assert created.status_code == 200
    one_time = re.search(r'<code class="secret">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    client = console_app.test_client()
    assert post_login(client, "ito", one_time).location.startswith("/console/account/password")
    assert client.get("/console/").location.startswith("/console/account/password")
    page = client.get("/console/account/password").get_data(as_text=True)
    short = client.post(
        "/console/account/password",
        data={
            "current_password": one_time,
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": form_token(page),
        },
    )
    assert short.status_code == 400 and "12文字以上" in short.get_data(as_text=True)
    too_long = "長" * 257
    refused = client.post(
        "/console/account/password",
        data={
            "current_password": one_time,
            "new_password": too_long,
            "confirm_password": too_long,
            "csrf_token": form_token(page),
        },
    )
    # Refused whole, never cut to a password the user did not type.
    assert refused.status_code == 400 and "256文字以内" in refused.get_data(as_text=True)
    new = "a much longer passphrase"
    done = client.post(
        "/console/account/password",
        data={
            "current_password": one_time,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": form_token(page),
        },
    )
    assert done.status_code == 302 and client.get("/console/").status_code == 200
    assert post_login(console_app.test_client(), "ito", one_time).status_code == 401
    assert post_login(console_app.test_client(), "ito", new).status_code == 302


def test_a_session_ends_after_30_idle_minutes(staff_client, clock):
    clock.advance(minutes=29)
    assert staff_client.get("/console/").status_code == 200  # activity keeps it alive
    clock.advance(minutes=29)
    assert staff_client.get("/console/").status_code == 200
    clock.advance(minutes=31)
    assert staff_client.get("/console/").location.startswith("/console/login")
    assert staff_client.get("/console/api/queue").status_code == 401


def test_polling_is_not_activity(staff_client, clock):
    clock.advance(minutes=20)
    assert staff_client.get("/console/api/queue").status_code == 200
    clock.advance(minutes=11)
    assert staff_client.get("/console/api/queue").status_code == 401


def test_a_session_ends_after_12_hours_however_active(staff_client, clock):
    for _ in range(35):  # 35 x 20 minutes = 11 h 40 min
        clock.advance(minutes=20)
        assert staff_client.get("/console/").status_code == 200
    clock.advance(minutes=20)
    assert staff_client.get("/console/").location.startswith("/console/login")


def test_logout_revokes_the_session_on_the_server(console_app, staff_client):
    cookie = staff_client.get_cookie("mg_session").value
    assert staff_client.post("/console/logout", data={"csrf_token": staff_client.csrf}).status_code == 302
    replay = console_app.test_client()
    replay.set_cookie("mg_session", cookie)
    assert replay.get("/console/").location.startswith("/console/login")


def test_deactivating_or_resetting_a_user_ends_their_sessions(admin_client, staff_client, seeded):
    sato = seeded.staff["sato"]
    admin_client.post(f"/console/admin/staff/{sato}/reset-password", data={"csrf_token": admin_client.csrf})
    assert staff_client.get("/console/").location.startswith("/console/login")
    admin_client.post(f"/console/admin/staff/{sato}/deactivate", data={"csrf_token": admin_client.csrf})
    assert post_login(staff_client, "sato", PASSWORD).status_code == 401


def test_security_headers_and_no_store_on_case_pages(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    response = staff_client.get(f"/console/cases/{case_id}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " on" + "click=" not in html
    assert page_token(html) == staff_client.csrf


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(console_app, seeded):
    console_app.extensions["marugoto_console"].max_failures_per_ip = 2
    client = console_app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}  # trusted by default (MARUGOTO_FORWARDED_ALLOW_IPS)
    for name in ("b1", "b2"):
        post_login(client, name, "guess", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"})
    locked = post_login(client, "sato", PASSWORD, environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"})
    assert locked.status_code == 429
    other = post_login(client, "sato", PASSWORD, environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 302
    # From an untrusted peer the header is ignored: it cannot be forged to dodge the limit.
    client = console_app.test_client()
    stranger = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(2):
        post_login(client, f"c{n}", "guess", environ_base=stranger, headers={"X-Forwarded-For": f"10.0.0.{n}"})
    dodged = post_login(client, "suzuki", PASSWORD, environ_base=stranger, headers={"X-Forwarded-For": "10.0.0.99"})
    assert dodged.status_code == 429


def test_starting_over_in_the_middle_of_a_login_works(console_app, seeded, clock):
    client = console_app.test_client()
    assert post_login(client, "admin", PASSWORD).location.startswith("/console/login/totp")
    again = post_login(client, "admin", PASSWORD)  # back to the login form, e.g. from a bookmark
    assert again.status_code == 302 and again.location.startswith("/console/login/totp")


def test_sessions_and_throttling_work_on_redis_too(redis_console_app, clock):
    services = redis_console_app.extensions["marugoto"]
    seed_people(services)
    client = redis_console_app.test_client()
    login(client, "sato")
    assert services.redis.keys("marugoto:session:console-session:*")
    clock.advance(minutes=31)
    assert client.get("/console/").location.startswith("/console/login")
    for _ in range(5):
        post_login(client, "suzuki", "guess")
    assert post_login(client, "suzuki", PASSWORD).status_code == 429


def test_sessions_work_the_same_on_the_embedded_store_without_redis(app, clock):
    """The embedded default keeps sessions and throttling in the database (SqlSessionStore)."""
    app.extensions["marugoto_console"].clock = clock
    services = app.extensions["marugoto"]
    assert services.redis is None
    seed_people(services)
    client = app.test_client()
    login(client, "sato")
    clock.advance(minutes=25)
    assert client.get("/console/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/console/").location.startswith("/console/login")
    for _ in range(5):
        post_login(client, "suzuki", "guess")
    assert post_login(client, "suzuki", PASSWORD).status_code == 429
