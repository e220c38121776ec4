"""Status changes with who, how and when, and the answer to the community a close may queue.

``change_status`` writes the item's new status, one ``item_status_changes`` row, the answer row
(when the caller hands one: a close on a route with ``reply_on_close``) and the refresh of every
sent repost, in ONE transaction: a crash leaves either all of it or none.

Answers (outbox kind ``answer``) are unique per community message (``answer:{message_id}``): the
member hears back once, from whichever item of the post is closed first.  Closing again,
done → declined → done, or another department closing its item of the same post answer nothing
more.  Re-opening an item whose answer is still waiting in the outbox takes that answer back
(it was not true any more); once sent, an answer stays the only one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.base import StoreBase
from storage.items import CLOSED, STATUSES
from storage.models import Item, ItemStatusChange, OutboxRow


@dataclass(frozen=True, slots=True)
class Answer:
    """What to post in the community thread when an item closes (rendered by the caller)."""

    destination: str  # the community channel: ``slack:C0…``, ``teams:19:…``, ``discourse:…``
    reply_to: str  # the message key the answer replies to (a thread root on Slack and Teams)
    text: str
    locale: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    item_id: int
    status: str
    previous: str
    by_name: str | None
    changed_at: datetime
    answered: bool  # an answer to the community was queued with this change


def answer_key(message_id: int) -> str:
    return f"answer:{message_id}"


class StatusStore(StoreBase):
    async def change_status(
        self,
        item_id: int,
        status: str,
        *,
        by_name: str | None,
        by_id: str | None = None,
        via: str,
        answer: Answer | None = None,
        refresh: str | None = None,
        now: datetime | None = None,
    ) -> StatusChange | None:
        """Set the status; None when the item is unknown or already has it (nothing written).

        ``refresh``: a stamp under which every sent repost of the item is re-rendered.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        when = now or self.clock()
        async with self.sessions() as session, session.begin():
            item = await session.get(Item, item_id, with_for_update=True)
            if item is None or item.status == status:
                return None
            previous = item.status
            changed = await session.execute(  # conditional: of two clicks at once, one changes it
                update(Item)
                .where(Item.id == item_id, Item.status == previous)
                .values(status=status, status_by=by_name, status_changed_at=when)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                return None
            session.add(
                ItemStatusChange(
                    item_id=item_id,
                    status=status,
                    previous=previous,
                    by_name=by_name,
                    by_id=by_id,
                    via=via,
                    changed_at=when,
                )
            )
            answered = False
            if answer is not None and status in CLOSED:
                answered = (
                    await self._insert_ignore(
                        session,
                        OutboxRow(
                            dedupe_key=answer_key(item.message_id),
                            kind="answer",
                            item_id=item_id,
                            destination=answer.destination,
                            payload={
                                "markdown": answer.text,
                                "title": "",
                                "sections": [],
                                "reply_to": answer.reply_to,
                                "locale": answer.locale,
                                "image": None,
                            },
                        ),
                    )
                    is not None
                )
            elif status not in CLOSED:
                await session.execute(
                    delete(OutboxRow).where(
                        OutboxRow.item_id == item_id,
                        OutboxRow.kind == "answer",
                        OutboxRow.status == "pending",
                    )
                )
            if refresh is not None:
                await self._follow_up(session, OutboxRow.item_id == item_id, "update", refresh)
            return StatusChange(item_id, status, previous, by_name, when, answered)

    async def status_history(self, item_id: int) -> Sequence[ItemStatusChange]:
        async with self.sessions() as session:
            return (
                await session.scalars(
                    select(ItemStatusChange)
                    .where(ItemStatusChange.item_id == item_id)
                    .order_by(ItemStatusChange.changed_at, ItemStatusChange.id)
                )
            ).all()
