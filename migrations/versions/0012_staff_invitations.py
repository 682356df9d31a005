"""invitations of backbone staff: the backbone_admin and backbone_analyst invitation purposes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

PURPOSES_BEFORE = ("respond", "partner_lead", "plan_editor")
PURPOSES_AFTER = (*PURPOSES_BEFORE, "backbone_admin", "backbone_analyst")

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _allow(values: tuple[str, ...]) -> None:
    """Change the CHECK constraint of invitations.purpose (a non-native enum); on SQLite the table is recreated."""
    with op.batch_alter_table("invitations", recreate="auto", naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"}) as batch:
        batch.drop_constraint(op.f("ck_invitations_invitation_purpose"), type_="check")
        batch.create_check_constraint("invitation_purpose", sa.column("purpose").in_(values))


def upgrade() -> None:
    _allow(PURPOSES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM invitations WHERE purpose IN ('backbone_admin', 'backbone_analyst')")
    _allow(PURPOSES_BEFORE)
