"""Benchmark: the dashboard and the recap set on a large store (SQLite and PostgreSQL).

Fills a database with N community messages over the last year, in time order as the bot stores
them (bulk inserts — COPY on PostgreSQL —, not the pipeline: this measures reading), about 55%
of them routed to one of the sample company's six departments and 30% replies in recent
question threads, then times, as at the end of the data, for last week and last month, for one department (``cs``) and for all of them:

- ``kakehashi recap --format json`` (``recap_json``: the recap set),
- the dashboard's figures (``build_board``: the same recaps plus 8-week trends drawn as SVG),
- ``GET /dashboard`` over real HTTP, signed in (figures, templates, the whole page),

the best of ``--runs`` runs each, wall time and this process's CPU time (on PostgreSQL the
server's work is in the wall time only).

The data set depends only on N, so it is made once and kept (``--cache``, by default
``~/.cache/kakehashi-bench``): a SQLite file that each run copies, and a PostgreSQL database
(``<prefix>_<N>_v1``) that each run clones with ``CREATE DATABASE ... TEMPLATE``.  A kept data
set has the schema of the code that made it; a newer code's migrations run on the copy before
anything is timed.

    python bench/bench_dashboard.py                # 200,000 messages, SQLite (+ PostgreSQL if up)
    python bench/bench_dashboard.py -n 1000000 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiohttp.test_utils import TestServer
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.reports.board import build_board  # noqa: E402
from bot.reports.data import recap_json  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.models import Item, Message  # noqa: E402

RULES = ROOT / "bot" / "data" / "examples" / "sample-company.yaml"
END = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # the data ends here; reports are told as of it
TAGS = {
    "product": ("bug", "idea"),
    "cs": ("question", "frustration"),
    "marketing": ("testimonial", "usecase"),
    "sales": ("pricing",),
    "pr": ("press",),
    "hiring": ("contributor",),
}
STATUSES = ("open", "open", "in_progress", "done", "done", "done")
TOKEN = "bench-dashboard-token-0123456789"
VERSION = "v2"  # of the data set: change it when ``rows`` changes, so no stale set is reused
ONE = "cs"  # the department of the one-department rows
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kakehashi-bench"


def rows(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The data set's messages and items (the same for the same N)."""
    rng = random.Random(16)
    messages: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    questions: list[str] = []
    departments = list(TAGS)
    start = END - timedelta(days=364)
    # in time order, as a bot stores them: ids grow with time, and replies follow their question
    offsets = sorted(rng.randrange(364 * 86400) for _ in range(n))
    for i in range(1, n + 1):
        at = start + timedelta(seconds=offsets[i - 1])
        reply = questions and rng.random() < 0.3
        key = f"m{i}"
        messages.append(
            {
                "id": i,
                "platform": "slack",
                "key": key,
                "channel_id": "C0COMMUNITY",
                "channel": "#community",
                "author_id": f"U{rng.randrange(5000)}",
                "author": f"member{rng.randrange(5000)}",
                "text": f"community message {i} about the product",
                "created_at": at,
                "thread_key": rng.choice(questions[-500:]) if reply else None,
                "link": f"https://example.slack.com/archives/C0COMMUNITY/p{i}",
                "received_at": at,
                "is_bot": False,
                "tags": [],
                "private": False,
                "files": [],
                "deleted": False,
            }
        )
        if not reply and rng.random() < 0.55 / 0.7:
            dept = rng.choice(departments)
            tag = rng.choice(TAGS[dept])
            status = rng.choice(STATUSES)
            items.append(
                {
                    "message_id": i,
                    "department": dept,
                    "tag": tag,
                    "route": tag,
                    "reason": f'route "{tag}"',
                    "status": status,
                    "status_changed_at": at + timedelta(hours=rng.randrange(1, 96))
                    if status != "open"
                    else None,
                    "votes": rng.choice((0, 0, 0, 1, 2)),
                    "created_at": at,
                    "updated_at": at,
                    "origin": "rule",
                    "permission": "none",
                }
            )
            if tag == "question":
                questions.append(key)
    for number, item in enumerate(items, 1):
        item["id"] = number
    return messages, items


async def fill(app: App, n: int) -> None:
    """Store the data set: COPY on PostgreSQL (then ANALYZE, as autovacuum would), executemany on
    SQLite (no ANALYZE: the bot never runs one)."""
    messages, items = rows(n)
    if app.engine.dialect.name == "postgresql":
        async with app.engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            for table, data in (("messages", messages), ("items", items)):
                columns = list(data[0])
                records = [
                    tuple(json.dumps(v) if isinstance(v, list) else v for v in row.values()) for row in data
                ]
                await raw.copy_records_to_table(table, records=records, columns=columns)
            for table in ("messages", "items"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
            await conn.execute(text("ANALYZE"))
    else:
        async with app.engine.begin() as conn:
            for chunk in range(0, len(messages), 20000):
                await conn.execute(insert(Message), messages[chunk : chunk + 20000])
            for chunk in range(0, len(items), 20000):
                await conn.execute(insert(Item), items[chunk : chunk + 20000])
    print(f"  stored {len(messages):,} messages, {len(items):,} items", flush=True)


async def prepare(url: str, n: int) -> None:
    """Make the data set at ``url`` (migrated to this code's head first)."""
    settings = replace(Settings.from_env({}), rules_path=RULES, database_url=url)
    app = await App.build(settings, plugins=[])
    try:
        started = time.perf_counter()
        await fill(app, n)
        print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await app.stop()


async def best(step: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    """The fastest of ``runs``: (wall seconds, this process's CPU seconds) of that run."""
    times = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        await step()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(times)


async def measure(url: str, runs: int, steps: set[str]) -> dict[str, tuple[float, float]]:
    settings = replace(Settings.from_env({}), rules_path=RULES, database_url=url, dashboard_token=TOKEN)
    started = time.perf_counter()
    app = await App.build(settings, plugins=[], clock=lambda: END + timedelta(hours=1))
    print(f"  opened (and migrated) in {time.perf_counter() - started:.0f} s", flush=True)
    server = TestServer(app.web_app(), host="127.0.0.1")
    try:
        await server.start_server()
        out: dict[str, tuple[float, float]] = {}
        async with httpx.AsyncClient(base_url=str(server.make_url("")), timeout=3600) as client:
            await client.post("/dashboard/login", data={"token": TOKEN})
            for period in ("last-week", "last-month"):
                for dept in (ONE, None):
                    scope = f"{period}, {dept or 'all'}"
                    if "recap" in steps:
                        out[f"recap set, {scope}"] = await best(
                            lambda p=period, d=dept: recap_json(app, d, p), runs
                        )
                    if "figures" in steps:
                        out[f"dashboard figures, {scope}"] = await best(
                            lambda p=period, d=dept: build_board(app, p, d), runs
                        )
                    if "page" in steps:

                        async def page(p: str = period, d: str | None = dept) -> None:
                            params = {"period": p} | ({"department": d} if d else {})
                            response = await client.get("/dashboard", params=params)
                            assert response.status_code == 200, response.status_code

                        out[f"GET /dashboard, {scope}"] = await best(page, runs)
                    print(f"  {scope} done", flush=True)
        return out
    finally:
        await server.close()
        await app.stop()


async def sqlite(n: int, cache: Path, runs: int, steps: set[str]) -> dict[str, tuple[float, float]]:
    kept = cache / f"dashboard-{n}-{VERSION}.db"
    if not kept.exists():
        print(f"  making the data set {kept}", flush=True)
        cache.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        await prepare(f"sqlite:///{partial}", n)
        partial.rename(kept)
    with tempfile.TemporaryDirectory() as folder:
        shutil.copyfile(kept, Path(folder) / "bench.db")
        return await measure(f"sqlite:///{folder}/bench.db", runs, steps)


async def postgres(
    base: str, prefix: str, n: int, runs: int, steps: set[str]
) -> dict[str, tuple[float, float]]:
    import asyncpg

    server = base.rsplit("/", 1)[0]
    kept = f"{prefix}_{n}_{VERSION}"
    admin = await asyncpg.connect(base)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", kept):
            print(f"  making the data set (database {kept})", flush=True)
            partial = f"{kept}_partial"
            await admin.execute(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{partial}"')
            await prepare(f"{server}/{partial}", n)
            await admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{kept}"')
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{kept}"')
        print(f"  cloned in {time.perf_counter() - started:.0f} s", flush=True)
        try:
            return await measure(f"{server}/{name}", runs, steps)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--db", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", default="recap,figures,page", help="of recap, figures, page")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--prefix", default="bench_dashboard", help="of the PostgreSQL databases")
    args = parser.parse_args()
    steps = set(args.steps.split(","))
    results: dict[str, dict[str, tuple[float, float]]] = {}
    if args.db in ("both", "sqlite"):
        print("SQLite", flush=True)
        results["SQLite"] = await sqlite(args.n, args.cache, args.runs, steps)
    if args.db in ("both", "postgresql"):
        try:
            import asyncpg  # noqa: F401

            base = args.pg.replace("postgresql+asyncpg://", "postgresql://")
            print("PostgreSQL", flush=True)
            results["PostgreSQL"] = await postgres(base, args.prefix, args.n, args.runs, steps)
        except (OSError, ImportError) as exc:
            print(f"PostgreSQL skipped: {exc}")
    names = list(next(iter(results.values())))
    print(f"\n| {args.n:,} messages (wall / CPU of this process) | " + " | ".join(results) + " |")
    print("| --- |" + " ---: |" * len(results))
    for row in names:
        cells = " | ".join(f"{results[db][row][0]:.2f} s / {results[db][row][1]:.2f} s" for db in results)
        print(f"| {row} | {cells} |")


if __name__ == "__main__":
    asyncio.run(main())
