"""Telling a database outage from a bug: ``unavailable(exc)`` is true when asking again later can
succeed (the database is down, unreachable, read-only, full or not accepting connections).

An endpoint answers those with 503 and ``Retry-After`` (the platform redelivers the event, so
nothing is lost), while anything else stays a 500 with its traceback: a missing table or a
syntax error is our bug, and a value the database refuses is quarantined (``storage.inbound``).

Recognised, for PostgreSQL (asyncpg) by SQLSTATE, for SQLite by its result code:

* no connection could be made (``DBAPIError`` without a statement), one was lost mid-statement
  (``connection_invalidated``), the pool had none to give (``sqlalchemy.exc.TimeoutError``), or
  the server refused the TCP connection (``OSError`` raised inside SQLAlchemy);
* SQLSTATE classes 08 (connection), 53 (disk full, out of memory, too many connections), 57
  (shut down by an operator or a crash, cannot connect now), 25006 (a read-only transaction: a
  standby after fail-over), 55000 (``ALLOW_CONNECTIONS false``), 3D000 (the database is gone);
* SQLite ``SQLITE_READONLY``, ``SQLITE_CANTOPEN``, ``SQLITE_IOERR``, ``SQLITE_FULL``,
  ``SQLITE_BUSY``, ``SQLITE_LOCKED``, ``SQLITE_NOMEM``, ``SQLITE_PERM``, ``SQLITE_PROTOCOL``
  (and their extended codes, ``SQLITE_IOERR_WRITE`` etc).
"""

from __future__ import annotations

import traceback

from sqlalchemy import exc as sa

# what the database says about a statement or its values, also when raised at commit
REFUSALS = (sa.IntegrityError, sa.DataError, sa.ProgrammingError, sa.NotSupportedError)
SQLSTATE_CLASSES = ("08", "53", "57")
SQLSTATES = frozenset({"25006", "55000", "3D000"})
SQLITE_CODES = (
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_NOMEM",
    "SQLITE_PERM",
    "SQLITE_PROTOCOL",
)


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 8:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _from_sqlalchemy(exc: BaseException) -> bool:
    return any("sqlalchemy" in frame.filename for frame in traceback.extract_tb(exc.__traceback__))


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be used right now (see the module docstring)."""
    for error in _causes(exc):
        if isinstance(error, sa.TimeoutError):  # the pool had no connection to give in time
            return True
        if isinstance(error, sa.DBAPIError):
            if error.connection_invalidated:
                return True
            if error.statement is None and not isinstance(error, REFUSALS):  # connecting failed
                return True
            orig = error.orig
            state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
            if state[:2] in SQLSTATE_CLASSES or state in SQLSTATES:
                return True
            if str(getattr(orig, "sqlite_errorname", "")).startswith(SQLITE_CODES):
                return True
            return isinstance(error, sa.InterfaceError)
        if isinstance(error, OSError | TimeoutError) and _from_sqlalchemy(error):
            return True
    return False
