"""Who may run admin commands: the ``admins`` of rules.yaml, matched by user id only.

Names are neither unique nor owned (anyone can set their display name, and Slack's ``user_name``
is deprecated), so a platform resolves a name in ``admins`` to one id or reports it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
TEAMS_USER_ID = re.compile(
    r"^(29:\S+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


def is_admin(admin_ids: Collection[str], *user_ids: str | None) -> bool:
    """Whether one of the user's ids (Slack member id; Teams user id or AAD object id) is an admin's."""
    admins = {a.strip().casefold() for a in admin_ids}
    return any(u and u.strip().casefold() in admins for u in user_ids)


def is_user_id(entry: str) -> bool:
    return bool(SLACK_USER_ID.match(entry.strip()) or TEAMS_USER_ID.match(entry.strip()))


def slack_ids(admins: Collection[str]) -> frozenset[str]:
    """The entries of ``admins`` that are Slack member ids as written."""
    return frozenset(a.strip() for a in admins if SLACK_USER_ID.match(a.strip()))
