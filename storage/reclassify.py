"""An edit that changes what a post is: bring the items its routes made in line with the new text.

Items routes made (``origin == "rule"``) for departments the edited text still reaches take the
new route, tag and reason (a repost must not say ``keyword "crash"`` after "crash" was edited
out).  Those the text no longer reaches are ``withdrawn`` with the new reason (what the text
matches now), kept rather than deleted so the department's thread and history stay; an edit
that matches again restores them as new.  Items made by hand (emoji flags, ``route``) stay.
Every status change is written to ``item_status_changes`` with ``via = "edit"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.items import ARCHIVED, WITHDRAWN
from storage.models import Item, ItemStatusChange


class RoutingLike(Protocol):
    @property
    def department(self) -> str: ...
    @property
    def tag(self) -> str | None: ...
    @property
    def route(self) -> str: ...
    @property
    def reason(self) -> str: ...


async def reconcile_items(
    session: AsyncSession,
    message_id: int,
    routings: Sequence[RoutingLike],
    *,
    withdrawn_reason: str,
    when: datetime,
) -> list[int]:
    """Apply the edited text's routings to the message's rule items; returns the ids changed."""
    matched = {r.department: r for r in routings}
    items = (
        await session.scalars(
            select(Item).where(
                Item.message_id == message_id,
                Item.origin == "rule",
                Item.status.not_in(("deleted", ARCHIVED)),
            )
        )
    ).all()
    changed: list[int] = []
    for item in items:
        routing = matched.get(item.department)
        if routing is None:
            if item.status == WITHDRAWN and item.reason == withdrawn_reason:
                continue
            if item.status != WITHDRAWN:
                session.add(_change(item, WITHDRAWN, when))
                item.status, item.status_by, item.status_changed_at = WITHDRAWN, None, when
            item.reason = withdrawn_reason
            changed.append(item.id)
            continue
        new = (routing.tag, routing.route, routing.reason)
        if (item.tag, item.route, item.reason) == new and item.status != WITHDRAWN:
            continue
        item.tag, item.route, item.reason = new
        if item.status == WITHDRAWN:
            session.add(_change(item, "open", when))
            item.status, item.status_by, item.status_changed_at = "open", None, when
        changed.append(item.id)
    await session.flush()
    return changed


def _change(item: Item, status: str, when: datetime) -> ItemStatusChange:
    return ItemStatusChange(
        item_id=item.id, status=status, previous=item.status, by_name=None, via="edit", changed_at=when
    )
