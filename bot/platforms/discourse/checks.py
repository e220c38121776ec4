"""The Discourse categories rules.yaml names as sources, checked at start and after every reload.

A source ``{discourse: {category: feedback}}`` matches posts whose category slug (or id) is
``feedback``; one that names no category the forum lists (a typo, a renamed slug, a category
the API key cannot see) would route nothing, silently.  With ``DISCOURSE_URL`` set, the forum's
category list (``/site.json``, what ``DiscourseClient.categories`` reads) is compared with the
rules; each category that is not there is one ERROR line with the fix and a reason in
``/healthz`` (``degraded``).  Without the API (webhooks only) nothing can be checked.
"""

from __future__ import annotations

import logging
import re

import httpx

from adapters.discourse_client import DiscourseApiError, DiscourseClient
from bot.pipeline.health import Health
from rules import RuleSet

log = logging.getLogger("kakehashi.discourse")

PLATFORM = "discourse"
PREFIX = "discourse:"
GLOB = re.compile(r"[*?\[]")
KEY = "discourse:category:"


def named_categories(rules: RuleSet) -> list[str]:
    """The category slugs (or ids) of Discourse sources, patterns and ``*`` left out."""
    out: list[str] = []
    for source in rules.sources:
        if source.platform != PLATFORM or not source.channel.startswith(PREFIX):
            continue
        category = source.channel[len(PREFIX) :]
        if category and category != "*" and not GLOB.search(category) and category not in out:
            out.append(category)
    return out


class DiscourseChecks:
    def __init__(self, *, client: DiscourseClient | None, health: Health, forum: str) -> None:
        self.client = client
        self.health = health
        self.forum = forum

    async def run(self, rules: RuleSet) -> None:
        self.health.clear(KEY)
        self.health.clear("discourse:check")
        wanted = named_categories(rules)
        if not wanted or self.client is None:
            return
        try:
            categories = await self.client.categories()
        except (DiscourseApiError, httpx.HTTPError) as exc:
            self.health.report(
                "discourse:check",
                f"Discourse: could not check the categories of rules.yaml ({exc.__class__.__name__}: {exc}); "
                "checked again on the next rules reload or restart",
            )
            return
        if not categories:  # a forum without a category list: nothing to compare with
            log.info("discourse: %s lists no categories; rules.yaml's are not checked", self.forum)
            return
        known = {c.slug.casefold() for c in categories.values()} | {str(c) for c in categories}
        slugs = ", ".join(sorted(c.slug for c in categories.values())[:15])
        for category in wanted:
            if category.casefold() in known:
                continue
            self.health.report(
                f"{KEY}{category}",
                f"rules.yaml source {{discourse: {{category: {category}}}}}: {self.forum} has no category "
                f"{category!r} that kakehashi can see (slugs: {slugs}); write the slug from the "
                "category's address (/c/SLUG), or give DISCOURSE_API_KEY access to a restricted one",
            )
