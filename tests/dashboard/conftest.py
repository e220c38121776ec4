"""The dashboard over real HTTP: the app's aiohttp server on a local port, a seeded week
(``tests/recap/conftest.py``), a fixed clock, and a shared secret."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestServer

from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.recap.conftest import FIRE, rules_file, seed

TOKEN = "correct-horse-battery-staple"
WEEK = "2026-11-16..2026-11-22"


@dataclass
class Site:
    app: App
    url: str
    items: dict[str, int]

    def client(self, **kwargs: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]


SiteMaker = Callable[..., Awaitable[Site]]


@pytest.fixture
async def make_site(database: Database, tmp_path: Path) -> AsyncIterator[SiteMaker]:
    """``await make_site(token=..., locale=...)``: a seeded app served on 127.0.0.1."""
    running: list[tuple[App, TestServer]] = []

    async def make(*, token: str | None = TOKEN, locale: str = "ja", extra_rules: str = "") -> Site:
        settings = Settings(
            rules_path=rules_file(tmp_path, locale=locale, extra=extra_rules),
            database_url=database.url,
            dashboard_token=token,
        )
        app = await App.build(settings, plugins=[], clock=lambda: FIRE + timedelta(seconds=30))
        items = await seed(app.store)
        server = TestServer(app.web_app(), host="127.0.0.1")
        await server.start_server()
        running.append((app, server))
        return Site(app=app, url=str(server.make_url("")).rstrip("/"), items=items)

    try:
        yield make
    finally:
        for app, server in running:
            await server.close()
            await app.stop()


async def sign_in(client: httpx.AsyncClient, token: str = TOKEN, next_path: str = "") -> httpx.Response:
    data = {"token": token, **({"next": next_path} if next_path else {})}
    return await client.post("/dashboard/login", data=data)


def figures(html: str, department: str) -> dict[str, str]:
    """``data-figure`` values shown in one department's section."""
    match = re.search(rf'<section class="department" id="dept-{department}".*?</section>', html, re.S)
    assert match, f"no section for {department}"
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', match.group(0)))


def section(html: str, department: str) -> str:
    match = re.search(rf'<section class="department" id="dept-{department}".*?</section>', html, re.S)
    assert match, f"no section for {department}"
    return match.group(0)
