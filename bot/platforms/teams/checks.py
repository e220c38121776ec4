"""The Teams channels rules.yaml names, checked at start and after every rules reload.

Teams gives a bot no way to look a channel up by name: kakehashi learns a team's channels when
its app is installed in the team (``conversationUpdate`` / ``installationUpdate``, then the Bot
Connector's channel list) and keeps them in ``conversation_refs``.  So a source or department
channel ``Team/Channel`` that is not among the channels learned so far is reported: nothing would
be routed from it, or every post to it would be dead-lettered.  Each problem is one ERROR line
naming the fix and a reason in ``/healthz`` (``degraded``); a channel learned later (the app
installed while running) clears it on the next check.
"""

from __future__ import annotations

import logging
import re

from bot.pipeline.health import Health
from bot.platforms.teams.directory import TeamsDirectory
from rules import RuleSet

log = logging.getLogger("kakehashi.teams")

PLATFORM = "teams"
GLOB = re.compile(r"[*?\[]")
KEY = "teams:channel:"


def named_channels(rules: RuleSet) -> list[tuple[str, str]]:
    """(kind, ``Team/Channel``) for every Teams source (not a pattern) and department channel."""
    places = [("source", s.channel) for s in rules.sources if s.platform == PLATFORM]
    places += [
        ("department", d.channel)
        for d in sorted(rules.department_destinations(), key=str)
        if d.platform == PLATFORM
    ]
    seen: set[str] = set()
    out = []
    for kind, channel in places:
        if channel == "*" or GLOB.search(channel) or channel in seen:
            continue
        seen.add(channel)
        out.append((kind, channel))
    return out


class TeamsChecks:
    def __init__(self, *, directory: TeamsDirectory, health: Health) -> None:
        self.directory = directory
        self.health = health

    async def run(self, rules: RuleSet) -> None:
        self.health.clear(KEY)
        missing = [
            (kind, channel)
            for kind, channel in named_channels(rules)
            if await self.directory.resolve(channel) is None
        ]
        if not missing:
            return
        known = sorted({row.name for row in await self.directory.store.refs(PLATFORM)} - {""})
        known = [name for name in known if not name.startswith("id:")]
        hint = f"known: {', '.join(known[:10])}" if known else "no Teams channel is known yet"
        for kind, channel in missing:
            what = "source" if kind == "source" else "department channel"
            team = channel.split("/", 1)[0]
            self.health.report(
                f"{KEY}{channel}",
                f"rules.yaml {what} {channel}: kakehashi has not seen this Teams channel ({hint}); "
                f"install the app in the team {team} (it learns the team's channels then), or fix the name",
            )
