"""Operators hear about problems where they work: ``admin_channel:`` of rules.yaml.

Three kinds of problem are posted there, each once (the outbox's dedupe key is the problem):

- a dead letter (a post the outbox gave up on), with the reason and a **Retry** button
  (admins only; the same as ``kakehashi outbox retry ROW``);
- a configuration problem ``/healthz`` reports as degraded (a channel the bot is not in or cannot
  find, with the exact ``/invite``; an admin written by name), the moment it is first seen;
- a rules reload that failed, with the ``file:line:col`` problems (the last good rules stay).

Without ``admin_channel`` nothing is posted: the log, ``/healthz`` and ``kakehashi outbox list``
still say it.  A notice that itself cannot be delivered is never announced again (no loop).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from bot.core.texts import t

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from storage.models import OutboxRow

log = logging.getLogger("kakehashi.admin")

KEY_PREFIX = "admin:"
RETRY_ACTION = "retry_dead"
DETAIL_LIMIT = 1500


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class AdminNotices:
    """Posts problems to the rules' ``admin_channel`` through the outbox."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._pending: set[asyncio.Task[None]] = set()

    async def post(
        self, key: str, title: str, lines: list[str], *, buttons: list[dict[str, Any]] | None = None
    ) -> int:
        """Queue one notice per admin channel under ``key`` (once ever); returns rows added."""
        rules = self.services.rules.current
        added = 0
        for destination in rules.admin_channel:
            payload: dict[str, Any] = {
                "title": title,
                "sections": [{"heading": "", "lines": lines}],
                "markdown": "\n".join([f"**{title}**", *lines]),
                "locale": rules.locale,
                "image": None,
            }
            if buttons:
                payload["buttons"] = buttons
            row = await self.services.store.enqueue(
                kind="notice",
                destination=str(destination),
                payload=payload,
                dedupe_key=f"{KEY_PREFIX}{key}:{destination}",
            )
            added += row is not None
        if added:
            self.services.worker.wake()
        return added

    async def dead_letter(self, row_id: int) -> None:
        """The outbox gave up on row ``row_id``: say where, why, and offer Retry."""
        row: OutboxRow | None = await self.services.store.get_row(row_id)
        if row is None or row.status != "dead" or row.dedupe_key.startswith(KEY_PREFIX):
            return
        locale = self.services.rules.current.locale
        lines = [
            t(locale, "admin.dead.line", row=row.id, kind=row.kind, destination=row.destination),
            t(locale, "admin.dead.reason", reason=(row.last_error or "")[:DETAIL_LIMIT]),
            t(locale, "admin.dead.hint", row=row.id),
        ]
        button = {"action": RETRY_ACTION, "value": str(row.id), "label": t(locale, "admin.retry")}
        await self.post(f"dead:{row.id}", t(locale, "admin.dead.title"), lines, buttons=[button])

    async def problem(self, key: str, problem: str) -> None:
        """A configuration problem ``/healthz`` reports (once per distinct problem)."""
        locale = self.services.rules.current.locale
        await self.post(f"health:{key}:{_digest(problem)}", t(locale, "admin.problem.title"), [problem])

    async def reload_failed(self, problems: str) -> None:
        locale = self.services.rules.current.locale
        lines = [f"`{line}`" for line in problems.splitlines()[:20] if line.strip()]
        await self.post(f"reload:{_digest(problems)}", t(locale, "admin.reload.title"), lines)

    def soon(self, work: Any) -> None:
        """Run ``work`` (a coroutine) on the running loop; called from synchronous listeners."""
        try:
            task = asyncio.get_running_loop().create_task(self._guarded(work))
        except RuntimeError:  # no loop (a CLI command): nobody to post for
            work.close()
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @staticmethod
    async def _guarded(work: Any) -> None:
        try:
            await work
        except Exception:  # a notice must never break what reported the problem
            log.exception("admin channel notice failed")

    def attach(self) -> None:
        """Listen to the outbox (dead letters), the health report and the rules holder."""
        services = self.services
        services.worker.on_dead.append(self.dead_letter)
        services.health.on_problem.append(lambda key, problem: self.soon(self.problem(key, problem)))
        services.rules.on_failure(lambda problems: self.soon(self.reload_failed(problems)))
