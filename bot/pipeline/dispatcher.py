"""The dispatcher: decide what happens to an inbound event, store it, return fast.

Inbound handlers call this and nothing else; delivery happens later in the outbox worker.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.domain import Destination, InboundMessage, ReactionEvent
from bot.core.errors import UnstorableMessageError
from bot.core.texts import t
from bot.pipeline import flags
from bot.pipeline.channels import ChannelIds
from bot.pipeline.classify import Classifier
from bot.pipeline.metrics import Metrics
from bot.pipeline.reasons import match_reason
from bot.pipeline.reload import RulesHolder
from bot.pipeline.statuses import change_status
from rules import Match, ReactionRule, RuleSet
from rules.matcher import name_key
from storage.inbound import Routing
from storage.intake import GroupCommit, Intake
from storage.store import Store

log = logging.getLogger("kakehashi.dispatch")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the dispatcher did: ``stored``, ``duplicate`` or ``ignored`` (with why)."""

    status: str
    reason: str = ""
    message_id: int | None = None
    item_ids: tuple[int, ...] = ()
    matches: tuple[Match, ...] = ()


def channel_ignore_reason(rules: RuleSet, msg: InboundMessage) -> str | None:
    """Why a message is never classified because of where it was posted (None: it is classified)."""
    if is_department_channel(rules, msg.platform, msg.channel, msg.channel_id):
        return "posted in a department channel"
    if not rules.is_source(msg):
        return "not a source channel"
    return None


def is_department_channel(rules: RuleSet, platform: str, channel: str, channel_id: str) -> bool:
    names = {name_key(channel), name_key(channel_id)}
    return any(
        dest.platform == platform and name_key(dest.channel) in names
        for dest in rules.department_destinations()
    )


def routings_for(matches: Sequence[Match], text: str, locale: str) -> list[Routing]:
    """One routing per department; the first matching route decides its tag and reason (in
    ``locale``, as the repost shows it; ``text`` is the message's, which reasons quote)."""
    seen: dict[str, Routing] = {}
    for match in matches:
        for department in match.departments:
            if department not in seen:
                reason = match_reason(match, text, locale)
                seen[department] = Routing(
                    department=department, tag=match.tag, route=match.route, reason=reason
                )
    return list(seen.values())


def withdrawn_reason(locale: str, matches: Sequence[Match], text: str) -> str:
    """What an item an edit withdrew says instead of its old reason: what the text matches now
    (in ``locale``, as reposts say why)."""
    now = "; ".join(match_reason(m, text, locale) for m in matches if m.departments)
    now = now or t(locale, "repost.withdrawn_none")
    return t(locale, "repost.withdrawn", now=now)


def destinations(rules: RuleSet) -> Mapping[str, Sequence[Destination]]:
    return {name: dept.post_to for name, dept in rules.departments.items()}


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        rules: RulesHolder,
        metrics: Metrics,
        self_ids: Sequence[str] = (),
        classifier: Classifier | None = None,
    ) -> None:
        self.store = store
        self.rules = rules
        self.metrics = metrics
        self.self_ids = set(self_ids)
        self.classifier = classifier or Classifier(metrics=metrics)
        self.channels = ChannelIds()
        # events arriving together are stored in one transaction
        self.intake = GroupCommit(
            store, on_batch=lambda n: metrics.observe("kakehashi_store_batch_events", n)
        )

    def add_self_id(self, bot_id: str) -> None:
        """Adapters call this once they know the bot's own user id on their platform."""
        self.self_ids.add(bot_id)

    def _ignore_reason(self, rules: RuleSet, msg: InboundMessage) -> str | None:
        if msg.author_id in self.self_ids:
            return "own post"
        return channel_ignore_reason(rules, self.channels.as_configured(msg))

    def is_source(self, msg: InboundMessage) -> bool:
        """Whether the rules listen where ``msg`` was posted (a renamed channel by its old name)."""
        return self.rules.current.is_source(self.channels.as_configured(msg))

    async def handle_message(
        self, msg: InboundMessage, *, repost: bool = True, mirror: bool = True
    ) -> Outcome:
        """Classify and store a community message with its outbox rows, once.

        ``mirror``: a reply in a routed thread is added to the thread of each repost (imports of
        history say False: past replies are not posted into departments' threads).
        """
        rules = self.rules.current
        reason = self._ignore_reason(rules, msg)
        if reason:
            self.metrics.inc("kakehashi_messages_total", outcome="ignored")
            log.debug("ignored %s %s: %s", msg.platform, msg.key, reason)
            return Outcome(status="ignored", reason=reason)
        matches = await self.classifier.classify(rules, self.channels.as_configured(msg))
        try:
            result = await self.intake.record(
                Intake(
                    msg,
                    routings_for(matches, msg.text, rules.locale),
                    destinations(rules),
                    repost=repost,
                    mirror=mirror,
                )
            )
        except UnstorableMessageError as exc:
            return await self._quarantine(msg, exc)
        if not result.created:
            self.metrics.inc("kakehashi_messages_total", outcome="duplicate")
            return Outcome(status="duplicate", message_id=result.message_id)
        self.metrics.inc("kakehashi_messages_total", outcome="stored")
        self.metrics.inc("kakehashi_items_total", amount=len(result.item_ids))
        log.info(
            "stored %s %s -> %s",
            msg.platform,
            msg.key,
            ", ".join(f"{m.route}:{'+'.join(m.departments)}" for m in matches) or "no route",
        )
        return Outcome(
            status="stored", message_id=result.message_id, item_ids=result.item_ids, matches=matches
        )

    async def handle_edit(self, msg: InboundMessage, edited_at: datetime) -> Outcome:
        """Re-classify an edited message: refresh sent reposts, route newly matching departments."""
        rules = self.rules.current
        if await self.store.message_id(msg.platform, msg.key) is None:
            return await self.handle_message(msg)
        ignored = self._ignore_reason(rules, msg) is not None
        matches = () if ignored else await self.classifier.classify(rules, self.channels.as_configured(msg))
        try:
            new_items = await self.store.record_edit(
                msg.platform,
                msg.key,
                msg.text,
                edited_at,
                routings_for(matches, msg.text, rules.locale),
                destinations(rules),
                withdrawn_reason=None if ignored else withdrawn_reason(rules.locale, matches, msg.text),
            )
        except UnstorableMessageError as exc:
            return await self._quarantine(msg, exc)
        return Outcome(status="edited", item_ids=new_items, matches=tuple(matches))

    async def _quarantine(self, msg: InboundMessage, exc: UnstorableMessageError) -> Outcome:
        """Keep a message the database refused (``kakehashi quarantine`` lists it) and answer as
        handled: a platform retrying it would only be refused again until it gives up."""
        row = await self.store.quarantine(msg, str(exc))
        self.metrics.inc("kakehashi_messages_total", outcome="quarantined")
        log.error(
            "%s message %s refused by the database, kept in quarantine (row %d): %s",
            msg.platform,
            msg.key,
            row,
            exc,
        )
        return Outcome(status="quarantined", reason=str(exc))

    async def _on_item(
        self, item_id: int, target: str, rule: ReactionRule, who: dict[str, str], *, added: bool, stamp: str
    ) -> bool:
        """Apply an ``on: routed`` emoji (status or vote) to one item, once per person; False if not new."""
        if added:
            if not await self.store.add_reaction(target=target, item_id=item_id, vote=rule.vote, **who):
                return False
            if rule.set_status:
                await self._set_status(item_id, rule.set_status, who, stamp)
        else:
            where = {k: who[k] for k in ("platform", "emoji", "user_id")}
            if await self.store.remove_reaction(target=target, vote=rule.vote, **where) is None:
                return False
            if rule.set_status:  # the state the latest status emoji still there says, else new
                await self._set_status(
                    item_id, await self._remaining_status(who["platform"], target), who, stamp
                )
        await self.store.enqueue_refresh(item_id, stamp)
        return True

    async def _remaining_status(self, platform: str, target: str) -> str:
        """After a status emoji was taken off: the status of the latest one still on ``target``
        (👀 stays after ✅ went: in progress), or ``open`` when none is left."""
        rules = self.rules.current
        status = "open"
        for reaction in await self.store.reactions_on(platform, target):  # the first one first
            rule = rules.reaction_for(reaction.emoji, on_routed=True)
            if rule is not None and rule.set_status:
                status = rule.set_status
        return status

    async def _set_status(self, item_id: int, status: str, who: dict[str, str], stamp: str) -> None:
        await change_status(
            self.store,
            self.rules.current,
            item_id,
            status,
            by_name=who["user_name"],
            by_id=who["user_id"],
            via="emoji",
            stamp=stamp,
        )

    async def handle_delete(self, platform: str, key: str) -> Outcome:
        deleted = await self.store.record_delete(platform, key)
        return Outcome(
            status="deleted" if deleted else "ignored", reason="" if deleted else "unknown message"
        )

    async def flag(
        self, *, platform: str, key: str, department: str, tag: str | None, reason: str, origin: str
    ) -> tuple[int, ...]:
        """Route a stored community message by hand (emoji flag, command)."""
        rules = self.rules.current
        message_id = await self.store.message_id(platform, key)
        if message_id is None or department not in rules.departments:
            return ()
        routing = Routing(department=department, tag=tag, route=origin, reason=reason, origin=origin)
        return await self.store.add_items(message_id, [routing], destinations(rules))

    async def handle_reaction(
        self, event: ReactionEvent, *, fetch: Callable[[], Awaitable[None]] | None = None
    ) -> str:
        """An emoji on a community post (flag it) or on one of our reposts (status / vote): decided
        here, once for every platform, from the stored reposts.

        ``fetch`` stores the community post first when it is not stored yet (a post from before the
        bot listened); it is called only for an added emoji on something that is not a repost.  An
        ``on: routed`` emoji on a community post that has been routed counts for each of its items,
        as it would on their reposts (unless the emoji also flags posts).
        Returns a short description of what happened (for logs and tests).
        """
        rules = self.rules.current
        repost = await self.store.sent_row_for_remote(event.remote_id) if event.remote_id else None
        on_repost = repost is not None and (
            event.channel is None or repost.remote_channel in (None, event.channel)
        )
        names = tuple(name.strip(":") for name in event.emoji_names if name.strip(":"))
        if not names:
            return "no rule"
        emoji = next((n for n in names if rules.reaction_for(n, on_routed=on_repost)), names[0])
        platform, user_id, user_name = event.platform, event.user_id, event.user_name
        added, stamp = event.added, event.stamp
        who = {"platform": platform, "emoji": emoji, "user_id": user_id, "user_name": user_name}
        if repost is not None and on_repost:
            routed = rules.reaction_for(emoji, on_routed=True)
            if repost.item_id is None or routed is None:
                return "no rule"  # a recap, an agenda or a notice: nothing to flag or to close
            if not await self._on_item(
                repost.item_id, event.remote_id, routed, who, added=added, stamp=stamp
            ):
                return "duplicate" if added else "unknown"
            return "vote" if routed.vote else f"status:{routed.set_status}"
        target = event.message_key
        if added and fetch is not None:
            await fetch()
        rule = rules.reaction_for(emoji, on_routed=False)
        if rule is None or rule.to is None:
            routed = rules.reaction_for(emoji, on_routed=True)
            message_id = await self.store.message_id(platform, target) if routed else None
            routed_items = await self.store.items_for_message(message_id) if message_id is not None else []
            live = [i for i in routed_items if i.status != "deleted"]
            if routed is None or not live:
                return "no rule"
            # one reaction row per item (``KEY#item-ID``), so each is counted and undone on its own
            changed = [
                await self._on_item(i.id, f"{target}#item-{i.id}", routed, who, added=added, stamp=stamp)
                for i in live
            ]
            if not any(changed):
                return "duplicate" if added else "unknown"
            return "vote" if routed.vote else f"status:{routed.set_status}"
        flag = {"platform": platform, "key": target, "department": rule.to, "user_id": user_id}
        if not added:
            await self.store.remove_reaction(platform=platform, target=target, emoji=emoji, user_id=user_id)
            return await flags.unflagged(
                self.store, rules, **flag, user_name=user_name or user_id, stamp=stamp
            )
        message = await self.store.get_message(platform, target)
        if message is not None and message.private:  # invariant 4: an emoji is not a rule opting in
            return "private"
        if not await self.store.add_reaction(
            platform=platform, target=target, emoji=emoji, user_id=user_id, user_name=user_name
        ):
            return "duplicate"
        reason = t(rules.locale, "flag.reason", user=user_name, emoji=emoji)
        items = await self.flag(
            platform=platform, key=target, department=rule.to, tag=rule.tag, reason=reason, origin="reaction"
        )
        if items:
            return f"flagged:{rule.to}"
        return await flags.flagged_again(
            self.store, rules, **flag, user_name=user_name or user_id, stamp=stamp
        )
