"""Table-driven classification: Japanese and English, normalisation, nesting, continue, gating."""

from __future__ import annotations

from typing import Any

import pytest

from rules import Match, Reason, RuleSet

from .support import message, routed, ruleset

ROUTES = r"""
- name: private-beta
  when: {channel: "#beta"}
  allow_private: true
  to: [product]
  tag: beta
- name: status-bot
  when: {bot: true, author: statuspage, keyword: 障害}
  to: [product]
  tag: incident
- name: frustration
  continue: true
  when: {keyword: [解約, frustrated]}
  to: [cs]
  tag: frustration
- name: bug
  when:
    any:
      - keyword: [バグ, 不具合, エラー, {word: bug}, crash, ログインできない]
      - regex: 'http\s*5\d\d'
  to: [product, cs]
  tag: bug
- name: feedback
  when: {channel: ["discourse:feedback", "#feedback"]}
  to: [product]
  tag: feedback
  routes:
    - name: feedback-idea
      when: {keyword: [ほしい, would love]}
      tag: idea
    - name: feedback-praise
      when: {keyword: [最高, love it]}
      to: [marketing]
- name: pricing
  when:
    all:
      - keyword: [料金, pricing, 見積]
      - not: {keyword: 無料}
  to: sales
  tag: pricing
- name: question
  when: {thread: top, platform: [slack, teams], min_length: 20, regex: '\?$'}
  to: [cs]
  tag: question
- name: discourse-tagged
  when: {platform: discourse, tags: [Bug-Report]}
  to: [product]
- name: vip
  when: {author: ["@ceo", "U0VIP*"]}
  to: [sales]
"""

BUG = ("bug", ("product", "cs"), "bug")
FRUSTRATION = ("frustration", ("cs",), "frustration")
PRICING = ("pricing", ("sales",), "pricing")
QUESTION = ("question", ("cs",), "question")

CASES: list[tuple[str, str, dict[str, Any], list[tuple[str, tuple[str, ...], str | None]]]] = [
    # id, text, message fields, expected (route, departments, tag) in order
    ("ja keyword", "アプリでバグが出ます", {}, [BUG]),
    ("half-width katakana keyword", "ﾛｸﾞｲﾝできない…", {}, [BUG]),
    ("full-width ascii word", "ＢＵＧを見つけました", {}, [BUG]),
    ("word inside japanese", "このbugは再現します", {}, [BUG]),
    ("word in english", "Found a bug in export", {}, [BUG]),
    ("word not inside debug", "I was debugging the webhook", {}, []),
    ("word not inside bugs", "bugs everywhere", {}, []),
    ("substring keyword", "The app crashes on start", {}, [BUG]),
    ("regex on normalised text", "ＨＴＴＰ　５０２が返ります", {}, [BUG]),
    ("nothing", "おはようございます！", {}, []),
    ("continue then bug", "解約を考えています。エラーばかりです", {}, [FRUSTRATION, BUG]),
    ("continue alone", "I'm frustrated, thinking about 解約", {}, [FRUSTRATION]),
    ("first match wins", "料金ページでエラー", {}, [BUG]),
    ("all with not", "見積もりをお願いします", {}, [PRICING]),
    ("not blocks", "無料プランの料金", {}, []),
    ("single department string", "What is the pricing for 200 seats", {}, [PRICING]),
    (
        "nested child inherits to",
        "ダークモードがほしい",
        {"channel": "#feedback"},
        [("feedback-idea", ("product",), "idea")],
    ),
    (
        "nested child inherits tag",
        "新しいUI最高です",
        {"channel": "#feedback"},
        [("feedback-praise", ("marketing",), "feedback")],
    ),
    (
        "nested parent fallback",
        "感想を書きます",
        {"channel": "#feedback"},
        [("feedback", ("product",), "feedback")],
    ),
    (
        "nested on discourse",
        "I would love a dark mode",
        {"platform": "discourse", "channel": "discourse:feedback", "channel_id": "7"},
        [("feedback-idea", ("product",), "idea")],
    ),
    ("bug before nested", "バグです", {"channel": "#feedback"}, [BUG]),
    (
        "channel glob-free match by id",
        "感想",
        {"channel": "", "channel_id": "#FEEDBACK"},
        [("feedback", ("product",), "feedback")],
    ),
    (
        "bot needs bot: true",
        "障害が発生しました",
        {"bot": True, "author": "statuspage"},
        [("status-bot", ("product",), "incident")],
    ),
    ("bot other author", "障害が発生しました", {"bot": True, "author": "github"}, []),
    ("bot never hits other routes", "バグです。解約します", {"bot": True}, []),
    ("human never hits bot route", "障害が発生しました", {"author": "statuspage"}, []),
    ("private needs allow_private", "バグです", {"private": True}, []),
    (
        "private allowed",
        "バグです",
        {"private": True, "channel": "#beta"},
        [("private-beta", ("product",), "beta")],
    ),
    ("allow_private also public", "hello", {"channel": "#beta"}, [("private-beta", ("product",), "beta")]),
    ("question top-level", "How do I export all my boards to CSV?", {}, [QUESTION]),
    ("full-width question mark", "ボードをまとめてエクスポートする方法はありますか？", {}, [QUESTION]),
    ("question reply", "How do I export all my boards to CSV?", {"reply": True}, []),
    ("question too short", "CSV?", {}, []),
    (
        "question wrong platform",
        "How do I export all my boards to CSV?",
        {"platform": "discourse", "channel": "discourse:howto"},
        [],
    ),
    (
        "tags case-insensitive",
        "see title",
        {"platform": "discourse", "tags": ("bug-report",)},
        [("discourse-tagged", ("product",), None)],
    ),
    ("author by name with @", "hi", {"author": "CEO"}, [("vip", ("sales",), None)]),
    ("author id glob", "hi", {"author_id": "U0VIP42", "author": "x"}, [("vip", ("sales",), None)]),
]


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return ruleset(ROUTES)


@pytest.mark.parametrize(("text", "fields", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify(rs: RuleSet, text: str, fields: dict[str, Any], expected: list[Any]) -> None:
    assert routed(rs, text, **fields) == expected


def test_reasons_point_into_the_original_text(rs: RuleSet) -> None:
    text = "ｱﾌﾟﾘの不具合です"
    (match,) = rs.classify(message(text))
    assert match == Match(
        route="bug",
        departments=("product", "cs"),
        tag="bug",
        reasons=(Reason("bug", "routes[3].when.any[0].keyword[1]", "keyword", "不具合", (5, 8)),),
    )
    assert text[5:8] == "不具合"
    assert match.reason_text == 'route "bug": keyword "不具合"'


def test_reason_keeps_the_keyword_as_written(rs: RuleSet) -> None:
    (match,) = rs.classify(message("ﾛｸﾞｲﾝできない"))
    (reason,) = match.reasons
    assert reason.detail == "ログインできない"
    assert reason.span == (0, 9)


def test_regex_reason_span_maps_full_width(rs: RuleSet) -> None:
    text = "昨日から ＨＴＴＰ　５０２ です"
    (match,) = rs.classify(message(text))
    (reason,) = match.reasons
    assert (reason.kind, reason.path, reason.detail) == (
        "regex",
        "routes[3].when.any[1].regex",
        r"http\s*5\d\d",
    )
    assert reason.span is not None
    assert text[reason.span[0] : reason.span[1]] == "ＨＴＴＰ　５０２"


def test_nested_reasons_include_the_parent(rs: RuleSet) -> None:
    (match,) = rs.classify(message("ダークモードがほしい", channel="#feedback"))
    assert [(r.route, r.kind, r.detail) for r in match.reasons] == [
        ("feedback", "channel", "#feedback"),
        ("feedback-idea", "keyword", "ほしい"),
    ]
    assert match.reason_text == 'route "feedback-idea": channel "#feedback", keyword "ほしい"'


def test_continue_reports_every_keyword_hit(rs: RuleSet) -> None:
    first, second = rs.classify(message("解約します、frustrated です。エラーも"))
    assert [r.detail for r in first.reasons] == ["解約", "frustrated"]
    assert second.reason_text == 'route "bug": keyword "エラー"'


def test_not_and_scalar_conditions_explain_themselves(rs: RuleSet) -> None:
    (pricing,) = rs.classify(message("料金について"))
    assert [r.text for r in pricing.reasons] == ['keyword "料金"', 'not "keyword 無料"']
    assert pricing.reason_text == 'route "pricing": keyword "料金"'
    (question,) = rs.classify(message("How do I export all my boards to CSV?"))
    assert [(r.kind, r.detail, r.span) for r in question.reasons] == [
        ("thread", "top", None),
        ("platform", "slack", None),
        ("min_length", "20", None),
        ("regex", r"\?$", (36, 37)),
    ]


NESTING = """
- name: group
  when: {channel: "#feedback"}
  routes:
    - name: idea
      continue: true
      when: {keyword: ほしい}
      to: [product]
    - name: also-sales
      when: {keyword: 見積}
      to: [sales]
- name: catch-all
  to: [cs]
"""


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        ("ほしい", "#feedback", [("idea", ("product",), None)]),
        ("見積がほしい", "#feedback", [("idea", ("product",), None), ("also-sales", ("sales",), None)]),
        # a group without `to` whose children all miss does not match: evaluation moves on
        ("こんにちは", "#feedback", [("catch-all", ("cs",), None)]),
        ("こんにちは", "#community", [("catch-all", ("cs",), None)]),
    ],
)
def test_grouping_route_and_continue_scope(text: str, channel: str, expected: list[Any]) -> None:
    assert routed(ruleset(NESTING), text, channel=channel) == expected


def test_route_without_when_always_matches() -> None:
    (match,) = ruleset(NESTING).classify(message(""))
    assert match.reasons == (Reason("catch-all", "routes[1]", "always", "no conditions"),)
    assert match.reason_text == 'route "catch-all": always'


def test_reason_text_falls_back_to_not_when_nothing_else_held() -> None:
    rs = ruleset("""
        - name: quiet
          when: {not: {keyword: [バグ, error]}}
          to: [cs]
    """)
    (match,) = rs.classify(message("hello"))
    assert match.reason_text == 'route "quiet": not "keyword バグ, error"'


def test_empty_to_matches_and_stops() -> None:
    rs = ruleset("""
        - name: ignore-thanks
          when: {thread: reply, keyword: ありがとう}
          to: []
        - name: everything
          to: [cs]
    """)
    assert routed(rs, "ありがとうございます！", reply=True) == [("ignore-thanks", (), None)]
    assert routed(rs, "ありがとうございます！") == [("everything", ("cs",), None)]


def test_bot_opt_in_is_inherited_but_not_through_not() -> None:
    rs = ruleset("""
        - name: bots
          when: {bot: true}
          routes:
            - name: status
              when: {keyword: incident}
              to: [product]
        - name: not-bots
          when: {not: {bot: true}}
          to: [cs]
        - name: any-bot
          when: {any: [{bot: true}, {keyword: deploy}]}
          to: [sales]
    """)
    assert routed(rs, "incident opened", bot=True) == [("status", ("product",), None)]
    assert routed(rs, "deploy finished", bot=True) == [("any-bot", ("sales",), None)]
    assert routed(rs, "hello", bot=False) == [("not-bots", ("cs",), None)]


def test_allow_private_is_inherited_and_can_be_revoked() -> None:
    rs = ruleset("""
        - name: beta
          when: {channel: "#beta"}
          allow_private: true
          routes:
            - name: beta-bug
              when: {keyword: バグ}
              to: [product]
            - name: beta-secret
              when: {keyword: 社外秘}
              allow_private: false
              to: [marketing]
    """)
    assert routed(rs, "バグ", channel="#beta", private=True) == [("beta-bug", ("product",), None)]
    assert routed(rs, "社外秘です", channel="#beta", private=True) == []
    assert routed(rs, "社外秘です", channel="#beta") == [("beta-secret", ("marketing",), None)]


def test_catastrophic_regex_returns() -> None:
    rs = ruleset("""
        - name: evil
          when: {regex: '(a+)+$'}
          to: [cs]
        - name: evil-nested
          when: {regex: '(x+x+)+y'}
          to: [cs]
    """)
    # within MAX_CLASSIFIED_CHARS, where ``$`` is the message's own end
    assert rs.classify(message("a" * 15000 + "b")) == ()
    assert rs.classify(message("x" * 15000)) == ()


def test_every_keyword_shares_one_automaton() -> None:
    rs = ruleset("""
        - name: one
          when: {keyword: [バグ, Bug]}
          to: [product]
        - name: two
          when: {keyword: [ﾊﾞｸﾞ, {word: bug}, 料金]}
          to: [cs]
    """)
    # バグ/ﾊﾞｸﾞ normalise to one entry; Bug (with its forms) and {word: bug} (exact) are two
    assert len(rs._engine.keywords) == 4
    assert routed(rs, "debugバグ") == [("one", ("product",), None)]


LINK_ROUTES = """
- name: pricing
  when: {keyword: [enterprise, 料金]}
  to: sales
- name: press
  when: {regex: 'itmedia\\.co\\.jp'}
  to: marketing
"""


@pytest.mark.parametrize(
    ("text", "routes"),
    [
        ("記事になりました https://www.itmedia.co.jp/enterprise/articles/2611/21/news042.html", ["press"]),
        ("See (https://example.com/enterprise/plan) for details", []),
        ("www.example.com/料金 を見ました", []),
        ("enterprise の料金を教えてください https://example.com/x", ["pricing"]),
        ("https://example.com/a enterprise", ["pricing"]),
    ],
)
def test_keywords_do_not_match_inside_links_but_regexes_see_them(text: str, routes: list[str]) -> None:
    rs = ruleset(LINK_ROUTES)
    assert [m.route for m in rs.classify(message(text))] == routes
