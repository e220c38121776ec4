"""Which language the command line speaks (ja or en), known before any rules are compiled.

The first of these that says ja or en wins:

1. ``KAKEHASHI_LOCALE`` (the environment, then ``./.env``): the command line's own setting;
2. the ``locale:`` of the rules in use (``KAKEHASHI_RULES``, else ``./rules.yaml``): the language
   the recaps, agendas and replies speak.  The bundled starter as shipped (used when there is no
   rules file; a clone's ./rules.yaml links to it) is nobody's choice and does not count;
3. ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first one set): ``ja_JP.UTF-8`` and any ``ja…`` mean ja;
4. en.

The rules file is not compiled for this: one line is read (``locale: ja`` at the top level), so
``kakehashi --help`` stays as light as before.  Help texts are chosen once, when the commands are
defined; messages ask again when they are shown (``message_locale``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from bot.core.errors import KakehashiError
from bot.core.texts import CATALOGUES, t
from bot.settings import ENV_FILE, bundled_rules_path, read_env_file

LOCALES = ("ja", "en")
VARIABLE = "KAKEHASHI_LOCALE"
_LOCALE_LINE = re.compile(r"^locale:[ \t]*[\"']?([A-Za-z_-]+)", re.M)


def environment() -> dict[str, str]:
    """The environment over ``./.env``, as the settings read them (a broken ``.env``: the environment)."""
    try:
        return {**read_env_file(ENV_FILE), **os.environ}
    except KakehashiError:
        return dict(os.environ)


def _known(value: str | None) -> str | None:
    value = (value or "").strip().casefold()
    return value if value in LOCALES else None


def is_starter(path: Path, text: str | None = None) -> bool:
    """``path`` is the bundled starter as shipped (a clone's ./rules.yaml links to it): nobody's choice."""
    bundled = bundled_rules_path()
    try:
        if path.resolve() == bundled.resolve():
            return True
        return (path.read_text(encoding="utf-8-sig") if text is None else text) == bundled.read_text(
            encoding="utf-8"
        )
    except (OSError, UnicodeDecodeError):
        return False


def rules_file_locale(env: Mapping[str, str]) -> str | None:
    """The top-level ``locale:`` of the rules file the commands would read, or None without one
    (or when it is the starter as shipped)."""
    raw = env.get("KAKEHASHI_RULES", "").strip()
    path = Path(raw) if raw else Path("rules.yaml")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if is_starter(path, text):
        return None
    match = _LOCALE_LINE.search(text)
    return _known(match.group(1)) if match else None


def system_locale(env: Mapping[str, str]) -> str:
    """ja when the first of LC_ALL, LC_MESSAGES, LANG that is set starts with ja, else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "ja" if value.casefold().startswith("ja") else "en"
    return "en"


def cli_locale(env: Mapping[str, str] | None = None, *, rules_locale: str | None = None) -> str:
    """The command line's language; ``rules_locale`` is the locale of rules already loaded (it
    stands in for the file's line)."""
    env = environment() if env is None else env
    return _known(env.get(VARIABLE)) or _known(rules_locale) or rules_file_locale(env) or system_locale(env)


def message_locale(rules_locale: str | None = None) -> str:
    """The language of a message shown now (the environment may differ from when help was built)."""
    return cli_locale(rules_locale=rules_locale)


@cache
def help_locale() -> str:
    return cli_locale()


def h(key: str, **values: object) -> str:
    """A help text (``help=``, ``short_help=``) in the command line's language."""
    return t(help_locale(), key, **values)


def m(key: str, **values: object) -> str:
    """A message in the command line's language, decided when it is shown."""
    return t(message_locale(), key, **values)


def mn(key: str, count: int, **values: object) -> str:
    """``m`` for a phrase about ``count`` things: ``KEY.one`` when it is 1 and the language has it."""
    locale = message_locale()
    singular = f"{key}.one"
    if count == 1 and singular in CATALOGUES.get(locale, {}):
        key = singular
    return t(locale, key, count=count, **values)
