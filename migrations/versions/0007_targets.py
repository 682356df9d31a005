"""targets: the partnership's targets (share of partners at a level, or the median's change), with their reference cycle

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backbone_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('share_at_level', 'median_change', name='target_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('domain_id', sa.String(length=64), nullable=False),
    sa.Column('level_index', sa.Integer(), nullable=True),
    sa.Column('share', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('reference_cycle_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['backbone_id'], ['organizations.id'], name=op.f('fk_targets_backbone_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_targets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reference_cycle_id'], ['cycles.id'], name=op.f('fk_targets_reference_cycle_id_cycles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_backbone_id'), ['backbone_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_backbone_id'))

    op.drop_table('targets')
