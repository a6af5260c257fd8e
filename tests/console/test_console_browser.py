"""The staff half of the console in real headless Chromium (Debian's chromium, driven by Playwright).

Staff log in, the queue shows a new case without a reload and an emergency pinned with its
alert, the case page marks the evidence, a reply is sent once. Screenshots of the queue, a
case page and the dashboard are written to artifacts/screenshots/. The resident's side
(simulator -> webhook -> case, reply -> simulator) joins this test when the bot branch lands.
"""

import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from bot.app import create_app
from storage.models import Message
from tests.conftest import make_settings
from tests.console.seed import PASSWORD, seed_case, seed_people
from tests.services import REDIS_URL, unavailable

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CONCERN = ("母が認知症で、夜中に何度も起こされます。", "私も仕事を休みがちで、お金も心配です。")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        unavailable("chromium", "apt-get install chromium (.ci/run does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright", "pip install playwright (the test extra); never `playwright install`")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def server(tmp_path, sqlite_url, redis_db):
    """The whole app over real HTTP (SQLite, Redis for sessions and the job queue)."""
    db = redis_db.connection_pool.connection_kwargs["db"]
    app = create_app(make_settings(tmp_path, sqlite_url, redis_url=f"{REDIS_URL}/{db}"))
    app.extensions["marugoto_console"].poll_seconds = 1
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)
    app.extensions["marugoto"].close()


def log_in(page, base: str, login: str, *, totp_secret: str | None = None) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if totp_secret:
        page.fill("input[name=code]", pyotp.TOTP(totp_secret).at(datetime.now(UTC)))
        page.click("button[type=submit]")


def test_staff_work_a_case_in_the_browser(browser, server):
    app, base = server
    services = app.extensions["marugoto"]
    people = seed_people(services)
    first = seed_case(
        services,
        queue_id=people.queues["elderly_care"],
        texts=CONCERN,
        domains=("elderly_care", "poverty"),
        evidence=(("elderly_care", "認知症"), ("poverty", "お金")),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="ja-JP")
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, base, "sato")
    page.wait_for_selector(f'tr[data-id="{first}"]')
    page.evaluate("window.stillTheSamePage = true")
    page.click("h1")  # a user gesture: browsers allow the alert sound only after one
    assert page.inner_text("#sound-toggle") == "通知音: オン"

    # A new case and an emergency of another queue arrive while the page is open.
    second = seed_case(
        services, queue_id=people.queues["elderly_care"], texts=("父の介護のことで相談です。",), urgency="urgent"
    )
    emergency = seed_case(
        services,
        queue_id=people.queues["emergency"],
        texts=("もう死にたいです",),
        urgency="emergency",
        emergency=True,
        domains=("mental_health",),
    )
    page.wait_for_selector(f'tr[data-id="{second}"]', timeout=15_000)
    page.wait_for_selector(f'#emergency-list a[href="/console/cases/{emergency}"]', timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    assert page.is_visible("#emergency-bar") and "flash" in page.get_attribute("#emergency-bar", "class")
    assert page.title().startswith("【緊急 1件】")
    rows = page.eval_on_selector_all("#queue-body tr", "rows => rows.map(r => r.dataset.id)")
    assert rows[:3] == [str(emergency), str(second), str(first)]  # pinned, then urgent, then normal
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    page.click(f'a[href="/console/cases/{first}"]')
    marks = page.eval_on_selector_all(".conversation mark.evidence", "ms => ms.map(m => m.textContent)")
    assert marks == ["認知症", "お金"]
    page.fill("#reply-body", "ご相談ありがとうございます。明日の午前に、このLINEでご連絡します。")
    page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)
    with page.expect_navigation():
        page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".msg.from-staff")
    assert "明日の午前に" in page.inner_text(".msg.from-staff")
    assert page.inner_text(".msg.from-staff .delivery") == "送信中"
    with services.sessions() as session:
        replies = session.scalars(select(Message).where(Message.sender == "staff")).all()
    assert len(replies) == 1
    assert [job.args for job in services.jobs.rq_queue.get_jobs()] == [("deliver_message", replies[0].id)]

    # The emergency is acknowledged from its own page; the pin goes away for everyone.
    page.goto(f"{base}/console/cases/{emergency}")
    page.click(".emergency-box button")
    page.goto(f"{base}/console/")
    page.wait_for_timeout(1500)
    assert not page.is_visible("#emergency-bar")
    assert csp_errors == []


def test_the_dashboard_and_admin_pages_in_the_browser(browser, server):
    app, base = server
    services = app.extensions["marugoto"]
    people = seed_people(services)
    for domains, patterns in ((("elderly_care", "poverty"), ("8050",)), (("poverty",), ()), (("child_parenting",), ())):
        seed_case(services, queue_id=people.queues["comprehensive"], domains=domains, patterns=patterns)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="ja-JP")
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, base, "admin", totp_secret=people.totp_secrets["admin"])
    page.goto(f"{base}/console/dashboard")
    assert page.locator(".chart svg").count() >= 5
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    for path in ("staff", "staff/new", "queues", "rules", "settings", "canned-replies"):
        page.goto(f"{base}/console/admin/{path}")
        assert page.locator("h1").count() == 1, path
    assert csp_errors == []
