"""Apply the Alembic migration chain shipped in ``storage/migrations``.

Called by ``kakehashi db upgrade`` and on start-up.  Processes that start together migrate one
after the other: on PostgreSQL under an advisory lock, on SQLite inside ``BEGIN IMMEDIATE`` (the
file's write lock, waited for up to the busy timeout), so the second finds the schema current.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import SettingsError

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 0x6B616B65  # "kake"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
    elif connection.dialect.name == "sqlite":
        # pysqlite opens no transaction for DDL by itself; take the write lock before reading the version
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    command.upgrade(alembic_config(connection), "head")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _sqlite_folder_problem(engine: AsyncEngine, where: str) -> SettingsError | None:
    """Checked before connecting: aiosqlite's worker thread may print a traceback after a failed open."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or Path(database).exists():
        return None
    folder = Path(database).absolute().parent
    if not folder.is_dir():
        return SettingsError.of("settings.db_no_folder", where=where, folder=folder)
    if not os.access(folder, os.W_OK):
        return SettingsError.of("settings.db_read_only", where=where, folder=folder)
    return None


async def _reachable(engine: AsyncEngine) -> None:
    """A database that cannot be opened is a clear one-line error, not a driver traceback."""
    where = engine.url.render_as_string(hide_password=True)
    problem = _sqlite_folder_problem(engine, where)
    if problem:
        raise problem
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (DBAPIError, OSError, TimeoutError) as exc:
        reason = str(exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc).strip()
        key = (
            "settings.db_unreachable_sqlite" if engine.dialect.name == "sqlite" else "settings.db_unreachable"
        )
        raise SettingsError.of(key, where=where, reason=reason) from exc


async def upgrade(engine: AsyncEngine) -> str:
    """Bring the schema to the newest revision; return it."""
    await _reachable(engine)
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
    return current or ""


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
