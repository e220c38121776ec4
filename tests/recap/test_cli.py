"""``kakehashi recap`` and ``kakehashi agenda`` on a seeded SQLite database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from storage.db import create_engine
from storage.migrate import upgrade
from storage.store import Store
from tests.recap.conftest import rules_file, seed


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        await seed(Store(engine))
        await engine.dispose()

    asyncio.run(prepare())
    return {"DATABASE_URL": url, "KAKEHASHI_RULES": str(rules_file(tmp_path))}


def test_recap_markdown(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["recap", "product", "--period", "2026-11-16..2026-11-22", "--format", "markdown"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "## 製品開発の週次まとめ（2026-11-16〜2026-11-22）\n\n### 受信した投稿（前週比）\n- バグ報告: 4件（+3）\n"
    )
    assert "[元の投稿](https://community.example.com/slack/community/b1)" in result.output


def test_recap_text_and_chart(env: dict[str, str], tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    result = CliRunner().invoke(
        main, ["recap", "--period", "2026-11-16..2026-11-22", "--chart", str(chart)], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "全部門のまとめ（2026-11-16〜2026-11-22）\n\n■ 製品開発\n  受信4件（+3）: バグ報告 4件\n"
    )
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_recap_json(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["recap", "cs", "--period", "2026-11-16..2026-11-22", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (
        payload["locale"] == "ja"
        and payload["title"] == "カスタマーサクセスの週次まとめ（2026-11-16〜2026-11-22）"
    )
    assert "未回答の質問" in [s["heading"] for s in payload["sections"]]


def test_recap_unknown_department(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["recap", "markting"], env=env)
    assert result.exit_code == 1
    assert "部門「markting」はありません。もしかして: marketing" in result.output


def test_agenda_markdown(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["agenda", "--format", "markdown"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## 定例会アジェンダ ")
    assert "### 製品開発\n" in result.output and "### マーケティング\n" in result.output
