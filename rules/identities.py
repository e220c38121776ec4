"""``identities:``: one person known by several ids and names (Slack and Teams ids, display names).

::

    identities:
      emily.r: [emily_r, U0EMILY, "Emily R."]    # the name shown: its ids and other names

Reports count a person once across platforms: every alias (and the name itself) maps to the
name shown.  Aliases compare case-insensitively (after NFKC), as names are typed by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from rules.checker import Checker, kind_of
from rules.errors import said
from rules.loader import Map, Node

__all__ = ["Identities", "IdentityChecks", "fold"]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class Identities:
    """Who an id or a name is: ``person(author_id, author)`` is the name shown for them."""

    __slots__ = ("_aliases", "_written")

    def __init__(
        self, aliases: Mapping[str, str] | None = None, written: Mapping[str, tuple[str, ...]] | None = None
    ) -> None:
        self._aliases = MappingProxyType(dict(aliases or {}))
        self._written = MappingProxyType(dict(written or {}))  # person -> names and ids as written

    def __len__(self) -> int:
        return len(set(self._aliases.values()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identities) and self._aliases == other._aliases

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._aliases.items())))

    def known(self, *names: str) -> str | None:
        """The person any of ``names`` (ids or names) is an alias of, or None."""
        for text in names:
            person = self._aliases.get(fold(text))
            if person is not None:
                return person
        return None

    def everyone(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """``names`` and every other name and id, as written, of the people among them
        (``staff: [emily.r]`` covers ``U0EMILY`` too)."""
        more = [
            alias
            for text in names
            if (person := self.known(text)) is not None
            for alias in self._written.get(person, ())
        ]
        return tuple(dict.fromkeys([*names, *more]))

    def person(self, author_id: str, author: str) -> tuple[str, str]:
        """(key, name shown): the configured person, else the platform id and its display name."""
        person = self.known(author_id, author)
        return (f"person:{person}", person) if person is not None else (author_id, author)


class IdentityChecks(Checker):
    def identities(self, node: Node) -> Identities:
        """``{name: [alias, ...]}`` (or one alias as a string); an alias names one person only."""
        if not isinstance(node, Map):
            self.problem(node, "identities", said("expected.identities", found=kind_of(node)))
            return Identities()
        entries = self.mapping(node, "identities", [key.text for key, _ in node.entries])
        assert entries is not None
        keys = {key.text: key for key, _ in node.entries}
        aliases: dict[str, str] = {}
        written: dict[str, list[str]] = {}
        where: dict[str, int] = {}
        for person, value in entries.items():
            path = f"identities.{person}"
            if not person.strip():
                self.problem(keys[person], path, said("expected.name"))
                continue
            given = self.strings(value, path) or []
            for text, item, item_path in [(person, keys[person], path), *given]:
                alias = fold(text)
                other = aliases.get(alias)
                if other is not None and other != person:
                    self.problem(
                        item,
                        item_path,
                        said("identity.taken", text=text, other=other, line=where[alias]),
                    )
                    continue
                aliases[alias] = person
                written.setdefault(person, []).append(text.strip())
                where.setdefault(alias, item.line)
        return Identities(aliases, {person: tuple(names) for person, names in written.items()})
