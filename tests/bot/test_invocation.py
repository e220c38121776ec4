"""The hints the CLI prints name a command that runs when copied (README's first screen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.cli.invocation import command_prefix


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True)
    script = folder / "kakehashi"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_venv_binary_not_on_path_is_named_by_its_path(tmp_path: Path) -> None:
    script = _script(tmp_path / ".venv" / "bin")
    assert command_prefix(str(script), path="/usr/bin", cwd=tmp_path) == os.path.join(
        ".venv", "bin", "kakehashi"
    )
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    assert command_prefix(str(script), path="/usr/bin", cwd=elsewhere) == str(script)


def test_binary_on_path_is_just_kakehashi(tmp_path: Path) -> None:
    script = _script(tmp_path / "bin")
    assert command_prefix(str(script), path=str(tmp_path / "bin"), cwd=tmp_path) == "kakehashi"


def test_python_m_points_at_the_venv_script_when_there_is_one(tmp_path: Path) -> None:
    sibling = Path(sys.executable).parent / "kakehashi"
    got = command_prefix("/src/bot/cli/main.py", path="/nowhere", cwd=tmp_path)
    assert got == (str(sibling.absolute()) if sibling.exists() else "kakehashi")
