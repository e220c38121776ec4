"""click's usage errors in the command line's language, exit code 2 as click gives them.

click words its parser errors in English through gettext (``No such option '--foo'.``).  The
top group (``Group``) catches each ``click.UsageError`` on its way out and raises it again as a
``CliUsageError`` worded from the pieces the exception carries: the option or command that was
typed and click's close matches, the parameter and its type.  Two errors carry only their text
(``Got unexpected extra argument (…)``, an option given a value it does not take): those are
read from click's English.  Anything else keeps click's words inside our frame ("エラー: …").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import IO, Any

import click
from click.exceptions import NoArgsIsHelpError

from bot.cli.errors import CliUsageError
from bot.cli.language import m, mn

_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)\Z", re.S)


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    names = ", ".join(repr(p) for p in sorted(possibilities))
    key = "usage.did_you_mean" if len(possibilities) == 1 else "usage.did_you_mean_any"
    return m(key, name=names, names=names)  # en begins with a space, ja (after 。) without


def _hint(exc: click.BadParameter) -> str | None:
    hint: Sequence[str] | str | None = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is None or isinstance(hint, str):
        return hint
    return " / ".join(repr(h) for h in hint)


def _missing(exc: click.MissingParameter) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
    hint = _hint(exc) or ""
    key = f"usage.missing.{kind}" if kind in ("argument", "option") else "usage.missing.parameter"
    text = m(key, hint=hint)
    extra = exc.param.type.get_missing_message(param=exc.param, ctx=exc.ctx) if exc.param else None
    return f"{text} {extra}" if extra else text


def wording(exc: click.UsageError) -> str | None:
    """``exc``'s message in the command line's language, or None when click's is all there is."""
    if isinstance(exc, click.NoSuchOption):
        return m("usage.no_such_option", name=exc.option_name) + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return m("usage.no_such_command", name=exc.command_name) + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        if hint is None:
            return m("usage.invalid", message=exc.message)
        return m("usage.invalid_for", hint=hint, message=exc.message)
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return m("usage.takes_no_value", name=exc.option_name)
        if "requires" in exc.message:
            return m("usage.needs_value", name=exc.option_name)
        return None
    if exc.message == "Missing command.":
        return m("usage.missing_command")
    extra = _EXTRA.match(exc.message)
    if extra:
        return mn("usage.extra", len(extra.group(1).split(" ")), args=extra.group(1))
    return None


def localised(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, CliUsageError | NoArgsIsHelpError):  # ours already, or the help screen
        return exc
    error = CliUsageError(wording(exc) or exc.format_message(), exc.ctx)
    return error


class Aborted(click.ClickException):
    """click's ``Aborted!`` (Ctrl-C, or the end of input at a question), in our words; exit code 1."""

    def __init__(self) -> None:
        super().__init__("Aborted!")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(m("usage.aborted"), file=file, err=file is None)


class Group(click.Group):
    """The top ``kakehashi`` group: every usage error under it leaves in the command line's language,
    and so does an abort (click would print ``Aborted!``)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise localised(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise localised(exc) from None
        except KeyboardInterrupt:
            click.echo(err=True)  # after the ^C, as click does
            raise Aborted() from None
        except click.Abort:
            raise Aborted() from None
