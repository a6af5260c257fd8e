"""The case page: the conversation decrypted with the evidence marked, the household, consent, routing."""

from sqlalchemy import select

from storage import events
from storage.models import AuditEvent, Case
from tests.console.seed import seed_case

TEXTS = ("父は82歳です。", "最近、認知症がすすんで、夜も眠れません。")


def test_the_page_shows_the_conversation_with_highlighted_evidence(staff_client, services, seeded):
    evidence = (("elderly_care", "認知症"), ("mental_health", "眠れません"))
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"], texts=TEXTS, evidence=evidence)
    with services.sessions.begin() as session:
        case = session.get(Case, case_id)
        # The worker's form holds no words: the page cuts them from the decrypted message.
        assert all(set(item) == {"label", "message_id", "start", "end"} for item in case.evidence)
        case.routing_rule, case.routing_warning = "elderly-care", "キュー「old」はありません"
        case.routing_trace = [
            {
                "rule": "emergency",
                "matched": False,
                "conditions": [
                    {"field": "urgency", "op": "is", "expected": "emergency", "actual": "normal", "held": False}
                ],
            },
            {"rule": "elderly-care", "matched": True, "conditions": []},
        ]
        case.consent, case.consent_set_by = "declined", "family"  # as the LINE side stores who answered
    html = staff_client.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert '最近、<mark class="evidence" title="高齢・介護">認知症</mark>がすすんで' in html
    assert '<mark class="evidence" title="こころ・依存症">眠れません</mark>' in html
    assert "父は82歳です。" in html and "お話しくださってありがとうございます。" in html
    assert "家族" in html and "75歳以上" in html  # whose, age band
    assert "支援会議のみ（同意なし）" in html and "相談者（家族、LINEで回答）" in html
    assert "elderly-care" in html and "キュー「old」はありません" in html
    with services.sessions() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == str(case_id))) == events.CASE_VIEW


def test_the_api_returns_the_same_view_and_audits_it(staff_client, services, seeded):
    case_id = seed_case(
        services,
        queue_id=seeded.queues["elderly_care"],
        texts=TEXTS,
        evidence=(("elderly_care", "認知症"),),
    )
    body = staff_client.get(f"/console/api/cases/{case_id}").json
    first = body["view"]["conversation"][1]
    assert [s["text"] for s in first["segments"]] == ["最近、", "認知症", "がすすんで、夜も眠れません。"]
    assert first["segments"][1]["labels"] == ["elderly_care"]
    assert body["view"]["evidence"] == [{"label": "elderly_care", "name": "高齢・介護", "words": ["認知症"]}]
    assert body["case"]["reference"] and body["view"]["household"]["age_band"] == "75歳以上"
    with services.sessions() as session:
        detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == events.CASE_VIEW))
    assert detail == {"via": "api"}


def test_forms_on_the_page_change_the_case(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    post = lambda name, **data: staff_client.post(  # noqa: E731
        f"/console/cases/{case_id}/actions/{name}", data={**data, "csrf_token": staff_client.csrf}
    )
    assert post("take").location.endswith(f"/console/cases/{case_id}?done=take")
    assert "担当になりました" in staff_client.get(f"/console/cases/{case_id}?done=take").get_data(as_text=True)
    assert post("consent", consent="granted").status_code == 302
    assert post("tags", domains=["elderly_care", "health"], urgency="urgent").status_code == 302
    assert post("note", body="訪問の日程を調整中").status_code == 302
    assert post("follow_up", follow_up="2000-01-01").status_code == 400
    assert post("resolve", outcome="supported").status_code == 302
    html = staff_client.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert "重層的支援会議で共有可" in html and "職員 佐藤" in html and "訪問の日程を調整中" in html
    assert "医療・健康" in html and "支援につながった" in html
    with services.sessions() as session:
        case = session.get(Case, case_id)
        assert (case.status, case.urgency, case.domains) == ("resolved", "urgent", ["elderly_care", "health"])
    # A transfer to a queue the actor does not belong to sends them back to the queue page.
    assert post("reopen").status_code == 302
    moved = post("transfer", queue_id=seeded.queues["poverty"])
    assert moved.location.startswith("/console/?done=transfer")


def test_canned_replies_are_offered_on_the_page(admin_client, staff_client, services, seeded):
    admin_client.post(
        "/console/admin/canned-replies",
        data={"title": ["お礼", ""], "body": ["ご相談ありがとうございます。", ""], "csrf_token": admin_client.csrf},
    )
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    html = staff_client.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert 'data-body="ご相談ありがとうございます。">お礼</option>' in html
