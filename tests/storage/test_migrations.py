"""The Alembic chain creates exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

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
