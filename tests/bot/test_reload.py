"""Hot reload: a broken rules file, of any kind, keeps the last good rules and says why."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.pipeline.reload import RulesHolder
from tests.rules.support import HEADER, message

GOOD = HEADER + "routes:\n  - {name: bug, when: {keyword: バグ}, to: [product], tag: bug}\n"
BROKEN = {
    "yaml syntax": "routes: [",
    "unknown key": GOOD.replace("keyword:", "keywrd:"),
    "unknown department": GOOD.replace("to: [product]", "to: [prodcut]"),
    "bad regex": GOOD.replace("{keyword: バグ}", "{regex: '('}"),
    "deep nesting": "version: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n",
    "not utf-8": None,
    "deleted": None,
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_bad_reload_keeps_the_last_good_rules(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    holder = RulesHolder(path)
    if kind == "not utf-8":
        path.write_bytes(GOOD.encode("shift_jis"))
    elif kind == "deleted":
        path.unlink()
    else:
        path.write_text(BROKEN[kind] or "", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="kakehashi.rules"):
        assert holder.reload() is False
    [match] = holder.current.classify(message("ログインでバグが出ます"))
    assert (match.route, match.departments) == ("bug", ("product",))
    assert "keeping the last good rules" in caplog.text and str(path) in caplog.text


def test_the_admins_read_a_failed_reload_in_the_rules_language_and_the_log_stays_english(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")  # no locale: ja
    holder = RulesHolder(path)
    heard: list[str] = []
    holder.on_failure(heard.append)  # what the admin channel's notice lists
    path.write_text(BROKEN["unknown department"] or "", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="kakehashi.rules"):
        assert holder.reload() is False
    [problems] = heard
    assert problems.startswith(f"{path}:")
    assert "部門 'prodcut' はありません。'product' のつもりですか？" in problems
    assert "unknown department 'prodcut'; did you mean 'product'?" in caplog.text  # operators grep this
    assert "部門 'prodcut'" not in caplog.text
