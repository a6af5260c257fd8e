"""create core tables

Revision ID: 0001_create_core_tables
Revises:
Create Date: 2026-11-23 03:03:33.623958
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001_create_core_tables'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('inbound_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('resident_hash', sa.String(length=64), nullable=True),
    sa.Column('payload_enc', sa.Text(), nullable=False),
    sa.Column('redelivery', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_events')),
    sa.UniqueConstraint('webhook_event_id', name=op.f('uq_inbound_events_webhook_event_id'))
    )
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_events_resident_hash'), ['resident_hash'], unique=False)
        batch_op.create_index('ix_inbound_events_status_id', ['status', 'id'], unique=False)

    op.create_table('queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('target_reply_hours', sa.Integer(), nullable=False),
    sa.Column('office_hours', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queues')),
    sa.UniqueConstraint('key', name=op.f('uq_queues_key'))
    )
    op.create_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id_enc', sa.String(length=256), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reachable', sa.Boolean(), nullable=False),
    sa.Column('unfollowed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_residents_pseudonym')),
    sa.UniqueConstraint('user_hash', name=op.f('uq_residents_user_hash'))
    )
    op.create_table('session_entries',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_session_entries'))
    )
    with op.batch_alter_table('session_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_entries_expires_at'), ['expires_at'], unique=False)

    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('totp_secret_enc', sa.String(length=256), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('login', name=op.f('uq_staff_users_login'))
    )
    op.create_table('config_documents',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_users.id'], name=op.f('fk_config_documents_updated_by_staff_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_config_documents'))
    )
    op.create_table('ruleset_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_by_label', sa.String(length=64), nullable=False),
    sa.Column('rolled_back_from', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff_users.id'], name=op.f('fk_ruleset_versions_created_by_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ruleset_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_ruleset_versions_version'))
    )
    op.create_table('staff_queues',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_staff_queues_queue_id_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_queues_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'queue_id', name=op.f('pk_staff_queues'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('patterns', sa.JSON(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('classifier_degraded', sa.Boolean(), nullable=False),
    sa.Column('whose', sa.String(length=16), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('district', sa.String(length=64), nullable=True),
    sa.Column('preferred_contact', sa.String(length=16), nullable=True),
    sa.Column('consent', sa.String(length=16), nullable=False),
    sa.Column('consent_set_by', sa.String(length=64), nullable=True),
    sa.Column('consent_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('emergency_acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('emergency_acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queue_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('routing_rule', sa.String(length=128), nullable=True),
    sa.Column('routing_trace', sa.JSON(), nullable=False),
    sa.Column('routing_warning', sa.Text(), nullable=True),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=True),
    sa.Column('co_agencies', sa.JSON(), nullable=False),
    sa.Column('reply_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_staff_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_users.id'], name=op.f('fk_cases_assignee_id_staff_users')),
    sa.ForeignKeyConstraint(['emergency_acknowledged_by'], ['staff_users.id'], name=op.f('fk_cases_emergency_acknowledged_by_staff_users')),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_cases_queue_id_queues')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_cases_resident_id_residents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_versions.id'], name=op.f('fk_cases_ruleset_version_id_ruleset_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_cases_status_queue', ['status', 'queue_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('body_enc', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_case_notes_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    op.create_table('case_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_shares_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_case_shares_queue_id_queues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_shares')),
    sa.UniqueConstraint('case_id', 'queue_id', name=op.f('uq_case_shares_case_id'))
    )
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_shares_case_id'), ['case_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body_enc', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('inbound_event_id', sa.Integer(), nullable=True),
    sa.Column('delivery_status', sa.String(length=16), nullable=False),
    sa.Column('delivery_error', sa.String(length=256), nullable=True),
    sa.Column('retry_key', sa.String(length=36), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('client_token', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_messages_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inbound_event_id'], ['inbound_events.id'], name=op.f('fk_messages_inbound_event_id_inbound_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_messages_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('client_token', name=op.f('uq_messages_client_token')),
    sa.UniqueConstraint('retry_key', name=op.f('uq_messages_retry_key'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_case_id'), ['case_id'], unique=False)

    op.create_table('tag_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tag_corrections_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_tag_corrections_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_corrections'))
    )
    with op.batch_alter_table('tag_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_corrections_case_id'), ['case_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('tag_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_corrections_case_id'))

    op.drop_table('tag_corrections')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_case_id'))

    op.drop_table('messages')
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_shares_case_id'))

    op.drop_table('case_shares')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))

    op.drop_table('case_notes')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_queue')
        batch_op.drop_index(batch_op.f('ix_cases_resident_id'))

    op.drop_table('cases')
    op.drop_table('staff_queues')
    op.drop_table('ruleset_versions')
    op.drop_table('config_documents')
    op.drop_table('staff_users')
    with op.batch_alter_table('session_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_entries_expires_at'))

    op.drop_table('session_entries')
    op.drop_table('residents')
    op.drop_table('queues')
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_events_status_id')
        batch_op.drop_index(batch_op.f('ix_inbound_events_resident_hash'))

    op.drop_table('inbound_events')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')

