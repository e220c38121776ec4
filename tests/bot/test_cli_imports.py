"""`kakehashi --help` answers without loading the database, the platforms' SDKs or the charts.

Each command imports what it needs when it runs; the help screens are read from the command
definitions alone.  Checked by what a fresh interpreter has in ``sys.modules`` afterwards, not by
a time (performance is measured in bench/, with the numbers in the README).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "matplotlib",
    "aiohttp",
    "httpx",
    "apscheduler",
    "holidays",
    "PIL",
)
# Run the console script's entry point as `kakehashi ARGS` does, then report what got imported.
PROBE = """
import json, sys
from bot.cli.main import main
try:
    main(sys.argv[1:], prog_name="kakehashi")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded_by(*args: str) -> tuple[str, set[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "KAKEHASHI_LOCALE": "en"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    *shown, last = result.stdout.strip().splitlines()
    report = json.loads(last)
    assert report["code"] == 0, result.stderr
    return "\n".join(shown), set(report["modules"])


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("recap", "--help"),
        ("agenda", "--help"),
        ("rules", "test", "--help"),
        ("doctor", "--help"),
        ("stats", "--help"),
        ("init", "--help"),
    ],
)
def test_help_loads_no_database_platform_or_chart_library(args: tuple[str, ...]) -> None:
    shown, modules = loaded_by(*args)
    assert "Usage: kakehashi" in shown
    assert sorted(modules & set(HEAVY)) == []


def test_the_top_help_still_lists_every_command() -> None:
    shown, _ = loaded_by("--help")
    for command in ("agenda", "db", "demo", "doctor", "import", "init", "outbox", "quarantine", "recap"):
        assert f"  {command} " in shown
    for command in ("rules", "serve", "slack-manifest", "stats", "teams-manifest"):
        assert f"  {command} " in shown


def test_a_command_that_runs_still_loads_what_it_needs(tmp_path: Path) -> None:
    """The lazy imports are real imports: `rules check` loads the rule engine and says OK."""
    shown, modules = loaded_by("rules", "check", str(ROOT / "bot" / "data" / "rules.yaml"))
    assert ": OK —" in shown
    assert "rules" in modules
