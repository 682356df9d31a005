"""the spelling corrections loaded with each instrument version

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 07:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('instrument_versions') as batch:
        batch.add_column(sa.Column('corrections', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('instrument_versions') as batch:
        batch.drop_column('corrections')
