"""Calls made at one moment, answered by one call of a batch function (the group-commit pattern).

Each caller ``await batcher.call(key)`` for its own answer; one task hands every key waiting at
that moment to ``fetch`` (one query, one transaction) and answers each caller from the mapping it
returns.  A call alone is made at once: nothing waits for a batch to fill, so a quiet moment adds
no latency, and calls that arrive while a batch is in flight go together in the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 256  # keys per call of ``fetch``; more wait for the next one


class Batcher(Generic[K, V]):
    """``fetch(keys)`` answers each key (a key it leaves out answers ``missing``).

    ``fetch`` failing fails every caller of that batch with the same exception.  A caller that is
    cancelled does not cancel the batch: what it asked for (a write) is still done, and
    ``join()`` waits for that.
    """

    def __init__(
        self,
        fetch: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]],
        *,
        missing: V,
        max_batch: int = MAX_BATCH,
        name: str = "kakehashi-batch",
    ) -> None:
        self.fetch = fetch
        self.missing = missing
        self.max_batch = max_batch
        self.name = name
        self._waiting: list[tuple[K, asyncio.Future[V]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # calls of fetch, for the benchmark and tests
        self.keys = 0

    async def call(self, key: K) -> V:
        done: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        # retrieved even when its caller has gone (an exception nobody reads is logged as lost)
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._waiting.append((key, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)
        return await asyncio.shield(done)

    async def join(self) -> None:
        """Wait until every batch asked for so far is done (at shutdown: writes in flight finish)."""
        while self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            keys = list(dict.fromkeys(key for key, _ in batch))
            try:
                answers = await self.fetch(keys)
            except BaseException as exc:  # never leave a caller waiting, whatever happened
                for _, done in batch:
                    if not done.done():
                        if isinstance(exc, asyncio.CancelledError):
                            done.cancel()
                        else:
                            done.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    for _, done in self._waiting:
                        done.cancel()
                    self._waiting = []
                    raise
                continue
            self.batches += 1
            self.keys += len(keys)
            for key, done in batch:
                if not done.done():
                    done.set_result(answers.get(key, self.missing))
