"""The Alembic chain creates exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from bot.cli import main
from bot.errors import SettingsError
from storage.db import create_engine
from storage.migrate import head_revision, upgrade
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
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/missing/kakehashi.db"}
    for args in (["db", "upgrade"], ["stats"], ["outbox", "list"], ["recap"]):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: DATABASE_URL: cannot open sqlite+aiosqlite:///"), (
            result.output
        )
        assert "does not exist" in result.output
