"""Rendering a mirrored reply (``storage.threads``) for the department thread it goes into.

A mirror waits while its repost is still pending (the thread has no root yet); when the repost
was never delivered (dead, cancelled, or Teams gave no id) the mirror cannot be threaded and is
dead-lettered with that reason.  The payload is rendered at send time from the stored reply, so
an edit made before the mirror went out is already in it.

Payload keys: ``author``, ``text``, ``link``, ``deleted``, ``thread_ts`` / ``thread_root`` (the
repost's platform id: Slack's ts, Teams' ``channel;messageid=…``), ``locale`` and ``labels``
(``reply``, ``deleted``, ``open_source``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.texts import t
from bot.pipeline.render import QUOTE_LIMIT, truncate
from storage.models import OutboxRow
from storage.store import Store


@dataclass(frozen=True, slots=True)
class MirrorPlan:
    """``ready`` with a payload, or ``wait`` (the repost is not sent yet), or ``dead`` with why."""

    verdict: str
    payload: dict[str, Any] | None = None
    reason: str = ""


async def plan_mirror(store: Store, row: OutboxRow, locale: str) -> MirrorPlan:
    payload = dict(row.payload or {})
    reply = await store.message_by_id(int(payload.get("reply_id") or 0))
    repost = await store.get_row(int(payload.get("repost_id") or 0))
    if reply is None or repost is None:
        return MirrorPlan("dead", reason="the reply or the repost it belongs to no longer exists")
    if repost.status == "pending":
        return MirrorPlan("wait")
    if repost.status != "sent" or not repost.remote_id:
        return MirrorPlan(
            "dead", reason=f"the repost this reply belongs to was not delivered (outbox {repost.id})"
        )
    deleted = reply.deleted or row.kind.endswith("_delete")
    return MirrorPlan(
        "ready",
        payload={
            "author": reply.author,
            "text": "" if deleted else truncate(reply.text, QUOTE_LIMIT),
            "link": reply.link,
            "deleted": deleted,
            "thread_ts": repost.remote_id,
            "thread_root": repost.remote_id,
            "locale": locale,
            "labels": {
                "reply": t(locale, "thread.reply", author=reply.author),
                "deleted": t(locale, "thread.deleted"),
                "open_source": t(locale, "repost.open_source"),
            },
        },
    )
