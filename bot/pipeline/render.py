"""Platform-neutral content of a repost.

The outbox renders a repost at send time from the stored item (so an edit or a status change
made before the post went out is already in it); adapters turn this dict into Block Kit or an
Adaptive Card.  Keys are documented on ``repost_payload``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo

from bot.core.texts import t, tag_label
from bot.core.views import RepostView
from storage.items import ItemView
from storage.models import Message

QUOTE_LIMIT = 2500  # characters of community text carried in a repost; adapters may cut further


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


# Status buttons a repost offers, by the item's status (the rest get "done" and "decline").
STATUS_BUTTONS: dict[str, tuple[str, ...]] = {
    "open": ("acknowledge", "done", "decline"),
    "acknowledged": ("in_progress", "done", "decline"),
    "done": ("reopen",),
    "declined": ("reopen",),
    "withdrawn": ("reopen",),
    "misrouted": ("reopen",),
}
ASKABLE_PLATFORMS = ("slack", "teams", "discourse")  # where an author can be asked in private
# "not for us" (a correction against the route that made the item) is offered while nobody acted
CORRECTABLE = ("open", "acknowledged")
ACTION_LABELS = (
    "done",
    "reopen",
    "forward",
    "ask_permission",
    "acknowledge",
    "in_progress",
    "decline",
    "not_for_us",
)


FLAGGERS_SHOWN = 5  # names on a repost; the rest as "+N"


def flaggers_text(locale: str, origin: str, flaggers: Sequence[str]) -> str:
    """``Flagged by hana, ken +3`` when more people flagged the post than its reason names (a
    flagged item's reason names the first flagger); empty otherwise."""
    if len(flaggers) < (2 if origin == "reaction" else 1):
        return ""
    names = ", ".join(flaggers[:FLAGGERS_SHOWN])
    more = len(flaggers) - FLAGGERS_SHOWN
    if more > 0:
        names += f" +{more}"
    return t(locale, "repost.flaggers", count=len(flaggers), names=names)


def status_text(view: ItemView, locale: str, timezone: tzinfo | None) -> str:
    """``Status: Done (taro, 12/03 19:20)``: who changed it and when, in the rules' time zone."""
    item = view.item
    status = t(locale, f"status.{item.status}")
    if not item.status_by or item.status_changed_at is None:
        return t(locale, "repost.status", status=status)
    when = item.status_changed_at.astimezone(timezone or UTC).strftime("%Y-%m-%d %H:%M")
    return t(locale, "repost.status_by", status=status, user=item.status_by, when=when)


def repost_payload(
    view: ItemView,
    *,
    department_label: str,
    locale: str,
    timezone: tzinfo | None = None,
    parent: Message | None = None,
    asks_consent: bool = False,
    flaggers: Sequence[str] = (),
) -> RepostView:
    """The repost as data (``bot.core.views.RepostView``).

    ``item_id``, ``department``, ``department_label``, ``tag``, ``tag_label``, ``text`` (quoted,
    truncated), ``author``, ``author_id``, ``channel``, ``platform``, ``link``, ``reason``,
    ``status``, ``status_label``, ``votes``, ``permission``, ``asks_consent``, ``created_at`` (ISO, UTC),
    ``deleted``, ``files``, ``locale``, ``actions`` (status buttons from ``STATUS_BUTTONS``,
    ``forward``, ``not_for_us`` while open or acknowledged, ``ask_permission`` where the department
    ``asks_consent`` and nobody asked yet), ``context`` (for a reply routed on its own:
    the post it answers, quoted; else empty), ``flaggers`` (who flagged the post for this department
    with an emoji, first first) and ``labels`` (the localised strings adapters need).
    """
    item, message = view.item, view.message
    deleted = message.deleted
    context = parent is not None and not parent.deleted and not deleted
    actions: list[str] = []
    if not deleted:
        actions.extend(STATUS_BUTTONS.get(item.status, ("done", "decline")))
        actions.append("forward")
        if item.status in CORRECTABLE:
            actions.append("not_for_us")
        if asks_consent and item.permission == "none" and message.platform in ASKABLE_PLATFORMS:
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
        "status_by": item.status_by,
        "status_changed_at": item.status_changed_at.isoformat() if item.status_changed_at else None,
        "context": context,
        "votes": item.votes,
        "flaggers": list(flaggers),
        "permission": item.permission,
        "asks_consent": asks_consent,
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
            "status": status_text(view, locale, timezone),
            "context": t(locale, "repost.context", author=parent.author, text=truncate(parent.text, 300))
            if parent is not None and context
            else "",
            "votes": t(locale, "repost.votes", votes=item.votes),
            "flaggers": flaggers_text(locale, item.origin, flaggers),
            "deleted": t(locale, "repost.deleted"),
            "files": t(locale, "repost.files", files=", ".join(message.files or [])),
            **{f"action.{a}": t(locale, f"action.{a}") for a in ACTION_LABELS},
        },
    }
