"""The shipped rules against held-out community messages they were not written from.

tests/fixtures/rules/heldout*.jsonl (see the README next to them) were each written before the
default rules' keywords were read. The floors sit slightly under what the rules reach today,
so a change that makes routing worse for real-sounding posts fails here; raise them when the rules
improve.

All four sets were then used to tune the rules, so these numbers are no longer an estimate for unseen
messages. The honest ones are the first measurements: heldout.jsonl, and later heldout2.jsonl
(other products, keigo, Discourse posts, non-native English, sarcasm) at 151/238 (63%) exact
department sets and 159/238 (67%) tags with 10 of 57 negatives routed, when the rules already scored
87% on heldout.jsonl. heldout3.jsonl (dev tools, HR/accounting, design and no-code communities, Slack
one-liners and forum posts) measured blind at 114/170 (67%) department sets and 126/170 (74%) tags
with 5 of 35 negatives routed, when the rules scored 92% on each of the first two sets.
heldout4.jsonl (games and esports, a payments API, a store builder, an LLM API, smart-home devices,
education, 会計 / 勤怠 and a CMS) measured blind at 129/184 (70%) department sets and 143/184 (78%) tags
with 6 of 34 negatives routed, when the rules scored 93%, 94% and 91% on the first three (after the
contributor relabel described in the fixtures README). So expect roughly 70% on a new community's
messages before its own tuning; the gap is mostly domain words and the ways people phrase things.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.chat.rules_eval import Evaluation, evaluate, read_records
from rules import load_rules

from .support import message

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "rules"


@dataclass(frozen=True, slots=True)
class Floors:
    file: str
    min_messages: int
    min_negatives: int
    department_accuracy: float
    tag_accuracy: float
    max_routed_negatives: int


SETS = [
    # measured: 261/277 exact department sets, 266/277 tags, 8 of 58 negatives routed somewhere
    Floors("heldout.jsonl", 250, 50, department_accuracy=0.92, tag_accuracy=0.94, max_routed_negatives=9),
    # measured: 223/238 exact department sets, 227/238 tags, 4 of 57 negatives routed somewhere
    Floors("heldout2.jsonl", 220, 50, department_accuracy=0.92, tag_accuracy=0.93, max_routed_negatives=5),
    # measured after tuning: 157/170 exact department sets, 163/170 tags, 3 of 35 negatives routed
    Floors("heldout3.jsonl", 165, 30, department_accuracy=0.90, tag_accuracy=0.93, max_routed_negatives=4),
    # measured after tuning: 177/184 exact department sets, 180/184 tags, 2 of 34 negatives routed
    Floors("heldout4.jsonl", 180, 30, department_accuracy=0.93, tag_accuracy=0.95, max_routed_negatives=3),
]


@pytest.fixture(scope="module", params=SETS, ids=[s.file for s in SETS])
def heldout(request: pytest.FixtureRequest) -> tuple[Floors, Evaluation]:
    floors: Floors = request.param
    rules = load_rules(ROOT / "bot" / "data" / "rules.yaml")
    return floors, evaluate(rules, read_records(FIXTURES / floors.file))


def _misses(ev: Evaluation, key: str) -> list[str]:
    return [
        f"line {r['line']}: got {r['departments']} {r['tags']}: {r['text'][:60]!r}"
        for r in ev.results
        if r[key] is False
    ]


def test_the_set_is_labelled_and_balanced(heldout: tuple[Floors, Evaluation]) -> None:
    floors, evaluation = heldout
    assert evaluation.labelled == evaluation.tag_labelled == len(evaluation.results) >= floors.min_messages
    negatives = [r for r in evaluation.results if r["expected"] == []]
    assert len(negatives) >= floors.min_negatives
    assert {r["expected_tag"] for r in evaluation.results} == {
        None,
        "bug",
        "idea",
        "question",
        "frustration",
        "testimonial",
        "use_case",
        "pricing",
        "press",
        "contributor",
    }


def test_department_accuracy_floor(heldout: tuple[Floors, Evaluation]) -> None:
    floors, evaluation = heldout
    assert evaluation.correct / evaluation.labelled >= floors.department_accuracy, _misses(evaluation, "ok")


def test_tag_accuracy_floor(heldout: tuple[Floors, Evaluation]) -> None:
    floors, evaluation = heldout
    assert evaluation.tag_correct / evaluation.tag_labelled >= floors.tag_accuracy, _misses(
        evaluation, "tag_ok"
    )


def test_hard_negatives_stay_quiet(heldout: tuple[Floors, Evaluation]) -> None:
    floors, evaluation = heldout
    routed = [r for r in evaluation.results if r["expected"] == [] and r["departments"]]
    assert len(routed) <= floors.max_routed_negatives, [
        f"{r['departments']}: {r['text'][:60]!r}" for r in routed
    ]


def test_every_department_is_reached(heldout: tuple[Floors, Evaluation]) -> None:
    """Recall per department, so one department cannot silently go dark while the total holds."""
    _, evaluation = heldout
    for name, scores in evaluation.scores.items():
        assert scores.recall is not None and scores.recall >= 0.7, (name, scores.as_json())


@pytest.mark.parametrize(
    "text",
    [
        "The export doesn’t work since this morning",  # iOS / macOS smart apostrophe
        "Sync won’t load for anyone on our team",
        "Can’t log in — keeps saying invalid token",
    ],
)
def test_phone_keyboard_apostrophes_still_match(text: str) -> None:
    rs = load_rules(ROOT / "bot" / "data" / "rules.yaml")
    assert {d for m in rs.classify(message(text)) for d in m.departments} == {"product"}
