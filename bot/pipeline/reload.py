"""Holds the current rules, reloads them off the event loop and watches the file for changes.

A bad file keeps the last good rules.  Reading and compiling a rules file takes CPU time (YAML,
the keyword automaton, re2): ``reload_async`` does it in a thread of its own, one reload at a
time, so the event loop that answers HTTP never waits for it; only the swap of the compiled
``RuleSet`` and the listeners (rescheduling) run on the loop.  ``watch`` polls the file's mtime
every ``RULES_POLL_SECONDS`` (started by the composition root).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rules import RulesError, RuleSet, load_rules

log = logging.getLogger("kakehashi.rules")

RULES_POLL_SECONDS = 5.0


class RulesHolder:
    def __init__(self, path: Path, rules: RuleSet | None = None) -> None:
        self.path = path
        self._rules = rules if rules is not None else load_rules(path)
        self._listeners: list[Callable[[RuleSet], None]] = []
        self._failure_listeners: list[Callable[[str], None]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._mtime = self._stat()

    @property
    def current(self) -> RuleSet:
        return self._rules

    def on_reload(self, listener: Callable[[RuleSet], None]) -> None:
        self._listeners.append(listener)

    def on_failure(self, listener: Callable[[str], None]) -> None:
        """``listener(problems)`` when a reload fails (``problems``: the file:line:col lines)."""
        self._failure_listeners.append(listener)

    def _load(self) -> RuleSet | str:
        """The rules, or the problems that kept them from loading (may run in the rules thread)."""
        try:
            return load_rules(self.path)
        except RulesError as exc:
            log.error("rules reload failed, keeping the last good rules:\n%s", exc)  # English, for grep
            return exc.text(self._rules.locale)  # the admins' notice: in the rules' language

    def _failed(self, problems: str) -> None:
        """Tell the failure listeners, on the caller's thread (the event loop's, for the watcher)."""
        for listener in self._failure_listeners:
            listener(problems)

    def _take(self, fresh: RuleSet | str) -> bool:
        if isinstance(fresh, str):
            self._failed(fresh)
            return False
        if fresh.digest == self._rules.digest:
            return False
        self._rules = fresh
        for listener in self._listeners:
            listener(fresh)
        log.info("rules reloaded from %s", self.path)
        return True

    def reload(self) -> bool:
        """Load the file again, here and now; returns True when new rules took effect."""
        return self._take(self._load())

    async def reload_async(self) -> bool:
        """``reload`` with the reading and compiling done in the rules thread, off the event loop."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kakehashi-rules")
        fresh = await asyncio.get_running_loop().run_in_executor(self._executor, self._load)
        return self._take(fresh)

    def _stat(self) -> float:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0

    async def check(self) -> bool:
        """Reload when the file's mtime changed since the last look; True when new rules took effect."""
        mtime = self._stat()
        if mtime == self._mtime or mtime == 0.0:
            return False
        self._mtime = mtime
        return await self.reload_async()

    async def watch(self, interval: float = RULES_POLL_SECONDS) -> None:
        """Poll the file every ``interval`` seconds, forever (a task of the composition root)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:  # a bug in a listener must not end the watch
                log.exception("reloading rules failed; watching on")

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
