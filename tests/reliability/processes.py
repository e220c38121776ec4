"""Real ``kakehashi serve`` processes for the reliability tests, and reading their database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from storage.db import create_engine
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import SECRET, TOKEN, sign

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``python -m bot.cli.main serve`` on its own port, with the Slack Web API stand-in."""

    def __init__(self, *, database_url: str, fake: FakeSlack, rules: Path, **env: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "KAKEHASHI_RULES": str(rules),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "KAKEHASHI_OUTBOX_POLL_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        return self

    def stderr(self) -> str:
        assert self.proc is not None and self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")

    async def healthy(self) -> None:
        assert self.proc is not None
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if self.proc.poll() is not None:
                    raise AssertionError(f"server exited {self.proc.returncode}: {self.stderr()}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("server did not become healthy")

    async def post_event(self, body: str, headers: dict[str, str] | None = None) -> int:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                f"{self.url}/slack/events",
                content=body,
                headers={"Content-Type": "application/json", **sign(body), **(headers or {})},
            )
        return response.status_code

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


async def query(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the database the servers share (SQLite file or PostgreSQL)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def until(predicate: Any, *, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll an async ``predicate()`` until it is true (a deadline, not a timed assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
