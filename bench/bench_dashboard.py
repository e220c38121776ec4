"""Benchmark: the dashboard and the recap set on a large store (SQLite and PostgreSQL).

Fills a fresh database with N community messages over the last year (bulk inserts, not the
pipeline: this measures reading), about 55% of them routed to one of the sample company's six
departments and 30% replies in question threads, then times, as at the end of the data:

- ``kakehashi recap --format json`` for every department (``recap_json``: the recap set),
- the dashboard's figures (``build_board``: the same recaps plus 8-week trends drawn as SVG),
- ``GET /dashboard`` over real HTTP, signed in (figures, templates, the whole page),

for last week and last month; the best of three runs each.

    python bench/bench_dashboard.py                # 200,000 messages, SQLite (+ PostgreSQL if up)
    python bench/bench_dashboard.py -n 1000000 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


async def fill(app: App, n: int) -> None:
    rng = random.Random(16)
    messages, items = [], []
    questions: list[str] = []
    departments = list(TAGS)
    start = END - timedelta(days=364)
    for i in range(1, n + 1):
        at = start + timedelta(seconds=rng.randrange(364 * 86400))
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
                }
            )
            if tag == "question":
                questions.append(key)
    async with app.engine.begin() as conn:
        for chunk in range(0, len(messages), 5000):
            await conn.execute(insert(Message), messages[chunk : chunk + 5000])
        for chunk in range(0, len(items), 5000):
            await conn.execute(insert(Item), items[chunk : chunk + 5000])
        if app.engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))
    print(f"  stored {len(messages):,} messages, {len(items):,} items", flush=True)


async def best(step, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return min(times)


async def measure(url: str, n: int) -> dict[str, float]:
    settings = replace(Settings.from_env({}), rules_path=RULES, database_url=url, dashboard_token=TOKEN)
    app = await App.build(settings, plugins=[], clock=lambda: END + timedelta(hours=1))
    server = TestServer(app.web_app(), host="127.0.0.1")
    try:
        started = time.perf_counter()
        await fill(app, n)
        print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
        await server.start_server()
        out: dict[str, float] = {}
        async with httpx.AsyncClient(base_url=str(server.make_url("")), timeout=600) as client:
            await client.post("/dashboard/login", data={"token": TOKEN})
            for period in ("last-week", "last-month"):
                out[f"recap set, {period}"] = await best(lambda p=period: recap_json(app, None, p))
                out[f"dashboard figures, {period}"] = await best(lambda p=period: build_board(app, p))

                async def page(p: str = period) -> None:
                    response = await client.get("/dashboard", params={"period": p})
                    assert response.status_code == 200, response.status_code

                out[f"GET /dashboard, {period}"] = await best(page)
        return out
    finally:
        await server.close()
        await app.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite", flush=True)
        results["SQLite"] = await measure(f"sqlite:///{folder}/bench.db", args.n)
    try:
        import asyncpg

        base = args.pg.replace("postgresql+asyncpg://", "postgresql://")
        name = f"bench_dashboard_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(base)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print("PostgreSQL", flush=True)
            results["PostgreSQL"] = await measure(base.rsplit("/", 1)[0] + f"/{name}", args.n)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
    except (OSError, ImportError) as exc:
        print(f"PostgreSQL skipped: {exc}")
    names = list(next(iter(results.values())))
    print(f"\n| {args.n:,} messages | " + " | ".join(results) + " |")
    print("| --- |" + " ---: |" * len(results))
    for row in names:
        print(f"| {row} | " + " | ".join(f"{results[db][row]:.2f} s" for db in results) + " |")


if __name__ == "__main__":
    asyncio.run(main())
