"""The README's first screen stays true: CI runs exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def first_screen_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme.split("\n---\n", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", head, flags=re.S)]


def test_readme_first_screen_has_the_two_commands() -> None:
    setup, tests = first_screen_commands()
    assert setup.endswith("kakehashi demo")
    assert tests.endswith("pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _, tests = first_screen_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_teams_manifest_links_land_on_readme_sections() -> None:
    """The Teams package's privacy and terms links are anchors of this README."""
    manifest = (ROOT / "bot" / "data" / "teams-manifest.json").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = {
        line[3:].strip().lower().replace(" ", "-") for line in readme.splitlines() if line.startswith("## ")
    }
    anchors = re.findall(r'"(?:privacyUrl|termsOfUseUrl)": "[^"#]*#([^"]+)"', manifest)
    assert anchors == ["privacy", "license"]
    assert set(anchors) <= headings


def test_architecture_names_every_module() -> None:
    """The house at a glance stays true: each module of the four packages is named in README's
    Architecture section (a new module added without a word there fails here)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z0-9_]+)`", section)) | set(re.findall(r"([a-z0-9_]+)\.py", section))
    missing = []
    for package in ("bot", "rules", "storage", "adapters"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.stem == "__init__" or ("migrations" in path.parts and path.parent.name != "versions"):
                continue
            if path.stem not in named:
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"README's Architecture section does not name: {', '.join(missing)}"
