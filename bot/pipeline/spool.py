"""Events acknowledged before their work was done, kept in a file until it is (issue 13).

Slack never redelivers an event it got its 200 for.  When handling one takes longer than the ack
budget (a slow Web API), the event is acked and finished in the background
(``bot.pipeline.after_ack``); before the ack it is written here, and it is crossed out only once
its work is done.  A database or Web API outage, however long, or a killed process, therefore
never loses it: it is replayed when the outage is over, and at the next start.

The file is append-only JSON lines, each written with ``fsync`` before the call returns::

    {"add": 3, "kind": "message", "data": {...}}   an event waiting
    {"done": 3}                                    its work is done
    {"failed": 3, "reason": "..."}                 it failed for a reason waiting cannot fix:
                                                   kept, retried at the next start

A last line cut short by a crash is skipped: its event had not been acked yet, so the platform
sends it again.  Files are created on the first event that needs one, in ``folder`` (under
``KAKEHASHI_DATA_DIR``), one per process: ``after-ack-<n>.jsonl`` beside ``after-ack-<n>.lock``,
which the process holds (``flock``) while it runs.  At start a process takes over every file no
running process holds (its own from before a crash, a replica's that went away) and compacts
what is still waiting into its own.  Replaying an event twice is harmless: messages are stored
once per key.

Plain blocking file calls: the async side calls them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, one process per folder
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("kakehashi.spool")

STEM = "after-ack"


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    kind: str
    data: dict[str, Any]
    failed: str | None = None  # why, when it failed for a reason waiting cannot fix


def _lock(path: Path) -> IO[bytes] | None:
    """The lock file opened and locked, or None when another process holds it."""
    handle = open(path, "a+b")  # noqa: SIM115 - held open for the life of the spool
    if fcntl is None:
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def read_entries(path: Path) -> dict[int, Entry]:
    """What is still waiting (or failed) in one spool file, by id; damaged lines are skipped."""
    entries: dict[int, Entry] = {}
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return entries
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if "add" in record:
                entries[int(record["add"])] = Entry(int(record["add"]), str(record["kind"]), record["data"])
            elif "done" in record:
                entries.pop(int(record["done"]), None)
            elif "failed" in record and int(record["failed"]) in entries:
                entry = entries[int(record["failed"])]
                entries[entry.id] = Entry(entry.id, entry.kind, entry.data, str(record.get("reason") or "?"))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("%s:%d: skipped a damaged line (a write cut short by a crash?)", path, number)
    return entries


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot sync a folder; the rename stands
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._mutex = threading.Lock()
        self._locks: dict[int, IO[bytes]] = {}  # index -> held lock file
        self._own: int | None = None  # index of the file new entries go to
        self._file: IO[bytes] | None = None
        self._entries: dict[int, Entry] = {}
        self._next = 1

    @property
    def path(self) -> Path | None:
        """The file new entries go to (None before the first)."""
        return None if self._own is None else self._data(self._own)

    def _data(self, index: int) -> Path:
        return self.folder / f"{STEM}-{index}.jsonl"

    def open(self) -> list[Entry]:
        """Take over every spool file in ``folder`` no running process holds; return what waits."""
        with self._mutex:
            if not self.folder.is_dir():
                return []
            for lock_path in sorted(self.folder.glob(f"{STEM}-*.lock")):
                index_text = lock_path.stem.removeprefix(f"{STEM}-")
                if not index_text.isdigit() or int(index_text) in self._locks:
                    continue
                handle = _lock(lock_path)
                if handle is not None:
                    self._locks[int(index_text)] = handle
            found: list[Entry] = []
            for index in sorted(self._locks):
                found.extend(read_entries(self._data(index)).values())
            if not found:
                return []
            self._own = min(self._locks)
            self._entries = {}
            for number, entry in enumerate(found, start=1):
                self._entries[number] = Entry(number, entry.kind, entry.data, entry.failed)
            self._next = len(found) + 1
            self._rewrite()
            for index in sorted(self._locks):  # taken over: now in our own file
                if index != self._own:
                    self._data(index).unlink(missing_ok=True)
            log.warning(
                "%d event(s) acked before a restart were not finished: replaying them from %s",
                len(found),
                self.path,
            )
            return list(self._entries.values())

    def _rewrite(self) -> None:
        """Our file rewritten with only what still waits (a temporary file renamed over it)."""
        assert self._own is not None
        target = self._data(self._own)
        temporary = target.with_suffix(".jsonl.tmp")
        with open(temporary, "wb") as out:
            os.chmod(temporary, 0o600)  # message text: readable by kakehashi's user only
            for entry in self._entries.values():
                out.write(self._line({"add": entry.id, "kind": entry.kind, "data": entry.data}))
                if entry.failed is not None:
                    out.write(self._line({"failed": entry.id, "reason": entry.failed}))
            out.flush()
            os.fsync(out.fileno())
        if self._file is not None:
            self._file.close()
        os.replace(temporary, target)
        _fsync_folder(self.folder)
        self._file = open(target, "ab")  # noqa: SIM115 - appended to until close()

    @staticmethod
    def _line(record: dict[str, Any]) -> bytes:
        # ensure_ascii: NUL and lone surrogates become escapes, so every line is valid UTF-8
        return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"

    def _own_file(self) -> IO[bytes]:
        if self._file is not None:
            return self._file
        self.folder.mkdir(parents=True, exist_ok=True)
        index = 0
        while self._own is None:
            if index in self._locks:
                self._own = index
            else:
                handle = _lock(self.folder / f"{STEM}-{index}.lock")
                if handle is not None:
                    self._locks[index] = handle
                    self._own = index
            index += 1
        self._file = open(self._data(self._own), "ab")  # noqa: SIM115 - appended to until close()
        os.chmod(self._data(self._own), 0o600)
        _fsync_folder(self.folder)
        return self._file

    def _append(self, record: dict[str, Any]) -> None:
        handle = self._own_file()
        handle.write(self._line(record))
        handle.flush()
        os.fsync(handle.fileno())

    def add(self, kind: str, data: dict[str, Any]) -> Entry:
        """Keep an event (on disk when this returns)."""
        with self._mutex:
            entry = Entry(self._next, kind, data)
            self._append({"add": entry.id, "kind": kind, "data": data})
            self._next += 1
            self._entries[entry.id] = entry
            return entry

    def done(self, entry_id: int) -> None:
        """Its work is done: cross it out (the file is emptied once nothing waits)."""
        with self._mutex:
            if self._entries.pop(entry_id, None) is None:
                return
            if self._entries:
                self._append({"done": entry_id})
            else:
                self._rewrite()

    def fail(self, entry_id: int, reason: str) -> None:
        """Failed for a reason waiting cannot fix: kept, not retried before the next start."""
        with self._mutex:
            entry = self._entries.get(entry_id)
            if entry is None or entry.failed is not None:
                return
            self._entries[entry_id] = Entry(entry.id, entry.kind, entry.data, reason)
            self._append({"failed": entry_id, "reason": reason})

    def entries(self) -> list[Entry]:
        with self._mutex:
            return list(self._entries.values())

    def close(self) -> None:
        with self._mutex:
            if self._file is not None:
                self._file.close()
                self._file = None
            for handle in self._locks.values():
                handle.close()
            self._locks.clear()
            self._own = None
