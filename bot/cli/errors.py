"""The CLI's one way to turn the exception tree into click's one-line error (exit 1, no traceback),
with click's "Error:" and "Try … for help." in the command line's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import click

from bot.cli.language import m, message_locale
from bot.cli.wrap import fit
from bot.core.errors import KakehashiError
from bot.settings import Settings

T = TypeVar("T")


class CliError(click.ClickException):
    """``Error: <message>`` (``エラー: …``) on stderr, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(fit(m("cli.error", message=self.format_message())), file=file, err=file is None)


class CliUsageError(click.UsageError):
    """A wrong combination of arguments: the usage line, where help is, and the error (exit 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        err = file is None
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), file=file, err=err)
            names = self.ctx.command.get_help_option_names(self.ctx)
            if names:
                hint = m("cli.try_help", command=self.ctx.command_path, option=max(names, key=len))
                click.echo(fit(hint), file=file, err=err)
            click.echo(file=file, err=err)
        click.echo(fit(m("cli.error", message=self.format_message())), file=file, err=err)


@contextmanager
def user_errors() -> Iterator[None]:
    """A KakehashiError inside becomes ``Error: <message>`` on stderr and exit code 1, the message
    in the command line's language where the error can say it (``KakehashiError.text``)."""
    try:
        yield
    except KakehashiError as exc:
        raise CliError(exc.text(message_locale())) from None


def settings_from_env() -> Settings:
    with user_errors():
        return Settings.from_env()


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    """``asyncio.run`` of a coroutine function, with user errors reported as above."""
    import asyncio  # here, not at the top: `kakehashi --help` does not load it

    async def main() -> T:
        return await coro_fn()

    with user_errors():
        return asyncio.run(main())
