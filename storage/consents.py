"""Reuse permission: the request sent to a post's author in private, their answer, and the proof.

``ask_consent`` stores the request, marks the item ``requested`` and queues the private message
in one transaction; ``answer_consent`` records the author's answer on the consent and the item
(``granted``, ``anonymous`` or ``declined``); ``consents`` lists the answered ones for the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from storage.base import StoreBase
from storage.models import Consent, Item, Message, OutboxRow

ANSWERS = ("granted", "anonymous", "declined")
REQUEST_KIND = "consent_request"


def request_key(item_id: int) -> str:
    return f"consent:{item_id}:ask"


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """An answered consent with its post: what ``kakehashi consent export`` writes."""

    consent: Consent
    message: Message
    department: str
    asked_in: str | None  # platform:conversation the request was posted in (once sent)
    request_sent_at: datetime | None


class ConsentStore(StoreBase):
    async def consent_for(self, item_id: int) -> Consent | None:
        async with self.sessions() as session:
            return await session.scalar(select(Consent).where(Consent.item_id == item_id))

    async def consent_for_request(self, platform: str, conversation: str) -> Consent | None:
        """The consent whose request was sent into ``conversation`` (a Discourse private message's
        topic id: its replies are the author's answer)."""
        async with self.sessions() as session:
            return await session.scalar(
                select(Consent)
                .join(OutboxRow, OutboxRow.id == Consent.request_id)
                .where(
                    Consent.platform == platform,
                    OutboxRow.remote_channel == conversation,
                    OutboxRow.status == "sent",
                )
            )

    async def ask_consent(
        self,
        *,
        item_id: int,
        platform: str,
        author_id: str,
        author: str,
        asked_by: str,
        asked_by_id: str | None,
        locale: str,
        text: str,
        destination: str,
        payload: dict[str, Any],
    ) -> Consent | None:
        """Store the request and queue its private message; None when this item was asked before."""
        async with self.sessions() as session, session.begin():
            consent_id = await self._insert_ignore(
                session,
                Consent(
                    item_id=item_id,
                    platform=platform,
                    author_id=author_id,
                    author=author,
                    asked_by=asked_by,
                    asked_by_id=asked_by_id,
                    asked_at=self.clock(),
                    locale=locale,
                    text=text,
                    answer="pending",
                ),
            )
            if consent_id is None:
                return None
            row_id = await self._insert_ignore(
                session,
                OutboxRow(
                    kind=REQUEST_KIND,
                    destination=destination,
                    payload={**payload, "consent_id": consent_id},
                    dedupe_key=request_key(item_id),
                    item_id=item_id,
                ),
            )
            await session.execute(update(Consent).where(Consent.id == consent_id).values(request_id=row_id))
            await session.execute(update(Item).where(Item.id == item_id).values(permission="requested"))
            return await session.get(Consent, consent_id)

    async def answer_consent(
        self, item_id: int, answer: str, *, by_id: str, by_name: str, now: datetime | None = None
    ) -> Consent | None:
        """Record the author's answer (the caller checked it is the author); None if never asked.

        The same answer again changes nothing (``answered_at`` stays that of the first click)."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown consent answer {answer!r}; expected one of {', '.join(ANSWERS)}")
        async with self.sessions() as session, session.begin():
            consent = await session.scalar(select(Consent).where(Consent.item_id == item_id))
            if consent is None or consent.answer == answer:
                return consent
            consent.answer = answer
            consent.answered_by_id = by_id
            consent.answered_by = by_name
            consent.answered_at = now or self.clock()
            await session.execute(update(Item).where(Item.id == item_id).values(permission=answer))
            await session.flush()
            return consent

    async def consents(
        self, *, start: datetime | None = None, end: datetime | None = None, answered_only: bool = True
    ) -> Sequence[ConsentRecord]:
        """Consents (answered ones unless ``answered_only`` is False), oldest answer first;
        ``start``/``end`` bound the answer's time (``asked_at`` for pending ones)."""
        request = aliased(OutboxRow)
        when = Consent.answered_at if answered_only else Consent.asked_at
        query = (
            select(Consent, Message, Item.department, request.remote_channel, request.sent_at)
            .join(Item, Item.id == Consent.item_id)
            .join(Message, Message.id == Item.message_id)
            .outerjoin(request, request.id == Consent.request_id)
            .order_by(when, Consent.id)
        )
        if answered_only:
            query = query.where(Consent.answer != "pending")
        if start is not None:
            query = query.where(when >= start)
        if end is not None:
            query = query.where(when < end)
        async with self.sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            ConsentRecord(
                consent=consent,
                message=message,
                department=department,
                asked_in=f"{consent.platform}:{channel}" if channel else None,
                request_sent_at=sent_at,
            )
            for consent, message, department, channel, sent_at in rows
        ]
