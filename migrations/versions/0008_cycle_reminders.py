"""cycle reminders: a cycle's reminder days and each round sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cycle_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('scheduled', sa.Boolean(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_reminders_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_reminders')),
    sa.UniqueConstraint('cycle_id', 'due_on', name=op.f('uq_cycle_reminders_cycle_id_due_on'))
    )
    with op.batch_alter_table('cycle_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_reminders_cycle_id'), ['cycle_id'], unique=False)

    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')

    with op.batch_alter_table('cycle_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_reminders_cycle_id'))

    op.drop_table('cycle_reminders')
