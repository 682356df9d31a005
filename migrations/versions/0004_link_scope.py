"""Links are keys to one thing: responses started from a link, derived links; anonymous audit rows name no one

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("invited", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_responses_invitation_id_invitations"), "invitations", ["invitation_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("link_salt", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    # A response whose person accepted a respondent's invitation to its assessment was started from a link.
    opened_with = ("SELECT MAX(i.id) FROM invitations i WHERE i.assessment_id = responses.assessment_id AND i.user_id = responses.user_id"
                   " AND i.purpose = 'respond'")
    bind.execute(sa.text(f"UPDATE responses SET invited = :yes, invitation_id = ({opened_with}) WHERE ({opened_with}) IS NOT NULL"),
                 {"yes": True})
    # In an anonymous cycle the log says that someone opened a link or submitted, never who.
    bind.execute(sa.text(
        "UPDATE audit_events SET actor_id = NULL WHERE action = 'response.submitted' AND object_type = 'assessment' AND EXISTS ("
        "SELECT 1 FROM assessments a JOIN cycles c ON c.id = a.cycle_id WHERE CAST(a.id AS VARCHAR(40)) = audit_events.object_id"
        " AND c.anonymous = :yes)"), {"yes": True})
    # A link's opening names the assessment, not the invitation (whose id its inviter could tie to an email).
    anonymous_invitation = ("FROM invitations i JOIN assessments a ON a.id = i.assessment_id JOIN cycles c ON c.id = a.cycle_id"
                            " WHERE CAST(i.id AS VARCHAR(40)) = audit_events.object_id AND i.purpose = 'respond' AND c.anonymous = :yes")
    bind.execute(sa.text(
        f"UPDATE audit_events SET actor_id = NULL, object_type = 'assessment', object_id = (SELECT CAST(i.assessment_id AS VARCHAR(40))"
        f" {anonymous_invitation}) WHERE action = 'invitation.accepted' AND object_type = 'invitation' AND EXISTS (SELECT 1"
        f" {anonymous_invitation})"), {"yes": True})


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("link_salt")
    with op.batch_alter_table("responses") as batch:
        batch.drop_constraint("fk_responses_invitation_id_invitations", type_="foreignkey")
        batch.drop_column("invitation_id")
        batch.drop_column("invited")
