"""Persistence: SQLAlchemy 2 models, engines, migrations and the store API."""

from storage.db import DEFAULT_URL, create_engine, normalise_url
from storage.inbound import RecordResult, Routing
from storage.migrate import upgrade
from storage.store import Store

__all__ = ["DEFAULT_URL", "RecordResult", "Routing", "Store", "create_engine", "normalise_url", "upgrade"]
