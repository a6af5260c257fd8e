"""Figures for the dashboard and the yearly 実績 report.

A consultation counts from when it was handed to staff (Case.handed_off_at);
conversations the bot closed by itself are not consultations here. A case with
several domains counts once in each (延べ), so domain rows add up to more than
the total.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from console.display import DOMAIN_NAMES_JA, PATTERN_NAMES_JA, TOKYO, URGENCY_NAMES_JA
from storage.models import Case, Queue

NO_DOMAIN = "none"


@dataclass(frozen=True)
class CaseFacts:
    id: int
    resident_id: int
    received_at: datetime
    domains: tuple[str, ...]
    patterns: tuple[str, ...]
    urgency: str
    queue_id: int | None
    first_reply_at: datetime | None
    resolved_at: datetime | None


def _facts(session: Session, condition) -> list[CaseFacts]:
    rows = session.execute(
        select(
            Case.id,
            Case.resident_id,
            Case.handed_off_at,
            Case.domains,
            Case.patterns,
            Case.urgency,
            Case.queue_id,
            Case.first_staff_reply_at,
            Case.resolved_at,
        ).where(Case.handed_off_at.is_not(None), condition)
    )
    return [CaseFacts(r[0], r[1], r[2], tuple(r[3] or ()), tuple(r[4] or ()), r[5], r[6], r[7], r[8]) for r in rows]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def tokyo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), TOKYO)


@dataclass(frozen=True)
class Dashboard:
    weeks: list[date]
    per_week_domain: dict[str, list[int]]  # domain (or "none") -> count per week
    per_week_total: list[int]
    per_week_complex: list[int]
    per_week_median_hours: list[float | None]
    total: int
    complex_count: int
    patterns: dict[str, int]
    urgency: dict[str, int]
    median_first_reply_hours: float | None
    overdue: list[Case]


def dashboard(session: Session, now: datetime, *, weeks: int = 12) -> Dashboard:
    first = week_start(now.astimezone(TOKYO).date()) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    cases = _facts(session, Case.handed_off_at >= tokyo_midnight(first))
    index = {start: i for i, start in enumerate(starts)}
    per_domain = {d: [0] * weeks for d in (*DOMAIN_NAMES_JA, NO_DOMAIN)}
    totals, complex_counts = [0] * weeks, [0] * weeks
    reply_hours: list[list[float]] = [[] for _ in range(weeks)]
    for case in cases:
        i = index.get(week_start(case.received_at.astimezone(TOKYO).date()))
        if i is None:
            continue  # received after `now` (clock skew): not part of these weeks
        totals[i] += 1
        complex_counts[i] += len(set(case.domains)) >= 2
        for domain in case.domains or (NO_DOMAIN,):
            per_domain.setdefault(domain, [0] * weeks)[i] += 1
        if case.first_reply_at is not None:
            reply_hours[i].append((case.first_reply_at - case.received_at).total_seconds() / 3600)
    all_hours = [h for week in reply_hours for h in week]
    counted = [c for c in cases if week_start(c.received_at.astimezone(TOKYO).date()) in index]
    return Dashboard(
        weeks=starts,
        per_week_domain=per_domain,
        per_week_total=totals,
        per_week_complex=complex_counts,
        per_week_median_hours=[statistics.median(h) if h else None for h in reply_hours],
        total=sum(totals),
        complex_count=sum(complex_counts),
        patterns={p: sum(p in c.patterns for c in counted) for p in PATTERN_NAMES_JA},
        urgency={u: sum(c.urgency == u for c in counted) for u in URGENCY_NAMES_JA},
        median_first_reply_hours=statistics.median(all_hours) if all_hours else None,
        overdue=overdue_cases(session, now),
    )


def overdue_cases(session: Session, now: datetime) -> list[Case]:
    """Cases past their reply target with no staff reply yet."""
    query = (
        select(Case)
        .where(
            Case.reply_due_at < now,
            Case.first_staff_reply_at.is_(None),
            Case.status.not_in(("resolved", "intake")),
        )
        .order_by(Case.reply_due_at)
    )
    return list(session.scalars(query))


def fiscal_year_of(day: date) -> int:
    """年度: April to March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[datetime, datetime]:
    return tokyo_midnight(date(year, 4, 1)), tokyo_midnight(date(year + 1, 4, 1))


@dataclass(frozen=True)
class FigureRow:
    section: str
    item: str
    received: int  # 延べ件数
    residents: int  # 実人数
    closed: int  # 終結件数


def yearly_figures(session: Session, year: int) -> list[FigureRow]:
    start, end = fiscal_year_bounds(year)
    cases = _facts(
        session,
        or_(
            and_(Case.handed_off_at >= start, Case.handed_off_at < end),
            and_(Case.resolved_at >= start, Case.resolved_at < end),
        ),
    )
    received = [c for c in cases if start <= c.received_at < end]
    closed = [c for c in cases if c.resolved_at is not None and start <= c.resolved_at < end]
    queues = list(session.scalars(select(Queue).order_by(Queue.id)))

    def row(section: str, item: str, test) -> FigureRow:
        got = [c for c in received if test(c)]
        return FigureRow(section, item, len(got), len({c.resident_id for c in got}), sum(1 for c in closed if test(c)))

    rows = [row("合計", "すべての相談", lambda c: True)]
    rows += [row("分野", name, lambda c, d=key: d in c.domains) for key, name in DOMAIN_NAMES_JA.items()]
    rows.append(row("分野", "分野なし", lambda c: not c.domains))
    rows.append(row("複合", "複合（2分野以上）", lambda c: len(set(c.domains)) >= 2))
    rows += [row("世帯の状況", name, lambda c, p=key: p in c.patterns) for key, name in PATTERN_NAMES_JA.items()]
    rows += [row("緊急度", name, lambda c, u=key: c.urgency == u) for key, name in URGENCY_NAMES_JA.items()]
    rows += [row("キュー・機関", q.name, lambda c, qid=q.id: c.queue_id == qid) for q in queues]
    return rows
