"""The queue: emergencies pinned for everyone, urgency then waiting time, filters, overdue marks."""

from datetime import timedelta

from tests.console.conftest import login
from tests.console.seed import seed_case


def test_order_is_pinned_emergency_then_urgency_then_longest_waiting(console_app, services, seeded, clock):
    now = clock.now
    q = seeded.queues
    old_normal = seed_case(services, queue_id=q["elderly_care"], received_at=now - timedelta(hours=30))
    new_urgent = seed_case(services, queue_id=q["elderly_care"], urgency="urgent", received_at=now - timedelta(hours=1))
    old_urgent = seed_case(services, queue_id=q["elderly_care"], urgency="urgent", received_at=now - timedelta(hours=5))
    emergency = seed_case(
        services, queue_id=q["emergency"], urgency="emergency", emergency=True, received_at=now - timedelta(minutes=3)
    )
    client = console_app.test_client()
    login(client, "sato")
    data = client.get("/console/api/queue").json
    assert [r["id"] for r in data["cases"]] == [emergency, old_urgent, new_urgent, old_normal]
    assert [r["id"] for r in data["pinned"]] == [emergency] and data["cases"][0]["emergency_pending"]
    html = client.get("/console/").get_data(as_text=True)  # pinned before any script runs, too
    assert f'<ul id="emergency-list"><li><a href="/console/cases/{emergency}">' in html
    # Another queue's staff also get the emergency pinned until someone acknowledges it.
    other = console_app.test_client()
    other_csrf = login(other, "suzuki")
    assert [r["id"] for r in other.get("/console/api/queue").json["pinned"]] == [emergency]
    other.post(f"/console/cases/{emergency}/actions/acknowledge", data={"csrf_token": other_csrf})
    assert client.get("/console/api/queue").json["pinned"] == []
    assert other.get("/console/api/emergencies").json["pinned"] == []


def test_filters_narrow_the_queue(console_app, services, seeded):
    q = seeded.queues
    a = seed_case(
        services,
        queue_id=q["comprehensive"],
        domains=("elderly_care", "poverty"),
        patterns=("8050",),
        district="wakaba",
    )
    b = seed_case(services, queue_id=q["poverty"], domains=("poverty",), district="hamada")
    c = seed_case(services, queue_id=q["poverty"], domains=("poverty",), status="resolved", district="hamada")
    client = console_app.test_client()
    csrf = login(client, "tanaka")
    client.post(f"/console/cases/{b}/actions/take", data={"csrf_token": csrf})

    def ids(**args):
        return sorted(r["id"] for r in client.get("/console/api/queue", query_string=args).json["cases"])

    assert ids() == sorted([a, b])
    assert ids(status="resolved") == [c]
    assert ids(queue=q["poverty"]) == [b]
    assert ids(domain="elderly_care") == [a]
    assert ids(pattern="8050") == [a]
    assert ids(district="hamada") == [b]
    assert ids(assignee="me") == [b]
    assert ids(assignee="none") == [a]
    assert ids(domain="not-a-domain") == sorted([a, b])  # unknown values are ignored
    # So are hostile ones (a stale or tampered bookmark): other scripts' digits, ids no column
    # holds, control characters; on PostgreSQL these used to be a 500.
    for hostile in ({"queue": "²"}, {"queue": "99999999999"}, {"assignee": "١"}, {"assignee": "99999999999"},
                    {"district": "a\x00b"}):
        assert ids(**hostile) == sorted([a, b])
        assert client.get("/console/", query_string=hostile).status_code == 200
    html = client.get("/console/", query_string={"pattern": "8050"}).get_data(as_text=True)
    assert f'data-id="{a}"' in html and f'data-id="{b}"' not in html


def test_reply_targets_are_shown_and_overdue_cases_marked(console_app, services, seeded, clock):
    q = seeded.queues
    late = seed_case(services, queue_id=q["elderly_care"], received_at=clock.now - timedelta(hours=50), reply_hours=48)
    fine = seed_case(services, queue_id=q["elderly_care"], received_at=clock.now - timedelta(hours=2), reply_hours=48)
    client = console_app.test_client()
    login(client, "sato")
    rows = {r["id"]: r for r in client.get("/console/api/queue").json["cases"]}
    assert rows[late]["overdue"] and rows[late]["due_text"] == "2時間超過"
    assert not rows[fine]["overdue"] and rows[fine]["due_text"] == "あと46時間"
    html = client.get("/console/").get_data(as_text=True)
    assert 'class="overdue">2時間超過' in html


def test_the_queue_page_polls_the_api_with_its_filters(staff_client):
    html = staff_client.get("/console/?domain=poverty").get_data(as_text=True)
    assert 'data-poll-url="/console/api/queue?' in html and "domain=poverty" in html
    assert '<script src="/console/static/queue.js"' in html
    with staff_client.get("/console/static/queue.js") as script:
        assert script.status_code == 200 and "no-store" not in script.headers.get("Cache-Control", "")
