"""click's help screens in the command line's language: click's own words ("Usage:", "Options",
"[default: …]", the --help option's line) from the texts table, and Japanese wrapped by terminal
cells (a kana or kanji takes two) with no line starting with 、。） or ending with （「, through
click's formatter and context classes."""

from __future__ import annotations

import re
from collections.abc import Iterable

import click

from bot.cli.language import h
from bot.cli.wrap import is_wide, wrap_cells

# what click writes through gettext, and our key for it
_CLICK_WORDS = {
    "Show this message and exit.": "help.option.help",
    "Show the version and exit.": "help.option.version",
}
_EXTRA = re.compile(r"\[(default|required)(?=[:\]])")


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]


class Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{h('help.usage')} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        key = f"help.heading.{heading}"
        text = h(key)
        super().write_heading(heading if text == key else text)

    def write_text(self, text: str) -> None:
        if not is_wide(text):
            super().write_text(text)
            return
        indent = " " * self.current_indent
        blocks = [
            "\n".join(indent + line for line in wrap_cells(p, self.width - len(indent)))
            for p in _paragraphs(text)
        ]
        self.write("\n\n".join(blocks))
        self.write("\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _local(text)) for term, text in rows]
        if not any(is_wide(text) for _, text in rows):
            super().write_dl(rows, col_max, col_spacing)
            return
        first_col = min(max(click.formatting.term_len(term) for term, _ in rows), col_max) + col_spacing
        margin = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if click.formatting.term_len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - click.formatting.term_len(term)))
            else:
                self.write("\n" + margin)
            width = max(self.width - first_col - 2, 10)
            lines = [line for p in _paragraphs(text) for line in wrap_cells(p, width)]
            self.write(f"{lines[0]}\n" if lines else "\n")
            for line in lines[1:]:
                self.write(f"{margin}{line}\n")


def _local(text: str) -> str:
    key = _CLICK_WORDS.get(text)
    text = h(key) if key else text
    return _EXTRA.sub(lambda found: "[" + h(f"help.{found.group(1)}"), text)


class Context(click.Context):
    formatter_class = Formatter


def localise(command: click.Command) -> None:
    """Give ``command`` and every command under it the formatter above."""
    command.context_class = Context
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localise(sub)
