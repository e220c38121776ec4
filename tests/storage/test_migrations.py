"""The Alembic chain creates exactly the schema the models describe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import text

from bot.cli.main import main
from bot.core.errors import SettingsError
from storage.db import create_engine
from storage.migrate import alembic_config, head_revision, upgrade
from storage.models import Base
from tests.conftest import Database


async def test_migrations_match_models_and_are_idempotent(database: Database) -> None:
    engine = database.engine()
    try:
        assert await upgrade(engine) == head_revision()
        assert await upgrade(engine) == head_revision()  # second run is a no-op

        def diff(conn):  # type: ignore[no-untyped-def]
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)

        async with engine.connect() as conn:
            changes = await conn.run_sync(diff)
        assert changes == []
    finally:
        await engine.dispose()


async def test_a_database_that_cannot_be_opened_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "kakehashi.db"
    engine = create_engine(f"sqlite:///{missing}")
    with pytest.raises(SettingsError) as caught:
        await upgrade(engine)
    await engine.dispose()
    assert str(caught.value) == (
        f"DATABASE_URL: cannot open sqlite+aiosqlite:///{missing}: the folder {missing.parent} does not exist"
    )
    # Nothing listens on port 1: the driver's connection error, with the password hidden.
    engine = create_engine("postgresql://kakehashi:hunter2@127.0.0.1:1/kakehashi")
    with pytest.raises(SettingsError) as caught:
        await upgrade(engine)
    await engine.dispose()
    message = str(caught.value)
    assert message.startswith(
        "DATABASE_URL: cannot open postgresql+asyncpg://kakehashi:***@127.0.0.1:1/kakehashi: "
    )
    assert "hunter2" not in message


def test_cli_reports_an_unreachable_database_without_a_traceback(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/missing/kakehashi.db", "KAKEHASHI_LOCALE": "en"}
    for args in (["db", "upgrade"], ["stats"], ["outbox", "list"], ["recap"]):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: DATABASE_URL: cannot open sqlite+aiosqlite:///"), (
            result.output
        )
        assert "does not exist" in result.output


async def test_items_an_earlier_import_left_open_are_archived_by_the_upgrade(database: Database) -> None:
    """A database from before 0002: an import without --repost stored open items without outbox
    rows; the upgrade archives those, and leaves live items (with reposts) and handled ones alone."""
    engine = database.engine()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0001"))
            now = datetime(2026, 11, 20, tzinfo=UTC)
            for n in (1, 2, 3):
                await conn.execute(
                    text(
                        "INSERT INTO messages (id, platform, key, channel_id, channel, author_id, author, text,"
                        " created_at, is_bot, tags, private, files, deleted, received_at)"
                        " VALUES (:id, 'slack', :key, 'C1', '#community', 'U1', 'sato', 'crash', :at, false,"
                        " '[]', false, '[]', false, :at)"
                    ),
                    {"id": n, "key": f"T1:C1:{n}", "at": now},
                )
            items = [(1, 1, "open", None), (2, 2, "open", None), (3, 3, "done", now)]
            for item_id, message_id, status, changed in items:
                await conn.execute(
                    text(
                        "INSERT INTO items (id, message_id, department, tag, route, reason, origin, status,"
                        " status_changed_at, votes, permission, created_at, updated_at)"
                        " VALUES (:id, :m, 'product', 'bug', 'bug', 'r', 'rule', :s, :c, 0, 'none', :at, :at)"
                    ),
                    {"id": item_id, "m": message_id, "s": status, "c": changed, "at": now},
                )
            await conn.execute(  # item 2 was routed live: it has its repost
                text(
                    "INSERT INTO outbox (id, dedupe_key, kind, item_id, destination, payload, status,"
                    " attempts, next_attempt_at, created_at) VALUES (1, 'repost:2', 'repost', 2,"
                    " 'slack:#dept-product', '{}', 'sent', 1, :at, :at)"
                ),
                {"at": now},
            )
        assert await upgrade(engine) == head_revision()
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, status FROM items ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "archived"), (2, "open"), (3, "done")]
    finally:
        await engine.dispose()
