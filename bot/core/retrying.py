"""Retrying a live platform call someone is waiting on (a command's answer), with tenacity.

Posts go through the outbox, which retries durably across restarts; a call that has no outbox row
retries here, under the same rules: only transient errors (throttling, 412, 5xx, timeouts) are
retried, a ``retry_after`` the platform gave is honoured, otherwise full-jitter backoff.
"""

from __future__ import annotations

import random

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from bot.core.errors import TransientDeliveryError


def transient_wait(
    error: BaseException | None, attempt: int, *, base: float = 1.0, cap: float = 60.0
) -> float:
    """Seconds before the next try: the platform's ``retry_after`` when it gave one, else
    full-jitter exponential backoff; never more than ``cap`` (someone is waiting)."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after is None:
        retry_after = random.uniform(0, base * 2**attempt) + 0.5
    return min(float(retry_after), cap)


def retrying(*, attempts: int, cap: float = 60.0, base: float = 1.0) -> AsyncRetrying:
    """``async for attempt in retrying(...): with attempt: await call()``; the last error is raised
    as is after ``attempts`` tries, and a permanent error at once."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        return transient_wait(error, state.attempt_number - 1, base=base, cap=cap)

    return AsyncRetrying(
        retry=retry_if_exception_type(TransientDeliveryError),
        stop=stop_after_attempt(attempts),
        wait=wait,
        reraise=True,
    )
