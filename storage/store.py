"""The store API, named by meaning.  One object, composed of small parts by concern."""

from __future__ import annotations

from storage.consents import ConsentStore
from storage.figures import FigureStore
from storage.intake import IntakeStore
from storage.items import ItemStore
from storage.outbox import OutboxStore
from storage.quarantine import QuarantineStore
from storage.queries import QueryStore
from storage.recap_sets import RecapSetStore
from storage.recaps import RecapStore
from storage.refs import RefStore
from storage.runs import RunStore
from storage.statuses import StatusStore


class Store(
    IntakeStore,
    OutboxStore,
    ItemStore,
    StatusStore,
    RunStore,
    RefStore,
    QueryStore,
    RecapStore,
    RecapSetStore,
    QuarantineStore,
    ConsentStore,
    FigureStore,
):
    """``record_inbound``, ``enqueue``, ``claim_due``, ``mark_sent``, ``claim_run``, ``save_ref``, ..."""
