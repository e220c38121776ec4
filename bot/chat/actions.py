"""Repost actions (buttons, menus, card submits), the same on every platform.

``apply_action`` changes the item and queues a refresh of every sent repost of it (kind
``update`` rows), so Slack messages and Teams cards show the new state.  Returns a short
confirmation in the rules' locale for the person who clicked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat import consent
from bot.chat.admins import is_admin
from bot.chat.status_actions import STATUS_ACTIONS, apply_status_action
from bot.core.texts import t
from bot.pipeline.admin_notices import RETRY_ACTION
from bot.pipeline.render import ACTION_LABELS
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.pipeline.services import Services

# What a button may ask for: a repost's buttons and Retry under a dead-letter notice in the admin
# channel (its value is the outbox row).  The Slack plugin accepts exactly these action ids; the
# author's consent answer comes as ``consent`` (Teams) or ``consent_<answer>`` (Slack) besides.
BUTTON_ACTIONS = (*ACTION_LABELS, RETRY_ACTION)


def _stamp(action: str, user_id: str, value: str | None) -> str:
    return f"{action}:{user_id}:{value or ''}:{utcnow().strftime('%Y%m%dT%H%M%S%f')}"


async def apply_action(
    app: Services,
    *,
    item_id: int,
    action: str,
    user_id: str,
    user_name: str,
    value: str | None,
    other_ids: tuple[str, ...] = (),
) -> str:
    """``other_ids``: the user's other ids an admin may be listed by (Teams: the AAD object id)."""
    rules = app.rules.current
    locale = rules.locale
    if action == RETRY_ACTION:
        return await retry_dead_letter(app, row_id=item_id, user_ids=(user_id, *other_ids))
    view = await app.store.item_view(item_id)
    if view is None:
        return t(locale, "action.unknown_item")
    item, message = view.item, view.message
    if message.deleted:
        return t(locale, "action.deleted")
    stamp = _stamp(action, user_id, value)
    if action in STATUS_ACTIONS:
        return await apply_status_action(
            app, item_id=item_id, action=action, user_id=user_id, user_name=user_name
        )
    if action == "forward":
        target = (value or "").strip()
        dept = rules.departments.get(target)
        if dept is None:
            return t(locale, "action.forward.unknown", department=target, known=", ".join(rules.departments))
        if target == item.department:
            return t(locale, "action.forward.same", label=dept.label)
        reason = t(locale, "action.forward.reason", user=user_name, source=item.department)
        created = await app.dispatcher.flag(
            platform=message.platform,
            key=message.key,
            department=target,
            tag=item.tag,
            reason=reason,
            origin="command",
        )
        await app.store.set_status(item_id, "forwarded", by=user_name)
        await app.store.enqueue_refresh(item_id, stamp)
        app.worker.wake()
        return t(locale, "action.forward.ok" if created else "action.forward.already", label=dept.label)
    if action == "ask_permission":
        return await consent.ask(app, view=view, user_id=user_id, user_name=user_name)
    if action == "consent":  # the author's answer, from the private request's buttons
        return await consent.answer(
            app, item_id=item_id, choice=value or "", user_id=user_id, user_name=user_name
        )
    return t(locale, "action.unknown", action=action)


async def retry_dead_letter(app: Services, *, row_id: int, user_ids: tuple[str, ...]) -> str:
    """The Retry button of a dead-letter notice: an admin puts the outbox row back in the queue
    (as ``kakehashi outbox retry ROW`` does)."""
    rules = app.rules.current
    locale = rules.locale
    if not is_admin(rules.admins, *user_ids):
        return t(locale, "cmd.not_admin", command=t(locale, "admin.retry"))
    row = await app.store.get_row(row_id)
    if row is None or row.status != "dead":
        return t(locale, "admin.retry.none", row=row_id)
    await app.store.retry_dead([row_id])
    app.worker.wake()
    return t(locale, "admin.retry.ok", row=row_id)
