"""index reactions by item: a recap counts the reactions on each item it ranks

The recaps' highlights count every item's reactions (``reactions.item_id``); without an index
both databases read the whole reactions table once per item of the period.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reactions_item_id", "reactions", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reactions_item_id", table_name="reactions")
