"""What ``/healthz`` reports besides the database: configuration problems found while running.

Plugins report what they could not set up (a source or department channel that does not resolve,
an admin given by name) at start and on every rules reload; each problem is logged once as an
ERROR naming the fix, and ``/healthz`` answers ``"degraded"`` with the list until it is fixed.
"""

from __future__ import annotations

import logging

log = logging.getLogger("kakehashi.health")


class Health:
    def __init__(self) -> None:
        self._problems: dict[str, str] = {}

    def report(self, key: str, problem: str) -> None:
        """``key`` names the thing (``slack:source:#community``), ``problem`` says what to do."""
        if self._problems.get(key) != problem:
            log.error("%s", problem)
        self._problems[key] = problem

    def clear(self, prefix: str) -> None:
        """Forget every problem whose key starts with ``prefix`` (before checking again)."""
        for key in [k for k in self._problems if k.startswith(prefix)]:
            del self._problems[key]

    def problems(self) -> list[str]:
        return [self._problems[key] for key in sorted(self._problems)]
