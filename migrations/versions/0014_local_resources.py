"""local resources

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:20:25.520944
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('local_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backbone_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['backbone_id'], ['organizations.id'], name=op.f('fk_local_resources_backbone_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_local_resources_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_resources'))
    )
    with op.batch_alter_table('local_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_resources_backbone_id'), ['backbone_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('local_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_resources_backbone_id'))

    op.drop_table('local_resources')
