"""Benchmark: recaps and the agenda over a year of a large community, against raw SQL in the same run.

Generates (once, then cached) a database of 1,000,000 messages over a year: 30 % posts, 70 %
replies in their threads, 150,000 items in the six departments of the sample company's rules
(every tag, every status, votes and reactions), then times on it:

- the real code paths, in this process: ``recap_reply`` for one department and for all of them,
  and ``agenda_reply`` (what ``kakehashi recap``/``agenda`` and ``/kakehashi recap`` run);
- the same commands as a user runs them (``kakehashi recap product --as-of …``, a new process);
- a baseline: the statements the code path sent, recorded and replayed as raw SQL through the
  driver on one connection (what the database costs, without the ORM and the report building).

    python bench/bench_reports.py                         # SQLite (cached file), and PostgreSQL if up
    python bench/bench_reports.py --messages 200000 --runs 5 --no-pg
    python bench/bench_reports.py --pg postgresql://postgres@127.0.0.1:5432/postgres

The SQLite file is cached in ~/.cache/kakehashi-bench (``--cache``); the PostgreSQL data set lives
in the database ``kakehashi_bench_reports`` (other sizes: ``kakehashi_bench_reports_<messages>_<items>``,
so a smaller run leaves the large one in place) and is rebuilt only when its size or seed changes.
``--json PATH`` also writes every row's times (bench/run_all.py reads it).
Rows are written with SQLAlchemy Core inserts in batches (the models' column types apply).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.reports.agenda import agenda_reply  # noqa: E402
from bot.reports.recap import recap_reply  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Cursor, Item, Message, Reaction  # noqa: E402

RULES = ROOT / "bot" / "data" / "examples" / "sample-company.yaml"
DEPARTMENTS = ("product", "cs", "marketing", "sales", "pr", "hiring")
TAGS = (
    ("question", 25),
    ("bug", 20),
    ("idea", 15),
    ("frustration", 8),
    ("testimonial", 7),
    ("pricing", 8),
    ("press", 3),
    ("contributor", 4),
    (None, 10),
)
OLD_STATUSES = (("done", 45), ("declined", 5), ("archived", 15), ("open", 27), ("acknowledged", 3))
OLD_STATUSES += (("in_progress", 3), ("needs_decision", 2))
NEW_STATUSES = (("open", 70), ("acknowledged", 10), ("in_progress", 10), ("needs_decision", 5), ("done", 5))
END = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # a fixed year, so the cached data set stays valid
AS_OF = date(2026, 11, 30)
SEED = 14
PG_DB = "kakehashi_bench_reports"
BATCH = 20_000


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def generate(
    n_messages: int, n_items: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Messages (posts then replies, by time), items on posts, reactions on items: plain dicts."""
    rng = random.Random(SEED)
    start = END - timedelta(days=365)
    span = (END - start).total_seconds()
    n_posts = max(n_items, int(n_messages * 0.3))
    post_times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n_posts))
    authors = [f"U{n:06d}" for n in range(20_000)]
    messages: list[dict[str, Any]] = []
    for i, when in enumerate(post_times):
        author = rng.choice(authors)
        key = f"slack:T1:C{i % 5}:{when.timestamp():.6f}.{i}"
        messages.append(_message(i + 1, key, key, author, when, f"post {i} about the product", False))
    for j in range(n_messages - n_posts):
        parent = min(int(rng.random() ** 0.5 * n_posts), n_posts - 1)  # later posts get more replies
        ptime = post_times[parent]
        when = min(ptime + timedelta(hours=rng.expovariate(1 / 30)), END)
        author = messages[parent]["author_id"] if rng.random() < 0.25 else rng.choice(authors)
        key = f"slack:T1:C{parent % 5}:{when.timestamp():.6f}.r{j}"
        parent_key = messages[parent]["key"]
        messages.append(
            _message(n_posts + j + 1, key, parent_key, author, when, f"reply {j}", rng.random() < 0.02)
        )
    items: list[dict[str, Any]] = []
    item_posts = sorted(rng.sample(range(n_posts), n_items))
    for k, post in enumerate(item_posts):
        created = post_times[post]
        recent = END - created < timedelta(days=30)
        tag = _weighted(rng, TAGS)
        items.append(
            {
                "id": k + 1,
                "message_id": post + 1,
                "department": DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                "tag": tag,
                "route": f"route-{tag or 'other'}",
                "reason": "keyword",
                "origin": "rule",
                "status": _weighted(rng, NEW_STATUSES if recent else OLD_STATUSES),
                "status_changed_at": created + timedelta(hours=rng.expovariate(1 / 40)),
                "status_by": None,
                "votes": rng.randrange(12) if tag == "idea" else 0,
                "permission": "none",
                "created_at": created,
                "updated_at": created,
            }
        )
    reactions = [
        {
            "platform": "slack",
            "target": messages[items[k]["message_id"] - 1]["key"],
            "emoji": "+1",
            "user_id": f"U{r:06d}",
            "user_name": None,
            "item_id": k + 1,
            "created_at": items[k]["created_at"],
        }
        for k in rng.sample(range(n_items), n_items // 3)
        for r in range(rng.randrange(1, 4))
    ]
    return messages, items, reactions


def _message(
    id_: int, key: str, thread: str, author: str, when: datetime, body: str, bot: bool
) -> dict[str, Any]:
    return {
        "id": id_,
        "platform": "slack",
        "key": key,
        "channel_id": "C1",
        "channel": "#community",
        "author_id": author,
        "author": author.lower(),
        "text": body,
        "created_at": when,
        "thread_key": thread,
        "is_bot": bot,
        "link": f"https://example.slack.com/archives/C1/p{id_}",
        "tags": [],
        "private": False,
        "files": [],
        "deleted": False,
        "edited_at": None,
        "received_at": when,
    }


def spec(n_messages: int, n_items: int) -> str:
    return f"messages={n_messages} items={n_items} seed={SEED} end={END.isoformat()} v1"


async def ensure_dataset(url: str, n_messages: int, n_items: int) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            have = await conn.scalar(select(Cursor.value).where(Cursor.name == "bench-dataset"))
        if have == spec(n_messages, n_items):
            return
        began = time.perf_counter()
        messages, items, reactions = generate(n_messages, n_items)
        async with engine.begin() as conn:
            for table in ("reactions", "item_status_changes", "outbox", "items", "messages", "cursors"):
                await conn.execute(text(f"DELETE FROM {table}"))
            for model, rows in ((Message, messages), (Item, items), (Reaction, reactions)):
                for offset in range(0, len(rows), BATCH):
                    await conn.execute(insert(model), rows[offset : offset + BATCH])
            await conn.execute(insert(Cursor).values(name="bench-dataset", value=spec(n_messages, n_items)))
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
        print(
            f"  generated {len(messages):,} messages, {len(items):,} items in {time.perf_counter() - began:.0f} s"
        )
    finally:
        await engine.dispose()


def pg_database_name(n_messages: int, n_items: int) -> str:
    """The issue's size keeps the historical name; any other size gets a database of its own."""
    if (n_messages, n_items) == (1_000_000, 150_000):
        return PG_DB
    return f"{PG_DB}_{n_messages}_{n_items}"


async def ensure_pg_database(admin_url: str, name: str = PG_DB) -> str:
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


# -- the baseline: the very statements the code path sends, replayed through the driver --------------


class Recorder:
    """Records every statement (with its parameters) the engine executes while ``recording``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.recording = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if self.recording:
            self.statements.append((statement, parameters))

    async def capture(self, fn: Callable[[], Awaitable[Any]]) -> list[tuple[str, Any]]:
        self.statements, self.recording = [], True
        try:
            await fn()
        finally:
            self.recording = False
        return self.statements


async def replay(engine: AsyncEngine, statements: list[tuple[str, Any]]) -> None:
    """The recorded statements, as raw SQL on one connection, every row fetched: what the
    database itself costs, without the ORM, the report building or the event loop's hops."""
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        if engine.dialect.name == "postgresql":
            # one transaction, as the code path's: the value figures' temporary table lives
            # until its commit (ON COMMIT DROP)
            async with driver.transaction():
                for statement, parameters in statements:
                    await driver.fetch(statement, *parameters)
            return
        for statement, parameters in statements:
            cursor = await driver.execute(statement, parameters)
            await cursor.fetchall()
            await cursor.close()
        # as the code path's session does: else the pool's reset rolls back the DROP of the value
        # figures' temporary table and the next replay finds it still there
        await driver.commit()


# -- timing ---------------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    times: list[float]
    base: list[float] | None = None

    def cells(self) -> list[str]:
        med = statistics.median(self.times)
        out = [self.what, f"{med:.3f}", f"{min(self.times):.3f}–{max(self.times):.3f}"]
        if self.base:
            b = statistics.median(self.base)
            out += [f"{b:.3f}", f"{med / b:.1f}×" if b else "-"]
        else:
            out += ["", ""]
        return out


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    await fn()  # warm-up: caches, prepared statements, the rules
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - began)
    return out


def cli_times(url: str, args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "DATABASE_URL": url, "KAKEHASHI_RULES": str(RULES), "PYTHONPATH": str(ROOT)}
    kakehashi = [sys.executable, "-m", "bot.cli.main"]
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run([*kakehashi, *args], env=env, capture_output=True, text=True, check=False)
        out.append(time.perf_counter() - began)
        if done.returncode:
            raise SystemExit(f"kakehashi {' '.join(args)} failed: {done.stderr}")
    return out


async def measure(label: str, url: str, runs: int) -> list[Row]:
    settings = replace(Settings.from_env({}), database_url=url, rules_path=RULES)
    clock_at = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), tzinfo=UTC) - timedelta(
        hours=9
    )
    app = await App.build(settings, plugins=[], clock=lambda: clock_at)
    rows: list[Row] = []
    try:
        engine = app.store.engine
        recorder = Recorder(engine)
        paths: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("recap, one department", lambda: recap_reply(app, "product", "last-week")),
            ("recap, all departments", lambda: recap_reply(app, None, "last-week")),
            ("agenda", lambda: agenda_reply(app)),
        ]
        for what, fn in paths:
            statements = await recorder.capture(fn)
            times = await timed(fn, runs)
            base = await timed(lambda statements=statements: replay(engine, statements), runs)
            rows.append(Row(f"{label}: {what} (in process, {len(statements)} statements)", times, base))
    finally:
        await app.stop()
    as_of = ["--as-of", AS_OF.isoformat(), "--format", "json"]
    rows.append(
        Row(
            f"{label}: `kakehashi recap product` (process)",
            cli_times(url, ["recap", "product", *as_of], runs),
        )
    )
    rows.append(Row(f"{label}: `kakehashi recap` (process)", cli_times(url, ["recap", *as_of], runs)))
    rows.append(Row(f"{label}: `kakehashi agenda` (process)", cli_times(url, ["agenda", *as_of], runs)))
    return rows


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.messages:,} messages, {args.items:,} items; "
        f"median of {args.runs} runs after a warm-up, seconds"
    )
    head = ["what", "median s", "min–max", "raw SQL s", "ratio"]
    print("| " + " | ".join(head) + " |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


async def main_async(args: argparse.Namespace) -> None:
    rows: list[Row] = []
    args.cache.mkdir(parents=True, exist_ok=True)
    sqlite_url = f"sqlite:///{args.cache / f'reports-{args.messages}-{args.items}.db'}"
    print(f"SQLite: {sqlite_url}")
    await ensure_dataset(sqlite_url, args.messages, args.items)
    rows += await measure("SQLite", sqlite_url, args.runs)
    if not args.no_pg:
        try:
            pg_url = await ensure_pg_database(args.pg, pg_database_name(args.messages, args.items))
        except OSError as exc:
            print(f"PostgreSQL at {args.pg} does not answer ({exc}): SQLite only")
        else:
            print(f"PostgreSQL: {pg_url}")
            await ensure_dataset(pg_url, args.messages, args.items)
            rows += await measure("PostgreSQL", pg_url, args.runs)
    print_table(rows, args)
    if args.json:  # for bench/run_all.py
        figures: dict[str, object] = {"messages": args.messages, "items": args.items, "runs": args.runs}
        figures["rows"] = [{"what": r.what, "times": r.times, "base": r.base} for r in rows]
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "kakehashi-bench")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows' times here")
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
