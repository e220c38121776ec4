"""History imports: a Slack workspace export, or a Discourse forum through its API.

Every message of the source channels is classified and stored like a live one
(``dispatcher.handle_message``), without reposting unless asked, so recaps and stats cover the
past at once.  Items stored without reposting are ``archived``: counted as received, never open
work (see ``storage.items.ARCHIVED``).  Resumable: a cursor per export file is kept in the
database (the position reached, then ``done``); idempotent: the message keys equal the live ones,
so a second run stores nothing.
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
        mark = await store.get_cursor(name)
        if mark == "done":
            report.files_skipped += 1
            on_file(day)
            continue
        start = int(mark) if mark and mark.isdigit() else 0
        done_since_checkpoint = 0
        for index, msg in export.messages(day):
            if index < start:
                continue
            outcome = await dispatcher.handle_message(msg, repost=repost)
            report.count(outcome.status)
            done_since_checkpoint += 1
            if done_since_checkpoint >= CHECKPOINT_EVERY:
                await store.set_cursor(name, str(index + 1))
                done_since_checkpoint = 0
        await store.set_cursor(name, "done")
        on_file(day)
    return report
