"""A local sink for running without any platform: a JSON-lines file.

The demo uses it in place of Slack and Teams; it receives exactly the posts the real
sinks would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

from bot.core.domain import Post, Receipt


class JsonlSink:
    """Appends each post as one JSON object per line (``{"destination", "kind", "payload", ...}``)."""

    min_interval = 0.0

    def __init__(self, path: Path, platform: str = "console") -> None:
        self.platform = platform
        self.path = path
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    async def send(self, post: Post) -> Receipt:
        remote_id = post.remote_id or f"{self.platform}-{next(self._ids)}"
        record: dict[str, Any] = {
            "destination": str(post.destination),
            "kind": post.kind,
            "remote_id": remote_id,
            "dedupe_key": post.dedupe_key,
            "payload": post.payload,
        }
        line = json.dumps(record, ensure_ascii=False, default=str)
        async with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        return Receipt(remote_id=remote_id, remote_channel=str(post.destination))
