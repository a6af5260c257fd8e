"""Replying to a resident: one row and one delivery job per reply, however often it is submitted."""

from sqlalchemy import select

from storage.models import Message, Resident
from tests.console.seed import seed_case


def queued_jobs(services) -> list[tuple]:
    return [job.args for job in services.jobs.rq_queue.get_jobs()]


def staff_messages(services) -> list[Message]:
    with services.sessions() as session:
        return list(session.scalars(select(Message).where(Message.sender == "staff").order_by(Message.id)))


def test_a_double_submitted_reply_is_stored_and_sent_once(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    form = {
        "body": "ご相談ありがとうございます。明日お電話します。",
        "client_token": "form-1234567890abcdef",
        "csrf_token": staff_client.csrf,
    }
    first = staff_client.post(f"/console/cases/{case_id}/actions/reply", data=form)
    second = staff_client.post(f"/console/cases/{case_id}/actions/reply", data=form)
    assert first.status_code == second.status_code == 302
    [message] = staff_messages(services)
    assert message.delivery_status == "pending"
    assert queued_jobs(services) == [("deliver_message", message.id)]
    # The API with the same client token finds the same row too.
    api = staff_client.post(
        f"/console/api/cases/{case_id}/actions/reply",
        json={"body": form["body"], "client_token": form["client_token"]},
        headers={"X-CSRF-Token": staff_client.csrf},
    )
    assert api.status_code == 200 and api.json["message_id"] is None
    assert len(staff_messages(services)) == 1 and len(queued_jobs(services)) == 1


def test_two_different_replies_are_two_messages(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    for n in (1, 2):
        staff_client.post(
            f"/console/api/cases/{case_id}/actions/reply",
            json={"body": f"返信{n}", "client_token": f"api-token-000000000{n}"},
            headers={"X-CSRF-Token": staff_client.csrf},
        )
    ids = [m.id for m in staff_messages(services)]
    assert len(ids) == 2 and queued_jobs(services) == [("deliver_message", i) for i in ids]


def test_a_failed_reply_stays_visible_with_a_retry_that_reuses_the_row(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    staff_client.post(
        f"/console/cases/{case_id}/actions/reply",
        data={"body": "届きますか", "client_token": "retry-1234567890abcd", "csrf_token": staff_client.csrf},
    )
    [message] = staff_messages(services)
    with services.sessions.begin() as session:
        row = session.get(Message, message.id)
        row.delivery_status, row.delivery_error, row.attempts = "failed", "LINE APIが400を返しました", 3
    page = staff_client.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert "送信失敗" in page and "再送する" in page and "届きますか" in page
    retry = staff_client.post(
        f"/console/cases/{case_id}/actions/retry", data={"message_id": message.id, "csrf_token": staff_client.csrf}
    )
    assert retry.status_code == 302
    [again] = staff_messages(services)
    assert (again.id, again.retry_key, again.delivery_status) == (message.id, message.retry_key, "pending")
    assert queued_jobs(services) == [("deliver_message", message.id), ("deliver_message", message.id)]


def test_a_blocked_resident_is_warned_about(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    with services.sessions.begin() as session:
        for resident in session.scalars(select(Resident)):
            resident.reachable = False
    page = staff_client.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert "ブロックしています" in page
    assert staff_client.get("/console/api/queue").json["cases"][0]["reachable"] is False


def test_a_rejected_reply_keeps_what_was_typed(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"], status="resolved")
    response = staff_client.post(
        f"/console/cases/{case_id}/actions/reply",
        data={"body": "書きかけの返信", "client_token": "keep-1234567890abcdef", "csrf_token": staff_client.csrf},
    )
    assert response.status_code == 409
    assert "終結した案件には返信できません" in response.get_data(as_text=True)
    assert staff_messages(services) == [] and queued_jobs(services) == []
    long = staff_client.post(
        f"/console/api/cases/{case_id}/actions/note",
        json={"body": "あ" * 10001},
        headers={"X-CSRF-Token": staff_client.csrf},
    )
    assert long.status_code == 400 and "10000文字以内" in long.json["error"]["message"]


def test_the_case_page_reports_delivery_status_without_content(staff_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    staff_client.post(
        f"/console/cases/{case_id}/actions/reply",
        data={"body": "秘密の内容", "client_token": "status-1234567890abc", "csrf_token": staff_client.csrf},
    )
    status = staff_client.get(f"/console/api/cases/{case_id}/status")
    assert status.json["deliveries"][0]["delivery_status"] == "pending"
    assert status.json["message_count"] == 3 and "秘密" not in status.get_data(as_text=True)
