"""Logs: JSON lines with a time zone when stderr is not a terminal, readable lines when it is."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.cli.logs import configure_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    logging.getLogger("kakehashi.test").warning("チャンネル %s に届きません", "#dept-product")
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["level"] == "WARNING" and record["logger"] == "kakehashi.test"
    assert record["message"] == "チャンネル #dept-product に届きません"
    assert record["time"].endswith("+00:00") and "T" in record["time"]


def test_readable_lines_on_a_terminal() -> None:
    stream = Terminal()
    configure_logging("INFO", stream)
    logging.getLogger("kakehashi.test").info("serving")
    line = stream.getvalue().splitlines()[-1]
    assert line.endswith(" INFO kakehashi.test: serving")
    stamp = line.split(" INFO ")[0]
    assert stamp[-5] in "+-" and stamp[-4:].isdigit()  # 2026-12-03 20:00:00+0900: with the offset
