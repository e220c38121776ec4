"""Persistence: SQLAlchemy 2 models, engines, migrations and the store API.

Each module is imported by name (``storage.store``, ``storage.db`` ...): importing the package
itself loads nothing, so a command that needs no database does not pay for SQLAlchemy."""
