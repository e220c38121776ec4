"""Checks of places: where community voices come from (``sources``) and where they go
(``departments``, their ``post_to`` destinations and their goals).

``PlaceChecks`` also answers for department references (``to: product``) made elsewhere, and
runs the two cross-checks that need every place: a department channel that is also a source, and
a goal counting a tag that no route or reaction sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.domain import DESTINATION_PLATFORMS, Destination
from rules.checker import Checker, Report, join, kind_of, unknown
from rules.errors import Said, said
from rules.loader import Map, Node, Scalar, Seq
from rules.matcher import NamePatterns, name_key
from rules.model import Department, Goal, Source

__all__ = ["PlaceChecks"]

DEPARTMENT_KEYS = ("label", "post_to", "goal", "description", "asks_consent")
GOAL_KEYS = ("text", "tag", "done_within_days", "answered_within_days", "at_least")
GOAL_KINDS = {
    "done_within_days": "done_within",
    "answered_within_days": "answered_within",
    "at_least": "at_least",
}
SOURCE_PLATFORMS = ("slack", "teams", "discourse", "webhook")


class PlaceChecks(Checker):
    """``sources`` and ``departments``; remembers what the cross-checks and references need."""

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.department_names: list[str] | None = None  # None: departments unusable, skip references
        self.post_to_nodes: list[tuple[Destination, Node, str]] = []
        self.goal_tags: list[tuple[str, Node, str]] = []

    # -- departments and destinations ----------------------------------------------------------

    def departments(self, node: Node) -> dict[str, Department]:
        """The departments that compiled; references are checked against every name written."""
        departments: dict[str, Department] = {}
        if not isinstance(node, Map):
            self.problem(node, "departments", said("expected.departments", found=kind_of(node)))
            return departments
        if not node.entries:
            self.problem(node, "departments", said("expected.a_department"))
        names: list[str] = []
        entries = self.mapping(node, "departments", [key.text for key, _ in node.entries])
        assert entries is not None
        for key, _ in node.entries:
            if key.text == "all":
                self.problem(key, "departments.all", said("all_reserved"))
        for name, value in entries.items():
            names.append(name)
            path = f"departments.{name}"
            fields = self.mapping(value, path, DEPARTMENT_KEYS, required=("post_to",))
            if fields is None:
                continue
            label = name
            if "label" in fields:
                label = self.string(fields["label"], f"{path}.label") or name
            post_to = self.destinations(fields["post_to"], f"{path}.post_to") if "post_to" in fields else None
            goal = self.goal(fields["goal"], f"{path}.goal") if "goal" in fields else None
            if "description" in fields:
                self.string(fields["description"], f"{path}.description", empty_ok=True)
            # who may ask authors for reuse permission; without the key, a department named marketing
            asks_consent: bool | None = name == "marketing"
            if "asks_consent" in fields:
                asks_consent = self.boolean(fields["asks_consent"], f"{path}.asks_consent")
            if post_to:
                departments[name] = Department(name, label.strip(), post_to, goal, bool(asks_consent))
        self.department_names = names
        return departments

    def department_refs(self, node: Node, path: str) -> tuple[str, ...] | None:
        """``to: product`` or ``to: [product, cs]``; each must be a defined department."""
        items = self.strings(node, path, empty_ok=True)
        if items is None:
            return None
        return tuple(name for name, item, item_path in items if self.department_ref(name, item, item_path))

    def department_ref(self, name: str, node: Node, path: str) -> bool:
        if self.department_names is None or name in self.department_names:
            return True
        self.problem(node, path, unknown("department", name, self.department_names))
        return False

    def destinations(self, node: Node, path: str) -> tuple[Destination, ...] | None:
        items: list[tuple[Node, str]] | None = [(node, path)] if isinstance(node, Map) else None
        if items is None:
            if not isinstance(node, Seq):
                self.problem(node, path, said("expected.destinations", found=kind_of(node)))
                return None
            if not node.items:
                self.problem(node, path, said("expected.a_destination"))
                return None
            items = [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
        result: list[Destination] = []
        for item, item_path in items:
            found = self.place(item, item_path, DESTINATION_PLATFORMS)
            if found is not None:
                destination = Destination(platform=found[0], channel=found[1])
                self.post_to_nodes.append((destination, item, item_path))
                if destination not in result:
                    result.append(destination)
        return tuple(result) if len(result) == len(items) else None

    def place(self, node: Node, path: str, platforms: Sequence[str]) -> tuple[str, str] | None:
        """One ``{platform: channel}`` mapping (a source or a destination) as (platform, channel)."""
        if not isinstance(node, Map):
            self.problem(node, path, said("expected.place", found=kind_of(node)))
            return None
        if len(node.entries) != 1:
            keys = ", ".join(key.text for key, _ in node.entries) or "none"
            self.problem(node, path, said("expected.one_platform", count=len(node.entries), keys=keys))
            return None
        key, value = node.entries[0]
        platform, value_path = key.text, join(path, key.text)
        if platform not in platforms:
            if platform in ("discourse", "webhook"):
                self.problem(
                    key,
                    value_path,
                    said("source_only", platform=platform, platforms=", ".join(platforms)),
                )
            else:
                self.problem(key, value_path, unknown("key", platform, platforms))
            return None
        if platform == "discourse":
            return self.discourse(value, value_path)
        channel = self.string(value, value_path)
        if channel is None:
            return None
        channel = channel.strip()
        if platform == "teams":
            team, slash, name = channel.partition("/")
            if not (slash and team.strip() and name.strip()):
                self.problem(value, value_path, said("expected.team_channel", channel=channel))
                return None
        return platform, channel

    def discourse(self, node: Node, path: str) -> tuple[str, str] | None:
        if isinstance(node, Scalar):
            text = self.string(node, path)
            if text is None:
                return None
            if text.strip() != "*":
                self.problem(node, path, said("expected.category", text=text))
                return None
            return "discourse", "*"
        fields = self.mapping(node, path, ("category",), required=("category",))
        if not fields or "category" not in fields:
            return None
        category = self.string(fields["category"], f"{path}.category")
        return None if category is None else ("discourse", f"discourse:{category.strip()}")

    def goal(self, node: Node, path: str) -> Goal | None:
        fields = self.mapping(node, path, GOAL_KEYS, required=("text",))
        if fields is None:
            return None
        text = self.string(fields["text"], f"{path}.text") if "text" in fields else None
        tag = None
        if "tag" in fields:
            tag = self.string(fields["tag"], f"{path}.tag")
            if tag is not None:
                tag = tag.strip()
                self.goal_tags.append((tag, fields["tag"], f"{path}.tag"))
        given = [key for key in GOAL_KINDS if key in fields]
        if len(given) > 1:
            self.problem(
                node,
                path,
                said("goal.one_kind", kinds=_either(GOAL_KINDS), found=_both(given)),
            )
            return None
        if not given:
            self.problem(node, path, said("goal.no_kind", kinds=_either(GOAL_KINDS)))
            return None
        if text is None:
            return None
        (key,) = given
        number = self.integer(fields[key], f"{path}.{key}", minimum=1)
        if number is None:
            return None
        kind = GOAL_KINDS[key]
        if kind == "at_least":
            return Goal(text.strip(), tag, "at_least", count=number)
        return Goal(
            text.strip(), tag, "answered_within" if kind == "answered_within" else "done_within", days=number
        )

    # -- sources ---------------------------------------------------------------------------------

    def sources(self, node: Node) -> tuple[Source, ...]:
        if not isinstance(node, Seq):
            self.problem(node, "sources", said("expected.sources", found=kind_of(node)))
            return ()
        seen: dict[tuple[str, str], int] = {}
        result: list[Source] = []
        for i, item in enumerate(node.items):
            path = f"sources[{i}]"
            found = self.place(item, path, SOURCE_PLATFORMS)
            if found is None:
                continue
            key = (found[0], name_key(found[1]))
            if key in seen:
                source = f"{found[0]}:{found[1]}"
                self.problem(item, path, said("duplicate_source", source=source, line=seen[key]))
                continue
            seen[key] = item.line
            result.append(Source(*found))
        return tuple(result)

    # -- cross references ---------------------------------------------------------------------------

    def check_loops(self, sources: Iterable[Source]) -> None:
        """A channel that is both a source and a department channel would be silently ignored.

        Covers every destination checked so far, departments' and schedules' alike.
        """
        channels: dict[str, list[str]] = {}
        for source in sources:
            if not any(c in source.channel for c in "*?["):  # a glob may rightly cover department channels
                channels.setdefault(source.platform, []).append(source.channel)
        patterns = {platform: NamePatterns(names) for platform, names in channels.items()}
        for destination, node, path in self.post_to_nodes:
            same_platform = patterns.get(destination.platform)
            found = same_platform.find(destination.channel) if same_platform is not None else None
            if found is not None:
                self.problem(
                    node,
                    path,
                    said("loop", destination=str(destination)),
                )

    def check_goal_tags(self, set_tags: Iterable[str]) -> None:
        """Every goal's ``tag`` must be one that a route or a reaction sets (``set_tags``, in file order)."""
        known = list(dict.fromkeys(set_tags))
        for tag, node, path in self.goal_tags:
            if tag not in known:
                self.problem(node, path, said("goal.tag", unknown=unknown("tag", tag, known)))


def _either(keys: dict[str, str]) -> Said:
    names = [repr(k) for k in keys]
    return said("either", names=", ".join(names[:-1]), last=names[-1])


def _both(keys: list[str]) -> Said:
    return said("both", names=", ".join(repr(k) for k in keys[:-1]), last=repr(keys[-1]))
