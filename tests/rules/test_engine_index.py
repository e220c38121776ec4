"""The engine's shortcuts decide nothing differently: indexing routes by keyword, one re2 pass for
every regex and one for every intent give exactly the matches and reasons of evaluating each
route, regex and intent in turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.domain import Classifiable
from rules import RuleSet, load_rules
from rules.conditions import MessageContext
from rules.engine import INDEXED_FROM, Engine, needed_keywords
from rules.intents import INTENTS

from .support import message, ruleset

ROOT = Path(__file__).resolve().parents[2]
WORDS = [
    "バグ",
    "落ち",
    "crash",
    "price",
    "見積",
    "登壇",
    "thanks",
    "解約",
    "slow",
    "export",
    "api",
    "ログイン",
]


def many_routes() -> RuleSet:
    """More siblings than INDEXED_FROM, with every kind of condition the index must respect."""
    routes = []
    for n in range(2 * INDEXED_FROM):
        word, other = WORDS[n % len(WORDS)], WORDS[(n * 5 + 3) % len(WORDS)]
        kind = n % 6
        when = {
            0: f"{{keyword: [{word}, {other}]}}",
            1: f"{{keyword: [{word}], intent: problem}}",
            2: f"{{any: [{{keyword: [{word}]}}, {{regex: ['{other}.{{0,20}}(a|e)']}}]}}",
            3: f"{{keyword: [{word}], not: {{keyword: [{other}]}}}}",
            4: f"{{regex: ['{word}|{other}']}}",
            5: f"{{any: [{{keyword: [{word}]}}, {{keyword: [{other}]}}], channel: '#community'}}",
        }[kind]
        nested = (
            f"\n  routes:\n    - {{name: inner{n}, when: {{keyword: [{other}]}}, to: [cs]}}"
            if kind == 3
            else ""
        )
        stop = "" if n % 4 == 0 else "\n  continue: true"
        routes.append(f"- name: r{n}\n  when: {when}\n  to: [product]{stop}{nested}")
    return ruleset("\n".join(routes))


def texts() -> list[str]:
    sample = ROOT / "bot" / "data" / "sample_community.jsonl"
    lines = [json.loads(line)["text"] for line in sample.read_text(encoding="utf-8").splitlines() if line]
    return lines + [f"{a} {b} はい" for a in WORDS for b in WORDS]


def plain(rules: RuleSet) -> Engine:
    """The same routes evaluated one by one, every regex searched on its own."""
    engine = rules._engine
    return Engine(engine.routes, engine.keywords, indexed_from=None)


def test_the_generated_rules_are_indexed() -> None:
    rules = many_routes()
    needs = [needed_keywords(route.when) for route in rules.routes]
    assert sum(n is not None for n in needs) >= INDEXED_FROM
    assert any(n is None for n in needs)  # regex and intent-only routes are always evaluated
    assert rules._engine.regexes is not None and len(rules._engine.regexes) > 1


@pytest.mark.parametrize(
    "path",
    [None, ROOT / "bot" / "data" / "rules.yaml", ROOT / "bot" / "data" / "examples" / "sample-company.yaml"],
)
def test_same_matches_and_reasons_as_route_by_route(path: Path | None) -> None:
    rules = many_routes() if path is None else load_rules(path)
    baseline = plain(rules)
    compared = 0
    for text in texts():
        msg: Classifiable = message(text)
        assert rules.classify(msg) == baseline.classify(msg), text
        compared += bool(baseline.classify(msg))
    assert compared > 20  # the texts do reach routes


def test_an_intent_the_set_rules_out_is_one_its_detector_does_not_find() -> None:
    keywords = many_routes()._engine.keywords
    for text in texts():
        ctx = MessageContext(message(text), keywords)
        for detector in INTENTS.values():
            assert ctx.intent(detector) == detector.find(ctx.text.text), (detector.name, text)


def _conditions(condition: object) -> list[object]:
    """``condition`` and every condition inside it."""
    inner = getattr(condition, "conditions", None) or (
        [condition.condition] if hasattr(condition, "condition") else []
    )
    return [condition, *(c for part in inner for c in _conditions(part))]


@pytest.mark.parametrize(
    "path",
    [None, ROOT / "bot" / "data" / "rules.yaml", ROOT / "bot" / "data" / "examples" / "sample-company.yaml"],
)
def test_holds_is_exactly_a_match(path: Path | None) -> None:
    """``holds`` (no reasons made, intents not searched for where) answers as ``match`` does, for
    every condition of every route, asked first or after ``match``."""
    rules = many_routes() if path is None else load_rules(path)
    engine = rules._engine
    conditions = [c for top in engine.routes for route in top.walk() for c in _conditions(route.when) if c]
    for text in texts():
        first = MessageContext(message(text), engine.keywords, engine.regexes)
        after = MessageContext(message(text), engine.keywords, engine.regexes)
        for condition in conditions:
            held = condition.match(after) is not None  # type: ignore[attr-defined]
            assert condition.holds(first) == held == condition.holds(after), (condition, text)  # type: ignore[attr-defined]
        for detector in INTENTS.values():
            ctx = MessageContext(message(text), engine.keywords, engine.regexes)
            assert ctx.shows(detector) == (detector.find(ctx.text.text) is not None), (detector.name, text)
