"""Text and identifiers every database can store, whatever a platform sent.

JSON allows what PostgreSQL refuses: a NUL character (``\\u0000``) in a text value, and a lone
UTF-16 surrogate (``"\\ud800"`` unpaired) that cannot be encoded as UTF-8 at all.  Identifiers
and names also arrive longer than the schema's columns.  ``clean`` replaces the first two with
nothing (NUL) and U+FFFD (surrogates); ``fit`` also bounds a value to a column's length: the value is cut and ends with a hash
of the whole, so two long identifiers that share a prefix stay distinct, and the same long id
always becomes the same stored value (lookups by it still find the row).

The storage layer applies these to every string it binds (``storage.models``), so no platform
adapter can forget them.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_HASH_CHARS = 16


def clean(value: str) -> str:
    """NUL characters dropped, lone surrogates replaced by U+FFFD; anything else unchanged."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATE.sub(REPLACEMENT, value)


def fit(value: str, limit: int | None) -> str:
    """``clean(value)``, at most ``limit`` characters (``~`` and a hash of the whole when cut)."""
    value = clean(value)
    if limit is None or len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:_HASH_CHARS]
    return value[: limit - _HASH_CHARS - 1] + "~" + digest


def clean_json(value: Any) -> Any:
    """Every string (keys too) of a JSON-like value cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value
