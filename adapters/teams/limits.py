"""Teams' per-conversation send limits, kept in memory (pure).

Teams throttles a bot per conversation (thread): 7 messages a second, 8 in 2 s, 60 in 30 s and
1800 an hour (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).  The outbox
already spaces posts to one destination by the sink's ``min_interval`` (0.5 s keeps the 1 s,
2 s and 30 s windows); this sliding window is the exact check on top, and the only one that
catches the hourly limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

TEAMS_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))


class WindowLimiter:
    def __init__(
        self,
        limits: tuple[tuple[int, float], ...] = TEAMS_LIMITS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._horizon = max(window for _, window in limits)

    def delay(self, key: str) -> float:
        """Seconds until ``key`` may send again; 0 means go, and the send is counted now."""
        now = self.clock()
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - self._horizon:
            sent.popleft()
        wait = 0.0
        for count, window in self.limits:
            recent = [t for t in sent if t > now - window]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + window - now)
        if wait <= 0:
            sent.append(now)
        return max(wait, 0.0)
