"""Saved routing rule-set versions; the highest version is the live one."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import RuleSetVersion


def get_live_ruleset(session: Session) -> RuleSetVersion | None:
    return session.scalar(select(RuleSetVersion).order_by(RuleSetVersion.version.desc()).limit(1))


def get_live_ruleset_version_number(session: Session) -> int | None:
    """Cheap enough to ask on every case: lets every process notice a new version."""
    return session.scalar(select(func.max(RuleSetVersion.version)))


def get_ruleset_version(session: Session, version: int) -> RuleSetVersion | None:
    return session.scalar(select(RuleSetVersion).where(RuleSetVersion.version == version))


def list_ruleset_versions(session: Session) -> list[RuleSetVersion]:
    return list(session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version.desc())))


def add_ruleset_version(
    session: Session,
    *,
    source: str,
    comment: str,
    created_by: int | None,
    created_by_label: str,
    rolled_back_from: int | None = None,
) -> RuleSetVersion:
    number = (get_live_ruleset_version_number(session) or 0) + 1
    row = RuleSetVersion(
        version=number,
        source=source,
        comment=comment,
        created_by=created_by,
        created_by_label=created_by_label,
        rolled_back_from=rolled_back_from,
    )
    session.add(row)
    return row
