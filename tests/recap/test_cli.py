"""``kakehashi recap`` and ``kakehashi agenda`` on a seeded SQLite database."""

from __future__ import annotations

import asyncio
import json
import re
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
    data = json.loads(result.output)  # data, not the rendered post
    assert data["locale"] == "ja" and data["period"]["first_day"] == "2026-11-16"
    [cs] = data["departments"]
    assert (cs["department"], cs["total"], cs["previous_total"]) == ("cs", 2, 1)
    assert cs["unanswered"]["items"][0]["link"] == "https://community.example.com/slack/community/q2"
    assert data["helpers"][0] == {"name": "hiro", "answers": 2}


def test_agenda_json_with_a_period(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["agenda", "--period", "2026-11-16..2026-11-22", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "agenda" and data["window"]["last_day"] == "2026-11-22"
    assert [d["new_total"] for d in data["departments"]] == [4, 2, 2]


def test_agenda_bad_period(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["agenda", "--period", "fortnight"], env=env)
    assert result.exit_code == 1
    assert "fortnight" in result.output


def test_recap_unknown_department(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["recap", "markting"], env=env)
    assert result.exit_code == 1
    assert "部門「markting」はありません。もしかして: marketing" in result.output


def test_agenda_markdown(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["agenda", "--format", "markdown"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## 定例会アジェンダ ")
    assert "### 製品開発\n" in result.output and "### マーケティング\n" in result.output


def test_a_past_period_is_told_as_of_its_end(env: dict[str, str]) -> None:
    """Ages in a recap of a past week count to the week's end, not to today ("24日経過" a month on)."""
    args = ["recap", "product", "--period", "2026-11-16..2026-11-22"]
    today = CliRunner().invoke(main, args, env=env)
    then = CliRunner().invoke(main, [*args, "--as-of", "2026-11-22"], env=env)
    assert today.exit_code == 0 and then.exit_code == 0, today.output + then.output
    assert today.output == then.output
    ages = [int(days) for days in re.findall(r"(\d+)日経過", today.output)]
    assert ages and max(ages) <= 13  # the seeded items are from the fortnight 2026-11-09..22
    last_week = CliRunner().invoke(main, ["recap", "product", "--as-of", "2026-11-25"], env=env)
    assert last_week.output.splitlines()[0] == today.output.splitlines()[0]  # last-week, as of the 25th


def test_agenda_as_of_a_date(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["agenda", "--as-of", "2026-11-18", "--format", "markdown"], env=env)
    assert result.exit_code == 0, result.output
    title = result.output.splitlines()[0]
    assert title.startswith("## 定例会アジェンダ 2026-11-") and "2026-11-1" in title.split("（", 1)[1], title
    bad = CliRunner().invoke(main, ["agenda", "--as-of", "18 Nov"], env=env)
    assert bad.exit_code == 2 and "'18 Nov'" in bad.output and "--as-of" in bad.output  # in the rules' locale
