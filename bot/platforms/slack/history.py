"""History import: a Slack workspace export (a Discourse forum's history: ``bot.platforms.discourse``).

Every message of the source channels is classified and stored like a live one
(``dispatcher.handle_message``), without reposting unless asked, so recaps and stats cover the
past at once.  Items stored without reposting are ``archived``: counted as received, never open
work (see ``storage.items.ARCHIVED``).  Idempotent per message: the message keys equal the live
ones, so a message stored before (by an import or live) changes nothing.  Resumable: a cursor per
export file keeps the position reached, then ``done``, each with the file's fingerprint; a day
file already done is skipped only while it is the same file, so a later export whose file for
that day holds more messages is read again and stores the new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.slack_export import DayFile, SlackExport
from bot.pipeline.dispatcher import Dispatcher
from storage.store import Store

CHECKPOINT_EVERY = 100


@dataclass
class ImportReport:
    files: int = 0
    files_skipped: int = 0
    seen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.outcomes.get("stored", 0)

    def count(self, status: str) -> None:
        self.seen += 1
        self.outcomes[status] = self.outcomes.get(status, 0) + 1


def cursor_name(export: SlackExport, day: DayFile) -> str:
    return f"import:slack:{export.team_id}:{day.channel.id}:{day.path.rsplit('/', 1)[-1]}"


def resume_at(mark: str, fingerprint: str) -> int:
    """Where an interrupted run of the same file stopped (0: read it all; a plain number is the
    cursor of versions that kept no fingerprint)."""
    position, _, of = mark.partition(":")
    if position.isdigit() and of in ("", fingerprint):
        return int(position)
    return 0


async def import_slack_export(
    export: SlackExport,
    *,
    dispatcher: Dispatcher,
    store: Store,
    repost: bool = False,
    on_file: Callable[[DayFile], None] = lambda day: None,
) -> ImportReport:
    report = ImportReport()
    export.check()  # a damaged export fails here, before anything is stored
    for day in export.day_files():
        report.files += 1
        name = cursor_name(export, day)
        mark, fingerprint = await store.get_cursor(name) or "", export.fingerprint(day)
        if mark == f"done:{fingerprint}":
            report.files_skipped += 1
            on_file(day)
            continue
        start = resume_at(mark, fingerprint)
        done_since_checkpoint = 0
        for index, msg in export.messages(day):
            if index < start:
                continue
            outcome = await dispatcher.handle_message(msg, repost=repost, mirror=False)
            report.count(outcome.status)
            done_since_checkpoint += 1
            if done_since_checkpoint >= CHECKPOINT_EVERY:
                await store.set_cursor(name, f"{index + 1}:{fingerprint}")
                done_since_checkpoint = 0
        await store.set_cursor(name, f"done:{fingerprint}")
        on_file(day)
    return report
