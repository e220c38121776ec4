"""Messages the database refused even after cleaning: kept and listed, never dropped."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from sqlalchemy import func, select

from bot.core.domain import InboundMessage
from storage.base import StoreBase
from storage.models import Quarantined


def _payload(msg: InboundMessage) -> str:
    fields = {f.name: getattr(msg, f.name) for f in dataclasses.fields(msg) if f.name != "raw"}
    # ensure_ascii: NUL, lone surrogates and everything else become \\u escapes, always storable
    return json.dumps(fields, ensure_ascii=True, default=str)


class QuarantineStore(StoreBase):
    async def quarantine(self, msg: InboundMessage, reason: str) -> int:
        async with self.sessions() as session, session.begin():
            row = Quarantined(platform=msg.platform, key=msg.key, reason=reason, payload=_payload(msg))
            session.add(row)
            await session.flush()
            return row.id

    async def quarantined(self, *, limit: int = 50) -> Sequence[Quarantined]:
        async with self.sessions() as session:
            query = select(Quarantined).order_by(Quarantined.id.desc()).limit(limit)
            return (await session.scalars(query)).all()

    async def quarantine_count(self) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Quarantined)) or 0)
