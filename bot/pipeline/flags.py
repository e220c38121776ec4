"""Emoji flags that count: every person who flags a community post is on its item, and taking a
flag back withdraws the item when nobody flags it any more and nobody acted on it yet.

A flag is a reaction on the community post whose emoji's rule (``reactions:`` without
``on: routed``) sends it to a department; who flagged it for that department is read from the
stored reactions, so a second flagger shows on the repost (``flagged by hana, ken``) and an
unflag is undone exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.pipeline.statuses import change_status
from rules import RuleSet
from storage.items import WITHDRAWN
from storage.models import Item, Reaction
from storage.store import Store


async def flaggers(store: Store, rules: RuleSet, *, platform: str, key: str, department: str) -> list[str]:
    """Names of the people whose emoji on the post ``key`` flags it for ``department``, first first."""
    return flaggers_among(await store.reactions_on(platform, key), rules, department=department)


def flaggers_among(reactions: Iterable[Reaction], rules: RuleSet, *, department: str) -> list[str]:
    """``flaggers`` of the post these reactions (the first one first) are on."""
    names: dict[str, str] = {}
    for reaction in reactions:
        rule = rules.reaction_for(reaction.emoji, on_routed=False)
        if rule is not None and rule.to == department and reaction.user_id not in names:
            names[reaction.user_id] = reaction.user_name or reaction.user_id
    return list(names.values())


async def _item(store: Store, platform: str, key: str, department: str) -> Item | None:
    message_id = await store.message_id(platform, key)
    if message_id is None:
        return None
    return next((i for i in await store.items_for_message(message_id) if i.department == department), None)


async def flagged_again(
    store: Store,
    rules: RuleSet,
    *,
    platform: str,
    key: str,
    department: str,
    user_id: str,
    user_name: str,
    stamp: str,
) -> str:
    """A further flag on a post that already has an item for ``department``: the repost shows the
    new flagger; an item withdrawn because its flags were taken back is open again."""
    item = await _item(store, platform, key, department)
    if item is None:
        return "already routed"
    if item.status == WITHDRAWN and item.origin == "reaction":
        await change_status(
            store,
            rules,
            item.id,
            "open",
            by_name=user_name,
            by_id=user_id,
            via="emoji",
            stamp=f"flag:{stamp}",
        )
        return f"flagged again:{department}"
    await store.enqueue_refresh(item.id, f"flag:{stamp}")
    return f"also flagged:{department}"


async def unflagged(
    store: Store,
    rules: RuleSet,
    *,
    platform: str,
    key: str,
    department: str,
    user_id: str,
    user_name: str,
    stamp: str,
) -> str:
    """A flag taken back: the repost drops the name; the item is withdrawn when it came from flags
    only, nobody flags it any more and nobody acted on it yet (it is still new)."""
    item = await _item(store, platform, key, department)
    if item is None:
        return "removed"
    remaining = await flaggers(store, rules, platform=platform, key=key, department=department)
    if not remaining and item.origin == "reaction" and item.status == "open":
        await change_status(
            store,
            rules,
            item.id,
            WITHDRAWN,
            by_name=user_name,
            by_id=user_id,
            via="emoji",
            stamp=f"unflag:{stamp}",
        )
        return f"withdrawn:{department}"
    await store.enqueue_refresh(item.id, f"unflag:{stamp}")
    return "removed"
