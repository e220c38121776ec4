"""Benchmark: ``kakehashi stats`` value figures (aggregate SQL) on a large store.

Seeds N routed items (one community post each, 7 departments, 10 routes) with what the figures
are made of: status changes by people (70% acknowledged, half of those closed), replies in the
community thread (30%, a third by staff), withdrawn and forwarded items, sent answers and emoji
flags; then times ``Store.value_figures`` for all time, one week and one department, against the
baseline of only loading every item with its message into Python (what the figures avoid).

    python bench/bench_stats.py                # 100,000 items; PostgreSQL at 127.0.0.1:5432 if up
    python bench/bench_stats.py -n 20000 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from storage.db import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Item, ItemStatusChange, Message, OutboxRow, Reaction  # noqa: E402
from storage.store import Store  # noqa: E402

DEPARTMENTS = ("product", "cs", "marketing", "sales", "pr", "hiring", "community")
ROUTES = (
    "bug",
    "idea",
    "question",
    "frustration",
    "testimonial",
    "use_case",
    "pricing",
    "press",
    "star",
    "x",
)
T0 = datetime(2026, 1, 5, tzinfo=UTC)
STAFF = ("U0STAFF1", "U0STAFF2")


def rows(n: int) -> dict[type, list[dict[str, Any]]]:
    rnd = random.Random(7)
    out: dict[type, list[dict[str, Any]]] = {
        Message: [],
        Item: [],
        ItemStatusChange: [],
        OutboxRow: [],
        Reaction: [],
    }
    reply_id = n
    for i in range(1, n + 1):
        created = T0 + timedelta(minutes=i * 5)  # a year of posts at 100,000
        key = f"T:C:{i}"
        out[Message].append(
            dict(
                id=i,
                platform="slack",
                key=key,
                channel_id="C",
                channel="#community",
                author_id=f"U{i % 900}",
                author=f"m{i % 900}",
                text="x",
                created_at=created,
                received_at=created,
                tags=[],
                files=[],
            )
        )
        route = ROUTES[i % len(ROUTES)]
        status = "open"
        roll = rnd.random()
        if roll < 0.03:
            status = "withdrawn"
        elif roll < 0.05:
            status = "forwarded"
        elif roll < 0.75:
            ack = created + timedelta(minutes=rnd.randint(1, 3000))
            out[ItemStatusChange].append(
                dict(
                    item_id=i,
                    status="acknowledged",
                    previous="open",
                    by_name="taro",
                    via="button",
                    changed_at=ack,
                )
            )
            status = "acknowledged"
            if rnd.random() < 0.5:
                status = rnd.choice(("done", "declined"))
                out[ItemStatusChange].append(
                    dict(
                        item_id=i,
                        status=status,
                        previous="acknowledged",
                        by_name="taro",
                        via="button",
                        changed_at=ack + timedelta(minutes=rnd.randint(1, 9000)),
                    )
                )
                if rnd.random() < 0.4:
                    out[OutboxRow].append(
                        dict(
                            dedupe_key=f"answer:{i}",
                            kind="answer",
                            item_id=i,
                            destination="slack:C",
                            payload={},
                            status="sent",
                            attempts=1,
                            next_attempt_at=created,
                            created_at=created,
                        )
                    )
        out[Item].append(
            dict(
                id=i,
                message_id=i,
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                tag=route,
                route=route,
                reason="r",
                origin="rule",
                status=status,
                votes=0,
                permission="none",
                created_at=created,
                updated_at=created,
            )
        )
        if rnd.random() < 0.3:
            reply_id += 1
            staff = rnd.random() < 0.33
            out[Message].append(
                dict(
                    id=reply_id,
                    platform="slack",
                    key=f"T:C:r{reply_id}",
                    channel_id="C",
                    channel="#community",
                    author_id=STAFF[0] if staff else f"U{(i + 1) % 900}",
                    author="x",
                    text="y",
                    created_at=created + timedelta(minutes=rnd.randint(1, 600)),
                    received_at=created,
                    thread_key=key,
                    tags=[],
                    files=[],
                )
            )
        if rnd.random() < 0.05:
            out[Reaction].append(
                dict(platform="slack", target=key, emoji="bulb", user_id="U1", created_at=created)
            )
    return out


async def seed(store: Store, n: int) -> None:
    async with store.sessions() as session, session.begin():
        for model, batch in rows(n).items():
            for start in range(0, len(batch), 2000):
                await session.execute(insert(model), batch[start : start + 2000])


async def timed(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        best = min(best, time.perf_counter() - start)
    return best


async def run(url: str, n: int) -> dict[str, float]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        store = Store(engine)
        start = time.perf_counter()
        await seed(store, n)
        if engine.dialect.name == "postgresql":  # as autovacuum would have by then
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
        seeded = time.perf_counter() - start
        week = (T0 + timedelta(days=70), T0 + timedelta(days=77))
        return {
            "seed (s)": seeded,
            "all time, every department": await timed(lambda: store.value_figures(staff=STAFF)),
            "one week, every department": await timed(
                lambda: store.value_figures(start=week[0], end=week[1], staff=STAFF)
            ),
            "all time, one department": await timed(
                lambda: store.value_figures(department="cs", staff=STAFF)
            ),
            "baseline: load every item + message": await timed(lambda: store.department_items(), repeat=1),
        }
    finally:
        await engine.dispose()


async def pg_url(base: str) -> str | None:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        conn = await asyncpg.connect(base.replace("+asyncpg", ""), timeout=3)
    except Exception:
        return None
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return base.rsplit("/", 1)[0] + "/" + name


async def drop(base: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(base.replace("+asyncpg", ""), timeout=3)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL)"] = await run(f"sqlite:///{tmp}/bench.db", args.n)
    url = await pg_url(args.pg)
    if url is not None:
        try:
            results["PostgreSQL"] = await run(url, args.n)
        finally:
            await drop(args.pg, url.rsplit("/", 1)[1])
    names = list(results)
    print(f"{args.n:,} items; best of 3 (seconds)")
    print("| query | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---:" for _ in names) + " |")
    for step in next(iter(results.values())):
        print(f"| {step} | " + " | ".join(f"{results[n][step]:.2f}" for n in names) + " |")


if __name__ == "__main__":
    asyncio.run(main())
