"""Checks of ``reactions``: which emoji flag a community post to a department, and which set a
status or count a vote on a repost."""

from __future__ import annotations

from rules.checker import Checker, Report, kind_of
from rules.errors import said
from rules.loader import Node, Scalar, Seq
from rules.model import STATUS_ALIASES, STATUSES, ReactionRule
from rules.places import PlaceChecks

__all__ = ["ReactionChecks", "emoji_key"]

REACTION_KEYS = ("emoji", "on", "to", "tag", "set_status", "vote", "description")


def emoji_key(name: str) -> str:
    """``:bulb:`` == ``bulb`` == ``BULB``; Slack's ``+1::skin-tone-2`` == ``+1``."""
    return name.strip().strip(":").split("::")[0].casefold()


class ReactionChecks(Checker):
    """``reactions``: one rule per (emoji, on post / on repost)."""

    def __init__(self, report: Report, *, places: PlaceChecks) -> None:
        super().__init__(report)
        self.places = places
        self.tags: dict[str, Node] = {}  # tags reactions set -> where first set

    def reactions(self, node: Node) -> tuple[ReactionRule, ...]:
        if not isinstance(node, Seq):
            self.problem(node, "reactions", said("expected.reactions", found=kind_of(node)))
            return ()
        seen: dict[tuple[str, bool], int] = {}
        result = []
        for i, item in enumerate(node.items):
            path = f"reactions[{i}]"
            fields = self.mapping(item, path, REACTION_KEYS, required=("emoji",))
            if fields is None or "emoji" not in fields:
                continue
            emoji = self.emoji(fields["emoji"], f"{path}.emoji")
            on = (
                self.choice(fields["on"], f"{path}.on", "on", ("post", "routed"))
                if "on" in fields
                else "post"
            )
            if emoji is None or on is None:
                continue
            routed = on == "routed"
            rule = self.reaction(item, fields, path, emoji, routed)
            if rule is None:
                continue
            if (emoji, routed) in seen:
                self.problem(
                    fields["emoji"],
                    f"{path}.emoji",
                    said("duplicate_reaction", emoji=emoji, line=seen[emoji, routed]),
                )
                continue
            seen[emoji, routed] = fields["emoji"].line
            result.append(rule)
        return tuple(result)

    def emoji(self, node: Node, path: str) -> str | None:
        if isinstance(node, Scalar) and isinstance(node.value, int | float) and node.style is None:
            return emoji_key(node.raw)  # `emoji: +1` reads as the number 1 in YAML; take what was typed
        text = self.string(node, path)
        if text is None:
            return None
        key = emoji_key(text)
        if not key or any(c.isspace() for c in key):
            self.problem(node, path, said("expected.emoji", text=text))
            return None
        return key

    def reaction(
        self, node: Node, fields: dict[str, Node], path: str, emoji: str, routed: bool
    ) -> ReactionRule | None:
        # a misspelt key already has its "did you mean"; checks that would only repeat it stay quiet
        misspelt = self.misspelt(node)
        if "on" in misspelt:  # `onn: routed`: what the rule is for is unknown
            return None
        if not routed:
            for key in ("set_status", "vote"):
                if key in fields:
                    self.problem(fields[key], f"{path}.{key}", said("reaction.routed_only", key=key))
                    return None
            if "to" not in fields:
                if "to" not in misspelt:
                    self.problem(node, path, said("reaction.missing_to"))
                return None
            to = self.string(fields["to"], f"{path}.to")
            if to is None or not self.places.department_ref(to.strip(), fields["to"], f"{path}.to"):
                return None
            tag = self.string(fields["tag"], f"{path}.tag") if "tag" in fields else None
            if tag is not None:
                self.tags.setdefault(tag.strip(), fields["tag"])
            elif "tag" in fields:
                return None
            return ReactionRule(emoji, to=to.strip(), tag=tag.strip() if tag else None)
        for key in ("to", "tag"):
            if key in fields:
                self.problem(
                    fields[key],
                    f"{path}.{key}",
                    said("reaction.post_only", key=key),
                )
                return None
        status = None
        if "set_status" in fields:
            status = self.choice(
                fields["set_status"], f"{path}.set_status", "status", (*STATUSES, *STATUS_ALIASES)
            )
            if status is None:
                return None
            status = STATUS_ALIASES.get(status, status)
        vote = False
        if "vote" in fields:
            voted = self.boolean(fields["vote"], f"{path}.vote")
            if voted is None:
                return None
            vote = voted
        if status is not None and vote:
            self.problem(node, path, said("reaction.both"))
            return None
        if status is None and not vote:
            if not misspelt & {"set_status", "vote"}:
                self.problem(node, path, said("reaction.neither"))
            return None
        return ReactionRule(emoji, set_status=status, vote=vote, on_routed=True)
