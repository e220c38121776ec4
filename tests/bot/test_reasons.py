"""Routing decisions in words, ja and en: why a route matched (reposts) and why not (rules test)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.texts import EN, JA
from bot.pipeline.reasons import match_reason, why_not
from rules import RuleSet
from rules.intents import INTENT_NAMES
from tests.rules.support import message, ruleset
from tests.rules.test_explain import ROUTES


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return ruleset(ROUTES)


@pytest.fixture(scope="module")
def kinds() -> RuleSet:
    """ROUTES and routes on the other conditions, so every kind of reason shows up once."""
    return ruleset(
        ROUTES
        + """
- name: everything-else
  when: {not: {keyword: [ok, 了解]}, thread: reply, author: "sato.k", platform: slack, min_length: 3}
  to: [cs]
- name: forum
  when: {tags: [Bug-Report], bot: true}
  to: [product]
"""
    )


MATCHED = [
    ("ja", "HTTP 502 で落ちる", {}, ["「バグ報告」ルール: キーワード「落ちる」"]),
    ("en", "HTTP 502 で落ちる", {}, ['route "バグ報告": keyword "落ちる"']),
    ("ja", "ＨＴＴＰ　５０２ again", {}, ["「バグ報告」ルール: 「ＨＴＴＰ　５０２」に一致"]),
    ("en", "ＨＴＴＰ　５０２ again", {}, ['route "バグ報告": matched "ＨＴＴＰ　５０２"']),
    (
        "ja",
        "ダークモードがほしい",
        {"channel": "#feedback"},
        ["「feedback-idea」ルール: チャンネル「#feedback」、キーワード「ほしい」"],
    ),
    (
        "en",
        "ダークモードがほしい",
        {"channel": "#feedback"},
        ['route "feedback-idea": channel "#feedback", keyword "ほしい"'],
    ),
    ("ja", "料金を教えて", {}, ["「pricing」ルール: キーワード「料金」"]),
    ("en", "the pricing page", {}, ['route "pricing": keyword "pricing"']),
    (
        "ja",
        "まだですか",
        {"reply": True},
        ["「everything-else」ルール: スレッドへの返信、投稿者「sato.k」、slackの投稿、3文字以上"],
    ),
    (
        "en",
        "any news?",
        {"reply": True},
        [
            'route "everything-else": a reply in a thread, author "sato.k", a post on slack, at least 3 characters'
        ],
    ),
    (
        "ja",
        "x",
        {"bot": True, "tags": ("bug-report",)},
        ["「forum」ルール: タグ「Bug-Report」、ボットの投稿"],
    ),
    ("en", "x", {"bot": True, "tags": ("bug-report",)}, ['route "forum": tag "Bug-Report", a bot\'s post']),
]


@pytest.mark.parametrize(("locale", "text", "kwargs", "reasons"), MATCHED)
def test_a_match_reads_in_the_locale(
    kinds: RuleSet, locale: str, text: str, kwargs: dict[str, Any], reasons: list[str]
) -> None:
    assert [match_reason(m, text, locale) for m in kinds.classify(message(text, **kwargs))] == reasons


MISSED = [
    (
        "en",
        "料金は無料ですか",
        {},
        [
            'route `pricing` needs no keyword "無料"; found it (1/2 conditions held)',
            "route `long-question` needs at least 30 characters; it has 8, and a keyword from [?, ？]; "
            "found none (1/3 conditions held)",
            r"route `バグ報告` needs a keyword from [不具合, 落ちる, crash, bug] or text matching [http\s*5\d\d]; "
            "found none (0/1 conditions held)",
        ],
    ),
    (
        "ja",
        "料金は無料ですか",
        {},
        [
            "「pricing」ルール（条件 1/2 を満たす）: キーワード「無料」がないことが必要ですが、含まれています",
            "「long-question」ルール（条件 1/3 を満たす）: 30文字以上が必要ですが、実際は8文字です。"
            "キーワード［?、？］のどれかが必要ですが、見つかりません",
            r"「バグ報告」ルール（条件 0/1 を満たす）: キーワード［不具合、落ちる、crash、bug］のどれか、"
            r"またはパターン［http\s*5\d\d］に一致する文が必要ですが、見つかりません",
        ],
    ),
    (
        "en",
        "a debug build",
        {},
        [
            "route `pricing` needs a keyword from [料金, pricing]; found none (1/2 conditions held)",
            "route `long-question` needs at least 30 characters; it has 13, and a keyword from [?, ？]; "
            "found none (1/3 conditions held)",
            r"route `バグ報告` needs a keyword from [不具合, 落ちる, crash, bug] or text matching [http\s*5\d\d]; "
            'found "bug" only inside a longer word (0/1 conditions held)',
        ],
    ),
    (
        "ja",
        "a debug build",
        {},
        [
            "「pricing」ルール（条件 1/2 を満たす）: キーワード［料金、pricing］のどれかが必要ですが、見つかりません",
            "「long-question」ルール（条件 1/3 を満たす）: 30文字以上が必要ですが、実際は13文字です。"
            "キーワード［?、？］のどれかが必要ですが、見つかりません",
            r"「バグ報告」ルール（条件 0/1 を満たす）: キーワード［不具合、落ちる、crash、bug］のどれか、"
            r"またはパターン［http\s*5\d\d］に一致する文が必要ですが、「bug」は長い語の一部にしかありません",
        ],
    ),
    (
        "en",
        "would love dark mode",
        {},
        [
            "route `pricing` needs a keyword from [料金, pricing]; found none (1/2 conditions held)",
            "route `feedback-idea` needs channel #feedback; found #community (1/2 conditions held)",
            "route `long-question` needs at least 30 characters; it has 20, and a keyword from [?, ？]; "
            "found none (1/3 conditions held)",
        ],
    ),
    (
        "ja",
        "would love dark mode",
        {},
        [
            "「pricing」ルール（条件 1/2 を満たす）: キーワード［料金、pricing］のどれかが必要ですが、見つかりません",
            "「feedback-idea」ルール（条件 1/2 を満たす）: チャンネル#feedbackでの投稿が必要ですが、実際は#communityです",
            "「long-question」ルール（条件 1/3 を満たす）: 30文字以上が必要ですが、実際は20文字です。"
            "キーワード［?、？］のどれかが必要ですが、見つかりません",
        ],
    ),
    (
        "en",
        "pricing?",
        {"private": True},
        [
            "route `pricing` needs `allow_private: true` (this message is private) (2/3 conditions held)",
            "route `long-question` needs `allow_private: true` (this message is private), and at least 30 "
            "characters; it has 8 (2/4 conditions held)",
            "route `バグ報告` needs `allow_private: true` (this message is private), and a keyword from "
            r"[不具合, 落ちる, crash, bug] or text matching [http\s*5\d\d]; found none (0/2 conditions held)",
        ],
    ),
    (
        "ja",
        "pricing?",
        {"private": True},
        [
            "「pricing」ルール（条件 2/3 を満たす）: `allow_private: true`（非公開の投稿のため）が必要です",
            "「long-question」ルール（条件 2/4 を満たす）: `allow_private: true`（非公開の投稿のため）が必要です。"
            "30文字以上が必要ですが、実際は8文字です",
            "「バグ報告」ルール（条件 0/2 を満たす）: `allow_private: true`（非公開の投稿のため）が必要です。"
            r"キーワード［不具合、落ちる、crash、bug］のどれか、またはパターン［http\s*5\d\d］に一致する文が必要ですが、見つかりません",
        ],
    ),
]


@pytest.mark.parametrize(("locale", "text", "kwargs", "nearest"), MISSED)
def test_a_miss_names_the_nearest_routes_and_what_they_lacked(
    rs: RuleSet, locale: str, text: str, kwargs: dict[str, Any], nearest: list[str]
) -> None:
    why = why_not(rs.explain(message(text, **kwargs)), text, locale)
    assert (why.stopped, why.shadowed) == (None, ())
    assert list(why.nearest) == nearest


@pytest.mark.parametrize(
    ("locale", "lines"),
    [
        (
            "en",
            [
                "route `雑談` matched first and sends nowhere (`to: []`), so no route after it was tried.",
                "route `バグ報告` would match too, but route `雑談` matched first and stops there "
                "(no `continue: true`).",
            ],
        ),
        (
            "ja",
            [
                "「雑談」ルールが先に一致しました。送り先のないルール（`to: []`）なので、それより後のルールは試されません。",
                "「バグ報告」ルールも一致しますが、先に「雑談」ルールが一致してそこで止まりました（`continue: true` なし）。",
            ],
        ),
    ],
)
def test_the_route_that_stopped_it_is_named(rs: RuleSet, locale: str, lines: list[str]) -> None:
    text = "ランチの後にアプリが落ちる"
    why = why_not(rs.explain(message(text)), text, locale)
    assert list(why.lines) == lines
    assert len(why.nearest) == 3


def test_a_routed_message_lists_no_nearest_routes_but_the_shadowed_ones(rs: RuleSet) -> None:
    text = "crash when I open the pricing page"
    why = why_not(rs.explain(message(text)), text, "en")
    assert why.nearest == () and why.stopped is None
    assert why.shadowed == (
        "route `pricing` would match too, but route `バグ報告` matched first and stops there (no `continue: true`).",
    )


def test_a_long_keyword_list_is_cut() -> None:
    rs = ruleset("- {name: many, when: {keyword: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10]}, to: [cs]}")
    [en] = why_not(rs.explain(message("zzz")), "zzz", "en").nearest
    assert (
        en
        == "route `many` needs a keyword from [a1, a2, a3, a4, a5, a6, a7, a8, … 2 more]; found none (0/1 conditions held)"
    )
    [ja] = why_not(rs.explain(message("zzz")), "zzz", "ja").nearest
    assert (
        ja
        == "「many」ルール（条件 0/1 を満たす）: キーワード［a1、a2、a3、a4、a5、a6、a7、a8 ほか2件］のどれかが必要ですが、見つかりません"
    )


INTENT_ROUTES = """
- name: bug
  label: バグ報告
  when: {intent: problem}
  to: [product, cs]
- name: idea
  when: {intent: [request, praise], channel: "#feedback"}
  to: [product]
"""

INTENTS = [
    ("ja", "アプリがすぐ落ちる", ["「バグ報告」ルール: 意図「不具合」「落ちる」"], []),
    (
        "en",
        "It keeps freezing after the update",
        ['route "バグ報告": intent "problem" ("keeps freezing")'],
        [],
    ),
    (
        "en",
        "see you all at the meetup",
        [],
        [
            "route `idea` needs an intent request or praise; found none, and channel #feedback; found #community "
            "(0/2 conditions held)",
            "route `バグ報告` needs an intent problem; found none (0/1 conditions held)",
        ],
    ),
    (
        "ja",
        "see you all at the meetup",
        [],
        [
            "「idea」ルール（条件 0/2 を満たす）: 意図「要望」、または「称賛」が必要ですが、見つかりません。"
            "チャンネル#feedbackでの投稿が必要ですが、実際は#communityです",
            "「バグ報告」ルール（条件 0/1 を満たす）: 意図「不具合」が必要ですが、見つかりません",
        ],
    ),
]


@pytest.mark.parametrize(("locale", "text", "reasons", "nearest"), INTENTS)
def test_intents_read_as_their_names_and_the_words_that_showed_them(
    locale: str, text: str, reasons: list[str], nearest: list[str]
) -> None:
    rs = ruleset(INTENT_ROUTES)
    explanation = rs.explain(message(text))
    assert [match_reason(m, text, locale) for m in explanation.matches] == reasons
    assert sorted(why_not(explanation, text, locale).nearest) == sorted(nearest)


def test_every_intent_has_a_name_in_both_languages() -> None:
    for name in INTENT_NAMES:
        assert f"intent.{name}" in JA and f"intent.{name}" in EN, name


@pytest.mark.parametrize(
    ("locale", "text", "line"),
    [
        (
            "ja",
            "この価格帯なら十分",
            "「sales」ルール（条件 0/1 を満たす）: キーワード［価格、fee］のどれかが必要ですが、「価格」は長い語の一部にしかありません",
        ),
        (
            "en",
            "the feed is empty (https://example.com/fee)",
            'route `sales` needs a keyword from [価格, fee]; found "fee" only inside a longer word (0/1 conditions held)',
        ),
        (
            "en",
            "see https://example.com/fee",
            "route `sales` needs a keyword from [価格, fee]; found none (0/1 conditions held)",
        ),
    ],
)
def test_a_keyword_only_inside_a_longer_word_or_a_link_is_told_apart(
    locale: str, text: str, line: str
) -> None:
    rs = ruleset("- {name: sales, when: {keyword: [価格, fee]}, to: [sales]}")
    assert why_not(rs.explain(message(text)), text, locale).nearest == (line,)
