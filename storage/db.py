"""Database engines: SQLite (WAL) by default, PostgreSQL when ``DATABASE_URL`` says so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.urls import DEFAULT_URL, normalise_url

__all__ = ["DEFAULT_URL", "create_engine", "normalise_url"]


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
