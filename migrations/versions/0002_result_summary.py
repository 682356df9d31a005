"""results.summary: the figures the comparison dashboard reads, kept beside the full result

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))
    results = sa.table("results", sa.column("id", sa.Integer), sa.column("data", sa.JSON), sa.column("summary", sa.JSON))
    bind = op.get_bind()
    for row in bind.execute(sa.select(results.c.id, results.c.data)).all():
        bind.execute(results.update().where(results.c.id == row.id).values(summary=summarize(row.data or {})))


def summarize(data: dict) -> dict:
    """The summary as this revision defined it (a copy: a migration must not change when the application's code does)."""
    def pick(d: dict) -> dict:
        return {k: d.get(k) for k in ("score", "shown", "level", "policy_score", "practice_score") if k in d}

    return {"n_responses": data.get("n_responses", 0), "overall": pick(data.get("overall") or {}),
            "domains": {d["id"]: pick(d) for d in data.get("domains") or []}}


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("summary")
