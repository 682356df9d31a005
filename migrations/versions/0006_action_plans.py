"""actions, action_notes, check_ins (a partner's action plan and the backbone's check-in dates); the plan_editor
role and invitation purpose

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ROLES_BEFORE = ("backbone_admin", "backbone_analyst", "partner_lead", "respondent")
ROLES_AFTER = (*ROLES_BEFORE, "plan_editor")
PURPOSES_BEFORE = ("respond", "partner_lead")
PURPOSES_AFTER = (*PURPOSES_BEFORE, "plan_editor")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _allow(table: str, column: str, name: str, values: tuple[str, ...]) -> None:
    """Change the CHECK constraint (ck_<table>_<name>) of a non-native enum column; on SQLite the table is recreated."""
    with op.batch_alter_table(table, recreate="auto", naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"}) as batch:
        batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch.create_check_constraint(name, sa.column(column).in_(values))


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _allow("memberships", "role", "role", ROLES_AFTER)
    _allow("invitations", "purpose", "invitation_purpose", PURPOSES_AFTER)
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('domain_id', sa.String(length=64), nullable=True),
    sa.Column('item_ids', sa.JSON(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('dropped_reason', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('opportunity', 'commitment', 'scratch', name='action_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_actions_cycle_id_cycles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_actions_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_organization_id'), ['organization_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_check_ins_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('action_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_notes_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_notes_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_notes'))
    )
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_notes_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_notes_action_id'))

    op.drop_table('action_notes')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_cycle_id'))

    op.drop_table('check_ins')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_organization_id'))

    op.drop_table('actions')
    op.execute("DELETE FROM invitations WHERE purpose = 'plan_editor'")
    op.execute("DELETE FROM memberships WHERE role = 'plan_editor'")
    _allow("invitations", "purpose", "invitation_purpose", PURPOSES_BEFORE)
    _allow("memberships", "role", "role", ROLES_BEFORE)
