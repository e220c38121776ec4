"""Benchmark: delivering a backlog to Slack channels at the platform's rate, against a plain client.

A fresh store (SQLite, and PostgreSQL with ``--pg``) gets a backlog of N routed items (default
400) spread evenly over C department channels (default 20) in shuffled order, each stored by the
real dispatcher with its outbox row; then kakehashi's real outbox worker (``run_forever``, as
``kakehashi serve`` runs it) delivers them through the real Slack sink, over HTTP, to the Slack
Web API stand-in (tests/fakes/slack_api.py, in this process) that allows one chat.postMessage per
second per channel and answers 429 with ``Retry-After`` to a post that comes sooner.

- posts/s: posts accepted / (last accepted post − start + 1 s), so C channels posting once a
  second from the start score exactly C/s ("% of allowed");
- 429: posts the stand-in refused after the first second (steady state);
- CPU ms per post: this process's CPU time (``time.process_time``) while delivering, per accepted
  post: the worker's and the stand-in's (the plain client's row shows what the stand-in and a bare
  client take);
- "one slow channel": the stand-in answers one channel's posts 3 s late; the row shows the other
  channels' rate (allowed: C − 1 per second) until their posts are all accepted;
- baseline, in the same run: a plain slack_sdk ``AsyncWebClient`` (one aiohttp session) that
  posts as many texts to each channel, each post starting exactly 1 s after the previous one.

    python bench/bench_delivery.py                     # 400 items, 20 channels, 3 runs, SQLite
    python bench/bench_delivery.py --runs 5 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from slack_sdk.errors import SlackApiError  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.core.domain import InboundMessage  # noqa: E402
from bot.platforms.slack import plugin as slack_plugin  # noqa: E402
from bot.runtime.app import App  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fakes.slack_api import COMMUNITY, TEAM_ID, FakeSlack, make_fake  # noqa: E402
from tests.slack.conftest import SECRET, TOKEN  # noqa: E402

SLOW_SECONDS = 3.0
ALLOWED_SPACING = 1.0  # the stand-in: one post per second per channel


def channel_id(i: int) -> str:
    return f"C0BENCH{i:03d}"


def rules_yaml(channels: int) -> str:
    departments = "\n".join(
        f'  d{i:02d}: {{label: "Dept {i:02d}", post_to: [{{slack: "#bench-{i:02d}"}}]}}'
        for i in range(channels)
    )
    routes = "\n".join(
        f"  - {{name: r{i:02d}, when: {{keyword: [topic{i:02d}x]}}, to: [d{i:02d}], tag: bug}}"
        for i in range(channels)
    )
    return (
        'version: 1\nlocale: en\ntimezone: UTC\nsources:\n  - {slack: "#community"}\n'
        f"departments:\n{departments}\nroutes:\n{routes}\n"
    )


async def fake_slack(channels: int, slow: bool) -> FakeSlack:
    fake = make_fake()
    for i in range(channels):
        fake.add_channel(channel_id(i), f"bench-{i:02d}")
    fake.page_size = 200
    fake.limit_rate("chat.postMessage", per_second=1.0 / ALLOWED_SPACING)
    if slow:
        fake.delay("chat.postMessage", SLOW_SECONDS, channel=channel_id(0))
    await fake.start()
    return fake


def backlog(n: int, channels: int, seed: int = 14) -> list[int]:
    """The channel of each item: n // channels each, shuffled (a community's mixed stream)."""
    order = [i % channels for i in range(n)]
    random.Random(seed).shuffle(order)
    return order


@dataclass
class Result:
    rate: float  # posts/s over the measured channels
    allowed: float  # posts/s the stand-in allows those channels
    refused: int  # 429s after the first second
    seconds: float
    cpu: float = 0.0  # CPU seconds of this process per accepted post (the stand-in's share included)

    @property
    def share(self) -> float:
        return self.rate / self.allowed


def score(fake: FakeSlack, began: float, cpu_began: float, channels: int, slow: bool) -> Result:
    """posts/s of the measured channels (all, or all but the slow one) since ``began``."""
    measured = {channel_id(i) for i in range(1 if slow else 0, channels)}
    calls = [c for c in fake.of("chat.postMessage") if c.args.get("channel") in measured]
    accepted = [c.at for c in calls if c.ok]
    refused = sum(1 for c in calls if not c.ok and c.at - began > 1.0)
    span = max(accepted) - began + ALLOWED_SPACING
    cpu = (time.process_time() - cpu_began) / len(accepted)
    return Result(len(accepted) / span, len(measured) / ALLOWED_SPACING, refused, span, cpu)


async def until(fake: FakeSlack, channels: int, per_channel: int, slow: bool, timeout: float) -> None:
    wanted = [channel_id(i) for i in range(1 if slow else 0, channels)]

    def done(f: FakeSlack) -> bool:
        posted: dict[str, int] = {}
        for channel, _ in f.posted:
            posted[channel] = posted.get(channel, 0) + 1
        return all(posted.get(c, 0) >= per_channel for c in wanted)

    await fake.wait_for(done, timeout=timeout)


async def kakehashi(database_url: str, n: int, channels: int, slow: bool, rules: Path) -> Result:
    fake = await fake_slack(channels, slow)
    settings = replace(
        Settings.from_env({}),
        database_url=database_url,
        rules_path=rules,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin])
    try:
        await app.start(worker=False, watch_rules=False)
        base = 1_700_000_000
        for i, channel in enumerate(backlog(n, channels)):
            ts = f"{base + i}.{i:06d}"
            await app.dispatcher.handle_message(
                InboundMessage(
                    platform="slack",
                    key=f"{TEAM_ID}:{COMMUNITY}:{ts}",
                    channel_id=COMMUNITY,
                    channel="community",
                    author_id="U0MEMBER1",
                    author="hana",
                    text=f"item {i}: topic{channel:02d}x crashes on save",
                    created_at=datetime.fromtimestamp(base + i, UTC),
                )
            )
        pending = (await app.store.outbox_counts()).get("pending", 0)
        assert pending == n, f"expected {n} pending rows, found {pending}"
        fake.calls.clear()
        began, cpu_began = time.monotonic(), time.process_time()
        worker = asyncio.create_task(app.worker.run_forever(settings.outbox_poll_interval))
        try:
            await until(fake, channels, n // channels, slow, timeout=n / channels * 10 + 60)
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        return score(fake, began, cpu_began, channels, slow)
    finally:
        await app.stop()
        await fake.close()


async def plain_client(n: int, channels: int, slow: bool) -> Result:
    """One task per channel: post, then the next exactly ALLOWED_SPACING after this one began."""
    fake = await fake_slack(channels, slow)
    session = aiohttp.ClientSession()  # one pool of kept-alive connections, as a plain client would
    client = AsyncWebClient(token=TOKEN, base_url=fake.url + "/", retry_handlers=[], session=session)
    per_channel = n // channels

    async def channel(i: int) -> None:
        next_at = time.monotonic()
        k = 0
        while k < per_channel:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at = time.monotonic() + ALLOWED_SPACING
            try:
                await client.chat_postMessage(channel=channel_id(i), text=f"post {k} to channel {i}")
            except SlackApiError as exc:  # a 429: wait as told, then the same post again
                next_at = time.monotonic() + float(exc.response.headers.get("Retry-After", 1))
            else:
                k += 1

    try:
        began, cpu_began = time.monotonic(), time.process_time()
        tasks = [asyncio.create_task(channel(i)) for i in range(channels)]
        try:
            await until(fake, channels, per_channel, slow, timeout=per_channel * 10 + 60)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return score(fake, began, cpu_began, channels, slow)
    finally:
        await session.close()
        await fake.close()


async def pg_database(admin_url: str) -> str | None:
    try:
        import asyncpg

        conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""), timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    name = f"kk_bench_delivery_{uuid.uuid4().hex[:8]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def drop_pg_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def main_async(args: argparse.Namespace) -> None:
    results: dict[str, list[Result]] = {}
    variants = [("", False), (f", one channel {SLOW_SECONDS:.0f} s slow", True)]
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(rules_yaml(args.channels), encoding="utf-8")
        cases: list[tuple[str, Callable[[], Awaitable[Result]]]] = []
        for suffix, slow in variants:
            cases.append(
                (f"plain client{suffix}", functools.partial(plain_client, args.n, args.channels, slow))
            )

            async def on_sqlite(slow: bool = slow) -> Result:
                url = f"sqlite:///{tmp}/delivery-{uuid.uuid4().hex[:8]}.db"
                return await kakehashi(url, args.n, args.channels, slow, rules)

            cases.append((f"kakehashi, SQLite{suffix}", on_sqlite))
            if args.pg:

                async def on_pg(slow: bool = slow) -> Result:
                    name = await pg_database(args.pg)
                    if name is None:
                        raise SystemExit("PostgreSQL does not answer")
                    try:
                        url = args.pg.rsplit("/", 1)[0] + "/" + name
                        return await kakehashi(url, args.n, args.channels, slow, rules)
                    finally:
                        await drop_pg_database(args.pg, name)

                cases.append((f"kakehashi, PostgreSQL{suffix}", on_pg))
        for run in range(args.runs):  # interleaved, so a busy moment of the machine hits every case
            for label, case in cases:
                result = await case()
                results.setdefault(label, []).append(result)
                print(
                    f"  run {run + 1}: {label}: {result.rate:.2f} posts/s ({result.share:.1%}), "
                    f"429 after 1 s: {result.refused}, {result.seconds:.1f} s, "
                    f"{result.cpu * 1000:.1f} ms CPU per post",
                    flush=True,
                )
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.n} items to {args.channels} channels, "
        f"1 post/s per channel allowed; median of {args.runs} runs (min–max)"
    )
    print(
        "| delivery | posts/s | min–max | % of allowed | vs plain client | 429 after 1 s | CPU ms per post |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, rows in results.items():
        rates = [r.rate for r in rows]
        rate = statistics.median(rates)
        share = statistics.median(r.share for r in rows)
        slow = "one channel" in label
        base = results.get("plain client" + (variants[1][0] if slow else ""))
        ratio = f"{rate / statistics.median(r.rate for r in base):.2f}×" if base and base is not rows else ""
        refused = "/".join(str(r.refused) for r in rows)
        allowed = f" of {rows[0].allowed:.0f}/s" if slow else ""
        print(
            f"| {label} | {rate:.2f} | {min(rates):.2f}–{max(rates):.2f} | {share:.1%}{allowed} | "
            f"{ratio} | {refused} | {statistics.median(r.cpu for r in rows) * 1000:.1f} |"
        )
    if args.json:  # for bench/run_all.py: every run of every case
        figures: dict[str, object] = {"n": args.n, "channels": args.channels, "runs": args.runs}
        figures["cases"] = {label: [vars(r) for r in rows] for label, rows in results.items()}
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=400, help="items in the backlog")
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=None, help="also kakehashi on a fresh database of this PostgreSQL")
    parser.add_argument(
        "--json", type=Path, default=None, help="also write every run here (bench/run_all.py)"
    )
    args = parser.parse_args()
    logging.getLogger("kakehashi").setLevel(logging.ERROR)  # each 429 is counted, not logged
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
