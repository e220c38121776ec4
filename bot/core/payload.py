"""Parsing a request body without trusting it: every failure is a ``PayloadError`` with a reason.

``json.loads`` alone lets through what later code trips over: ``NaN``, ``Infinity`` and
numbers like ``1e400`` that become ``inf``; nesting deep enough to raise ``RecursionError``
(here or in any code that walks the value later); bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import math
from typing import Any

from bot.core.errors import PayloadError

MAX_DEPTH = 64  # Slack's Block Kit, Teams' Adaptive Cards and Discourse nest far less


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"number {text[:40]}: out of range")
    return value


def _constant(name: str) -> Any:
    raise PayloadError(f"{name}: not a JSON number")


def depth_of(value: Any) -> int:
    """How deeply lists and objects nest (iterative, so any depth is measured safely)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return deepest


def parse_json(raw: bytes | str, *, what: str = "body") -> Any:
    """The JSON value of ``raw``; ``PayloadError`` naming ``what`` when it is not usable JSON."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"{what}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_constant)
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc}") from None
    except RecursionError:
        raise PayloadError(f"{what}: nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(
            f"{what}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except ValueError as exc:  # int() of more than 4,300 digits
        raise PayloadError(f"{what}: not valid JSON ({exc})") from None
    # a value cannot nest deeper than it has brackets: counting them (in C) spares the walk for
    # every ordinary payload
    if raw.count("{") + raw.count("[") > MAX_DEPTH and depth_of(value) > MAX_DEPTH:
        raise PayloadError(f"{what}: nested more than {MAX_DEPTH} levels deep")
    return value


def parse_json_object(raw: bytes | str, *, what: str = "body") -> dict[str, Any]:
    value = parse_json(raw, what=what)
    if not isinstance(value, dict):
        raise PayloadError(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value
