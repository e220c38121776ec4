"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), rules, the app."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from storage.store import Store
from tests.fakes.slack_api import FakeSlack, make_fake

PG_URL = os.environ.get("KAKEHASHI_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
FIXTURES = Path(__file__).parent / "fixtures"

_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers; otherwise the reason (tests skip, or fail when CI=true)."""
    if "reason" not in _pg_state:

        async def probe() -> None:
            import asyncpg

            conn = await asyncpg.connect(PG_URL.replace("+asyncpg", ""), timeout=3)
            await conn.close()

        try:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:  # callers may be inside a loop
                pool.submit(asyncio.run, probe()).result()
            _pg_state["reason"] = None
        except Exception as exc:
            _pg_state["reason"] = f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}"
    return _pg_state["reason"]


def require_postgres() -> None:
    reason = postgres_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)


class Database:
    """A throwaway database: a SQLite file, or a fresh database on the shared PostgreSQL server."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.name = f"kk_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            self.url = f"sqlite+aiosqlite:///{tmp_path / 'kakehashi.db'}"
        else:
            self.url = PG_URL.rsplit("/", 1)[0] + "/" + self.name

    def engine(self) -> AsyncEngine:
        return create_engine(self.url)

    async def _admin(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_URL.replace("+asyncpg", ""))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create(self) -> None:
        if self.kind == "postgresql":
            await self._admin(f'CREATE DATABASE "{self.name}"')

    async def drop(self) -> None:
        if self.kind == "postgresql":
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    async def take_down(self) -> None:
        """PostgreSQL only: refuse new connections and cut the open ones, as a fail-over or a
        restart does (``bring_back`` ends it)."""
        await self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        await self._admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'"
        )

    async def bring_back(self) -> None:
        await self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        require_postgres()
    db = Database(request.param, tmp_path)
    await db.create()
    try:
        yield db
    finally:
        await db.drop()


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[Database]:
    """A PostgreSQL database of its own that a test may take down (``Database.take_down``)."""
    require_postgres()
    db = Database("postgresql", tmp_path)
    await db.create()
    try:
        yield db
    finally:
        await db.bring_back()
        await db.drop()


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    engine = database.engine()
    await upgrade(engine)
    try:
        yield Store(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    """The Slack Web API stand-in, started, with the community workspace of ``make_fake``."""
    fake = make_fake()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
