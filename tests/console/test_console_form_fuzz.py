"""Hostile input to the admin and sign-in forms: an expected status, never a 500, nothing malformed stored.

Forms are posted as raw url-encoded bodies, so values may also be bytes that are
not UTF-8 (Werkzeug keeps them as %XX text). Lone surrogates cannot be sent as
text at all: the test client, like a browser, cannot encode them; their UTF-8
form (b"\\xed\\xa0\\x80") is among the bytes. Hypothesis shares one app and
database between the examples of a test, so each example checks what changed.
"""

import json
import re
from urllib.parse import quote, urlencode

import pyotp
import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from console.canned_replies import MAX_BODY, MAX_ITEMS, MAX_TITLE, list_canned_replies
from console.catalogue_overrides import format_overrides, parse_overrides
from console.municipality_settings import get_settings_document
from console.passwords import verify_password
from console.queue_admin import MAX_REPLY_HOURS, QUEUE_FIELDS, QUEUE_KINDS
from intake.context import config_from_municipality
from routing.municipality_file import demo_municipality_source
from routing.rule_file import default_rules_source
from routing.store import live_rules, load_live_municipality
from storage import events
from storage.models import MAX_QUEUE_NAME, AuditEvent, Queue, RuleSetVersion, SessionEntry, StaffUser
from storage.redis_keys import session_key
from storage.repositories.staff import STAFF_ROLES
from storage.text import has_control_characters
from tests.console.conftest import form_token, login, page_token
from tests.console.seed import PASSWORD

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Each sign-in attempt checks a password hash (argon2, slow by design).
FUZZ_SIGN_IN = settings(FUZZ, max_examples=40)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "\x07",
        "\t",
        "\r\n",
        "\x85",
        "\u202e",
        "\ufeff",
        "\u3000",
        "²",
        "١٢",
        "４８",
        "-1",
        "0",
        "1e3",
        "NaN",
        "2147483648",
        "99999999999999999999",
        "true",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "' OR 1=1 --",
        "%ED%A0%80",
        "x" * 65,
        "あ" * 129,
        "y" * 1001,
        "z" * 5000,
    ]
)
# Any length, for every limit: 64, 128, 1000 characters…
long_texts = st.integers(1, 6000).map(lambda n: "長" * n)
texts = st.one_of(SPECIAL, long_texts, st.text(max_size=40), st.text(st.characters(max_codepoint=0x9F), max_size=20))
raw = st.one_of(st.binary(max_size=12), st.just(b"\xed\xa0\x80"))
# A value as a form carries it: text, undecodable bytes, or the field repeated.
values = st.one_of(texts, raw, st.lists(st.one_of(texts, raw), min_size=2, max_size=3))
# No row: zero, unused, beyond what the database holds, or not a number the way a URL or form reads it.
NO_IDS = ("0", "999", "2147483647", "2147483648", "99999999999999999999", "-1", "1.5", "²", "١")
ids = st.sampled_from(NO_IDS)


def or_hostile(valid: st.SearchStrategy, hostile: st.SearchStrategy = values) -> st.SearchStrategy:
    """A valid value half the time, else a hostile one."""
    return st.booleans().flatmap(lambda ok: valid if ok else hostile)


@st.composite
def spoiled(draw, fields: dict[str, st.SearchStrategy]) -> dict:
    """A form of valid `fields`, some of them (maybe none) made hostile or left out."""
    form = {name: draw(strategy) for name, strategy in fields.items()}
    for name in sorted(draw(st.sets(st.sampled_from(sorted(fields))))):
        if draw(st.booleans()):
            del form[name]
        else:
            form[name] = draw(values)
    return form


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "a: " + "[" * 5000 + "]" * 5000 + "\n"
HUGE = "#" * 200_001  # more than the editors take
BROKEN = ("{{{", "a: [", "- a\n b: c", "a: b: c", "\t- x", "!!python/object/apply:os.system ['true']", "%YAML 9.9\n")
hostile_yaml = st.one_of(st.sampled_from([BOMB, DEEP, HUGE, *BROKEN]), texts)


def yaml_scalar(text: str) -> str:
    """`text` as a double-quoted YAML scalar (JSON is YAML): escapes become the control characters."""
    return json.dumps(text, ensure_ascii=False)


def with_value(source: str, line: str, value: str) -> str:
    """`source` with the value of its first `line` (e.g. "name: 緊急対応") replaced."""
    key = line.split(":")[0]
    return source.replace(line, f"{key}: {value}", 1)


def post_form(client, path: str, form: dict):
    """POST `form` as a raw url-encoded body with the client's CSRF token (str, bytes or lists of them)."""
    body = urlencode({**form, "csrf_token": client.csrf}, doseq=True)
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def received(app, value) -> str:
    """What request.form.get() reads of a value post_form sent, parsed by the app's own Werkzeug."""
    body = urlencode({"value": value}, doseq=True)
    with app.test_request_context(method="POST", data=body, content_type="application/x-www-form-urlencoded"):
        return request.form.get("value", "")


def audit_mark(services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.max(AuditEvent.id))) or 0


def audits_since(services, mark: int) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.id > mark).order_by(AuditEvent.id)))


def assert_staff_valid(services) -> None:
    with services.sessions() as session:
        users = list(session.scalars(select(StaffUser)))
        for user in users:
            assert re.fullmatch(r"[A-Za-z0-9._-]{3,64}", user.login)
            name = user.display_name
            assert name and name == name.strip() and len(name) <= 64 and not has_control_characters(name)
            assert user.role in STAFF_ROLES
        assert any(u.role == "admin" and u.active for u in users)


def assert_queues_valid(services) -> None:
    with services.sessions() as session:
        for queue in session.scalars(select(Queue)):
            assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", queue.key) and queue.key != "none"
            assert 0 < len(queue.name) <= MAX_QUEUE_NAME and not has_control_characters(queue.name)
            assert queue.field in QUEUE_FIELDS and queue.kind in QUEUE_KINDS
            assert 1 <= queue.target_reply_hours <= MAX_REPLY_HOURS
            assert not has_control_characters(queue.contact, multiline=True)


def snapshot(services, model, row_id: int) -> tuple:
    with services.sessions() as session:
        row = session.get(model, row_id)
        columns = [c.key for c in model.__table__.columns]
        queues = tuple(q.id for q in row.queues) if model is StaffUser else ()
        return (*(getattr(row, c) for c in columns), queues)


# Staff accounts.

STAFF_FIELDS = {
    "display_name": st.sampled_from(["伊藤", " 山田 太郎 ", "x" * 64]),
    "role": st.sampled_from(STAFF_ROLES),
    "queue_ids": st.lists(st.sampled_from(["1", "2", "3", "4", "5"]), max_size=3),  # 5 is no queue
}


@SQLITE
@FUZZ
@given(form=spoiled({"login": st.from_regex(r"[A-Za-z0-9._-]{3,12}", fullmatch=True), **STAFF_FIELDS}))
def test_fuzzed_staff_creation(admin_client, services, form):
    """200 (the one-time password, shown once) exactly when one valid row and one staff.create audit row
    were added; 400 (the form again, with the reason) and nothing stored or audited otherwise."""
    response, added, audited = post_new(admin_client, services, "/console/admin/staff/new", form, StaffUser)
    assert response.status_code in (200, 400)
    saved = response.status_code == 200
    assert (added, audited) == ((1, [events.STAFF_CREATE]) if saved else (0, []))
    assert_staff_valid(services)


def post_new(client, services, path, form, model):
    """POST a creation form; (response, rows of `model` added, audit actions recorded)."""
    mark = audit_mark(services)
    with services.sessions() as session:
        before = session.scalar(select(func.count(model.id)))
    response = post_form(client, path, form)
    with services.sessions() as session:
        added = session.scalar(select(func.count(model.id))) - before
    return response, added, audits_since(services, mark)


@SQLITE
@FUZZ
@given(target=or_hostile(st.sampled_from(["sato", "suzuki", "tanaka"]), ids), form=spoiled(STAFF_FIELDS))
def test_fuzzed_staff_edit(admin_client, services, seeded, target, form):
    """302 with one staff.update audit row when saved; 400 (invalid) or 404 (no such account; ids beyond
    what the database holds too) with the account unchanged and nothing audited. The administrator's own
    account is left out: changing its role would end this session (the role is in the fingerprint)."""
    staff_id = seeded.staff.get(target)
    post_edit(admin_client, services, f"/console/admin/staff/{staff_id or quote(target)}", form,
              StaffUser, staff_id, events.STAFF_UPDATE)
    assert_staff_valid(services)


def post_edit(client, services, path, form, model, row_id, event) -> None:
    """POST an edit form: saved (302, one `event` audit row), or refused (400, or 404 for no row)
    with the row as it was and nothing audited."""
    before = snapshot(services, model, row_id) if row_id else None
    mark = audit_mark(services)
    response = post_form(client, path, form)
    assert response.status_code in ((302, 400) if row_id else (404,))
    if response.status_code == 302:
        assert audits_since(services, mark) == [event]
    else:
        assert audits_since(services, mark) == []
        assert row_id is None or snapshot(services, model, row_id) == before


OPERATIONS = {
    "reset-password": events.STAFF_PASSWORD_RESET,
    "deactivate": events.STAFF_DEACTIVATE,
    "reactivate": events.STAFF_REACTIVATE,
    "reset-totp": events.STAFF_TOTP_RESET,
}


@SQLITE
@FUZZ
@given(
    target=or_hostile(st.sampled_from(["sato", "suzuki", "tanaka"]), ids),
    operation=or_hostile(st.sampled_from(sorted(OPERATIONS)), texts.filter(lambda t: t and "/" not in t)),
)
def test_fuzzed_staff_operations(admin_client, services, seeded, target, operation):
    """An operation that changes the account answers 200 (new password page) or 302 and writes its one
    audit row; one that changes nothing (deactivating an inactive account) writes none; unknown
    operations and accounts are 404, resetting a second factor nobody set up is 409; the admin stays."""
    staff_id = seeded.staff.get(target)
    before = snapshot(services, StaffUser, staff_id) if staff_id else None
    mark = audit_mark(services)
    path = f"/console/admin/staff/{staff_id or quote(target)}/{quote(operation, safe='')}"
    response = post_form(admin_client, path, {})
    assert response.status_code in (200, 302, 404, 409)
    changed = staff_id is not None and snapshot(services, StaffUser, staff_id) != before
    if changed:
        assert response.status_code in (200, 302) and audits_since(services, mark) == [OPERATIONS[operation]]
    else:
        assert audits_since(services, mark) == []
    assert (response.status_code == 404) == (staff_id is None or operation not in OPERATIONS)
    assert_staff_valid(services)


# Queues and agencies.

QUEUE_FORM = {
    "name": st.sampled_from(["北部包括", "x" * 128]),
    "field": st.sampled_from(sorted(QUEUE_FIELDS)),
    "kind": st.sampled_from(sorted(QUEUE_KINDS)),
    "target_reply_hours": st.integers(0, MAX_REPLY_HOURS + 1).map(str),  # 0 and 721 are out of range
    "contact": st.sampled_from(["", "0000-20-2001\r\n平日 9-17時"]),
    "active": st.sampled_from(["1", "on", ""]),
}


@SQLITE
@FUZZ
@given(form=spoiled({"key": st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True), **QUEUE_FORM}))
def test_fuzzed_queue_creation(admin_client, services, form):
    """302 exactly when one valid row and one queue.save audit row were added (positive reply hours,
    known field and kind, a key routing can name); 400 and nothing stored or audited otherwise."""
    response, added, audited = post_new(admin_client, services, "/console/admin/queues/new", form, Queue)
    assert response.status_code in (302, 400)
    saved = response.status_code == 302
    assert (added, audited) == ((1, [events.QUEUE_SAVE]) if saved else (0, []))
    assert_queues_valid(services)


@SQLITE
@FUZZ
@given(target=or_hostile(st.sampled_from(["emergency", "elderly_care", "poverty"]), ids), form=spoiled(QUEUE_FORM))
def test_fuzzed_queue_edit(admin_client, services, seeded, target, form):
    """302 with one queue.save audit row when saved; 400 (invalid) or 404 (no such queue) with the row
    unchanged and nothing audited. Every queue stays valid."""
    queue_id = seeded.queues.get(target)
    post_edit(admin_client, services, f"/console/admin/queues/{queue_id or quote(target)}", form,
              Queue, queue_id, events.QUEUE_SAVE)
    assert_queues_valid(services)


# Municipality settings and canned replies.

DEMO = demo_municipality_source()
SETTING_LINES = (
    "name: すずかぜ市",
    "name: 緊急対応",
    "target_reply_hours: 1",
    "{key: ohashi, name: 大橋地区, area: 北部}",
    'open: "08:30"',
)


@st.composite
def yaml_sources(draw, base: str, lines: tuple[str, ...]) -> str:
    """`base`, `base` with the value on one of `lines` made hostile, or hostile YAML."""
    kind = draw(st.sampled_from(["base", "value", "yaml"]))
    if kind == "base":
        return base
    if kind == "yaml":
        return draw(hostile_yaml)
    line, text = draw(st.sampled_from(lines)), draw(texts)
    if line.startswith("{"):  # a flow mapping: the hostile text becomes its name
        return base.replace(line, "{key: ohashi, name: " + yaml_scalar(text) + ", area: 北部}", 1)
    return with_value(base, line, draw(st.sampled_from([yaml_scalar(text), text])))


overrides = st.one_of(
    st.sampled_from(["", "end: またいつでもどうぞ。\n"]),
    st.one_of(texts.map(lambda text: f"end: {yaml_scalar(text)}\n"), hostile_yaml),
)


def assert_settings_loadable(services) -> None:
    """What intake and routing read: the municipality and the message overrides, as the page shows them."""
    with services.sessions() as session:
        document = get_settings_document(session)
        if document:
            municipality = load_live_municipality(session)
            config_from_municipality(municipality, document["messages"])
            assert parse_overrides(format_overrides(document["messages"])) == document["messages"]


@SQLITE
@FUZZ
@given(source=yaml_sources(DEMO, SETTING_LINES), messages=overrides)
def test_fuzzed_municipality_settings(admin_client, services, source, messages):
    """200 with one settings.save audit row (and queue.sync rows) when saved, and then the stored file and
    overrides are what was sent and load in routing and intake; 400 with the problems listed, the stored
    document unchanged and nothing audited otherwise. Every synced queue row stays valid."""
    mark = audit_mark(services)
    with services.sessions() as session:
        before = get_settings_document(session)
    response = post_form(admin_client, "/console/admin/settings", {"source": source, "messages": messages})
    assert response.status_code in (200, 400)
    actions = audits_since(services, mark)
    with services.sessions() as session:
        after = get_settings_document(session)
    if response.status_code == 200:
        assert actions[-1] == events.SETTINGS_SAVE and set(actions[:-1]) <= {events.QUEUE_SYNC}
        assert after["source"] == source.replace("\r\n", "\n")
        assert after["messages"] == parse_overrides(messages.replace("\r\n", "\n"))
    else:
        assert actions == [] and after == before
    assert_settings_loadable(services)
    assert_queues_valid(services)


canned_rows = st.one_of(
    st.lists(st.tuples(st.sampled_from(["お礼", "日程"]), st.just("本文です。\r\n以上")), max_size=3),
    st.lists(st.tuples(or_hostile(st.sampled_from(["お礼", ""])), or_hostile(st.sampled_from(["本文", ""]))), max_size=3),
    st.just([("見出し", "本文")] * (MAX_ITEMS + 1)),
)


@SQLITE
@FUZZ
@given(rows=canned_rows, extra_titles=st.lists(texts, max_size=1))
def test_fuzzed_canned_replies(admin_client, services, rows, extra_titles):
    """200 with one canned_replies.save audit row when saved, and then every stored reply has a title
    and a body within their limits and no control characters; 400 with the list unchanged and nothing
    audited otherwise (also when titles and bodies do not pair up)."""
    mark = audit_mark(services)
    with services.sessions() as session:
        before = list_canned_replies(session)
    form = {"title": [t for t, _ in rows] + extra_titles, "body": [b for _, b in rows]}
    response = post_form(admin_client, "/console/admin/canned-replies", form)
    assert response.status_code in (200, 400)
    with services.sessions() as session:
        after = list_canned_replies(session)
    assert audits_since(services, mark) == ([events.CANNED_REPLIES_SAVE] if response.status_code == 200 else [])
    if response.status_code == 400:
        assert after == before
    assert len(after) <= MAX_ITEMS
    for reply in after:
        assert 0 < len(reply.title) <= MAX_TITLE and not has_control_characters(reply.title)
        assert 0 < len(reply.body) <= MAX_BODY and not has_control_characters(reply.body, multiline=True)


# Routing rules.

RULES = default_rules_source()
RULE_LINES = ("label: 緊急 → 緊急対応", "queue: elderly_care", "follow_up_hours: 1", "urgency: {is: emergency}")


def live_state(services) -> tuple:
    """The live version and whether it reads; the number of versions."""
    with services.sessions() as session:
        live = live_rules(session)
        return live.version, live.problem, session.scalar(select(func.count(RuleSetVersion.id)))


@pytest.fixture
def rule_versions(admin_client, services, rule_queues):
    """Versions 1 and 3 are the shipped rules (3 is live); 2 names a queue since closed, so it cannot return."""
    with services.sessions.begin() as session:
        session.add(Queue(key="closing", name="閉鎖予定", field="poverty"))
    closing = RULES.replace("queue: poverty\n", "queue: closing\n", 1)
    for source in (RULES, closing, RULES):
        assert post_form(admin_client, "/console/admin/rules/save", {"source": source}).status_code == 302
    with services.sessions.begin() as session:
        session.scalar(select(Queue).where(Queue.key == "closing")).active = False


@SQLITE
@FUZZ
@given(source=yaml_sources(RULES, RULE_LINES), comment=or_hostile(st.just("初版")))
def test_fuzzed_rules_check_saves_nothing(admin_client, services, rule_versions, source, comment):
    """200 when the draft passes, 400 with its problems otherwise; never a new version or an audit row."""
    before, mark = live_state(services), audit_mark(services)
    response = post_form(admin_client, "/console/admin/rules/check", {"source": source, "comment": comment})
    assert response.status_code in (200, 400)
    assert live_state(services) == before and audits_since(services, mark) == []


@SQLITE
@FUZZ
@given(source=yaml_sources(RULES, RULE_LINES), comment=or_hostile(st.just("見直し")))
def test_fuzzed_rules_save(admin_client, services, rule_versions, source, comment):
    """302 with one rules.save audit row and a new live version that reads; 400 with the live version,
    the history and the audit log unchanged otherwise. The live rule set always reads."""
    (version, problem, count), mark = live_state(services), audit_mark(services)
    response = post_form(admin_client, "/console/admin/rules/save", {"source": source, "comment": comment})
    assert response.status_code in (302, 400)
    after = live_state(services)
    if response.status_code == 302:
        assert after == (version + 1, None, count + 1) and audits_since(services, mark) == [events.RULES_SAVE]
        with services.sessions() as session:
            saved = session.scalar(select(RuleSetVersion).order_by(RuleSetVersion.version.desc()).limit(1))
        assert saved.source == source.replace("\r\n", "\n") and not has_control_characters(saved.comment)
    else:
        assert after == (version, problem, count) and audits_since(services, mark) == []
    assert after[1] is None


@SQLITE
@FUZZ
@given(version=or_hostile(st.one_of(st.sampled_from(["1", "2", "3"]), ids)))
def test_fuzzed_rules_rollback(admin_client, services, rule_versions, version):
    """302 with one rules.rollback audit row and a new live version that reads for versions 1 and 3 and the
    copies earlier examples' rollbacks made (4, 5, …: the database is shared between examples); 409 for
    version 2 (its queue is closed); 404 for anything else. Nothing changes but on a 302."""
    (live, problem, count), mark = live_state(services), audit_mark(services)
    response = post_form(admin_client, "/console/admin/rules/rollback", {"version": version})
    sent = received(admin_client.application, version)
    expected = 409 if sent == "2" else 302 if sent in {str(v) for v in range(1, count + 1)} else 404
    assert response.status_code == expected
    after = live_state(services)
    if response.status_code == 302:
        assert after == (live + 1, None, count + 1) and audits_since(services, mark) == [events.RULES_ROLLBACK]
    else:
        assert after == (live, problem, count) and audits_since(services, mark) == []


# Sign-in.

login_names = or_hostile(st.sampled_from(["admin", "sato", "SATO", " sato ", "sato\x00", "nobody"]))
passwords = or_hostile(st.sampled_from([PASSWORD, PASSWORD + "\x00", PASSWORD.upper()]))


def console_sessions(services) -> int:
    with services.sessions() as session:
        prefix = session_key("console-session:")
        return session.scalar(select(func.count()).where(SessionEntry.key.startswith(prefix)))


def post_page_form(client, path: str, form: dict):
    """POST `form` as a raw body with the CSRF token of the form at `path` (before or during a login)."""
    token = form_token(client.get(path).get_data(as_text=True))
    body = urlencode({**form, "csrf_token": token}, doseq=True)
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def assert_admin_can_log_in(console_app, seeded, clock) -> None:
    """After the throttling window, the administrator logs in with password and code as ever."""
    clock.advance(minutes=16)
    login(console_app.test_client(), "admin", totp_secret=seeded.totp_secrets["admin"], at=clock.now)


@SQLITE
@FUZZ_SIGN_IN
@given(attempts=st.lists(st.tuples(login_names, passwords), min_size=1, max_size=4))
def test_fuzzed_login(console_app, services, seeded, clock, attempts):
    """302 only for an account's login (any case, spaces around) with its password, else 401 with one
    staff.login_failed audit row, or 429 once throttled (nothing audited); a failed attempt never sets
    a session cookie or stores a session, and afterwards the administrator still logs in."""
    for name, password in attempts:
        client, sessions, mark = console_app.test_client(), console_sessions(services), audit_mark(services)
        response = post_page_form(client, "/console/login", {"login": name, "password": password})
        assert response.status_code in (302, 401, 429)
        sent_name, sent_password = received(console_app, name), received(console_app, password)
        right = sent_name.strip().lower() in ("admin", "sato") and sent_password == PASSWORD
        if response.status_code == 302:
            assert right and console_sessions(services) == sessions + 1
        else:
            assert not any(c.startswith("mg_session=") for c in response.headers.getlist("Set-Cookie"))
            assert console_sessions(services) == sessions
            failed = [events.STAFF_LOGIN_FAILED] if response.status_code == 401 else []
            assert audits_since(services, mark) == failed and (right is False or response.status_code == 429)
    assert_admin_can_log_in(console_app, seeded, clock)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
RIGHT_CODES = {
    "the code": lambda code: code,
    "the code in full width": lambda code: code.translate(FULL_WIDTH),
    "the code spaced": lambda code: f" {code[:3]} {code[3:]} ",
}
codes = or_hostile(st.sampled_from([*RIGHT_CODES, "000000", "1234567", "²²²²²²", "１２３"]))


def is_right(code) -> bool:
    return isinstance(code, str) and code in RIGHT_CODES


def written(code, secret: str, at):
    """The current code of `secret` as the placeholder says, or `code` itself."""
    return RIGHT_CODES[code](pyotp.TOTP(secret).at(at)) if is_right(code) else code


@SQLITE
@FUZZ_SIGN_IN
@given(attempts=st.lists(codes, min_size=1, max_size=4))
def test_fuzzed_totp_code(console_app, services, seeded, clock, attempts):
    """After the password, 302 into the console and one staff.login audit row for the current code (also in
    full-width digits or spaced); 401 with one staff.login_failed audit row and the session still waiting
    for a code for anything else (four wrong codes stay below the lock). Then the administrator logs in."""
    client = console_app.test_client()
    assert post_page_form(client, "/console/login", {"login": "admin", "password": PASSWORD}).status_code == 302
    secret = seeded.totp_secrets["admin"]
    for code in attempts:
        clock.advance(seconds=30)  # a fresh time step: a code is good once
        mark = audit_mark(services)
        response = post_page_form(client, "/console/login/totp", {"code": written(code, secret, clock.now)})
        assert response.status_code == (302 if is_right(code) else 401)
        if response.status_code == 302:
            assert audits_since(services, mark) == [events.STAFF_LOGIN]
            assert client.get("/console/").status_code == 200
            break
        assert audits_since(services, mark) == [events.STAFF_LOGIN_FAILED]
        assert client.get("/console/").location.startswith("/console/login/totp")
    assert_admin_can_log_in(console_app, seeded, clock)


@SQLITE
@FUZZ
@given(attempts=st.lists(codes, min_size=1, max_size=3))
def test_fuzzed_totp_enrolment(staff_client, services, seeded, clock, attempts):
    """Staff setting up an authenticator: 302 and one staff.totp_enrol audit row for the current code of
    the secret shown (also full-width or spaced); 400 with nothing stored or audited for anything else.
    The session goes on either way. An enrolment is undone (and sato logs in again) for the next example."""
    for code in attempts:
        clock.advance(seconds=30)  # a fresh time step: a code is good once
        page = staff_client.get("/console/account/totp").get_data(as_text=True)
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
        mark = audit_mark(services)
        response = post_form(staff_client, "/console/account/totp", {"code": written(code, secret, clock.now)})
        assert response.status_code == (302 if is_right(code) else 400)
        with services.sessions() as session:
            enrolled = session.get(StaffUser, seeded.staff["sato"]).totp_secret_enc is not None
        assert enrolled == is_right(code)
        assert audits_since(services, mark) == ([events.STAFF_TOTP_ENROL] if enrolled else [])
        assert staff_client.get("/console/").status_code == 200
        if enrolled:
            with services.sessions.begin() as session:
                session.get(StaffUser, seeded.staff["sato"]).totp_secret_enc = None
            staff_client.csrf = login(staff_client, "sato")
            break


new_passwords = or_hostile(
    st.one_of(st.sampled_from(["a much longer passphrase", PASSWORD]), st.text(min_size=12, max_size=300))
)


@SQLITE
@FUZZ_SIGN_IN
@given(
    current=or_hostile(st.sampled_from(["the password", PASSWORD])),
    new=new_passwords,
    confirm=or_hostile(st.just("the same")),
)
def test_fuzzed_password_change(console_app, staff_client, services, seeded, current, new, confirm):
    """302 with one staff.password_change audit row when the current password is right and the new one
    (12 to 256 characters, typed twice, neither the old one nor the login) is stored whole; then it logs in.
    400 with the password hash unchanged and nothing audited otherwise. The session goes on either way."""
    password = getattr(staff_client, "password", PASSWORD)
    form = {
        "current_password": password if current == "the password" else current,
        "new_password": new,
        "confirm_password": new if confirm == "the same" else confirm,
    }
    before, mark = snapshot(services, StaffUser, seeded.staff["sato"]), audit_mark(services)
    response = post_form(staff_client, "/console/account/password", form)
    assert response.status_code in (302, 400)
    with services.sessions() as session:
        stored = session.get(StaffUser, seeded.staff["sato"]).password_hash
    if response.status_code == 302:
        new = received(console_app, new)
        assert 12 <= len(new) <= 256 and verify_password(stored, new)
        assert audits_since(services, mark) == [events.STAFF_PASSWORD_CHANGE]
        staff_client.password = new
        login(console_app.test_client(), "sato", new)
    else:
        assert snapshot(services, StaffUser, seeded.staff["sato"]) == before and audits_since(services, mark) == []
    page = staff_client.get("/console/")
    assert page.status_code == 200
    staff_client.csrf = page_token(page.get_data(as_text=True))  # a new session (and token) after a change


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
    # Invisible format characters made one name look like another (a right-to-left override, a zero-width space).
    ("/console/admin/staff/new", {**STAFF, "display_name": "伊藤\u202e"}, 400, "表示名に使えない文字"),
    ("/console/admin/queues/new", {**QUEUE, "name": "緊急\u200b対応"}, 400, "名前に使えない文字"),
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
