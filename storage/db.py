"""Database engines: SQLite (WAL) by default, PostgreSQL when ``DATABASE_URL`` says so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.core.errors import SettingsError

DEFAULT_URL = "sqlite+aiosqlite:///./kakehashi.db"


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste and pick the async driver for them."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError
        raise SettingsError(
            f"DATABASE_URL: cannot parse {url!r}; expected e.g. "
            "postgresql://user@host:5432/db or sqlite:///./kakehashi.db"
        ) from exc
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise SettingsError(f"DATABASE_URL: unsupported database {backend!r}; use postgresql:// or sqlite://")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str = DEFAULT_URL, **kwargs: Any) -> AsyncEngine:
    """``hide_parameters``: a failed statement's error (and so any log line or traceback) shows
    the SQL but never its values, which hold community text, authors and channels."""
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine
