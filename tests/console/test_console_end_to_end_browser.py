"""Issue 5, done means, in real headless Chromium: the resident's side and the staff's side together.

A resident writes in /simulator -> the case appears in the staff queue without a reload -> staff
open it and see the classifier's evidence highlighted -> reply -> the reply appears in the
simulator; crisis wording appears pinned at the top of the staff queue; an administrator changes
a rule in the rules editor and the next case from the simulator goes to the new queue.
Everything runs through the real app over HTTP (real classifier, intake flow, routing, delivery);
screenshots of the queue, a case page and the dashboard go to artifacts/screenshots/.
"""

import threading
from importlib import resources

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.serving import make_server

from bot.app import create_app
from bot.demo import seed_default_rules, seed_municipality
from console.auth.totp import SECRET_CONTEXT
from console.passwords import hash_password
from routing.municipality_file import demo_municipality_source
from storage.models import Case, Message, Queue
from storage.repositories.cases import message_text
from storage.repositories.rulesets import get_live_ruleset
from storage.repositories.staff import add_staff
from tests.conftest import make_settings
from tests.console.seed import PASSWORD
from tests.console.test_console_browser import SCREENSHOTS, browser, log_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONCERN = "80歳の父の介護のことで相談したいです。デイサービスを利用したいと考えています。"
ANSWERS = ("家族のこと", "75歳以上", "本町地区", "このLINE", "はい")
CRISIS = "もう限界です。今から死にます"
REPLY = "ご相談ありがとうございます。明日の午前中に、このLINEでご連絡します。"
WAIT = 90_000  # ms: the first classification loads the model on a shared, busy machine


@pytest.fixture
def live(tmp_path, sqlite_url):
    """The whole app over real HTTP with the simulator, the real classifier and in-process jobs."""
    app = create_app(make_settings(tmp_path, sqlite_url, simulator_enabled=True))
    app.extensions["marugoto_console"].poll_seconds = 1
    services = app.extensions["marugoto"]
    secret = pyotp.random_base32()
    with services.sessions.begin() as session:
        seed_municipality(session, demo_municipality_source())
        seed_default_rules(session)
        elderly = session.scalar(select(Queue).where(Queue.key == "elderly_care"))
        add_staff(session, login="sato", display_name="佐藤", password_hash=hash_password(PASSWORD),
                  role="staff", queues=[elderly])
        admin = add_staff(session, login="admin", display_name="管理者", password_hash=hash_password(PASSWORD),
                          role="admin", queues=[])
        admin.totp_secret_enc = services.cipher.encrypt(secret, context=SECRET_CONTEXT)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield services, f"http://127.0.0.1:{http.server_port}", secret
    http.shutdown()
    thread.join(timeout=5)
    services.close()


def consult(browser, base: str, text: str, answers: tuple[str, ...] = ANSWERS):  # noqa: F811
    """A new resident in their own browser context (own simulated user id) hands a concern off."""
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="ja-JP")
    phone = context.new_page()
    phone.goto(f"{base}/simulator")
    phone.fill("#text", text)
    phone.click("#compose button[type=submit]")
    if answers:
        for label in ("これで全部です", *answers):
            phone.locator("#quick button", has_text=label).click(timeout=WAIT)
        phone.locator("#talk li.bot", has_text="ご相談を受け付けました").wait_for(timeout=WAIT)
    return phone


def latest_case(services) -> Case:
    with services.sessions() as session:
        return session.scalars(select(Case).options(selectinload(Case.queue)).order_by(Case.id.desc())).first()


def evidence_words(services, case: Case) -> list[str]:
    """The words the worker's evidence points at, cut from the decrypted messages (as the page must)."""
    with services.sessions() as session:
        texts = {m.id: message_text(services.cipher, m) for m in session.scalars(select(Message))}
    return [texts[e["message_id"]][e["start"] : e["end"]] for e in case.evidence]


def test_a_resident_and_staff_in_the_browser_from_simulator_to_reply_and_rule_change(browser, live):  # noqa: F811
    services, base, admin_secret = live
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP").new_page()
    log_in(staff, base, "sato")
    staff.wait_for_selector("#queue-body")
    staff.evaluate("window.stillTheSamePage = true")

    # The resident writes; the case arrives in the open queue page by itself.
    phone = consult(browser, base, CONCERN)
    case = latest_case(services)
    assert (case.status, case.queue.key if case.queue else None) == ("open", "elderly_care")
    staff.wait_for_selector(f'#queue-body tr[data-id="{case.id}"]', timeout=WAIT)
    assert staff.evaluate("window.stillTheSamePage") is True  # no reload

    # Staff open it: the evidence the worker stored (offsets only) is highlighted in the message.
    staff.click(f'a[href="/console/cases/{case.id}"]')
    staff.wait_for_selector(".conversation")
    marks = staff.eval_on_selector_all(".conversation mark.evidence", "ms => ms.map(m => m.textContent)")
    expected = evidence_words(services, case)
    assert expected and marks == expected
    assert any("介護" in word for word in marks)
    staff.fill("#reply-body", REPLY)
    staff.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)
    with staff.expect_navigation():
        staff.click(".reply-form button[type=submit]")
    staff.wait_for_selector(".msg.from-staff")

    # The reply reaches the resident's simulator (delivered by the job, read by polling).
    phone.locator("#talk li.staff", has_text="明日の午前中に").wait_for(timeout=WAIT)
    staff.locator(".msg.from-staff .delivery", has_text="送信済み").wait_for(timeout=WAIT)

    # Crisis wording from another resident: pinned on top of the staff queue at once.
    staff.goto(f"{base}/console/")
    staff.wait_for_selector(f'#queue-body tr[data-id="{case.id}"]')
    crisis = consult(browser, base, CRISIS, answers=())
    crisis.locator("#talk li.bot", has_text="命や安全にかかわる状況かもしれません").wait_for(timeout=WAIT)
    emergency = latest_case(services)
    assert emergency.id != case.id and emergency.emergency and emergency.queue.key == "emergency"
    staff.wait_for_selector(f'#emergency-list a[href="/console/cases/{emergency.id}"]', timeout=WAIT)
    staff.wait_for_selector(f'#queue-body tr[data-id="{emergency.id}"]', timeout=WAIT)
    rows = staff.eval_on_selector_all("#queue-body tr", "rows => rows.map(r => r.dataset.id)")
    assert rows[0] == str(emergency.id)
    assert staff.is_visible("#emergency-bar")
    staff.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    # An administrator sends elderly-care-only cases to the comprehensive queue.
    admin = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP").new_page()
    log_in(admin, base, "admin", totp_secret=admin_secret)
    admin.goto(f"{base}/console/admin/rules")
    source = (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")
    assert source.count("    then:\n      queue: elderly_care\n") == 1
    admin.fill("textarea[name=source]", source.replace("      queue: elderly_care\n", "      queue: comprehensive\n"))
    admin.fill("input[name=comment]", "高齢・介護のみの相談も包括的相談へ")
    with admin.expect_navigation():
        admin.click("form.card button.primary")  # check and dry-run first; saving is offered after
    with admin.expect_navigation():
        admin.click("form.card button[formaction$='/rules/save']", timeout=WAIT)
    with services.sessions() as session:
        assert get_live_ruleset(session).version == 2

    # The next case from the simulator follows the new rule.
    consult(browser, base, CONCERN)
    routed = latest_case(services)
    assert routed.id not in (case.id, emergency.id)
    assert (routed.queue.key, routed.routing_rule) == ("comprehensive", "elderly-care")

    admin.goto(f"{base}/console/dashboard")
    admin.wait_for_selector(".chart svg")
    admin.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
