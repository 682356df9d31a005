"""text_marks (the lead's quote / hide decisions on the team's texts), cycles.names (a name per language),
responses.self_description (what "I describe myself another way" wrote)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "text_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.Enum("text", "comment", name="text_field", native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("quoted", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], name=op.f("fk_text_marks_answer_id_answers"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], name=op.f("fk_text_marks_assessment_id_assessments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_text_marks_updated_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_marks")),
        sa.UniqueConstraint("answer_id", "field", name=op.f("uq_text_marks_answer_id_field")),
    )
    with op.batch_alter_table("text_marks") as batch:
        batch.create_index(batch.f("ix_text_marks_assessment_id"), ["assessment_id"], unique=False)
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=True))
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("self_description", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("self_description")
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("names")
    with op.batch_alter_table("text_marks") as batch:
        batch.drop_index(batch.f("ix_text_marks_assessment_id"))
    op.drop_table("text_marks")
