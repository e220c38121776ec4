"""Benchmark: the inbound pipeline and the outbox on SQLite and PostgreSQL, side by side.

For each database: N sample messages through ``Dispatcher.handle_message`` (rules + one
transaction storing message, items and outbox rows), then the outbox worker delivering every
row to a sink that answers at once.  The baseline row per database is the bare store write
(``record_inbound`` with no routing), so the classification and outbox cost shows as the gap.

    python bench/bench_pipeline.py            # 2,000 messages; PostgreSQL at 127.0.0.1:5432 if up
    python bench/bench_pipeline.py -n 5000 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli.demo import load_sample, sample_message  # noqa: E402
from bot.core.domain import InboundMessage, Post, Receipt  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.settings import Settings, bundled_rules_path, bundled_sample_path  # noqa: E402


class NullSink:
    min_interval = 0.0

    def __init__(self) -> None:
        self.platform = "slack"
        self.count = 0

    async def send(self, post: Post) -> Receipt:
        self.count += 1
        return Receipt(remote_id=f"r{self.count}")


def messages(n: int) -> list[InboundMessage]:
    sample = [sample_message(r) for r in load_sample(bundled_sample_path())]
    return [replace(sample[i % len(sample)], key=f"bench-{i}") for i in range(n)]


async def run(url: str, msgs: list[InboundMessage]) -> dict[str, float]:
    sink = NullSink()
    settings = replace(Settings.from_env({}), rules_path=bundled_rules_path(), database_url=url)
    app = await App.build(settings, sinks={"slack": sink, "teams": sink, "console": sink}, plugins=[])
    try:
        start = time.perf_counter()
        for msg in msgs:
            await app.store.record_inbound(replace(msg, key="base-" + msg.key), [], {})
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        for msg in msgs:
            await app.dispatcher.handle_message(msg)
        dispatch = time.perf_counter() - start
        start = time.perf_counter()
        await app.worker.drain(timeout=600)
        deliver = time.perf_counter() - start
    finally:
        await app.stop()
    return {
        "store only (baseline)": len(msgs) / baseline,
        "dispatch (rules + store + outbox rows)": len(msgs) / dispatch,
        "outbox delivery (posts/s)": sink.count / deliver if deliver else 0.0,
    }


async def pg_database(admin_url: str) -> tuple[str, str] | None:
    try:
        import asyncpg

        conn = await asyncpg.connect(admin_url, timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    name = f"kk_bench_{uuid.uuid4().hex[:8]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name, name


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    msgs = messages(args.n)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL)"] = await run(f"sqlite:///{tmp}/bench.db", msgs)
    created = await pg_database(args.pg)
    if created:
        url, name = created
        try:
            results["PostgreSQL"] = await run(url, msgs)
        finally:
            import asyncpg

            conn = await asyncpg.connect(args.pg)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()
    print(f"{args.n} sample messages, one at a time (as webhooks arrive)")
    names = list(next(iter(results.values())))
    print(f"{'':42}" + "".join(f"{db:>16}" for db in results))
    for metric in names:
        print(f"{metric:42}" + "".join(f"{results[db][metric]:>13,.0f}/s " for db in results))


if __name__ == "__main__":
    asyncio.run(main())
