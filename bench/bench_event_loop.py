"""How long ``/healthz`` waits while a real ``kakehashi serve`` is made busy (issue 13).

Starts ``kakehashi serve`` (SQLite in a temporary folder, the inbound webhook signed with a test
secret), probes ``/healthz`` every 20 ms from a process of its own and reports the answers'
latency percentiles (p50, p90, p99) and the slowest during each scenario, on the main port and on
``KAKEHASHI_HEALTH_PORT`` (answered by a thread of its own; a checkout from before it has none):

* ``idle``: nothing but the probe (the machine's noise floor);
* ``reload-50mb``: rules.yaml replaced by a valid 50 MB file (the watcher picks it up);
* ``reload-2mb``: the same with a valid file just under the 2 MiB limit (compiled in full);
* ``regex``: 50 routes ``regex: '(.*a){20}'``, five 30,000-character messages posted at once;
* ``flood``: 2,000 signed webhook requests at once, three times in a row (also: how long until
  all were answered);
* ``slow-bodies``: 500 clients that send headers and one byte of a 1,000-byte body.

    python bench/bench_event_loop.py [--tree PATH]   # PATH: another checkout to measure (before)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

SECRET = "bench-secret"
FLOOD_BURSTS = 3
HEADER = """\
version: 1
sources:
  - {webhook: forum}
departments:
  product: {label: Product, post_to: [{slack: "#dept-product"}]}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keyword_rules(size: int) -> str:
    rng = random.Random(1)
    parts = [HEADER, "routes:\n"]
    total = len(HEADER)
    n = 0
    while total < size:
        words = ", ".join("".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(200))
        route = f"  - name: r{n}\n    when: {{keyword: [{words}]}}\n    to: [product]\n"
        parts.append(route)
        total += len(route)
        n += 1
    return "".join(parts)


def regex_rules() -> str:
    routes = "".join(
        f"  - name: heavy{n}\n    when: {{regex: '(.*a){{20}}'}}\n    to: [product]\n    continue: true\n"
        for n in range(50)
    )
    return HEADER + "routes:\n" + routes


def signed(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Kakehashi-Timestamp": ts,
        "X-Kakehashi-Signature": "sha256=" + mac,
    }


def message(n: int, text: str) -> bytes:
    return json.dumps(
        {
            "id": f"m{n}",
            "text": text,
            "author": "bench",
            "channel": "forum",
            "link": f"https://forum.example/t/{n}",
            "time": int(time.time()),
        }
    ).encode()


def probe(url: str, stop: Any, answers: Any) -> None:
    """In a process of its own, so the load generator's event loop does not slow the probe.
    Sends back every answer's time in seconds (None for a failed probe) when told to stop."""
    times: list[float | None] = []
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                answer.read()
            times.append(time.perf_counter() - started)
        except Exception:
            times.append(None)
        time.sleep(0.02)
    answers.put(times)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Probes:
    times: list[float]  # seconds, of the probes that got an answer
    failures: int
    others: dict[str, Probes] = field(default_factory=dict)  # the health port's, when there is one

    @property
    def worst(self) -> float:
        return max(self.times, default=0.0)

    def summary(self) -> str:
        if not self.times:
            return f"no answer ({self.failures} failed probes)"
        ms = [t * 1000 for t in self.times]
        text = (
            f"{len(ms)} probes: p50 {percentile(ms, 0.5):.0f} ms, p90 {percentile(ms, 0.9):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, worst {max(ms):.0f} ms, {self.failures} failed"
        )
        for name, other in self.others.items():
            text += f"; {name}: {other.summary()}"
        return text


HEALTH_PORT: dict[str, int] = {}  # the serve process's KAKEHASHI_HEALTH_PORT, by base URL


async def during(base: str, work: Callable[[], Awaitable[object]]) -> tuple[Probes, object]:
    """``work`` while /healthz is probed on the main port and, in a second probe process, on
    ``KAKEHASHI_HEALTH_PORT`` (printed as ``health port``)."""
    stop = multiprocessing.Event()
    urls = {"main": base + "/healthz"}
    if base in HEALTH_PORT:
        urls["health port"] = f"http://127.0.0.1:{HEALTH_PORT[base]}/healthz"
    queues: dict[str, Any] = {name: multiprocessing.Queue() for name in urls}
    processes = [
        multiprocessing.Process(target=probe, args=(url, stop, queues[name])) for name, url in urls.items()
    ]
    for process in processes:
        process.start()
    try:
        result = await work()
    finally:
        stop.set()
        found = {name: await asyncio.to_thread(queue.get, True, 90) for name, queue in queues.items()}
        for process in processes:
            process.join(90)
    probes = {}
    for name, times in found.items():
        done = [t for t in times if t is not None]
        probes[name] = Probes(done, len(times) - len(done))
    main = probes.pop("main")
    return Probes(main.times, main.failures, others=probes), result


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(base + "/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("kakehashi serve did not come up")


def serve(tree: Path, folder: Path, rules: Path, port: int) -> subprocess.Popen[bytes]:
    health_port = free_port()
    HEALTH_PORT[f"http://127.0.0.1:{port}"] = health_port
    env = {
        "KAKEHASHI_HEALTH_PORT": str(health_port),  # a tree from before it ignores this
        **os.environ,
        "PYTHONPATH": str(tree),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "KAKEHASHI_RULES": str(rules),
        "KAKEHASHI_INBOUND_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "DISCOURSE_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "serve"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "serve.log", "wb"),
    )


async def scenario_reload(base: str, rules: Path, size: int) -> tuple[Probes, object]:
    text = keyword_rules(size)

    async def work() -> str:
        rules.write_text(text, encoding="utf-8")
        await asyncio.sleep(30)  # the watcher looks every 5 s; a compile takes a while
        return f"{len(text.encode()) / 1e6:.1f} MB"

    return await during(base, work)


async def scenario_regex(base: str, rules: Path) -> tuple[Probes, object]:
    rules.write_text(regex_rules(), encoding="utf-8")
    await asyncio.sleep(7)  # picked up by the watcher
    rng = random.Random(2)
    text = "".join(rng.choice("abcdefgh ") for _ in range(30_000))

    async def work() -> list[int]:
        async with aiohttp.ClientSession() as session:

            async def post(n: int) -> int:
                body = message(1000 + n, text)
                async with session.post(base + "/hooks/inbound/forum", data=body, headers=signed(body)) as r:
                    return r.status

            return list(await asyncio.gather(*(post(n) for n in range(5))))

    return await during(base, work)


async def scenario_flood(base: str) -> tuple[Probes, object]:
    async def work() -> str:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def post(n: int) -> int:
                body = message(10_000 + n, f"flood {n}")
                try:
                    async with session.post(
                        base + "/hooks/inbound/forum", data=body, headers=signed(body)
                    ) as r:
                        return r.status
                except aiohttp.ClientError:
                    return -1

            started = time.perf_counter()
            statuses: list[int] = []
            for burst in range(FLOOD_BURSTS):  # more /healthz probes land during the flood
                statuses += await asyncio.gather(*(post(burst * 2000 + n) for n in range(2000)))
            took = time.perf_counter() - started
        counts: dict[int, int] = {}
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        return f"{FLOOD_BURSTS} x 2,000 at once, all answered in {took:.1f}s, statuses {dict(sorted(counts.items()))}"

    return await during(base, work)


async def scenario_slow_bodies(base: str, port: int) -> tuple[Probes, object]:
    async def work() -> str:
        writers = []
        for _ in range(500):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /hooks/inbound/forum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{"
            )
            writers.append((reader, writer))
        started = time.perf_counter()

        async def closed(reader: asyncio.StreamReader) -> float:
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(reader.read(), 40)
            return time.perf_counter() - started

        held = await asyncio.gather(*(closed(r) for r, _ in writers))
        for _, writer in writers:
            writer.close()
        return f"clients answered or dropped after at most {max(held):.1f}s (40 s = still held)"

    return await during(base, work)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument(
        "--only", nargs="*", default=["reload-50mb", "reload-2mb", "regex", "flood", "slow-bodies"]
    )
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rules = folder / "rules.yaml"
        for name in args.only:
            rules.write_text(HEADER + "routes:\n  - {name: bug, when: {keyword: bug}, to: [product]}\n")
            port = free_port()
            process = serve(tree, folder, rules, port)
            base = f"http://127.0.0.1:{port}"
            try:
                await wait_up(base)
                if name == "idle":  # the noise floor: nothing but the probe for 20 s
                    result = await during(base, lambda: asyncio.sleep(20, result="nothing else running"))
                elif name == "reload-50mb":
                    result = await scenario_reload(base, rules, 50_000_000)
                elif name == "reload-2mb":
                    result = await scenario_reload(base, rules, 2 * 1024 * 1024 - 20_000)
                elif name == "regex":
                    result = await scenario_regex(base, rules)
                elif name == "flood":
                    result = await scenario_flood(base)
                else:
                    result = await scenario_slow_bodies(base, port)
                probes, detail = result
                print(f"{name:12} /healthz {probes.summary()}; {detail}", flush=True)
            finally:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:  # stuck compiling rules on its event loop
                    process.kill()
                    process.wait()
            (folder / "bench.db").unlink(missing_ok=True)


if __name__ == "__main__":
    asyncio.run(main())
