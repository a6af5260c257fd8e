from tests.console.seed import seed_case

def test_smoke(staff_client, services, seeded):
    cid = seed_case(services, queue_id=seeded.queues["elderly_care"], evidence=[{"label":"elderly_care","start":2,"end":5,"text":"認知症"}])
    r = staff_client.get("/console/")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = staff_client.get(f"/console/cases/{cid}")
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert '<mark class="evidence"' in html
    r = staff_client.get("/console/api/queue")
    assert r.status_code == 200 and r.json["cases"][0]["id"] == cid
