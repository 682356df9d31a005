"""rate_limit_failures: the failed sign-ins, invitation links and API tokens, counted by every web process alike

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_failures")),
    )
    with op.batch_alter_table("rate_limit_failures") as batch:
        batch.create_index("ix_rate_limit_failures_lookup", ["bucket", "key", "at"], unique=False)
        batch.create_index(batch.f("ix_rate_limit_failures_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_failures") as batch:
        batch.drop_index(batch.f("ix_rate_limit_failures_at"))
        batch.drop_index("ix_rate_limit_failures_lookup")
    op.drop_table("rate_limit_failures")
