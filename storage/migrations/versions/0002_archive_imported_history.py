"""archive imported history: open items that were never posted anywhere

Before this revision ``kakehashi import slack-export`` / ``import discourse`` without
``--repost`` stored their items as ``open``, so every recap listed year-old posts as waiting
work and goal figures counted them.  Such items are recognisable: an item routed live gets its
outbox rows in the same transaction (``post_to`` is required for every department) and outbox
rows are never deleted, so an ``open`` item nobody ever changed that has no outbox row at all
was stored without reposting.  They become ``archived``, as new imports are stored.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE items SET status = 'archived' "
        "WHERE status = 'open' AND status_changed_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.item_id = items.id)"
    )


def downgrade() -> None:
    op.execute("UPDATE items SET status = 'open' WHERE status = 'archived' AND status_changed_at IS NULL")
