"""Conversation references: where the bot may post proactively (Teams channels by name)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.base import StoreBase
from storage.models import ConversationRef


class RefStore(StoreBase):
    async def save_ref(
        self,
        *,
        platform: str,
        name: str,
        conversation_id: str,
        service_url: str | None,
        reference: dict[str, Any],
    ) -> None:
        for attempt in range(2):  # two requests learning the same place at once: the second updates
            try:
                await self._save_ref(platform, name, conversation_id, service_url, reference)
                return
            except IntegrityError:
                if attempt:
                    raise

    async def _save_ref(
        self,
        platform: str,
        name: str,
        conversation_id: str,
        service_url: str | None,
        reference: dict[str, Any],
    ) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.scalar(
                select(ConversationRef).where(
                    ConversationRef.platform == platform, ConversationRef.name == name
                )
            )
            if row is None:
                session.add(
                    ConversationRef(
                        platform=platform,
                        name=name,
                        conversation_id=conversation_id,
                        service_url=service_url,
                        reference=reference,
                        updated_at=self.clock(),
                    )
                )
            else:
                row.conversation_id = conversation_id
                row.service_url = service_url
                row.reference = reference
                row.updated_at = self.clock()

    async def get_ref(self, platform: str, name: str) -> ConversationRef | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(ConversationRef).where(
                    ConversationRef.platform == platform, ConversationRef.name == name
                )
            )

    async def refs(self, platform: str) -> list[ConversationRef]:
        async with self.sessions() as session:
            return list(
                (
                    await session.scalars(select(ConversationRef).where(ConversationRef.platform == platform))
                ).all()
            )
