"""Platform-neutral content of a repost.

The outbox renders a repost at send time from the stored item (so an edit or a status change
made before the post went out is already in it); adapters turn this dict into Block Kit or an
Adaptive Card.  Keys are documented on ``repost_payload``.
"""

from __future__ import annotations

from typing import Any

from bot.core.texts import t, tag_label
from storage.items import ItemView

QUOTE_LIMIT = 2500  # characters of community text carried in a repost; adapters may cut further


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def repost_payload(view: ItemView, *, department_label: str, locale: str) -> dict[str, Any]:
    """The repost as data.

    ``item_id``, ``department``, ``department_label``, ``tag``, ``tag_label``, ``text`` (quoted,
    truncated), ``author``, ``author_id``, ``channel``, ``platform``, ``link``, ``reason``,
    ``status``, ``status_label``, ``votes``, ``permission``, ``created_at`` (ISO, UTC),
    ``deleted``, ``files``, ``locale``, ``actions`` (``done`` | ``reopen``, ``forward``,
    ``ask_permission`` for marketing) and ``labels`` (the localised strings adapters need).
    """
    item, message = view.item, view.message
    deleted = message.deleted
    actions: list[str] = []
    if not deleted:
        actions.append("reopen" if item.status == "done" else "done")
        actions.append("forward")
        if item.department == "marketing" and item.permission in ("none", "declined"):
            actions.append("ask_permission")
    return {
        "item_id": item.id,
        "department": item.department,
        "department_label": department_label,
        "tag": item.tag,
        "tag_label": tag_label(locale, item.tag),
        "text": "" if deleted else truncate(message.text, QUOTE_LIMIT),
        "author": message.author,
        "author_id": message.author_id,
        "channel": message.channel,
        "platform": message.platform,
        "link": message.link,
        "reason": item.reason,
        "status": item.status,
        "status_label": t(locale, f"status.{item.status}"),
        "votes": item.votes,
        "permission": item.permission,
        "permission_label": t(locale, f"permission.{item.permission}"),
        "created_at": message.created_at.isoformat(),
        "deleted": deleted,
        "files": list(message.files or []),
        "locale": locale,
        "actions": actions,
        "labels": {
            "header": t(locale, "repost.header", label=department_label, tag=tag_label(locale, item.tag)),
            "by": t(locale, "repost.by", author=message.author, channel=message.channel),
            "why": t(locale, "repost.why", reason=item.reason),
            "open_source": t(locale, "repost.open_source"),
            "status": t(locale, "repost.status", status=t(locale, f"status.{item.status}")),
            "votes": t(locale, "repost.votes", votes=item.votes),
            "deleted": t(locale, "repost.deleted"),
            "files": t(locale, "repost.files", files=", ".join(message.files or [])),
            **{
                f"action.{a}": t(locale, f"action.{a}")
                for a in ("done", "reopen", "forward", "ask_permission")
            },
        },
    }
