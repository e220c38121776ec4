"""The CLI's one way to turn the exception tree into click's one-line error (exit 1, no traceback)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from bot.core.errors import KakehashiError
from bot.settings import Settings

T = TypeVar("T")


@contextmanager
def user_errors() -> Iterator[None]:
    """A KakehashiError inside becomes ``Error: <message>`` on stderr and exit code 1."""
    try:
        yield
    except KakehashiError as exc:
        raise click.ClickException(str(exc)) from None


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
