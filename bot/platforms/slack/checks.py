"""What rules.yaml names on Slack, checked at start and after every rules reload.

- **Admins** are matched by user id only (Slack's ``user_name`` is deprecated and anyone can
  change their names to an admin's).  An entry that is not a member id (``U0123ABCD``) is
  resolved once through ``users.list``; a name that matches no user or several is refused.
- **Channels** of sources and departments are resolved to ids, and each (name, id) pair is kept
  in the database.  A name that no longer resolves because the channel was renamed is followed by
  its id (``ChannelIds``), so the channel is still routed after a restart; one that resolves to
  nothing is reported.

Every problem is one ERROR line naming the fix and a reason in ``/healthz`` (``degraded``).
"""

from __future__ import annotations

import logging
import re

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.slack.directory import SlackDirectory, api_error, looks_like_id
from bot.chat.admins import is_user_id, slack_ids
from bot.pipeline.channels import ChannelIds
from bot.pipeline.health import Health
from rules import RuleSet
from rules.matcher import name_key
from storage.store import Store

log = logging.getLogger("kakehashi.slack")

PLATFORM = "slack"
REF_PLATFORM = "slack:channel"  # conversation_refs rows: configured channel name -> id
GLOB = re.compile(r"[*?\[]")
SLACK_DOWN = (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError)


class SlackChecks:
    def __init__(
        self, *, directory: SlackDirectory, store: Store, health: Health, channels: ChannelIds
    ) -> None:
        self.directory = directory
        self.store = store
        self.health = health
        self.channels = channels
        self.admin_ids: frozenset[str] = frozenset()
        self.lookup = directory
        self._followed: dict[str, str] = {}

    async def run(self, rules: RuleSet) -> None:
        """Check everything rules.yaml names on Slack; problems go to the log and ``/healthz``.

        Reads a fresh listing of its own (``conversations.list``, ``users.list``): what the
        workspace holds now, whatever the running directory has cached.
        """
        self.lookup = SlackDirectory(self.directory.client)
        self.health.clear("slack:")
        self.admin_ids = slack_ids(rules.admins)
        try:
            await self._admins(rules)
            await self._channels(rules)
        except SLACK_DOWN as exc:
            reason = api_error(exc) if isinstance(exc, SlackApiError) else exc.__class__.__name__
            self.health.report(
                "slack:check",
                f"Slack: could not check the channels and admins of rules.yaml ({reason}); "
                "checked again on the next rules reload or restart",
            )

    async def _admins(self, rules: RuleSet) -> None:
        named = [a.strip() for a in rules.admins if not is_user_id(a)]
        if not named:
            return
        users = await self.lookup.users_by_name()
        resolved = set(self.admin_ids)
        for name in named:
            ids = users.get(name.lstrip("@").casefold(), set())
            if len(ids) == 1:
                resolved |= ids
                log.info("rules.yaml admins: %r is Slack user %s", name, next(iter(ids)))
                continue
            found = "no Slack user" if not ids else f"{len(ids)} Slack users ({', '.join(sorted(ids))})"
            self.health.report(
                f"slack:admin:{name}",
                f"rules.yaml admins: {name!r} names {found}, so it makes nobody an admin; admins are "
                "matched by member id: write the id (Slack profile → ⋯ → Copy member ID)",
            )
        self.admin_ids = frozenset(resolved)

    async def _channels(self, rules: RuleSet) -> None:
        self._followed = {}
        places = [("source", s.channel) for s in rules.sources if s.platform == PLATFORM]
        places += [("department", d.channel) for d in sorted(rules.department_destinations(), key=str)]
        for kind, written in places:
            if written == "*" or GLOB.search(written):
                continue
            await self._channel(kind, written)
        self.channels.replace(PLATFORM, self._followed)  # at once: no moment without the renamed ones

    async def _channel(self, kind: str, written: str) -> None:
        what = "source" if kind == "source" else "department channel"
        found = await self.lookup.channel(written)
        if found is not None:
            if not looks_like_id(written):
                await self._remember(written, found.id)
            return
        ref = None if looks_like_id(written) else await self.store.get_ref(REF_PLATFORM, name_key(written))
        now = await self.lookup.channel(ref.conversation_id) if ref is not None else None
        if now is not None:  # renamed since kakehashi last saw it by that name
            self._followed[now.id] = written  # posts there count as posted in ``written``
            self.directory.learn(written, now.id)
            self.health.report(
                f"slack:{kind}:{name_key(written)}",
                f"rules.yaml {what} {written} was renamed to #{now.name} ({now.id}): still followed by "
                f"its id; write #{now.name} or {now.id} in rules.yaml",
            )
            return
        hint = (
            "invite the bot (/invite @kakehashi) if it is private, or fix the name"
            if kind == "source"
            else "create it, invite the bot if it is private, or fix the name"
        )
        self.health.report(
            f"slack:{kind}:{name_key(written)}",
            f"rules.yaml {what} {written}: no such Slack channel the bot can see; {hint}",
        )

    async def _remember(self, written: str, channel_id: str) -> None:
        ref = await self.store.get_ref(REF_PLATFORM, name_key(written))
        if ref is None or ref.conversation_id != channel_id:
            await self.store.save_ref(
                platform=REF_PLATFORM,
                name=name_key(written),
                conversation_id=channel_id,
                service_url=None,
                reference={"written": written},
            )
