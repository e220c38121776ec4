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

# The starter speaks Japanese; with ``locale: en`` its labels, goals and answers to members are
# these (keywords and intents already read both languages).
ENGLISH_DEPARTMENTS = {  # name -> (label, goal)
    "product": ("Product", "Answer bug reports within 2 business days"),
    "cs": ("Customer Success", "Follow up on frustration and signs of churn within 1 business day"),
    "marketing": ("Marketing", "Collect 3 testimonials a week"),
    "sales": ("Sales", "Get back to buying interest within 2 business days"),
    "pr": ("PR", "Pick up 1 event talk or media mention a week"),
    "hiring": ("Hiring", "Spot 1 standout contributor a week"),
}
ENGLISH_REPLIES = {  # route -> reply_on_close
    "idea": {
        "done": "Thank you for the suggestion, {author}. {department} has acted on it ({closer}).",
        "declined": "Thank you for the suggestion, {author}. {department} considered it and will not do it "
        "this time; we will keep it in mind ({closer}).",
    },
    "broken": {
        "done": "Thank you for the report, {author}. {department} has fixed it ({closer}).",
        "declined": "Thank you for the report, {author}. {department} looked into it and will not change "
        "it this time ({closer}).",
    },
    "question": {
        "done": "Thank you for the question, {author}. {department} has marked it answered; if it is not "
        "solved yet, please say so in this thread ({closer}).",
        "declined": "Thank you for the question, {author}. {department} cannot answer this one, sorry "
        "({closer}).",
    },
}


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
            if (
                choices.locale == "en"
                and key.value in ENGLISH_DEPARTMENTS
                and isinstance(dept, yaml.MappingNode)
            ):
                label, goal_text = ENGLISH_DEPARTMENTS[key.value]
                goal = _mapping_value(dept, "goal")
                nodes = [(_mapping_value(dept, "label"), label)]
                if isinstance(goal, yaml.MappingNode):
                    nodes.append((_mapping_value(goal, "text"), goal_text))
                edits += _scalars(nodes)

    routes = _mapping_value(root, "routes")
    if choices.locale == "en" and isinstance(routes, yaml.SequenceNode):
        for route in routes.value:
            if not isinstance(route, yaml.MappingNode):
                continue
            name = _mapping_value(route, "name")
            replies = _mapping_value(route, "reply_on_close")
            english = ENGLISH_REPLIES.get(name.value if isinstance(name, yaml.ScalarNode) else "")
            if english and isinstance(replies, yaml.MappingNode):
                edits += _scalars([(_mapping_value(replies, kind), text) for kind, text in english.items()])

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


def _scalars(nodes: Sequence[tuple[yaml.Node | None, str]]) -> list[tuple[int, int, str]]:
    """Edits that put each text (quoted) where its scalar node was."""
    return [
        (node.start_mark.index, node.end_mark.index, json.dumps(text, ensure_ascii=False))
        for node, text in nodes
        if isinstance(node, yaml.ScalarNode)
    ]


def department_label(rules: RuleSet, name: str, locale: str) -> str:
    """What init calls a starter department in ``locale``."""
    if locale == "en" and name in ENGLISH_DEPARTMENTS:
        return ENGLISH_DEPARTMENTS[name][0]
    return rules.departments[name].label


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
