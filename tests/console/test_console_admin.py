"""Administrator pages: staff accounts, queues, municipality settings, canned replies, rules editor."""

from importlib import resources

from sqlalchemy import func, select

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
    rejected = post(admin_client, "/console/admin/settings", source=broken, messages="")
    html = rejected.get_data(as_text=True)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "8時半" in text)
    assert rejected.status_code == 400 and f"{line}行目" in html and "8時半" in html  # the draft is kept
    with services.sessions() as session:
        assert get_settings_document(session) == {}
    bad_shape = post(admin_client, "/console/admin/settings", source=demo, messages="end:\n  - a\n")
    assert bad_shape.status_code == 400 and "1行目" in bad_shape.get_data(as_text=True)
    unknown_key = post(admin_client, "/console/admin/settings", source=demo, messages="no_such_message: こんにちは\n")
    assert unknown_key.status_code == 400 and "no_such_message" in unknown_key.get_data(as_text=True)
    wrong_placeholder = post(
        admin_client, "/console/admin/settings", source=demo, messages="handed_off_reminder: 受付番号は{number}です。\n"
    )
    assert wrong_placeholder.status_code == 400 and "case_ref" in wrong_placeholder.get_data(as_text=True)
    with services.sessions() as session:
        assert get_settings_document(session) == {}  # nothing saved by any of these
    saved = post(admin_client, "/console/admin/settings", source=demo, messages="end: またいつでもどうぞ。\n")
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "保存しました" in html
    assert "追加:" in html and "hokatsu-north" in html  # the file's queues and agencies became Queue rows
    with services.sessions() as session:
        north = session.scalar(select(Queue).where(Queue.key == "hokatsu-north"))
        assert (north.kind, north.field, north.active) == ("agency", "elderly_care", True)
        document = get_settings_document(session)
        assert document["source"] == demo and document["messages"] == {"end": "またいつでもどうぞ。"}
        assert district_names(session)["wakaba"] == "若葉地区"
    assert last_audit(services).action == events.SETTINGS_SAVE
    # A later save without an agency deactivates its row (its cases keep pointing at it).
    block = demo[demo.index("  - key: hokatsu-north\n") : demo.index("  - key: hokatsu-central\n")]
    merged = demo.replace(block, "").replace(
        "districts: [honmachi, ekimae, midoricho]", "districts: [honmachi, ekimae, midoricho, ohashi, wakaba, kitayama]"
    )
    again = post(admin_client, "/console/admin/settings", source=merged, messages="")
    assert again.status_code == 200 and "停止" in again.get_data(as_text=True)
    with services.sessions() as session:
        assert session.scalar(select(Queue.active).where(Queue.key == "hokatsu-north")) is False
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(north.id)))
        assert list(actions) == [events.QUEUE_SYNC, events.QUEUE_SYNC]  # created, then deactivated


def test_canned_replies_reject_half_filled_rows(admin_client):
    response = post(admin_client, "/console/admin/canned-replies", title=["見出しだけ"], body=[""])
    assert response.status_code == 400 and "1件目" in response.get_data(as_text=True)


def test_an_over_long_rules_draft_or_comment_is_refused_whole_never_cut(admin_client, services, rule_queues):
    """The editor used to cut the source and comment silently: now the draft comes back with why, nothing saved."""
    from console.inputs import MAX_DOCUMENT

    default = (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")
    long_source = default + "#" * (MAX_DOCUMENT - len(default) + 1)
    for path in ("/console/admin/rules/check", "/console/admin/rules/save"):
        for source, comment, reason in ((long_source, "初版", "ルールが長すぎます"), (default, "あ" * 201, "コメントが長すぎます")):
            response = post(admin_client, path, source=source, comment=comment)
            assert response.status_code == 400 and reason in response.get_data(as_text=True)
    with services.sessions() as session:
        assert session.scalar(select(func.count(RuleSetVersion.id))) == 0
        assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == events.RULES_SAVE)) == 0


def test_the_rules_editor_checks_dry_runs_saves_and_rolls_back(admin_client, services, seeded, rule_queues):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"], domains=("elderly_care",))
    default = (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")
    assert "標準ルール" in admin_client.get("/console/admin/rules").get_data(as_text=True)
    assert post(admin_client, "/console/admin/rules/save", source=default, comment="初版").status_code == 302
    broken = default.replace("queue: elderly_care\n", "queue: elderly_kare\n", 1)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "elderly_kare" in text)
    rejected = post(admin_client, "/console/admin/rules/check", source=broken)
    assert rejected.status_code == 400 and f"{line}行目" in rejected.get_data(as_text=True)
    not_saved = post(admin_client, "/console/admin/rules/save", source=broken, comment="壊れた版")
    assert not_saved.status_code == 400 and f"{line}行目" in not_saved.get_data(as_text=True)
    draft = default.replace("queue: elderly_care\n", "queue: comprehensive\n", 1)
    checked = post(admin_client, "/console/admin/rules/check", source=draft, comment="高齢も包括へ")
    html = checked.get_data(as_text=True)
    with services.sessions() as session:
        reference = session.get(Case, case_id).reference
        assert [v.version for v in session.scalars(select(RuleSetVersion))] == [1]  # a check never saves
    assert checked.status_code == 200 and "検査OK" in html and "この内容で保存" in html
    assert "1件の振り分け先が変わります" in html and "elderly_care</code> → <code>comprehensive" in html
    assert reference in html
    assert post(admin_client, "/console/admin/rules/save", source=draft, comment="高齢も包括へ").status_code == 302
    version_page = admin_client.get("/console/admin/rules/versions/2").get_data(as_text=True)
    assert "queue: elderly_care -&gt; comprehensive" in version_page and "この版に戻す" not in version_page
    assert post(admin_client, "/console/admin/rules/rollback", version="1").status_code == 302
    with services.sessions() as session:
        rows = list(session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version)))
        assert [(r.version, r.rolled_back_from, r.created_by_label) for r in rows] == [
            (1, None, "admin"),
            (2, None, "admin"),
            (3, 1, "admin"),
        ]
        assert rows[2].source == default
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "ruleset")))
    assert actions == [events.RULES_SAVE, events.RULES_SAVE, events.RULES_ROLLBACK]
    assert admin_client.get("/console/admin/rules/versions/9").status_code == 404
