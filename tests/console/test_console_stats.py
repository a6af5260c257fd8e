"""The dashboard figures and the yearly 実績 CSV (fiscal year April–March, Asia/Tokyo)."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from console.stats import dashboard, fiscal_year_of, yearly_figures
from storage import events
from storage.models import AuditEvent, Case
from tests.console.conftest import login
from tests.console.seed import seed_case

TOKYO = ZoneInfo("Asia/Tokyo")


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def resolve(services, case_id: int, at: datetime) -> None:
    with services.sessions.begin() as session:
        case = session.get(Case, case_id)
        case.status, case.outcome, case.resolved_at = "resolved", "supported", at


def seed_year(services, q) -> dict[str, int]:
    ids = {
        "c1": seed_case(services, queue_id=q["elderly_care"], received_at=jst(2026, 3, 31, 23, 30)),
        "c2": seed_case(
            services,
            queue_id=q["comprehensive"],
            domains=("elderly_care", "poverty"),
            patterns=("8050",),
            received_at=jst(2026, 4, 1, 0, 10),
            user_id="Uresident-A",
        ),
        "c3": seed_case(
            services,
            queue_id=q["poverty"],
            domains=("poverty",),
            received_at=jst(2026, 10, 10, 12),
            user_id="Uresident-A",
        ),
        "c4": seed_case(
            services, queue_id=q["emergency"], domains=(), urgency="emergency", received_at=jst(2027, 3, 31, 23, 59)
        ),
        "c5": seed_case(services, queue_id=q["poverty"], domains=("poverty",), received_at=jst(2027, 4, 1, 0, 0)),
        "c6": seed_case(services, queue_id=None, domains=("poverty",), status="intake", received_at=jst(2026, 6, 1)),
    }
    with services.sessions.begin() as session:
        session.get(Case, ids["c6"]).handed_off_at = None  # never reached staff
    resolve(services, ids["c1"], jst(2026, 4, 2, 10))
    resolve(services, ids["c2"], jst(2026, 5, 1, 10))
    return ids


def test_fiscal_year_runs_from_april():
    assert fiscal_year_of(jst(2026, 3, 31).date()) == 2025 and fiscal_year_of(jst(2026, 4, 1).date()) == 2026


def test_yearly_figures_count_cases_residents_and_closures(services, seeded):
    seed_year(services, seeded.queues)
    with services.sessions() as session:
        rows = {(r.section, r.item): (r.received, r.residents, r.closed) for r in yearly_figures(session, 2026)}
    assert rows[("合計", "すべての相談")] == (3, 2, 2)
    assert rows[("分野", "高齢・介護")] == (1, 1, 2)
    assert rows[("分野", "生活困窮")] == (2, 1, 1)
    assert rows[("分野", "分野なし")] == (1, 1, 0)
    assert rows[("複合", "複合（2分野以上）")] == (1, 1, 1)
    assert rows[("世帯の状況", "8050")] == (1, 1, 1)
    assert rows[("緊急度", "緊急")] == (1, 1, 0)
    assert rows[("緊急度", "通常")] == (2, 1, 2)
    assert rows[("キュー・機関", "包括的相談・多機関協働")] == (1, 1, 1)
    assert rows[("キュー・機関", "高齢・介護")] == (0, 0, 1)
    assert rows[("キュー・機関", "緊急対応")] == (1, 1, 0)


def test_the_csv_export_is_excel_readable_and_audited(console_app, services, seeded):
    seed_year(services, seeded.queues)
    client = console_app.test_client()
    login(client, "tanaka")
    response = client.get("/console/dashboard/export.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "FY2026" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff区分,項目,延べ件数,実人数,終結件数\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["合計", "すべての相談", "3", "2", "2"] in rows and ["分野", "生活困窮", "2", "1", "1"] in rows
    with services.sessions() as session:
        audit = session.scalar(select(AuditEvent).where(AuditEvent.action == events.EXPORT))
    assert audit.actor_id == str(seeded.staff["tanaka"]) and audit.detail == {
        "kind": "yearly_figures",
        "fiscal_year": 2026,
    }
    for year in ("26", "²⁰²⁶", "２０２６", "99999999999999999999"):
        bad = client.get("/console/dashboard/export.csv", query_string={"year": year})
        assert bad.status_code == 400 and "年度" in bad.get_data(as_text=True)


def test_dashboard_figures_on_known_cases(services, seeded, clock):
    q, now = seeded.queues, clock.now
    a = seed_case(
        services,
        queue_id=q["comprehensive"],
        domains=("elderly_care", "poverty"),
        patterns=("double_care",),
        received_at=now - timedelta(days=3),
    )
    b = seed_case(
        services, queue_id=q["poverty"], domains=("poverty",), urgency="urgent", received_at=now - timedelta(days=10)
    )
    seed_case(
        services, queue_id=q["poverty"], domains=("poverty",), received_at=now - timedelta(hours=60), reply_hours=48
    )
    seed_case(services, queue_id=q["poverty"], received_at=now - timedelta(weeks=20))  # outside the 12 weeks
    with services.sessions.begin() as session:
        session.get(Case, a).first_staff_reply_at = now - timedelta(days=3) + timedelta(hours=2)
        session.get(Case, b).first_staff_reply_at = now - timedelta(days=10) + timedelta(hours=6)
    with services.sessions() as session:
        figures = dashboard(session, now)
        assert figures.total == 3 and figures.complex_count == 1
        assert figures.patterns == {"8050": 0, "double_care": 1, "young_carer": 0}
        assert figures.urgency == {"normal": 2, "urgent": 1, "emergency": 0}
        assert figures.median_first_reply_hours == 4.0
        assert sum(figures.per_week_domain["poverty"]) == 3
        # Overdue is about now, whatever the week: the 60-hour-old case and the 20-week-old one.
        assert len(figures.overdue) == 2
        assert sum(figures.per_week_total) == 3 and len(figures.weeks) == 12


def test_the_dashboard_page_draws_svg_charts(console_app, services, seeded):
    seed_case(services, queue_id=seeded.queues["poverty"], domains=("poverty",))
    client = console_app.test_client()
    login(client, "tanaka")
    html = client.get("/console/dashboard").get_data(as_text=True)
    assert html.count("<svg") >= 5 and "週ごとの相談件数" in html and "生活困窮: 1" in html
