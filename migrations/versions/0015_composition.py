"""composition counts and benchmarks; the composition_editor role and invitation purpose

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 21:39:04.524073
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ROLES_BEFORE = ("backbone_admin", "backbone_analyst", "partner_lead", "respondent", "plan_editor")
ROLES_AFTER = (*ROLES_BEFORE, "composition_editor")
PURPOSES_BEFORE = ("respond", "partner_lead", "plan_editor", "backbone_admin", "backbone_analyst")
PURPOSES_AFTER = (*PURPOSES_BEFORE, "composition_editor")
KINDS_BEFORE = ("share_at_level", "median_change")
KINDS_AFTER = (*KINDS_BEFORE, "composition_gap")


def _allow(table: str, column: str, name: str, values: tuple[str, ...]) -> None:
    """Change the CHECK constraint (ck_<table>_<name>) of a non-native enum column; on SQLite the table is recreated."""
    with op.batch_alter_table(table, recreate="auto", naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"}) as batch:
        batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch.create_check_constraint(name, sa.column(column).in_(values))


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _allow("memberships", "role", "role", ROLES_AFTER)
    _allow("invitations", "purpose", "invitation_purpose", PURPOSES_AFTER)
    _allow("targets", "kind", "target_kind", KINDS_AFTER)
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.String(length=16), nullable=True))
    op.create_table('benchmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backbone_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('shares', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['backbone_id'], ['organizations.id'], name=op.f('fk_benchmarks_backbone_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_benchmarks_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_benchmarks_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmarks'))
    )
    with op.batch_alter_table('benchmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmarks_backbone_id'), ['backbone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benchmarks_organization_id'), ['organization_id'], unique=False)

    op.create_table('compositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_compositions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_compositions_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_compositions_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compositions')),
    sa.UniqueConstraint('organization_id', 'cycle_id', name=op.f('uq_compositions_organization_id_cycle_id'))
    )
    with op.batch_alter_table('compositions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compositions_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compositions_organization_id'), ['organization_id'], unique=False)

    op.create_table('composition_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('composition_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('dimension', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['composition_id'], ['compositions.id'], name=op.f('fk_composition_counts_composition_id_compositions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_composition_counts')),
    sa.UniqueConstraint('composition_id', 'level', 'dimension', 'category', name=op.f('uq_composition_counts_composition_id_level_dimension_category'))
    )
    with op.batch_alter_table('composition_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_composition_counts_composition_id'), ['composition_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('composition_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_composition_counts_composition_id'))

    op.drop_table('composition_counts')
    with op.batch_alter_table('compositions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compositions_organization_id'))
        batch_op.drop_index(batch_op.f('ix_compositions_cycle_id'))

    op.drop_table('compositions')
    with op.batch_alter_table('benchmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmarks_organization_id'))
        batch_op.drop_index(batch_op.f('ix_benchmarks_backbone_id'))

    op.drop_table('benchmarks')
    op.execute("DELETE FROM targets WHERE kind = 'composition_gap'")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_column("level")
    _allow("targets", "kind", "target_kind", KINDS_BEFORE)
    op.execute("DELETE FROM invitations WHERE purpose = 'composition_editor'")
    op.execute("DELETE FROM memberships WHERE role = 'composition_editor'")
    _allow("invitations", "purpose", "invitation_purpose", PURPOSES_BEFORE)
    _allow("memberships", "role", "role", ROLES_BEFORE)
