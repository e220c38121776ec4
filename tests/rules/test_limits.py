"""Bounds that keep rules cheap: file size, regex program size, how much of a message is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from rules import RulesError, load_rules
from rules.conditions import MAX_CLASSIFIED_CHARS
from rules.ruleset import MAX_RULES_BYTES
from tests.rules.support import HEADER, routed, ruleset

PATHOLOGICAL = "(a|b|c|d){1000}" * 20


def test_rules_check_refuses_a_regex_too_complex_for_re2_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        HEADER + "routes:\n  - name: heavy\n    when: {regex: '" + PATHOLOGICAL + "'}\n    to: [product]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2
    line = len(HEADER.splitlines()) + 3
    assert f"{path}:{line}:19: routes[0].when.regex: regex too complex: it compiles to" in result.output
    assert "the limit is 5000" in result.output


def test_a_regex_of_ordinary_size_is_accepted() -> None:
    rs = ruleset("""
        - name: codes
          when: {regex: '(a|b|c|d){1000}'}
          to: [product]
    """)
    assert routed(rs, "abcd" * 250) == [("codes", ("product",), None)]


def test_a_rules_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    filler = "# " + "x" * 1000 + "\n"
    path.write_text(HEADER + filler * (MAX_RULES_BYTES // len(filler) + 1), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}: the file is larger than 2 MiB, the most a rules file may be (is it the right file?)"
    )
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2 and "larger than 2 MiB" in result.output


def test_only_the_first_max_classified_chars_are_classified() -> None:
    rs = ruleset("""
        - name: bug
          when: {keyword: バグ}
          to: [product]
        - name: code
          when: {regex: 'e5\\d\\d'}
          to: [cs]
    """)
    padding = "あ" * (MAX_CLASSIFIED_CHARS - 2)
    assert routed(rs, padding + "バグ") == [("bug", ("product",), None)]
    assert routed(rs, padding + "。バグ") == []
    assert routed(rs, padding + "。e500") == []
