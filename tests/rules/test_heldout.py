"""The shipped rules against held-out community messages they were not written from: the long
example (bot/data/examples/sample-company.yaml, the bundled default until issue 11) at its old
floors, and the short intent-based starter (bot/data/rules.yaml) at its own, further down.

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
    rules = load_rules(ROOT / "bot" / "data" / "examples" / "sample-company.yaml")
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
    rs = load_rules(ROOT / "bot" / "data" / "examples" / "sample-company.yaml")
    assert {d for m in rs.classify(message(text)) for d in m.departments} == {"product"}


# -- the short starter (bot/data/rules.yaml) -----------------------------------------------------
#
# The starter follows issue 11's convention, as the shared routing development set does:
# something broken goes to product AND cs, and a question or a frustration may also reach product,
# praise may also reach pr, a pricing question may also reach cs. The held-out files label those
# as one department (the long example's convention), so here a single-department label with one of
# those tags is read as `must` that department, `ok` the other; every other label stays exact.
ALSO_OK = {"bug": "cs", "question": "product", "frustration": "product", "testimonial": "pr", "pricing": "cs"}


def _as_must_ok(record: dict[str, object]) -> dict[str, object]:
    expected = record.get("expected")
    tag = record.get("expected_tag")
    if isinstance(expected, list) and len(expected) == 1 and isinstance(tag, str) and tag in ALSO_OK:
        converted = {k: v for k, v in record.items() if k != "expected"}
        return {**converted, "must": expected[0], "ok": [ALSO_OK[tag]]}
    return record


@dataclass(frozen=True, slots=True)
class StarterFloors:
    file: str
    accuracy: float
    max_routed_negatives: int


STARTER = [
    # first measured on 2026-12-03 (blind for the starter: its intents were written before these
    # files were scored, then tuned on the shared dev set and the kinds of phrasing, see the
    # fixtures README): 223/277, 172/238, 128/170, 130/184. After the second round of intents
    # (staff, answers in threads, more phrasings; same day): 229/277 with 11 of 58 negatives routed
    # (figurative 'bug'/'エラー'/'落ちた'), 174/238 (5 of 57), 132/170 (2 of 35), 133/184 (3 of 34).
    # Third round (blind5's misses read): 235/277 (7 negatives routed), 177/238 (5), 137/170 (1),
    # 137/184 (2) — these four files were not read in that round, so the gain is a fair sign.
    # Fourth round (blind6's misses read): 237/277 (7), 183/238 (4), 139/170 (1), 139/184 (2).
    StarterFloors("heldout.jsonl", accuracy=0.85, max_routed_negatives=8),
    StarterFloors("heldout2.jsonl", accuracy=0.76, max_routed_negatives=5),
    StarterFloors("heldout3.jsonl", accuracy=0.81, max_routed_negatives=2),
    StarterFloors("heldout4.jsonl", accuracy=0.75, max_routed_negatives=3),
]


@pytest.fixture(scope="module", params=STARTER, ids=[s.file for s in STARTER])
def starter(request: pytest.FixtureRequest) -> tuple[StarterFloors, Evaluation]:
    floors: StarterFloors = request.param
    records = [(line, _as_must_ok(record)) for line, record in read_records(FIXTURES / floors.file)]
    return floors, evaluate(load_rules(ROOT / "bot" / "data" / "rules.yaml"), records)


def test_starter_accuracy_floor(starter: tuple[StarterFloors, Evaluation]) -> None:
    floors, evaluation = starter
    assert evaluation.correct / evaluation.labelled >= floors.accuracy, _misses(evaluation, "ok")


def test_starter_leaves_hard_negatives_alone(starter: tuple[StarterFloors, Evaluation]) -> None:
    floors, evaluation = starter
    routed = [r for r in evaluation.results if r["expected"] == [] and r["departments"]]
    assert len(routed) <= floors.max_routed_negatives, [
        f"{r['departments']}: {r['text'][:60]!r}" for r in routed
    ]


def test_starter_on_the_blind_intents_set() -> None:
    """tests/fixtures/rules/blind-intents.jsonl (must/ok/source rows, written before the intents):
    133/161 on its first run, 142/161 on 2026-12-03, then 156/161 after its misses were read for the
    second round of intents (so it is no longer blind: a regression floor only); every kind of
    message at least 60%."""
    ev = evaluate(
        load_rules(ROOT / "bot" / "data" / "rules.yaml"), read_records(FIXTURES / "blind-intents.jsonl")
    )
    assert ev.correct / ev.labelled >= 0.95, _misses(ev, "ok")
    assert all(tally.ratio >= 0.6 for tally in ev.by_source.values()), ev.summary()["sources"]


def test_starter_on_the_bundled_sample_community() -> None:
    """The demo's sample (bot/data/sample_community.jsonl) with the starter, scored as the running bot
    treats each line (its channel, its author: the sample company's staff are the starter's
    `staff`). The sample was labelled for the long example rules, in exact department sets; for
    issue 11 its one-department labels and the pairs the convention allows (a bug to product may
    also reach cs, a question or a complaint to cs may also reach product, praise may also reach
    pr, a pricing question cs) became must/ok rows, as in the shared development set.
    Japanese and English lines are scored apart (sources sample-ja / sample-en)."""
    rs = load_rules(ROOT / "bot" / "data" / "rules.yaml")
    ev = evaluate(rs, read_records(ROOT / "bot" / "data" / "sample_community.jsonl"))
    assert ev.labelled == 243
    # measured on 2026-12-03: 218/243 (89.7%): English 92%, Japanese 88% (48% before issue 11's
    # staff, answer and channel handling; 74.5% before the intents learned more phrasings)
    assert ev.correct / ev.labelled >= 0.88, _misses(ev, "ok")
    assert all(tally.ratio >= 0.86 for tally in ev.by_source.values()), ev.summary()["sources"]


def test_starter_on_the_fifth_blind_set() -> None:
    """tests/fixtures/rules/blind5.jsonl (240 must/ok/source rows by someone who had not seen the
    rules): 180/240 (75.0%) on its blind first run, both chatter sources 70%; 231/240 after its misses
    were read. A floor from now on; every source at least 85%."""
    ev = evaluate(load_rules(ROOT / "bot" / "data" / "rules.yaml"), read_records(FIXTURES / "blind5.jsonl"))
    assert ev.labelled == 240
    assert ev.correct / ev.labelled >= 0.94, _misses(ev, "ok")
    assert all(tally.ratio >= 0.85 for tally in ev.by_source.values()), ev.summary()["sources"]


def test_starter_on_the_sixth_blind_set() -> None:
    """tests/fixtures/rules/blind6.jsonl (240 must/ok/source rows, other domains, by someone who had
    not seen the rules): 177/240 (73.8%) on its blind first run; 224/240 after its misses were read."""
    ev = evaluate(load_rules(ROOT / "bot" / "data" / "rules.yaml"), read_records(FIXTURES / "blind6.jsonl"))
    assert ev.labelled == 240
    assert ev.correct / ev.labelled >= 0.92, _misses(ev, "ok")
    assert all(tally.ratio >= 0.8 for tally in ev.by_source.values()), ev.summary()["sources"]
