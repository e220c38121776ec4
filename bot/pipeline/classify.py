"""Classifying messages off the event loop, within a time budget that is logged when exceeded.

Rules are bounded where they are compiled (re2 program size, ``MAX_CLASSIFIED_CHARS``), yet a
few dozen heavy regexes over a long post still take a while.  ``Classifier.classify`` runs
``RuleSet.classify`` in a small thread pool (re2 and the keyword automaton release the GIL or
run in short steps), so the event loop keeps answering HTTP meanwhile.  A classification that
takes longer than ``budget`` seconds is logged with the message key and counted in
``kakehashi_slow_classifications_total``: the result is still used (routing a message late beats
dropping it), and the log says which rules to make cheaper.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from bot.core.domain import InboundMessage
from bot.pipeline.metrics import Metrics
from rules import Match, RuleSet

log = logging.getLogger("kakehashi.dispatch")

CLASSIFY_BUDGET = 0.25  # seconds per message; the bundled rules take well under a millisecond
CLASSIFY_THREADS = 2


class Classifier:
    def __init__(self, *, metrics: Metrics, budget: float = CLASSIFY_BUDGET) -> None:
        self.metrics = metrics
        self.budget = budget
        self._executor: ThreadPoolExecutor | None = None

    def _timed(self, rules: RuleSet, msg: InboundMessage) -> tuple[tuple[Match, ...], float]:
        started = time.perf_counter()
        matches = rules.classify(msg)
        return matches, time.perf_counter() - started

    async def classify(self, rules: RuleSet, msg: InboundMessage) -> tuple[Match, ...]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=CLASSIFY_THREADS, thread_name_prefix="kakehashi-classify"
            )
        loop = asyncio.get_running_loop()
        matches, took = await loop.run_in_executor(self._executor, self._timed, rules, msg)
        if took > self.budget:
            self.metrics.inc("kakehashi_slow_classifications_total")
            log.warning(
                "classifying %s %s took %.2fs, over the %.2fs budget (%d characters): "
                "look for heavy regexes in %s",
                msg.platform,
                msg.key,
                took,
                self.budget,
                len(msg.text or ""),
                rules.path,
            )
        return matches

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
