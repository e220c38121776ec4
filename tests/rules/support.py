"""Builders shared by the rule tests: a small valid rules file and messages shaped like real ones."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

from bot.core.domain import InboundMessage
from rules import RuleSet, load_rules_text

HEADER = """\
version: 1
sources:
  - {slack: "#community"}
  - {slack: "C0QUESTIONS"}
  - {teams: "Community/General"}
  - {discourse: {category: feedback}}
departments:
  product: {label: 製品開発, post_to: [{slack: "#dept-product"}]}
  cs: {label: カスタマーサクセス, post_to: [{slack: "#dept-cs"}, {teams: "CS/Community"}]}
  marketing: {label: マーケティング, post_to: [{slack: "#dept-marketing"}]}
  sales: {label: 営業, post_to: [{slack: "#dept-sales"}]}
"""


def ruleset(routes: str, extra: str = "") -> RuleSet:
    """HEADER plus ``routes:`` (a YAML list, dedented) plus any further top-level YAML."""
    body = textwrap.indent(textwrap.dedent(routes).strip("\n"), "  ")
    return load_rules_text(HEADER + "routes:\n" + body + "\n" + textwrap.dedent(extra))


def message(
    text: str = "",
    *,
    platform: str = "slack",
    channel: str = "#community",
    channel_id: str = "C0COMMUNITY",
    author: str = "sato.k",
    author_id: str = "U0SATO",
    reply: bool = False,
    bot: bool = False,
    private: bool = False,
    tags: tuple[str, ...] = (),
) -> InboundMessage:
    return InboundMessage(
        platform=platform,
        key=f"{platform}:{channel_id}:1",
        channel_id=channel_id,
        channel=channel,
        author_id=author_id,
        author=author,
        text=text,
        created_at=datetime(2026, 11, 10, 1, 0, tzinfo=UTC),
        thread_key=f"{platform}:{channel_id}:0" if reply else None,
        is_bot=bot,
        private=private,
        tags=tags,
    )


def routed(rs: RuleSet, text: str = "", **kwargs: Any) -> list[tuple[str, tuple[str, ...], str | None]]:
    """(route, departments, tag) for each match, in order."""
    return [(m.route, m.departments, m.tag) for m in rs.classify(message(text, **kwargs))]
