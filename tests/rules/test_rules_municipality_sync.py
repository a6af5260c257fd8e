"""The municipality document's queues and agencies mirrored as Queue rows (routing.municipality_sync),
on SQLite and PostgreSQL: created once, updated when changed, deactivated (never deleted) when the
file drops them, hand-made queues left alone, every change audited."""

import re

from sqlalchemy import func, select

from bot.demo import seed_municipality
from routing.municipality_file import demo_municipality_source, load_municipality
from routing.municipality_sync import queue_rows, stored_municipality, sync_queues
from storage import events
from storage.models import AuditEvent, Queue
from tests.rules.conftest import replace_once


def _without_south_centre(source: str) -> str:
    """The demo city with its southern 地域包括支援センター merged into the central one."""
    block = re.search(r"  - key: hokatsu-south\n(?:    .*\n)*", source).group(0)
    source = replace_once(source, block, "")
    central = "districts: [honmachi, ekimae, midoricho]"
    return replace_once(source, central, central[:-1] + ", hamada, minamigaoka]")


def _sync_audits(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == events.QUEUE_SYNC))


def test_seeding_mirrors_every_queue_and_agency_with_an_audit_row(services):
    municipality = load_municipality(demo_municipality_source())
    with services.sessions() as session:
        rows = {q.key: q for q in session.scalars(select(Queue))}
        wanted = queue_rows(municipality)
        assert set(rows) == set(wanted)
        assert all(rows[k].active and rows[k].kind == v["kind"] for k, v in wanted.items())
        assert rows["hokatsu-north"].kind == "agency" and rows["hokatsu-north"].field == "elderly_care"
        assert rows["comprehensive"].target_reply_hours == municipality.queue("comprehensive").target_reply_hours
        assert _sync_audits(session) == len(wanted)


def test_saving_the_same_file_again_changes_nothing_and_audits_nothing(services):
    with services.sessions.begin() as session:
        before = _sync_audits(session)
        seed_municipality(session, demo_municipality_source())
        assert _sync_audits(session) == before


def test_a_dropped_agency_is_deactivated_and_a_changed_queue_updated(services):
    source = demo_municipality_source()
    changed = replace_once(
        _without_south_centre(source),
        "    field: poverty\n    target_reply_hours: 48\n",
        "    field: poverty\n    target_reply_hours: 24\n",
    )
    with services.sessions.begin() as session:
        session.add(Queue(key="hand-made", name="手作業で作ったキュー", field="all"))
        session.flush()
        south_id = session.scalar(select(Queue.id).where(Queue.key == "hokatsu-south"))
        new = load_municipality(changed)
        result = sync_queues(session, new, previous=stored_municipality(session), actor_type="staff", actor_id=7)
        # jiritsu-soudan staffs the poverty queue and takes its target reply hours with it.
        assert (result.created, result.updated, result.deactivated) == (
            [], ["poverty", "jiritsu-soudan"], ["hokatsu-south"]
        )
        assert session.scalar(select(Queue.target_reply_hours).where(Queue.key == "poverty")) == 24
        south = session.get(Queue, south_id)
        assert south is not None and south.active is False  # kept: cases and audit rows point at it
        assert session.scalar(select(Queue.active).where(Queue.key == "hand-made")) is True
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == events.QUEUE_SYNC).order_by(AuditEvent.id.desc())
        ).first()
        assert (audit.actor_type, audit.actor_id, audit.target_id) == ("staff", "7", str(south_id))
        assert audit.detail == {"key": "hokatsu-south", "created": False, "active": False, "via": "municipality"}
    with services.sessions.begin() as session:
        # Back in the file: the same row is active again, not a new one.
        result = sync_queues(session, load_municipality(source), previous=new, actor_type="system", actor_id="t")
        assert result.created == [] and "hokatsu-south" in result.updated
        assert session.scalar(select(Queue.active).where(Queue.id == south_id)) is True
