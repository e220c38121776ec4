"""What ``/healthz`` reports besides the database: configuration problems found while running.

Plugins report what they could not set up (a source or department channel that does not resolve,
an admin given by name) at start and on every rules reload; each problem is logged once as an
ERROR naming the fix, and ``/healthz`` answers ``"degraded"`` with the list until it is fixed.
A ``fatal`` problem (a token Slack revoked: that part stopped) makes ``/healthz`` answer 503.
``waiting`` is quieter: a backlog that clears by itself (acked events waiting out an outage,
``bot.pipeline.after_ack``) makes ``/healthz`` ``degraded`` without an ERROR line per change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("kakehashi.health")


class Health:
    def __init__(self) -> None:
        self._problems: dict[str, str] = {}
        self._fatal: set[str] = set()
        self._waiting: dict[str, str] = {}
        # called with (key, problem) when a problem is new or says something new (admin channel)
        self.on_problem: list[Callable[[str, str], None]] = []
        # called with what failed when work outside a request (after an ack) meets a database
        # outage: /healthz says so before its next background check (bot.runtime.database_watch)
        self.on_database_outage: list[Callable[[str], None]] = []

    def report(self, key: str, problem: str, *, fatal: bool = False) -> None:
        """``key`` names the thing (``slack:source:#community``), ``problem`` says what to do."""
        if self._problems.get(key) != problem:
            log.error("%s", problem)
            for listener in self.on_problem:
                listener(key, problem)
        self._problems[key] = problem
        if fatal:
            self._fatal.add(key)

    def database_outage(self, what: str) -> None:
        for listener in self.on_database_outage:
            listener(what)

    @property
    def fatal(self) -> bool:
        """Whether a part stopped working (``/healthz`` answers 503, not ``degraded``)."""
        return bool(set(self._fatal) & set(self._problems))

    def clear(self, prefix: str) -> None:
        """Forget every problem whose key starts with ``prefix`` (before checking again)."""
        for key in [k for k in self._problems if k.startswith(prefix)]:
            del self._problems[key]

    def waiting(self, key: str, problem: str | None) -> None:
        """Say (or, with None, stop saying) that work is waiting; logged by the caller, not here."""
        if problem is None:
            self._waiting.pop(key, None)
        else:
            self._waiting[key] = problem

    def problems(self) -> list[str]:
        # a copy: /healthz's own thread may read while plugins report
        problems = {**self._waiting, **self._problems}
        return [problems[key] for key in sorted(problems)]
