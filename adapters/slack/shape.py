"""The shape of a Slack request body, checked before Bolt or a listener reads it (pure).

Bolt's request parsing and listener matching assume Slack's shapes (``body["event"]["type"]``,
``"id" in payload["team"]``, ``payload["authorizations"][0].get(...)``) and raise
``AttributeError``/``TypeError`` on anything else; so do the listeners.  A signed body that is
not shaped like https://docs.slack.dev/reference/events (envelopes), .../interaction-payloads
or slash command forms is refused here with a ``PayloadError`` naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.errors import PayloadError
from bot.core.payload import parse_json

_TS = re.compile(r"^\d{1,12}(\.\d{1,9})?$")
TS_FIELDS = frozenset(
    {"ts", "thread_ts", "event_ts", "deleted_ts", "message_ts", "action_ts", "latest_reply"}
)
STRINGS = frozenset(
    {
        "type",
        "subtype",
        "command",
        "user_id",
        "user_name",
        "username",
        "channel_id",
        "channel_type",
        "team_id",
        "enterprise_id",
        "context_team_id",
        "context_enterprise_id",
        "api_app_id",
        "response_url",
        "trigger_id",
        "callback_id",
        "event_id",
        "challenge",
        "reaction",
        "user_team",
        "bot_id",
        "action_id",
        "block_id",
        "value",
        "app_id",
    }
)
OBJECT_OR_ID = frozenset({"team", "enterprise", "user", "channel"})  # "T0..." or {"id": "T0..."}
OBJECTS = frozenset(
    {
        "event",
        "container",
        "message",
        "previous_message",
        "item",
        "view",
        "state",
        "assistant_thread",
        "bot_profile",
        "edited",
        "root",
        "selected_option",
    }
)
LISTS_OF_OBJECTS = frozenset({"authorizations", "actions", "files"})
MAX_LIST = 1000


def _check(node: dict[str, Any], where: str, depth: int = 0) -> None:
    for key, value in node.items():
        path = f"{where}.{key}" if where else key
        if value is None:
            if key == "event":  # Bolt reads body.get("event", {}).get("type")
                raise PayloadError(f"{path}: expected an object, got null")
            continue
        if key == "text":  # a message's text, or a text object ({"type": "plain_text", "text": ...})
            if not isinstance(value, str | dict):
                raise PayloadError(f"{path}: expected a string, got {type(value).__name__}")
        elif key in TS_FIELDS:
            if not isinstance(value, str) or not _TS.match(value):
                raise PayloadError(f"{path}: expected a Slack timestamp such as 1700000000.123456")
        elif key in STRINGS:
            if not isinstance(value, str):
                raise PayloadError(f"{path}: expected a string, got {type(value).__name__}")
        elif key in OBJECT_OR_ID:
            if isinstance(value, dict):
                if not isinstance(value.get("id", ""), str):
                    raise PayloadError(f"{path}.id: expected a string")
                _check(value, path, depth + 1)
            elif not isinstance(value, str):
                raise PayloadError(f"{path}: expected an id or an object, got {type(value).__name__}")
        elif key in OBJECTS:
            if not isinstance(value, dict):
                raise PayloadError(f"{path}: expected an object, got {type(value).__name__}")
            if depth < 4:
                _check(value, path, depth + 1)
        elif key in LISTS_OF_OBJECTS:
            if not isinstance(value, list) or len(value) > MAX_LIST:
                raise PayloadError(f"{path}: expected a list of objects")
            for index, entry in enumerate(value):
                if not isinstance(entry, dict):
                    raise PayloadError(f"{path}[{index}]: expected an object, got {type(entry).__name__}")
                if depth < 4:
                    _check(entry, f"{path}[{index}]", depth + 1)


def check_body(body: Any, what: str = "body") -> dict[str, Any]:
    """``body`` when it is shaped like a Slack payload; else ``PayloadError`` naming the field."""
    if not isinstance(body, dict):
        raise PayloadError(f"{what}: expected an object, got {type(body).__name__}")
    _check(body, "")
    if body.get("type") in ("block_actions", "interactive_message"):  # Bolt reads body["actions"][0]
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise PayloadError("actions: expected at least one action")
    if body.get("type") == "block_actions":
        # Bolt's matcher reads action["action_id"]; the listener reads user.id
        # (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload)
        for index, action in enumerate(body["actions"]):
            if not isinstance(action.get("action_id"), str):
                raise PayloadError(f"actions[{index}].action_id: expected a string")
        if not isinstance(body.get("user"), dict):
            raise PayloadError("user: expected an object with the id of who clicked")
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        raise PayloadError("event: expected an object")
    return body


def parse(raw: str, content_type: str | None) -> dict[str, Any]:
    """What Bolt's ``parse_body`` makes of ``raw``, with its failures as ``PayloadError``:
    JSON for ``application/json`` (or a body starting with ``{``), the JSON in ``payload=`` of an
    interaction form, else the fields of a slash command form."""
    from urllib.parse import parse_qsl

    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        return check_body(parse_json(raw))
    try:
        fields = parse_qsl(raw, keep_blank_values=True, max_num_fields=1000)
    except ValueError as exc:
        raise PayloadError(f"body: not a form ({exc})") from None
    if "payload" in raw:
        payload = dict(fields).get("payload")
        return {} if payload is None else check_body(parse_json(payload, what="payload"), "payload")
    return check_body(dict(fields))
