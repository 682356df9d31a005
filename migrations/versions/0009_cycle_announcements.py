"""cycle announcements

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:35:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announce', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('announced_at')
        batch_op.drop_column('announce')

