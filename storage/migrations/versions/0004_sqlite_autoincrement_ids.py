"""sqlite autoincrement ids

Revision ID: 0004_sqlite_autoincrement_ids
Revises: 0003_resident_messages
Create Date: 2026-11-24 10:00:00.000000

Audit rows name residents, cases, staff users and queues by id. SQLite without
AUTOINCREMENT hands a deleted row's id to the next insert, so an old audit row
could come to name another resident. The tables are recreated (batch copy, ids
kept) with AUTOINCREMENT. PostgreSQL sequences never reuse ids: nothing to do.
audit_events is not copied, so its append-only triggers (0002) stay as they are.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004_sqlite_autoincrement_ids'
down_revision: str | None = '0003_resident_messages'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("residents", "staff_users", "queues", "cases")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
