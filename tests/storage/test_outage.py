"""``storage.outage.unavailable`` on errors real engines raise: an outage (503, retried by the
platform) is told from our bugs and from values the database refuses (500 / quarantine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine
from storage.outage import unavailable
from tests.conftest import Database


async def error_of(url: str, sql: str) -> BaseException:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError(f"{sql} did not fail")


async def test_a_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    assert unavailable(await error_of(f"sqlite:///{tmp_path}/missing-dir/k.db", "SELECT 1"))


async def test_a_refused_connection_is_an_outage() -> None:
    assert unavailable(await error_of("postgresql://postgres@127.0.0.1:9/none", "SELECT 1"))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM no_such_table",  # our bug
        "CREATE TABLE t (a INTEGER UNIQUE); INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)",
    ],
)
async def test_bugs_and_refused_values_are_not_an_outage(database: Database, sql: str) -> None:
    engine = database.engine()
    try:
        async with engine.begin() as conn:
            for statement in sql.split("; ")[:-1]:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()
    assert not unavailable(await error_of(database.url, sql.split("; ")[-1]))


async def test_a_database_that_does_not_exist_is_an_outage(database: Database) -> None:
    if database.kind != "postgresql":
        pytest.skip("SQLite creates the file")
    url = database.url.rsplit("/", 1)[0] + "/kk_no_such_database"
    assert unavailable(await error_of(url, "SELECT 1"))
