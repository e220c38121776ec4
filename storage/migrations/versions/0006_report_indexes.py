"""indexes for recaps and agendas: a department's items by status and by tag

A recap asks for a department's open items (the longest waiting) and its question items (which
are still unanswered); the agenda for its items needing a decision, carried over and voted ideas.
Without these, PostgreSQL and SQLite read every item of the department (or, for a tag, every item)
on a large community.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_department_status", "items", ["department", "status"], unique=False)
    op.create_index("ix_items_department_tag", "items", ["department", "tag"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_items_department_tag", table_name="items")
    op.drop_index("ix_items_department_status", table_name="items")
