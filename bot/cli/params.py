"""The parameter types of the command line, saying what they refuse in its language.

click's own types word a bad value in English (``'xml' is not one of …``); these are the same
types with the message from the texts table (``usage.*``).  ``bot.cli.usage`` frames it
("Invalid value for '--format': …") in the same language.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from bot.cli.language import m


def _choices(choice: click.Choice[Any], ctx: click.Context | None) -> str:
    return ", ".join(repr(str(c)) for c in choice.choices)


class Choice(click.Choice[str]):
    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return m("usage.choice", value=value, choices=_choices(self, ctx))

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return m("usage.choose_from", choices=_choices(self, ctx))


class Date(click.DateTime):
    """A day written 2026-01-31."""

    def __init__(self, formats: Sequence[str] = ("%Y-%m-%d",)) -> None:
        super().__init__(formats)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(m("usage.date", value=value), param, ctx)


class Integer(click.types.IntParamType):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(m("usage.integer", value=value), param, ctx)


INT = Integer()


class Path(click.Path):
    """click's Path; a file that is not there, or a folder given for a file, said in our words
    (the other refusals, rarer, keep click's)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            path = os.fsdecode(value)
            if self.exists and not os.path.lexists(path):
                self.fail(m("usage.no_file", path=path), param, ctx)
            if not self.dir_okay and os.path.isdir(path):
                self.fail(m("usage.is_folder", path=path), param, ctx)
            raise
