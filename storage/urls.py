"""Database URLs: the default and the forms people paste, turned into the async driver's.

Kept apart from ``db`` so that settings (and so every CLI command, ``--help`` too) can read a
DATABASE_URL default without importing SQLAlchemy; only ``normalise_url`` loads it, when called.
"""

from __future__ import annotations

from bot.core.errors import SettingsError

DEFAULT_URL = "sqlite+aiosqlite:///./kakehashi.db"


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste and pick the async driver for them."""
    from sqlalchemy.engine import make_url  # on first use: see the module's docstring

    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError
        raise SettingsError.of("settings.db_parse", url=url) from exc
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise SettingsError.of("settings.db_backend", backend=backend)
    return parsed.render_as_string(hide_password=False)
