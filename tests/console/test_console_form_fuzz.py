"""Hostile input to the admin and sign-in forms: an expected status, never a 500, nothing malformed stored."""

import re
from urllib.parse import urlencode

import pyotp
import pytest
from sqlalchemy import func, select

from console.canned_replies import list_canned_replies
from console.municipality_settings import get_settings_document
from routing.municipality_file import demo_municipality_source
from routing.rule_file import default_rules_source
from storage.models import AuditEvent, Queue, RuleSetVersion, StaffUser
from tests.console.conftest import form_token
from tests.console.seed import PASSWORD


DEMO = demo_municipality_source()
RULES = default_rules_source()
DEEP = "a: " + "[" * 5000 + "]" * 5000 + "\n"


def with_value(source: str, line: str, value: str) -> str:
    """`source` with the value of its first `line` (e.g. "name: 緊急対応") replaced."""
    key = line.split(":")[0]
    return source.replace(line, f"{key}: {value}", 1)


def post_form(client, path: str, form: dict):
    """POST `form` as a raw url-encoded body with the client's CSRF token (str, bytes or lists of them)."""
    body = urlencode({**form, "csrf_token": client.csrf}, doseq=True)
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def audit_mark(services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.max(AuditEvent.id))) or 0


def audits_since(services, mark: int) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.id > mark).order_by(AuditEvent.id)))


def post_page_form(client, path: str, form: dict):
    """POST `form` as a raw body with the CSRF token of the form at `path` (before or during a login)."""
    token = form_token(client.get(path).get_data(as_text=True))
    body = urlencode({**form, "csrf_token": token}, doseq=True)
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
RIGHT_CODES = {
    "the code": lambda code: code,
    "the code in full width": lambda code: code.translate(FULL_WIDTH),
    "the code spaced": lambda code: f" {code[:3]} {code[3:]} ",
}


def is_right(code) -> bool:
    return isinstance(code, str) and code in RIGHT_CODES


def written(code, secret: str, at):
    """The current code of `secret` as the placeholder says, or `code` itself."""
    return RIGHT_CODES[code](pyotp.TOTP(secret).at(at)) if is_right(code) else code


# Regressions: the inputs the fuzzing found, on both databases.


def stored(services) -> tuple:
    """Everything the admin forms write."""
    with services.sessions() as session:
        return (
            [(u.login, u.display_name, u.role, [q.id for q in u.queues]) for u in session.scalars(select(StaffUser))],
            [(q.key, q.name, q.contact, q.target_reply_hours) for q in session.scalars(select(Queue))],
            [(v.version, v.comment) for v in session.scalars(select(RuleSetVersion))],
            get_settings_document(session),
            list_canned_replies(session),
        )


STAFF = {"login": "ito", "display_name": "伊藤", "role": "staff"}
QUEUE = {"key": "k", "name": "n", "field": "poverty", "kind": "queue", "target_reply_hours": "1"}
FOUND = [
    # int("²") after str.isdigit() said yes: 500.
    ("/console/admin/staff/new", {**STAFF, "queue_ids": "²"}, 400, "選択肢から選んでください"),
    ("/console/admin/queues/new", {**QUEUE, "target_reply_hours": "²"}, 400, "返信目標は1〜720時間"),
    ("/console/admin/rules/rollback", {"version": "²"}, 404, "この版は見つかりません"),
    # Ids beyond a PostgreSQL integer: "integer out of range" there, OverflowError on SQLite: 500.
    ("/console/admin/staff/new", {**STAFF, "queue_ids": "999999999999"}, 400, "選択肢から選んでください"),
    ("/console/admin/staff/99999999999999999999", STAFF, 404, ""),
    ("/console/admin/staff/99999999999999999999/deactivate", {}, 404, ""),
    ("/console/admin/queues/2147483648", QUEUE, 404, ""),
    # NUL: PostgreSQL refuses it (500), SQLite stored it; other control characters were stored.
    ("/console/admin/staff/new", {**STAFF, "display_name": "伊\x00藤"}, 400, "表示名に使えない文字"),
    ("/console/admin/queues/new", {**QUEUE, "name": "n\x00"}, 400, "名前に使えない文字"),
    ("/console/admin/queues/new", {**QUEUE, "contact": "\x1b[2J"}, 400, "連絡先に使えない文字"),
    ("/console/admin/canned-replies", {"title": "お礼\x00", "body": "本文"}, 400, "1件目: 使えない文字"),
    ("/console/admin/rules/save", {"source": RULES, "comment": "初版\x00"}, 400, "コメントに使えない文字"),
    # The YAML reader refuses a raw NUL with an error the overrides did not catch: 500.
    ("/console/admin/settings", {"source": DEMO, "messages": "end: \x00"}, 400, "文言の上書きに使えない文字"),
    # YAML escapes made a NUL: in a Queue row (500 on PostgreSQL), a LINE message, a rule label.
    (
        "/console/admin/settings",
        {"source": with_value(DEMO, "name: 緊急対応", '"緊急\\0対応"'), "messages": ""},
        400,
        "must not contain control characters",
    ),
    ("/console/admin/settings", {"source": DEMO, "messages": 'end: "ありがとう\\0"'}, 400, "使えない文字"),
    (
        "/console/admin/rules/save",
        {"source": with_value(RULES, "label: 緊急 → 緊急対応", '"緊急\\0"')},
        400,
        "must not contain control characters",
    ),
    # A queue name longer than its column: 500 on PostgreSQL, stored on SQLite.
    (
        "/console/admin/settings",
        {"source": with_value(DEMO, "name: 緊急対応", "長" * 505), "messages": ""},
        400,
        "at most 128 characters",
    ),
    # Deep nesting exhausted the stack in PyYAML's composer: RecursionError, 500.
    ("/console/admin/settings", {"source": DEEP, "messages": ""}, 400, "nested more than 50 levels deep"),
    ("/console/admin/settings", {"source": DEMO, "messages": DEEP}, 400, "YAMLとして読めません"),
    ("/console/admin/rules/check", {"source": DEEP}, 400, "nested more than 50 levels deep"),
    ("/console/admin/rules/save", {"source": DEEP}, 400, "nested more than 50 levels deep"),
]


@pytest.mark.parametrize(("path", "form", "status", "message"), FOUND)
def test_hostile_admin_input_found_by_fuzzing(admin_client, services, rule_queues, path, form, status, message):
    """A clear answer (and the reason on the form), nothing stored, nothing audited."""
    before, mark = stored(services), audit_mark(services)
    response = post_form(admin_client, path, form)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert stored(services) == before and audits_since(services, mark) == []


@pytest.mark.parametrize("path", ["/console/admin/rules/versions/99999999999999999999", "/console/cases/2147483648"])
def test_ids_beyond_the_database_are_no_page(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_a_login_with_nul_is_an_unknown_login(console_app, services, seeded):
    """PostgreSQL refused to compare it: 500."""
    response = post_page_form(console_app.test_client(), "/console/login", {"login": "admin\x00", "password": PASSWORD})
    assert response.status_code == 401 and "ログインIDまたはパスワードが違います" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "status"),
    # hmac.compare_digest refused non-ASCII text: 500. Full-width digits are what a Japanese IME types.
    [("²²²²²²", 401), ("١٢٣٤٥٦", 401), ("the code in full width", 302)],
)
def test_totp_codes_in_other_digits(console_app, services, seeded, clock, code, status):
    client = console_app.test_client()
    post_page_form(client, "/console/login", {"login": "admin", "password": PASSWORD})
    code = written(code, seeded.totp_secrets["admin"], clock.now)
    assert post_page_form(client, "/console/login/totp", {"code": code}).status_code == status


def test_an_authenticator_is_set_up_with_full_width_digits(staff_client, services, seeded, clock):
    page = staff_client.get("/console/account/totp").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    code = written("the code in full width", secret, clock.now)
    assert post_form(staff_client, "/console/account/totp", {"code": code}).status_code == 302
