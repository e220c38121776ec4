"""Holds the current rules and reloads them; a bad file keeps the last good rules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from rules import RulesError, RuleSet, load_rules

log = logging.getLogger("kakehashi.rules")


class RulesHolder:
    def __init__(self, path: Path, rules: RuleSet | None = None) -> None:
        self.path = path
        self._rules = rules if rules is not None else load_rules(path)
        self._listeners: list[Callable[[RuleSet], None]] = []

    @property
    def current(self) -> RuleSet:
        return self._rules

    def on_reload(self, listener: Callable[[RuleSet], None]) -> None:
        self._listeners.append(listener)

    def reload(self) -> bool:
        """Load the file again; returns True when new rules took effect."""
        try:
            fresh = load_rules(self.path)
        except RulesError as exc:
            log.error("rules reload failed, keeping the last good rules:\n%s", exc)
            return False
        if fresh.digest == self._rules.digest:
            return False
        self._rules = fresh
        for listener in self._listeners:
            listener(fresh)
        log.info("rules reloaded from %s", self.path)
        return True

    def watch_mtime(self) -> Callable[[], bool]:
        """A cheap poller for the scheduler: reload when the file's mtime changes."""
        last = [self.path.stat().st_mtime if self.path.exists() else 0.0]

        def check() -> bool:
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                return False
            if mtime == last[0]:
                return False
            last[0] = mtime
            return self.reload()

        return check
