"""What ``/healthz`` reports besides the database: parts that stopped working, with the reason.

A part (``slack``, ...) reports a problem it cannot recover from by itself, such as a token Slack
revoked; ``/healthz`` answers 503 naming every reported part and its reason until it is cleared.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class Health:
    def __init__(self) -> None:
        self._problems: dict[str, str] = {}

    def report(self, part: str, reason: str) -> bool:
        """Record ``part``'s problem; False when the same one was already reported."""
        if self._problems.get(part) == reason:
            return False
        self._problems[part] = reason
        return True

    def clear(self, part: str) -> None:
        self._problems.pop(part, None)

    @property
    def problems(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self._problems))
