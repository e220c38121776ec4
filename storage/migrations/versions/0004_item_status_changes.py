"""item status history: who changed an item's status, to what, how and when; wontfix is declined

The statuses are now new (stored ``open``), acknowledged, in progress, done and declined (plus
needs_decision, forwarded, withdrawn, deleted and archived, which kakehashi sets itself).
``wontfix`` becomes ``declined``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_status_changes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("previous", sa.String(length=32), nullable=True),
        sa.Column("by_name", sa.String(length=255), nullable=True),
        sa.Column("by_id", sa.String(length=255), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_item_status_changes_item_id"), "item_status_changes", ["item_id"], unique=False)
    op.execute("UPDATE items SET status = 'declined' WHERE status = 'wontfix'")


def downgrade() -> None:
    op.execute("UPDATE items SET status = 'wontfix' WHERE status = 'declined'")
    op.drop_index(op.f("ix_item_status_changes_item_id"), table_name="item_status_changes")
    op.drop_table("item_status_changes")
