"""How to type ``kakehashi`` here: the hints the CLI prints must work when copied.

Right after ``python3 -m venv .venv && .venv/bin/pip install .`` the command is not on ``PATH``;
a hint that says ``kakehashi stats`` then fails with "command not found".
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command_prefix(argv0: str | None = None, *, path: str | None = None, cwd: Path | None = None) -> str:
    """``kakehashi`` when that name on PATH is this program, else the path that runs it.

    The path is relative when it lies under the current folder (``.venv/bin/kakehashi``).  Run
    as ``python -m bot.cli.main`` there is no script to point at: the name is the best guess.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    here = Path(argv0)
    if here.name != "kakehashi" or not here.exists():
        sibling = Path(sys.executable).parent / "kakehashi"
        if here.name == "kakehashi" or not sibling.exists():
            return "kakehashi"
        here = sibling
    found = shutil.which("kakehashi", path=os.environ.get("PATH", "") if path is None else path)
    if found and Path(found).resolve() == here.resolve():
        return "kakehashi"
    absolute = here.absolute()
    try:
        return str(absolute.relative_to((cwd or Path.cwd()).absolute()))
    except ValueError:
        return str(absolute)
