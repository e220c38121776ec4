"""The Dockerfile does what README's "With Docker" says (docker itself does not run in the tests)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_keeps_the_readme_promises() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    runtime = docker.rsplit("\nFROM ", 1)[1]  # the final stage
    # every package pyproject installs is copied into the build stage
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for package in packages:
        assert f"COPY {package} ./{package}" in docker, package
    assert "COPY pyproject.toml README.md ./" in docker  # pyproject's readme
    # a non-root user owns the data volume, where the SQLite database lives; USER is numeric so
    # Kubernetes' runAsNonRoot can check it without looking the name up in /etc/passwd
    [user] = re.findall(r"^USER (\S+)$", runtime, flags=re.M)
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and (not gid or (gid.isdigit() and int(gid) != 0)), user
    assert f"--uid {uid}" in runtime
    assert "chown kakehashi:kakehashi /app/data" in runtime and "VOLUME /app/data" in runtime
    assert "DATABASE_URL=sqlite:////app/data/kakehashi.db" in runtime
    assert "KAKEHASHI_RULES=/app/rules.yaml" in runtime and "PORT=3000" in runtime
    assert "HEALTHCHECK" in runtime and "/healthz" in runtime
    assert 'CMD ["kakehashi", "serve"]' in runtime
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "-v kakehashi-data:/app/data" in readme and "/app/data/kakehashi.db" in readme
    # the chart's Japanese font comes with the package, not from the (font-less) slim image
    assert any(d.startswith("matplotlib-fontja") for d in project["project"]["dependencies"])
    # the licence pyproject names is shipped as a file
    assert project["project"]["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "tests" in ignored
