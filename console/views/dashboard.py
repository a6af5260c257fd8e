"""The dashboard (charts) and the yearly 実績 CSV export, for supervisors and administrators."""

import csv
import io

from flask import Response, render_template, request

from console import charts
from console.auth.guard import current_actor, require_role
from console.blueprint import bp
from console.config import console_config, services
from console.display import DOMAIN_NAMES_JA, PATTERN_NAMES_JA, TOKYO, URGENCY_NAMES_JA, duration_ja
from console.errors import InvalidInput
from console.inputs import whole_number
from console.stats import NO_DOMAIN, fiscal_year_of, yearly_figures
from console.stats import dashboard as dashboard_figures
from storage import events
from storage.repositories.audit import record_audit

CSV_HEADER = ("区分", "項目", "延べ件数", "実人数", "終結件数")


@bp.get("/dashboard", endpoint="dashboard")
@require_role("supervisor", "admin")
def dashboard():
    now = console_config().now()
    with services().sessions() as db:
        figures = dashboard_figures(db, now)
        overdue = [
            {
                "id": c.id,
                "reference": c.reference,
                "queue": c.queue.name if c.queue else "",
                "late": duration_ja(now - c.reply_due_at),
            }
            for c in figures.overdue
        ]
    labels = [f"{w.month}/{w.day}" for w in figures.weeks]
    names = {**DOMAIN_NAMES_JA, NO_DOMAIN: "分野なし"}
    series = [(names[k], v) for k, v in figures.per_week_domain.items() if k in names]
    complex_share = [
        round(c / t * 100, 1) if t else None
        for c, t in zip(figures.per_week_complex, figures.per_week_total, strict=True)
    ]
    return render_template(
        "console/dashboard.html",
        figures=figures,
        overdue=overdue,
        this_year=fiscal_year_of(now.astimezone(TOKYO).date()),
        weekly_chart=charts.stacked_bars("週ごとの相談件数（分野別・延べ）", labels, series),
        weekly_legend=charts.legend([name for name, _ in series]),
        complex_chart=charts.columns("複合の割合（週ごと）", labels, complex_share, unit="%"),
        reply_chart=charts.columns(
            "初回返信までの時間の中央値（週ごと）",
            labels,
            [None if h is None else round(h, 1) for h in figures.per_week_median_hours],
            unit="h",
        ),
        pattern_chart=charts.horizontal_bars(
            "世帯の状況", [(PATTERN_NAMES_JA[k], v) for k, v in figures.patterns.items()]
        ),
        urgency_chart=charts.horizontal_bars("緊急度", [(URGENCY_NAMES_JA[k], v) for k, v in figures.urgency.items()]),
    )


@bp.get("/dashboard/export.csv", endpoint="export_yearly")
@require_role("supervisor", "admin")
def export_yearly():
    """The 年度 (April–March) figures as CSV (UTF-8 with BOM, so Excel reads the Japanese)."""
    actor = current_actor()
    year = whole_number(request.args.get("year", ""), maximum=2100)
    if year is None or year < 2000:
        raise InvalidInput("年度を西暦で指定してください（例: 2026 は 2026年4月〜2027年3月）。")
    with services().sessions.begin() as db:
        rows = yearly_figures(db, year)
        record_audit(
            db,
            **actor.audit,
            action=events.EXPORT,
            target_type="report",
            target_id=f"yearly-{year}",
            detail={"kind": "yearly_figures", "fiscal_year": year},
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((r.section, r.item, r.received, r.residents, r.closed) for r in rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="marugoto-jisseki-FY{year}.csv"'},
    )
