"""A Slack workspace export (the zip from *Workspace settings > Import/Export data*) read into
``InboundMessage`` values (pure: reads the zip, no network, no storage).

Layout: ``channels.json`` (public channels), ``groups.json`` (private channels, in exports that
include them), ``users.json`` (``org_users.json`` on Enterprise Grid) (``id``, ``team_id``, ``name``, ``profile.display_name`` ...) and
one folder per channel holding ``YYYY-MM-DD.json`` arrays of messages.  Messages are converted
exactly like live events (``adapters.slack.convert``), so keys ``TEAM:CHANNEL:TS`` match and
live events and imported history deduplicate.  Housekeeping subtypes (``channel_join``,
``channel_topic``, ...) are skipped; ``bot_message`` and messages with a ``bot_id`` are bot
posts; an ``edited`` message already carries its final text; thread replies carry ``thread_ts``.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.slack.convert import (
    CONTENT_SUBTYPES,
    archive_link,
    is_bot_message,
    message_ref,
    to_inbound,
)
from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError

# Keys of an export that names no workspace anywhere (the CLI says to pass --team).
UNKNOWN_TEAM = "export"
DAY_FILE = re.compile(r"^(?P<folder>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")


@dataclass(frozen=True, slots=True)
class ExportChannel:
    id: str
    name: str
    private: bool


@dataclass(frozen=True, slots=True)
class DayFile:
    """One ``channel/YYYY-MM-DD.json`` of the export."""

    path: str
    channel: ExportChannel


def _load(zf: zipfile.ZipFile, name: str, *, required: bool) -> Any:
    try:
        raw = zf.read(name)
    except KeyError:
        if required:
            raise PayloadError(
                f"{name}: missing from the export (is this a Slack workspace export?)"
            ) from None
        return []
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise PayloadError(f"{name}: cannot be read from the zip, it is damaged ({exc})") from None
    try:
        return json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError included
        raise PayloadError(f"{name}: not valid JSON ({exc})") from None


def _root(names: list[str]) -> str:
    """The folder holding ``channels.json``: ``""`` for Slack's own zip, ``"Acme Slack export/"``
    when the export was unzipped and zipped again (macOS adds ``__MACOSX/`` copies too)."""
    if "channels.json" in names:
        return ""
    candidates = [
        n[: -len("channels.json")]
        for n in names
        if n.endswith("/channels.json") and not n.startswith("__MACOSX/") and "/." not in "/" + n
    ]
    return min(candidates, key=len) if candidates else ""


def user_display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return str(
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user.get("id")
    )


class SlackExport:
    """An opened export: ``team_id``, ``channels``, ``day_files()`` and ``messages(day_file)``."""

    def __init__(self, path: Path, *, team_id: str | None = None, workspace_url: str | None = None) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise PayloadError(f"{path}: not a readable zip file ({exc})") from None
        self.workspace_url = workspace_url
        self._root = _root(self._zip.namelist())
        names = {n[len(self._root) :] for n in self._zip.namelist() if n.startswith(self._root)}
        # Enterprise Grid exports call the member list org_users.json.
        users_file = (
            "org_users.json" if "users.json" not in names and "org_users.json" in names else "users.json"
        )
        users = self._load(users_file, required=True)
        if not isinstance(users, list):
            raise PayloadError("users.json: expected a list of users")
        self.users = {u["id"]: u for u in users if isinstance(u, dict) and u.get("id")}
        self.channels: dict[str, ExportChannel] = {}
        for name, private in (("channels.json", False), ("groups.json", True)):
            listed = self._load(name, required=name == "channels.json")
            for ch in listed if isinstance(listed, list) else ():
                if isinstance(ch, dict) and ch.get("id") and ch.get("name"):
                    channel = ExportChannel(id=str(ch["id"]), name=str(ch["name"]), private=private)
                    # folders are named after the channel; some tools name them by id
                    self.channels[channel.name] = self.channels[channel.id] = channel
        # dms.json / mpims.json (DMs and group DMs of a full export) are never community channels.
        # Names for <@U…> / <#C…> markup in the text, as the live adapter resolves them.
        self.names: dict[str, str] = {uid: user_display_name(u) for uid, u in self.users.items()}
        self.names.update({c.id: c.name for c in self.channels.values()})
        self.team_unknown = False
        self.team_id = team_id or self._workspace_id()

    def _workspace_id(self) -> str:
        """The workspace id that live events carry as ``team_id``, so imported keys match them:
        the users' ``team_id``, else (users.json without it, Enterprise Grid members of several
        workspaces) the one ``team`` the messages name."""
        teams = sorted({str(u["team_id"]) for u in self.users.values() if u.get("team_id")})
        if len(teams) == 1:
            return teams[0]
        named: set[str] = set()
        for day in self.day_files():
            data = self._load(day.path, required=False)
            for message in data if isinstance(data, list) else ():
                if isinstance(message, dict) and isinstance(message.get("team"), str) and message["team"]:
                    named.add(message["team"])
        if len(named) == 1:
            return named.pop()
        if not teams and not named:
            self.team_unknown = True
            return UNKNOWN_TEAM
        found = ", ".join(teams or sorted(named))
        raise PayloadError(f"users.json: cannot tell the workspace id (team_id found: {found}); pass --team")

    def _load(self, name: str, *, required: bool) -> Any:
        return _load(self._zip, self._root + name, required=required)

    def check(self) -> int:
        """Read every day file once before anything is stored, so a damaged export fails with a
        clear error instead of half-importing; returns the number of messages found."""
        try:
            damaged = self._zip.testzip()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise PayloadError(f"the zip is damaged ({exc})") from None
        if damaged is not None:
            raise PayloadError(f"{damaged}: damaged inside the zip (CRC mismatch); download the export again")
        count = 0
        for day in self.day_files():
            data = self._load(day.path, required=True)
            if not isinstance(data, list):
                raise PayloadError(f"{day.path}: expected a list of messages")
            count += len(data)
        return count

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def day_files(self) -> list[DayFile]:
        """Every day file of a known channel, by channel then date (parents before replies)."""
        out: list[DayFile] = []
        for name in self._zip.namelist():
            match = DAY_FILE.match(name[len(self._root) :]) if name.startswith(self._root) else None
            if match and match["folder"] in self.channels:
                out.append(DayFile(path=match[0], channel=self.channels[match["folder"]]))
        return sorted(out, key=lambda f: f.path)

    def fingerprint(self, day: DayFile) -> str:
        """What a day file holds, cheaply (the zip's CRC-32 and size): a later export of the same
        day with more (or edited) messages has another one."""
        info = self._zip.getinfo(self._root + day.path)
        return f"{info.CRC:08x}-{info.file_size}"

    def author_name(self, message: dict[str, Any]) -> str:
        user = self.users.get(str(message.get("user") or ""))
        if user:
            return user_display_name(user)
        profile = message.get("user_profile") or {}
        return str(
            profile.get("display_name")
            or profile.get("real_name")
            or message.get("username")
            or message.get("user")
            or message.get("bot_id")
            or "unknown"
        )

    def messages(self, day: DayFile) -> Iterator[tuple[int, InboundMessage]]:
        """(position in the file, message) for each content message, in file order."""
        data = self._load(day.path, required=True)
        if not isinstance(data, list):
            raise PayloadError(f"{day.path}: expected a list of messages")
        channel_type = "group" if day.channel.private else "channel"
        for index, message in enumerate(data):
            if not isinstance(message, dict) or message.get("type", "message") != "message":
                continue
            if message.get("subtype") not in CONTENT_SUBTYPES:
                continue
            try:
                ref = message_ref(self.team_id, day.channel.id, message, channel_type)
                user = self.users.get(ref.user_id) or {}
                yield (
                    index,
                    to_inbound(
                        ref,
                        message,
                        channel_name=f"#{day.channel.name}",
                        author_name=self.author_name(message),
                        link=archive_link(self.workspace_url, ref.channel_id, ref.ts, ref.thread_ts),
                        is_bot=is_bot_message(message) or bool(user.get("is_bot")),
                        names=self.names,
                    ),
                )
            except PayloadError:
                continue  # a message without ts or author cannot be keyed; skip it
