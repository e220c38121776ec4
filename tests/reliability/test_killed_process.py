"""Kill -9 the real server between "stored" and "delivered": nothing is lost, nothing is doubled.

Two real ``kakehashi serve`` processes in turn, one SQLite file, the Slack Web API stand-in.
The first accepts a signed event while Slack answers 500, then is killed without warning;
the second starts on the same database and delivers the post exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, FIXTURES, SECRET, TOKEN, event_body, sign

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(db: Path, fake: FakeSlack, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{db}",
        "KAKEHASHI_RULES": str(FIXTURES / "rules.yaml"),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "KAKEHASHI_OUTBOX_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("server did not become healthy")


def attempts(db: Path) -> list[tuple[str, int, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, attempts, lease_owner FROM outbox").fetchall()


async def test_killed_server_loses_nothing_and_posts_once(tmp_path: Path, slack_api: FakeSlack) -> None:
    fake = slack_api
    db = tmp_path / "kakehashi.db"
    fake.fail("chat.postMessage", status=500, times=1000)
    port = free_port()
    first = serve(db, fake, port)
    try:
        await wait_healthy(port, first)
        body = event_body(
            "message.json",
            text="The app crashes on start",
            user="U0MEMBER1",
            ts="1763700000.000100",
            channel=COMMUNITY,
            channel_type="channel",
            event_id="K1",
        )
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/slack/events",
                content=body,
                headers={"Content-Type": "application/json", **sign(body)},
            )
        assert response.status_code == 200
        deadline = time.monotonic() + 20
        while not any(
            n >= 1 and owner is None for _, n, owner in attempts(db)
        ):  # a failed try, lease released
            assert time.monotonic() < deadline, attempts(db)
            await asyncio.sleep(0.1)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert fake.posts(DEPT_PRODUCT) == []
    [(status, _, _)] = attempts(db)
    assert status == "pending"

    fake.failures.clear()
    second = serve(db, fake, port)
    try:
        await wait_healthy(port, second)
        await fake.wait_for(lambda f: f.posts(DEPT_PRODUCT), timeout=20)
        await asyncio.sleep(1.0)  # room for a wrong second post to show up
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    [post] = fake.posts(DEPT_PRODUCT)
    assert "The app crashes on start" in str(post)
    assert [row[0] for row in attempts(db)] == ["sent"]
