"""A rules.yaml for this community, made from the one ``kakehashi rules init`` writes.

The text is edited in place (the YAML node spans of ``sources``, each department's ``post_to``,
the agenda's ``post_to``, ``admins``/``staff`` and ``locale``), so the starter's comments stay
where they are; the result is compiled before anyone writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from rules import RuleSet
from rules.ruleset import load_rules_text


@dataclass(frozen=True, slots=True)
class Choices:
    """What ``kakehashi init`` was told."""

    platform: str  # slack | teams
    sources: tuple[str, ...]
    departments: Mapping[str, str] = field(default_factory=dict)  # name -> channel
    agenda: str | None = None
    admins: tuple[str, ...] = ()
    locale: str | None = None


def channel_entry(platform: str, channel: str) -> str:
    """``{slack: "#community"}``: a Slack name gets its ``#`` (ids such as C0123ABCD stay as they are)."""
    channel = channel.strip()
    if (
        platform == "slack"
        and not channel.startswith("#")
        and not (channel[:1] in "CG" and channel.isupper())
    ):
        channel = "#" + channel
    return "{" + platform + ": " + json.dumps(channel, ensure_ascii=False) + "}"


def _mapping_value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def build_rules(starter: str, choices: Choices) -> tuple[str, RuleSet]:
    """The starter with the community's channels; raises ``RulesError`` if the result is not valid."""
    root = yaml.compose(starter)
    assert isinstance(root, yaml.MappingNode), "the starter rules are a mapping"
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the starter's text

    sources = _mapping_value(root, "sources")
    if isinstance(sources, yaml.SequenceNode) and sources.value and choices.sources:
        indent = " " * sources.start_mark.column
        block = f"\n{indent}- ".join(channel_entry(choices.platform, s) for s in choices.sources)
        last = sources.value[-1]
        edits.append((sources.start_mark.index, _line_end(starter, last.end_mark.index), "- " + block))

    departments = _mapping_value(root, "departments")
    if isinstance(departments, yaml.MappingNode):
        for key, dept in departments.value:
            channel = choices.departments.get(key.value)
            post_to = _mapping_value(dept, "post_to") if isinstance(dept, yaml.MappingNode) else None
            if channel and post_to is not None:
                entry = "[" + channel_entry(choices.platform, channel) + "]"
                edits.append((post_to.start_mark.index, post_to.end_mark.index, entry))

    schedules = _mapping_value(root, "schedules")
    if choices.agenda and isinstance(schedules, yaml.SequenceNode):
        for schedule in schedules.value:
            if isinstance(schedule, yaml.MappingNode):
                kind = _mapping_value(schedule, "kind")
                post_to = _mapping_value(schedule, "post_to")
                if isinstance(kind, yaml.ScalarNode) and kind.value == "agenda" and post_to is not None:
                    entry = "[" + channel_entry(choices.platform, choices.agenda) + "]"
                    edits.append((post_to.start_mark.index, post_to.end_mark.index, entry))

    if choices.admins:
        people = "[" + ", ".join(json.dumps(a, ensure_ascii=False) for a in choices.admins) + "]"
        for key in ("admins", "staff"):
            node = _mapping_value(root, key)
            if node is not None:
                edits.append((node.start_mark.index, node.end_mark.index, people))

    locale = _mapping_value(root, "locale")
    if choices.locale and locale is not None:
        edits.append((locale.start_mark.index, locale.end_mark.index, choices.locale))

    text = starter
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, load_rules_text(text, "rules.yaml")


def department_channels(starter: str) -> dict[str, str]:
    """Each department of the starter and its first channel (the default ``init`` offers)."""
    rules = load_rules_text(starter, "rules.yaml")
    return {
        name: (dept.post_to[0].channel if dept.post_to else "") for name, dept in rules.departments.items()
    }


def env_text(values: Sequence[tuple[str, str]]) -> str:
    """A short ``.env``: the values given, then where the full list lives."""
    lines = [
        "# Written by `kakehashi init`.  Every variable, with its form: .env.example (README, Configuration)."
    ]
    lines += [f"{name}={value}" for name, value in values]
    return "\n".join(lines) + "\n"
