"""``RuleSet.explain``: the nearest routes and what they lacked, the route that stopped the walk,
routes shadowed by an earlier match; and the optional route ``label``."""

from __future__ import annotations

from typing import Any

import pytest

from rules import Missing, Reason, RulesError, RuleSet, Stop, load_rules_text

from .support import HEADER, message, ruleset

ROUTES = r"""
- name: chatter
  label: 雑談
  when: {keyword: [ランチ, lunch]}
  to: []
- name: bug
  label: バグ報告
  when:
    any:
      - keyword: [不具合, 落ちる, crash, {word: bug}]
      - regex: 'http\s*5\d\d'
  to: [product, cs]
  tag: bug
- name: pricing
  when:
    all:
      - keyword: [料金, pricing]
      - not: {keyword: 無料}
  to: [sales]
- name: feedback
  when: {channel: "#feedback"}
  routes:
    - name: feedback-idea
      when: {keyword: [ほしい, would love]}
      to: [product]
- name: long-question
  when: {thread: top, min_length: 30, keyword: ["?", "？"]}
  to: [cs]
"""


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return ruleset(ROUTES)


def nearest(rs: RuleSet, text: str, **kwargs: Any) -> list[tuple[str, int, int, tuple[Missing, ...]]]:
    explanation = rs.explain(message(text, **kwargs))
    return [(c.route, c.satisfied, c.total, c.missing) for c in explanation.nearest]


TEXTS = [
    "料金は無料ですか",
    "a debug build",
    "ランチの後にアプリが落ちる",
    "HTTP 502 and crash",
    "would love dark mode",
    "ダークモードがほしい、料金は？",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("channel", ["#community", "#feedback"])
def test_explain_decides_as_classify_does(rs: RuleSet, text: str, channel: str) -> None:
    msg = message(text, channel=channel)
    assert rs.explain(msg).matches == rs.classify(msg)


def test_a_miss_lists_the_closest_routes_first_with_what_each_lacked(rs: RuleSet) -> None:
    assert nearest(rs, "料金は無料ですか") == [
        (
            "pricing",
            1,
            2,
            (
                Missing(
                    "routes[2].when.all[1].not",
                    "not",
                    forbidden=(
                        Reason("pricing", "routes[2].when.all[1].not.keyword", "keyword", "無料", (3, 5)),
                    ),
                ),
            ),
        ),
        (
            "long-question",
            1,
            3,
            (
                Missing("routes[4].when.min_length", "min_length", ("30",), ("8",)),
                Missing("routes[4].when.keyword", "keyword", ("?", "？")),
            ),
        ),
        (
            "bug",
            0,
            1,
            (
                Missing(
                    "routes[1].when.any",
                    "any",
                    options=(
                        Missing(
                            "routes[1].when.any[0].keyword", "keyword", ("不具合", "落ちる", "crash", "bug")
                        ),
                        Missing("routes[1].when.any[1].regex", "regex", (r"http\s*5\d\d",)),
                    ),
                ),
            ),
        ),
    ]


def test_a_word_keyword_found_only_inside_a_longer_word_is_named(rs: RuleSet) -> None:
    [bug] = [c for c in rs.explain(message("a debug build")).nearest if c.route == "bug"]
    (any_of,) = bug.missing
    assert any_of.options[0] == Missing(
        "routes[1].when.any[0].keyword", "keyword", ("不具合", "落ちる", "crash", "bug"), ("bug",)
    )


def test_a_to_nowhere_route_that_matched_first_stopped_the_walk(rs: RuleSet) -> None:
    explanation = rs.explain(message("ランチの後にアプリが落ちる"))
    assert not explanation.routed
    assert explanation.stopped_by == Stop("chatter", "雑談", ())
    [shadowed] = explanation.shadowed
    assert (shadowed.route, shadowed.label, shadowed.stopped_by) == (
        "bug",
        "バグ報告",
        Stop("chatter", "雑談", ()),
    )
    assert shadowed.held == (
        Reason("bug", "routes[1].when.any[0].keyword[1]", "keyword", "落ちる", (10, 13)),
    )
    assert "bug" not in [c.route for c in explanation.nearest]


def test_a_route_that_routed_first_shadows_later_ones(rs: RuleSet) -> None:
    explanation = rs.explain(message("crash when I open the pricing page"))
    assert explanation.routed and explanation.stopped_by == Stop("bug", "バグ報告", ("product", "cs"))
    assert [(c.route, c.stopped_by) for c in explanation.shadowed] == [
        ("pricing", Stop("bug", "バグ報告", ("product", "cs")))
    ]


def test_a_nested_route_needs_its_parent_too(rs: RuleSet) -> None:
    (idea,) = [c for c in rs.explain(message("would love dark mode")).nearest if c.route == "feedback-idea"]
    assert (idea.satisfied, idea.total) == (1, 2)
    assert idea.held == (
        Reason("feedback-idea", "routes[3].routes[0].when.keyword[1]", "keyword", "would love", (0, 10)),
    )
    assert idea.missing == (Missing("routes[3].when.channel", "channel", ("#feedback",), ("#community",)),)
    (idea,) = [
        c
        for c in rs.explain(message("dark mode, please", channel="#feedback")).nearest
        if c.route == "feedback-idea"
    ]
    assert idea.held == (Reason("feedback", "routes[3].when.channel", "channel", "#feedback"),)
    assert idea.missing == (Missing("routes[3].routes[0].when.keyword", "keyword", ("ほしい", "would love")),)


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"private": True}, Missing("routes[2]", "private")),
        ({"bot": True}, Missing("routes[2]", "bots")),
    ],
)
def test_a_route_without_the_opt_in_lacks_it(rs: RuleSet, kwargs: dict[str, bool], missing: Missing) -> None:
    [pricing] = [c for c in rs.explain(message("pricing?", **kwargs)).nearest if c.route == "pricing"]
    assert (pricing.missing, pricing.satisfied, pricing.total) == ((missing,), 2, 3)


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"reply": True}, Missing("routes[4].when.thread", "thread", ("top",), ("reply",))),
        ({"platform": "teams"}, None),
    ],
)
def test_leaf_conditions_say_what_the_message_had(
    rs: RuleSet, kwargs: dict[str, Any], missing: Missing | None
) -> None:
    text = "is there a way to export everything at once?"
    explanation = rs.explain(message(text, **kwargs))
    if missing is None:
        assert [m.route for m in explanation.matches] == ["long-question"]
        return
    [question] = [c for c in explanation.nearest if c.route == "long-question"]
    assert question.missing == (missing,)


def test_platform_author_and_tags_report_what_they_found() -> None:
    rs = ruleset(
        """
        - name: forum-bugs
          when: {platform: discourse, author: [sato, "bot-*"], tags: [bug-report]}
          to: [product]
        """
    )
    [check] = rs.explain(message("hi", author="tanaka", tags=("question",))).nearest
    assert check.missing == (
        Missing("routes[0].when.platform", "platform", ("discourse",), ("slack",)),
        Missing("routes[0].when.author", "author", ("sato", "bot-*"), ("tanaka",)),
        Missing("routes[0].when.tags", "tags", ("bug-report",), ("question",)),
    )


def test_a_label_is_what_matches_carry() -> None:
    rs = ruleset(ROUTES)
    [match] = rs.classify(message("アプリが落ちる"))
    assert (match.route, match.label) == ("bug", "バグ報告")
    [match] = rs.classify(message("料金を教えて"))
    assert (match.route, match.label) == ("pricing", None)


@pytest.mark.parametrize(
    ("route", "problem"),
    [
        (
            "{name: r, label: [a, b], to: [cs]}",
            "rules.yaml:13:22: routes[0].label: expected a string, got a list",
        ),
        ("{name: r, label: ' ', to: [cs]}", "rules.yaml:13:22: routes[0].label: expected a non-empty string"),
        (
            "{name: r, lable: Bugs, to: [cs]}",
            "rules.yaml:13:15: routes[0].lable: unknown key 'lable'; did you mean 'label'?",
        ),
    ],
)
def test_a_bad_label_is_a_positioned_problem(route: str, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules_text(HEADER + f"routes:\n  - {route}\n")
    assert str(caught.value) == problem
