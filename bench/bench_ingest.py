"""Benchmark: signed Slack message events over HTTP, kakehashi against a bare slack-bolt app.

Both servers run as their own processes on this machine, against the same Slack Web API
stand-in (tests/fakes/slack_api.py, in this process); this process posts N signed
``event_callback`` message envelopes (tests/fixtures/slack/message.json, each a new event that
the tests' rules route to a department) with C requests in flight, and measures events per
second and the latency of each answer:

- kakehashi: ``kakehashi serve`` (Bolt, the rules, the store, the outbox worker delivering to
  the stand-in), SQLite or PostgreSQL;
- baseline: a slack-bolt ``AsyncApp`` that verifies each request's signature and acks, nothing else.

    python bench/bench_ingest.py                      # 2,000 events at 1 and 32 in flight, SQLite
    python bench/bench_ingest.py -n 4000 -c 1 -c 8 -c 32 --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import COMMUNITY, make_fake  # noqa: E402
from tests.slack.conftest import SECRET, TOKEN, event_body, sign  # noqa: E402

RULES = ROOT / "tests" / "fixtures" / "slack" / "rules.yaml"
BARE_BOLT = """
import os
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

app = AsyncApp(
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"] + "/"),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)

@app.event("message")
async def message(ack):
    await ack()

web.run_app(app.web_app(path="/slack/events"), host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url, data=b"{}") as response:
                    if response.status in (200, 400, 401, 404):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


SENT = itertools.count()  # every event of the whole run is a new message (its own ts)


def body(run: str) -> str:
    i = next(SENT)
    ts = f"{1_700_000_000 + i}.{i % 1_000_000:06d}"
    return event_body(
        "message.json",
        text=f"the export crashes again, a bug in build {run}-{i}",  # the tests' rules: product
        user="U0MEMBER1",
        ts=ts,
        channel=COMMUNITY,
        channel_type="channel",
        event_id=f"{run}{i:08d}",
    )


async def load(url: str, n: int, concurrency: int, run: str) -> tuple[float, list[float], dict[int, int]]:
    """POST n signed events, ``concurrency`` in flight; (seconds, latencies, status counts)."""
    bodies = [body(run) for _ in range(n)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for text in queue:
                headers = {"Content-Type": "application/json", **sign(text)}
                began = time.perf_counter()
                async with session.post(url, data=text.encode(), headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - began)
                statuses[response.status] = statuses.get(response.status, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, statuses


def start(kind: str, port: int, api_url: str, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "KAKEHASHI_RULES": str(RULES),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    command = (
        [sys.executable, "-c", BARE_BOLT]
        if kind == "bolt"
        else [sys.executable, "-m", "bot.cli.main", "serve"]
    )
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's own cost, which a
    busy machine does not inflate the way it inflates wall-clock rates."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def main_async(args: argparse.Namespace) -> None:
    fake = make_fake()
    await fake.start()
    rows = []
    databases = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for label, pg in [("bare slack-bolt (verify + ack)", None)] + [
                (f"kakehashi, {d}", u) for d, u in databases
            ]:
                kind = "bolt" if label.startswith("bare") else "kakehashi"
                url_db = pg or f"sqlite:///{tmp}/ingest-{len(rows)}.db"
                if pg:  # a fresh schema each run: the events are new, the tables empty
                    url_db = pg
                port = free_port()
                server = start(kind, port, fake.url, url_db)
                try:
                    url = f"http://127.0.0.1:{port}/slack/events"
                    await wait_ready(url)
                    await load(url, 50, 4, f"warm{len(rows)}")  # warm-up: connections, caches
                    for concurrency in args.concurrency:
                        run = f"r{len(rows)}c{concurrency}t{int(time.time())}"
                        cpu_before = cpu_seconds(server.pid)
                        seconds, latencies, statuses = await load(url, args.n, concurrency, run)
                        cpu = (cpu_seconds(server.pid) - cpu_before) * 1000 / args.n
                        rows.append(
                            (
                                label,
                                concurrency,
                                args.n / seconds,
                                statistics.median(latencies) * 1000,
                                percentile(latencies, 0.99) * 1000,
                                statuses,
                                cpu,
                            )
                        )
                        print(f"  {rows[-1][0]}, c={concurrency}: {rows[-1][2]:.0f}/s", flush=True)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    finally:
        await fake.close()
    bolt = {c: r for label, c, r, *_ in rows if label.startswith("bare")}
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.n} events per row"
    )
    print(
        "| server | in flight | events/s | p50 ms | p99 ms | vs bolt | server CPU ms/event | "
        "CPU vs bolt | answers |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    bolt_cpu = {c: cpu for label, c, _, _, _, _, cpu in rows if label.startswith("bare")}
    for label, c, rate, p50, p99, statuses, cpu in rows:
        ratio = f"{rate / bolt[c]:.2f}×" if c in bolt else ""
        cpu_ratio = f"{bolt_cpu[c] / cpu:.2f}×" if c in bolt_cpu and cpu else ""
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        print(
            f"| {label} | {c} | {rate:,.0f} | {p50:.0f} | {p99:.0f} | {ratio} | {cpu:.2f} | "
            f"{cpu_ratio} | {answers} |"
        )
    if args.json:  # for bench/run_all.py
        keys = ("server", "concurrency", "rate", "p50_ms", "p99_ms", "statuses", "cpu_ms")
        figures = {"n": args.n, "rows": [dict(zip(keys, row, strict=True)) for row in rows]}
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="events per row")
    parser.add_argument("-c", "--concurrency", type=int, action="append", help="requests in flight (repeat)")
    parser.add_argument("--pg", default=None, help="also kakehashi on this PostgreSQL database")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here (bench/run_all.py)")
    args = parser.parse_args()
    args.concurrency = args.concurrency or [1, 32]
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
