"""The shape of a Teams activity, checked before botbuilder's handlers or ours read it (pure).

``Activity().deserialize`` accepts an activity whose nested parts are the wrong type
(``"from": "x"``, ``"conversation": {"id": 7}``, ``"reactionsAdded": [1]``); botbuilder's Teams
handlers and ``adapters.teams.convert`` then raise ``AttributeError``/``TypeError``.  Shapes:
https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.errors import PayloadError

STRINGS = frozenset(
    {
        "id",
        "type",
        "text",
        "name",
        "timestamp",
        "localTimestamp",
        "replyToId",
        "serviceUrl",
        "channelId",
        "textFormat",
        "locale",
        "action",
        "aadObjectId",
        "tenantId",
        "conversationType",
        "eventType",
        "role",
        "contentType",
        "messageType",
    }
)
OBJECTS = frozenset(
    {
        "from",
        "recipient",
        "conversation",
        "channelData",
        "team",
        "channel",
        "tenant",
        "settings",
        "selectedChannel",
    }
)
LISTS_OF_OBJECTS = frozenset(
    {
        "attachments",
        "entities",
        "membersAdded",
        "membersRemoved",
        "reactionsAdded",
        "reactionsRemoved",
        "mentions",
    }
)
BOOLEANS = frozenset({"isGroup"})
MAX_LIST = 1000


def _check(node: dict[str, Any], where: str, depth: int) -> None:
    for key, value in node.items():
        path = f"{where}.{key}" if where else key
        if value is None:
            continue
        if key in STRINGS and not (key == "text" and depth > 0):
            if not isinstance(value, str):
                raise PayloadError(f"{path}: expected a string, got {type(value).__name__}")
        elif key in BOOLEANS:
            if not isinstance(value, bool):
                raise PayloadError(f"{path}: expected true or false, got {type(value).__name__}")
        elif key in OBJECTS:
            if not isinstance(value, dict):
                raise PayloadError(f"{path}: expected an object, got {type(value).__name__}")
            if depth < 3:
                _check(value, path, depth + 1)
        elif key in LISTS_OF_OBJECTS:
            if not isinstance(value, list) or len(value) > MAX_LIST:
                raise PayloadError(f"{path}: expected a list of objects")
            for index, entry in enumerate(value):
                if not isinstance(entry, dict):
                    raise PayloadError(f"{path}[{index}]: expected an object, got {type(entry).__name__}")
                if depth < 3 and key != "attachments":  # an attachment's content is free-form
                    _check(entry, f"{path}[{index}]", depth + 1)


# A conversation id travels back to the Bot Connector in URLs and in the x-ms-conversation-id
# header, which only carries Latin-1: Teams' ids are ASCII ("19:…@thread.tacv2;messageid=…",
# "a:…", "29:…"), so anything else is not one.
_ASCII_ID = re.compile(r"^[\x21-\x7e]{1,1000}$")


def check_activity(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` when its parts have the types Bot Framework documents; else ``PayloadError``."""
    _check(body, "", 0)
    conversation = body.get("conversation")
    if (
        isinstance(conversation, dict)
        and conversation.get("id") is not None
        and not _ASCII_ID.match(conversation["id"])
    ):
        raise PayloadError("conversation.id: expected a Teams conversation id (printable ASCII)")
    return body
