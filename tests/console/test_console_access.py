"""Who sees what, and that no state-changing request passes without the CSRF token."""

import pytest
from sqlalchemy import func, select

from console.actions.dispatch import ACTIONS
from storage.models import AuditEvent
from tests.console.conftest import form_token, login
from tests.console.seed import seed_case

# A sample value for every URL argument of a console POST route. A new route with a new
# argument fails the enumeration test until it is listed here, so no form can skip CSRF.
ARGUMENT_SAMPLES = {
    "name": sorted(ACTIONS),
    "operation": ["deactivate", "reactivate", "reset-password", "reset-totp"],
}


def audit_count(services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def test_a_staff_user_gets_404_for_another_queues_case_by_url_and_by_api(staff_client, services, seeded):
    other = seed_case(services, queue_id=seeded.queues["poverty"], domains=("poverty",))
    own = seed_case(services, queue_id=seeded.queues["elderly_care"])
    assert staff_client.get(f"/console/cases/{other}").status_code == 404
    api = staff_client.get(f"/console/api/cases/{other}")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"
    assert staff_client.get(f"/console/api/cases/{other}/status").status_code == 404
    post = staff_client.post(
        f"/console/api/cases/{other}/actions/take", json={}, headers={"X-CSRF-Token": staff_client.csrf}
    )
    assert post.status_code == 404 and post.json == {
        "error": {"code": "not_found", "message": "この案件は見つかりません。"}
    }
    form = staff_client.post(
        f"/console/cases/{other}/actions/note", data={"body": "x", "csrf_token": staff_client.csrf}
    )
    assert form.status_code == 404
    ids = [row["id"] for row in staff_client.get("/console/api/queue").json["cases"]]
    assert ids == [own]
    assert staff_client.get(f"/console/cases/{own}").status_code == 200
    # Nothing about the hidden case was written to the audit log as a view.
    with services.sessions() as session:
        views = session.scalars(select(AuditEvent.target_id).where(AuditEvent.action == "case.view")).all()
    assert views == [str(own)]


def test_a_case_shared_with_the_queue_is_visible(staff_client, services, seeded):
    shared = seed_case(services, queue_id=seeded.queues["poverty"], shared_with=seeded.queues["elderly_care"])
    page = staff_client.get(f"/console/cases/{shared}")
    assert page.status_code == 200 and "閲覧とメモのみ" in page.get_data(as_text=True)


def test_supervisors_see_every_queue(console_app, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["poverty"])
    client = console_app.test_client()
    login(client, "tanaka")
    assert client.get(f"/console/cases/{case_id}").status_code == 200


def test_logged_out_requests_get_the_login_page_or_401(console_app, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["poverty"])
    client = console_app.test_client()
    for path in ("/console/", f"/console/cases/{case_id}", "/console/dashboard", "/console/admin/staff"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200 and response.request.path == "/console/login"
        assert 'name="password"' in response.get_data(as_text=True)
    api = client.get(f"/console/api/cases/{case_id}")
    assert api.status_code == 401 and api.json["error"]["code"] == "not_logged_in"
    assert client.get("/console/api/nothing-here").json["error"]["code"] == "not_found"


def test_staff_cannot_open_admin_or_dashboard_pages(staff_client):
    for path in (
        "/console/admin/staff",
        "/console/admin/rules",
        "/console/admin/settings",
        "/console/dashboard",
        "/console/dashboard/export.csv?year=2026",
    ):
        assert staff_client.get(path).status_code == 403, path


def _post_urls(app, samples: dict[str, list]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith("/console/"):
            continue
        missing = [arg for arg in rule.arguments if arg not in samples]
        assert not missing, f"{rule.rule}: add a sample for {missing} to ARGUMENT_SAMPLES"
        combos = [{}]
        for arg in sorted(rule.arguments):
            combos = [{**c, arg: value} for c in combos for value in samples[arg]]
        with app.test_request_context():
            urls += [app.url_for(rule.endpoint, **combo) for combo in combos]
    return urls


def test_every_state_changing_console_request_needs_the_csrf_token(console_app, admin_client, services, seeded):
    case_id = seed_case(services, queue_id=seeded.queues["elderly_care"])
    samples = {
        **ARGUMENT_SAMPLES,
        "case_id": [case_id],
        "staff_id": [seeded.staff["sato"]],
        "queue_id": [seeded.queues["poverty"]],
        "version": [1],
    }
    urls = _post_urls(console_app, samples)
    assert len(urls) >= len(ACTIONS) * 2 + 10  # forms and API for every action, plus the other forms
    before = audit_count(services)
    for url in urls:
        for headers, data in (({}, {"body": "x"}), ({"X-CSRF-Token": "wrong"}, {"csrf_token": "wrong"})):
            response = admin_client.post(url, data=data, headers=headers)
            assert response.status_code == 403, url
            if url.startswith("/console/api/"):
                assert response.json["error"]["code"] == "csrf_failed"
    assert audit_count(services) == before  # nothing happened
    # With the token the same requests get past the check (so the test above can fail).
    response = admin_client.post(
        f"/console/cases/{case_id}/actions/note", data={"body": "確認", "csrf_token": admin_client.csrf}
    )
    assert response.status_code == 302 and audit_count(services) == before + 1


def test_the_login_form_itself_needs_the_token(console_app, seeded):
    client = console_app.test_client()
    assert client.post("/console/login", data={"login": "sato", "password": "x"}).status_code == 403
    page = client.get("/console/login").get_data(as_text=True)
    forged = client.post(
        "/console/login", data={"login": "sato", "password": "x", "csrf_token": form_token(page) + "0"}
    )
    assert forged.status_code == 403


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_on_the_api_answer_in_the_envelope(staff_client, method):
    response = getattr(staff_client, method)("/console/api/queue")
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
