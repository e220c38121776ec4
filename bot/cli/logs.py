"""Log lines for people on a terminal, JSON lines (with the time zone) for everything else.

A container's stderr, journald or a file is not a terminal: there each record is one JSON object
(``time`` in ISO 8601 with its offset, ``level``, ``logger``, ``message``, and ``exc_info`` when
there is a traceback) that log collectors read without a parsing rule.
"""

from __future__ import annotations

import logging
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

QUIET = ("apscheduler", "alembic", "aiohttp.access", "httpx", "slack_sdk")


def formatter(stream: TextIO) -> logging.Formatter:
    if stream.isatty():
        return logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S%z"
        )
    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # UTC, ISO 8601 with +00:00
        json_ensure_ascii=False,
    )


def configure_logging(level: str, stream: TextIO) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(stream))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler], force=True)
    if level != "DEBUG":  # the libraries' routine chatter (each job run, migration step, HTTP call,
        # and slack_sdk's "A retry handler found" next to bolt's own "Failed to connect" line)
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.WARNING)
