"""Administrator pages: staff accounts, queues, municipality settings, canned replies, rules editor."""

from importlib import resources

from sqlalchemy import select

from console.municipality_settings import district_names, get_settings_document
from storage import events
from storage.models import AuditEvent, Case, Queue, RuleSetVersion, StaffUser
from tests.console.seed import seed_case


def post(client, path, **data):
    return client.post(path, data={**data, "csrf_token": client.csrf})


def last_audit(services) -> AuditEvent:
    with services.sessions() as session:
        return session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def test_staff_accounts_are_created_edited_and_deactivated(admin_client, services, seeded):
    created = post(
        admin_client,
        "/console/admin/staff/new",
        login="ito",
        display_name="伊藤",
        role="staff",
        queue_ids=[seeded.queues["poverty"]],
    )
    assert created.status_code == 200 and "この画面でしか表示されません" in created.get_data(as_text=True)
    assert last_audit(services).action == events.STAFF_CREATE
    duplicate = post(admin_client, "/console/admin/staff/new", login="ITO", display_name="別人", role="staff")
    assert duplicate.status_code == 400 and "すでに使われています" in duplicate.get_data(as_text=True)
    with services.sessions() as session:
        ito = session.scalar(select(StaffUser).where(StaffUser.login == "ito"))
        assert ito.must_change_password and [q.key for q in ito.queues] == ["poverty"]
    edited = post(
        admin_client,
        f"/console/admin/staff/{ito.id}",
        display_name="伊藤 花子",
        role="supervisor",
        queue_ids=[seeded.queues["elderly_care"], seeded.queues["poverty"]],
    )
    assert edited.status_code == 302
    with services.sessions() as session:
        ito = session.get(StaffUser, ito.id)
        assert (ito.display_name, ito.role, len(ito.queues)) == ("伊藤 花子", "supervisor", 2)
    assert post(admin_client, f"/console/admin/staff/{ito.id}/deactivate").status_code == 302
    assert last_audit(services).action == events.STAFF_DEACTIVATE
    listing = admin_client.get("/console/admin/staff").get_data(as_text=True)
    assert "伊藤 花子" in listing and "無効" in listing


def test_the_last_admin_cannot_be_removed_or_demoted(admin_client, services, seeded):
    admin_id = seeded.staff["admin"]
    assert post(admin_client, f"/console/admin/staff/{admin_id}/deactivate").status_code == 409
    demote = post(admin_client, f"/console/admin/staff/{admin_id}", display_name="管理者", role="staff")
    assert demote.status_code == 409 and "管理者が一人もいなくなる" in demote.get_data(as_text=True)
    with services.sessions() as session:
        assert session.get(StaffUser, admin_id).role == "admin"


def test_reset_totp_clears_the_secret(admin_client, services, seeded):
    with services.sessions.begin() as session:
        session.get(StaffUser, seeded.staff["sato"]).totp_secret_enc = "v1.a.x"
    assert post(admin_client, f"/console/admin/staff/{seeded.staff['sato']}/reset-totp").status_code == 302
    with services.sessions() as session:
        assert session.get(StaffUser, seeded.staff["sato"]).totp_secret_enc is None
    assert last_audit(services).action == events.STAFF_TOTP_RESET
    assert post(admin_client, f"/console/admin/staff/{seeded.staff['sato']}/reset-totp").status_code == 409


def test_queues_and_agencies_are_created_validated_and_edited(admin_client, services):
    bad = post(
        admin_client,
        "/console/admin/queues/new",
        key="Bad Key",
        name="x",
        field="poverty",
        kind="agency",
        target_reply_hours="48",
    )
    assert bad.status_code == 400 and "半角小文字" in bad.get_data(as_text=True)
    assert (
        post(
            admin_client,
            "/console/admin/queues/new",
            key="none",
            name="x",
            field="poverty",
            kind="queue",
            target_reply_hours="48",
        ).status_code
        == 400
    )
    ok = post(
        admin_client,
        "/console/admin/queues/new",
        key="hokatsu-north",
        name="北部地域包括支援センター",
        field="elderly_care",
        kind="agency",
        target_reply_hours="24",
        contact="0000-20-2001",
        active="1",
    )
    assert ok.status_code == 302
    with services.sessions() as session:
        queue = session.scalar(select(Queue).where(Queue.key == "hokatsu-north"))
        assert (queue.kind, queue.target_reply_hours, queue.active) == ("agency", 24, True)
    edited = post(
        admin_client,
        f"/console/admin/queues/{queue.id}",
        name="北部包括",
        field="elderly_care",
        kind="agency",
        target_reply_hours="0",
    )
    assert edited.status_code == 400 and "返信目標" in edited.get_data(as_text=True)
    assert (
        post(
            admin_client,
            f"/console/admin/queues/{queue.id}",
            name="北部包括",
            field="elderly_care",
            kind="agency",
            target_reply_hours="36",
        ).status_code
        == 302
    )
    with services.sessions() as session:
        queue = session.get(Queue, queue.id)
        assert (queue.name, queue.target_reply_hours, queue.active) == ("北部包括", 36, False)
    assert last_audit(services).action == events.QUEUE_SAVE


def test_municipality_settings_are_validated_with_line_numbers_before_saving(admin_client, services):
    page = admin_client.get("/console/admin/settings").get_data(as_text=True)
    assert "すずかぜ市" in page and "まだ保存されていません" in page
    demo = (resources.files("routing") / "demo_municipality.yaml").read_text(encoding="utf-8")
    broken = demo.replace('open: "08:30", close: "17:15"}', 'open: "8時半", close: "17:15"}', 1)
    rejected = post(admin_client, "/console/admin/settings", source=broken, catalogue_overrides="")
    html = rejected.get_data(as_text=True)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "8時半" in text)
    assert rejected.status_code == 400 and f"{line}行目" in html and "8時半" in html  # the draft is kept
    with services.sessions() as session:
        assert get_settings_document(session) == {}
    bad_override = post(admin_client, "/console/admin/settings", source=demo, catalogue_overrides="greeting:\n  - a\n")
    assert bad_override.status_code == 400 and "1行目" in bad_override.get_data(as_text=True)
    saved = post(
        admin_client,
        "/console/admin/settings",
        source=demo,
        catalogue_overrides="greeting.welcome: すずかぜ市の相談窓口です。\n",
    )
    assert saved.status_code == 200 and "保存しました" in saved.get_data(as_text=True)
    with services.sessions() as session:
        document = get_settings_document(session)
        assert document["source"] == demo
        assert document["catalogue_overrides"] == {"greeting.welcome": "すずかぜ市の相談窓口です。"}
        assert district_names(session)["wakaba"] == "若葉地区"
    assert last_audit(services).action == events.SETTINGS_SAVE


def test_canned_replies_reject_half_filled_rows(admin_client):
    response = post(admin_client, "/console/admin/canned-replies", title=["見出しだけ"], body=[""])
    assert response.status_code == 400 and "1件目" in response.get_data(as_text=True)


def test_the_rules_editor_reports_problems_by_line_and_dry_runs_a_valid_draft(admin_client, services, seeded):
    for key in ("disability", "child_parenting"):
        with services.sessions.begin() as session:
            session.add(Queue(key=key, name=key, field=key))
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"], domains=("elderly_care",))
    source = admin_client.get("/console/admin/rules").get_data(as_text=True)
    assert "標準ルール" in source
    default = (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")
    broken = default.replace("queue: elderly_care\n", "queue: elderly_kare\n", 1)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "elderly_kare" in text)
    rejected = post(admin_client, "/console/admin/rules/check", source=broken)
    assert rejected.status_code == 400 and f"{line}行目" in rejected.get_data(as_text=True)
    draft = default.replace("queue: elderly_care\n", "queue: comprehensive\n", 1)
    checked = post(admin_client, "/console/admin/rules/check", source=draft)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "検査OK" in html
    assert "1件の振り分け先が変わります" in html and "elderly_care</code> → <code>comprehensive" in html
    with services.sessions() as session:
        assert session.scalar(select(RuleSetVersion)) is None  # a check never saves
        reference = session.get(Case, case_id).reference
    assert reference in html
