"""resident messages and timer events

Messages belong to their resident (the bot's first replies exist before a case),
carry their quick-reply buttons, and inbound events can wait for a due time.

Revision ID: 0003_resident_messages
Revises: 0002_audit_events_append_only
Create Date: 2026-11-23 03:11:36.511763
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_resident_messages'
down_revision: str | None = '0002_audit_events_append_only'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_after', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quick_replies', sa.JSON(), nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_messages_resident_id'), ['resident_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_messages_resident_id_residents'), 'residents', ['resident_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_check_constraint('case_or_resident', 'case_id IS NOT NULL OR resident_id IS NOT NULL')

    op.execute(
        "UPDATE messages SET resident_id = (SELECT cases.resident_id FROM cases WHERE cases.id = messages.case_id)"
        " WHERE resident_id IS NULL"
    )


def downgrade() -> None:
    # Messages that never joined a case cannot exist in the old schema.
    op.execute("DELETE FROM messages WHERE case_id IS NULL")
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_messages_case_or_resident'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_messages_resident_id_residents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_messages_resident_id'))
        batch_op.alter_column('case_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('quick_replies')
        batch_op.drop_column('resident_id')

    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_column('process_after')
