"""Changing an item's status the same way from every door (button, emoji, ``/kakehashi close``).

``change_status`` records who, how and when, refreshes the reposts, and, when the item is
closed (done or declined) and the route that made it opts in with ``reply_on_close``, queues the
answer in the original community thread (see ``storage.statuses`` for "once per post").
"""

from __future__ import annotations

from bot.core.texts import t
from rules import RuleSet
from storage.items import CLOSED, ItemView
from storage.models import utcnow
from storage.statuses import Answer, StatusChange
from storage.store import Store

ANSWER_PLATFORMS = ("slack", "teams", "discourse")


def answer_for(rules: RuleSet, view: ItemView, status: str, *, closer: str) -> Answer | None:
    """The answer closing ``view`` as ``status`` posts, or None where its route does not opt in."""
    item, message = view.item, view.message
    if status not in CLOSED or message.deleted or message.platform not in ANSWER_PLATFORMS:
        return None
    route = rules.route_named(item.route) if item.origin == "rule" else None
    if route is None or route.reply_on_close is None:
        return None
    dept = rules.departments.get(item.department)
    text = route.reply_on_close.render(
        status, closer=closer, department=dept.label if dept else item.department, author=message.author
    )
    if not text:
        return None
    # Slack and Teams answer in the thread the post belongs to; Discourse replies to the post
    threaded = message.platform in ("slack", "teams")
    reply_to = (message.thread_key or message.key) if threaded else message.key
    return Answer(
        destination=f"{message.platform}:{message.channel_id}",
        reply_to=reply_to,
        text=text,
        locale=rules.locale,
    )


async def change_status(
    store: Store,
    rules: RuleSet,
    item_id: int,
    status: str,
    *,
    by_name: str,
    by_id: str | None,
    via: str,
    stamp: str | None = None,
) -> StatusChange | None:
    """Set ``status`` (None: unknown item or no change); reposts are refreshed under ``stamp``."""
    view = await store.item_view(item_id)
    if view is None or view.message.deleted:
        return None
    answer = answer_for(rules, view, status, closer=by_name)
    refresh = stamp or f"status:{item_id}:{status}:{by_id or by_name}:{utcnow():%Y%m%dT%H%M%S%f}"
    return await store.change_status(
        item_id, status, by_name=by_name, by_id=by_id, via=via, answer=answer, refresh=refresh
    )


def status_label(locale: str, status: str) -> str:
    return t(locale, f"status.{status}")
