"""consents: reuse permission asked of a post's author in private, and their answer (loop-consent2)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("item_id", PK, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("asked_by", sa.String(length=255), nullable=False),
        sa.Column("asked_by_id", sa.String(length=255), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("request_id", PK, nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("answered_by_id", sa.String(length=255), nullable=True),
        sa.Column("answered_by", sa.String(length=255), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["outbox.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", name="uq_consents_item"),
    )
    op.create_index(op.f("ix_consents_answer"), "consents", ["answer"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_consents_answer"), table_name="consents")
    op.drop_table("consents")
