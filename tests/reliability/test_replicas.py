"""Two replicas on one database: every post is delivered exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.core.domain import InboundMessage, Post, Receipt
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import FIXTURES, Database


class SharedPlatform:
    """One platform both replicas post to; records every accepted post."""

    min_interval = 0.0

    def __init__(self) -> None:
        self.platform = "slack"
        self.posts: list[Post] = []

    async def send(self, post: Post) -> Receipt:
        await asyncio.sleep(0)  # let the other replica run in between
        self.posts.append(post)
        return Receipt(remote_id=f"r{len(self.posts)}")


async def replica(database: Database, name: str, platform: SharedPlatform, rules: Path) -> App:
    settings = replace(Settings.from_env({}), rules_path=rules, database_url=database.url, instance_id=name)
    return await App.build(settings, sinks={"slack": platform, "teams": platform}, plugins=[])


async def test_two_replicas_deliver_each_post_once(database: Database) -> None:
    platform = SharedPlatform()
    rules = FIXTURES / "bot" / "rules.yaml"
    a = await replica(database, "a", platform, rules)
    b = await replica(database, "b", platform, rules)
    try:
        messages = [
            InboundMessage(
                platform="slack",
                key=f"m{i}",
                channel_id="C1",
                channel="#community",
                author_id="U1",
                author="sato",
                text=f"アプリが落ちる {i}",
                created_at=datetime(2026, 11, 16, tzinfo=UTC),
            )
            for i in range(20)
        ]
        # the same deliveries reach both replicas (a platform retry landing on the other pod)
        outcomes = await asyncio.gather(
            *(app.dispatcher.handle_message(m) for m in messages for app in (a, b))
        )
        assert sorted(o.status for o in outcomes).count("stored") == 20
        await asyncio.gather(a.worker.drain(), b.worker.drain())
        keys = [p.dedupe_key for p in platform.posts]
        assert len(keys) == 60 and len(set(keys)) == 60  # 20 messages x 3 destinations, no doubles
    finally:
        await a.stop()
        await b.stop()
