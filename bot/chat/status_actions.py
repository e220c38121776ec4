"""Status buttons on a repost and ``/kakehashi close``: one door each into ``change_status``.

Buttons: ``acknowledge`` (new → acknowledged), ``in_progress``, ``done``, ``decline``,
``reopen`` (→ new), ``not_for_us`` (→ misrouted: a correction, counted against the route that
made the item in ``kakehashi stats``).  ``close LINK [done|declined] [DEPARTMENT]`` (admins) closes the items of a
stored community post (every open one, or the department's), as done unless told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.texts import t
from bot.pipeline.statuses import change_status
from storage.items import CLOSED

if TYPE_CHECKING:
    from bot.chat.commands import CommandContext, CommandReply
    from bot.pipeline.services import Services

STATUS_ACTIONS = {
    "acknowledge": "acknowledged",
    "in_progress": "in_progress",
    "done": "done",
    "decline": "declined",
    "reopen": "open",
    "not_for_us": "misrouted",
}
CLOSE_WORDS = {
    "done": "done",
    "declined": "declined",
    "decline": "declined",
    "完了": "done",
    "見送り": "declined",
}
NOT_CLOSABLE = ("deleted", "archived", "withdrawn", "forwarded", "misrouted")


async def apply_status_action(
    app: Services, *, item_id: int, action: str, user_id: str, user_name: str
) -> str:
    """A status button was clicked; the confirmation for the person who clicked."""
    rules = app.rules.current
    locale = rules.locale
    status = STATUS_ACTIONS[action]
    change = await change_status(
        app.store, rules, item_id, status, by_name=user_name, by_id=user_id, via="button"
    )
    if change is not None:
        app.worker.wake()
    if action in ("done", "reopen"):
        return t(locale, f"action.{action}.ok", user=user_name)
    return t(locale, "action.status.ok", user=user_name, status=t(locale, f"status.{status}"))


async def close_command(app: Services, args: list[str], ctx: CommandContext) -> CommandReply:
    from bot.chat.commands import _clean_link, department_named, find_message_by_link, reply

    rules = app.rules.current
    locale = rules.locale
    usage = reply(t(locale, "cmd.close.usage", departments=", ".join(rules.departments)))
    if not args or len(args) > 3:
        return usage
    link, rest = _clean_link(args[0]), args[1:]
    status, department = "done", None
    for word in rest:
        if word.casefold() in CLOSE_WORDS:
            status = CLOSE_WORDS[word.casefold()]
        elif department is None and (named := department_named(rules, word)) is not None:
            department = named
        else:
            return usage
    message = await find_message_by_link(app, link)
    if message is None:
        return reply(t(locale, "cmd.close.unknown_message", link=link))
    items = [
        i
        for i in await app.store.items_for_message(message.id)
        if i.status not in NOT_CLOSABLE
        and i.status not in CLOSED
        and (department is None or i.department == department)
    ]
    if not items:
        return reply(t(locale, "cmd.close.none"))
    for item in items:
        await change_status(
            app.store, rules, item.id, status, by_name=ctx.user_name, by_id=ctx.user_id, via="command"
        )
    app.worker.wake()
    labels = "、".join(
        rules.departments[i.department].label if i.department in rules.departments else i.department
        for i in items
    )
    return reply(t(locale, "cmd.close.ok", labels=labels, status=t(locale, f"status.{status}")))
