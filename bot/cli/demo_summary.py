"""What ``kakehashi demo`` prints: one screen by default, every item with ``--verbose``.

Every message of the sample is accounted for once: ignored (and why), stored and routed, or
stored and matched by no route (grouped: replies in threads, new posts, by channel).  Tables wrap
or shorten on purpose to the console's width instead of cutting a reason in the middle.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from bot.cli.wrap import is_wide, wrap_cells
from bot.core.texts import t, tag_label
from rules import RuleSet
from storage.items import ItemView
from storage.models import Message

EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Tally:
    """Where each replayed message went."""

    replayed: int
    duplicates: int
    ignored: Counter[str]  # reason -> count
    stored: int
    routed_messages: int
    unmatched: tuple[Message, ...]


def shorten(text: str, cells: int) -> str:
    """One line of at most ``cells`` terminal cells (wide characters count two), "…" when cut."""
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    line = Text(flat)
    if line.cell_len <= cells:
        return flat
    line.truncate(max(cells - 1, 1))
    return line.plain + "…"


def say(console: Console, text: str, *, indent: int = 0) -> None:
    """A paragraph that wraps at the console's width, continuation lines indented like the first
    (Japanese between characters: rich would move a whole unspaced sentence to the next line)."""
    if is_wide(text):
        for line in wrap_cells(text, max(console.width - indent, 20)):
            console.print(Text(" " * indent + line), highlight=False)
        return
    console.print(Padding(Text(text), (0, 0, 0, indent), expand=False), highlight=False)


def one_line(console: Console, head: str, body: str, tail: str = "") -> None:
    """``head`` + ``body`` shortened to what is left of the line + ``tail``: exactly one line."""
    room = max(console.width, 40) - Text(head + tail).cell_len - 1
    line = Text(head + shorten(body, room) + tail, no_wrap=True, overflow="ellipsis")
    console.print(line, highlight=False)


def _ignored_label(locale: str, reason: str) -> str:
    key = f"demo.ignored.{reason.replace(' ', '_')}"
    text = t(locale, key)
    return reason if text == key else text


def print_tally(console: Console, locale: str, tally: Tally) -> None:
    say(console, t(locale, "demo.tally", replayed=tally.replayed, stored=tally.stored))
    say(console, t(locale, "demo.tally.routed", count=tally.routed_messages), indent=2)
    say(console, t(locale, "demo.tally.unmatched", count=len(tally.unmatched)), indent=2)
    if tally.ignored:
        reasons = ", ".join(
            t(locale, "demo.count", what=_ignored_label(locale, r), count=c)
            for r, c in tally.ignored.most_common()
        )
        say(console, t(locale, "demo.ignored", count=sum(tally.ignored.values()), reasons=reasons), indent=2)
    if tally.duplicates:
        say(console, t(locale, "demo.duplicates", count=tally.duplicates), indent=2)


def print_departments(console: Console, rules: RuleSet, views: Sequence[ItemView], locale: str) -> None:
    by_dept: dict[str, list[ItemView]] = {name: [] for name in rules.departments}
    for view in views:
        by_dept.setdefault(view.item.department, []).append(view)
    table = Table(title=t(locale, "demo.departments"), title_justify="left", box=None, pad_edge=False)
    table.add_column(t(locale, "demo.col.department"), no_wrap=True)
    table.add_column(t(locale, "demo.col.items"), justify="right", no_wrap=True)
    table.add_column(t(locale, "demo.col.open"), justify="right", no_wrap=True)
    table.add_column(t(locale, "demo.col.tags"), overflow="fold")
    for name, dept_views in by_dept.items():
        label = rules.departments[name].label if name in rules.departments else name
        tags = Counter(tag_label(locale, v.item.tag) for v in dept_views)
        waiting = sum(v.item.status in ("open", "in_progress", "needs_decision") for v in dept_views)
        table.add_row(
            label,
            str(len(dept_views)),
            str(waiting),
            "・".join(f"{tag} {count}" for tag, count in tags.most_common()),
        )
    console.print(table)


def pick_examples(views: Sequence[ItemView], count: int = EXAMPLES) -> list[ItemView]:
    """Routed items from as many departments as possible, by rules (not emoji), in replay order."""
    chosen: list[ItemView] = []
    seen_depts: set[str] = set()
    seen_messages: set[int] = set()
    for view in views:
        if len(chosen) == count:
            break
        if view.item.origin == "rule" and view.item.department not in seen_depts:
            chosen.append(view)
            seen_depts.add(view.item.department)
            seen_messages.add(view.message.id)
    for view in views:  # fewer departments than examples: fill with other messages
        if len(chosen) == count:
            break
        if view.message.id not in seen_messages and view.item.origin == "rule":
            chosen.append(view)
            seen_messages.add(view.message.id)
    return chosen


def print_examples(console: Console, rules: RuleSet, views: Sequence[ItemView], locale: str) -> None:
    console.print()
    console.print(t(locale, "demo.examples"), highlight=False)
    for number, view in enumerate(pick_examples(views), start=1):
        dept = rules.departments.get(view.item.department)
        head = f"{number}. {dept.label if dept else view.item.department}・{tag_label(locale, view.item.tag)}"
        say(console, head)
        one_line(console, f"   {view.message.author}「", view.message.text, "」")
        say(console, t(locale, "demo.why", reason=view.item.reason), indent=3)


def _channel_counts(messages: Iterable[Message]) -> str:
    counts = Counter(m.channel for m in messages)
    return ", ".join(f"{channel} {count}" for channel, count in counts.most_common())


def print_unmatched(console: Console, locale: str, unmatched: Sequence[Message], *, verbose: bool) -> None:
    if not unmatched:
        return
    replies = [m for m in unmatched if m.thread_key and m.thread_key != m.key]
    posts = [m for m in unmatched if not (m.thread_key and m.thread_key != m.key)]
    console.print()
    console.print(t(locale, "demo.unmatched", count=len(unmatched)), highlight=False)
    for key, group in (("demo.unmatched.posts", posts), ("demo.unmatched.replies", replies)):
        if not group:
            continue
        say(console, t(locale, key, count=len(group), channels=_channel_counts(group)), indent=2)
        shown = group if verbose else group[: EXAMPLES if key == "demo.unmatched.posts" else 0]
        for message in shown:
            one_line(console, f"    {message.channel} {message.author}「", message.text, "」")


def print_all_items(console: Console, rules: RuleSet, views: Sequence[ItemView], locale: str) -> None:
    """``--verbose``: every item per department; long texts shortened, reasons wrapped, never cut."""
    for name, dept in rules.departments.items():
        dept_views = [v for v in views if v.item.department == name]
        table = Table(
            title=t(locale, "demo.department", label=dept.label, name=name, count=len(dept_views)),
            title_justify="left",
            expand=True,
            show_lines=True,
        )
        table.add_column(t(locale, "demo.col.tag"), overflow="fold", ratio=1)
        table.add_column(t(locale, "demo.col.text"), overflow="fold", ratio=3)
        table.add_column(t(locale, "demo.col.reason"), overflow="fold", ratio=2)
        for view in dept_views:
            status = "" if view.item.status == "open" else f" ({t(locale, f'status.{view.item.status}')})"
            table.add_row(
                tag_label(locale, view.item.tag) + status,
                f"{view.message.author}: " + shorten(view.message.text, 80),
                view.item.reason,
            )
        console.print(table)
