"""Keywords match their word forms and stand as words: English inflections, Japanese conjugations,
and no match inside an unrelated longer word."""

from __future__ import annotations

import pytest

from rules.forms import forms

from .support import message, ruleset


def routed(keyword: str, text: str) -> bool:
    rs = ruleset(f"- {{name: r, when: {{keyword: [{keyword}]}}, to: product}}")
    return bool(rs.classify(message(text)))


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("freeze", "the editor freezes on save"),
        ("freeze", "it keeps freezing"),
        ("freeze", "everything froze at noon"),
        ("crash", "the app crashed twice"),
        ("log in", "nobody logs in anymore"),
        ("stop", "sync stopped overnight"),
        ("reply", "nobody replied to my ticket"),
        ("素晴らしい", "サポートが素晴らしかったです"),
        ("素晴らしい", "素晴らしく速い"),
        ("落ちる", "起動するとすぐ落ちます"),
        ("落ちる", "昨日も落ちた"),
        ("止まる", "同期が止まってしまう"),
        ("止まる", "アプリが止まりました"),
        ("動く", "ボタンが動かない"),
        ("使う", "毎日使っています"),
        ("保存する", "保存できない"),
        ("保存する", "保存しました"),
        ("価格", "価格を教えてください"),
        ("価格", "低価格なのに"),
        ("エラー", "ランタイムエラーが出ます"),
        ("エラー", "エラー時のログ"),
        ("api", "APIの仕様"),
    ],
)
def test_a_keyword_matches_its_forms(keyword: str, text: str) -> None:
    assert routed(keyword, text), (keyword, text, forms(keyword))


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("価格", "この価格帯では十分"),
        ("コスト", "コストパフォーマンスが良い"),
        ('"series c"', "this series causes trouble"),
        ("fee", "how much food should I feed my cat"),
        ("plan", "the airplane was late"),
        ("app", "an apple a day"),
        ("bug", "I debugged it"),
    ],
)
def test_no_match_inside_an_unrelated_longer_word(keyword: str, text: str) -> None:
    assert not routed(keyword, text)


def test_a_reason_shows_the_form_that_matched() -> None:
    rs = ruleset("- {name: r, when: {keyword: [freeze, 素晴らしい, crash]}, to: product}")
    [match] = rs.classify(message("It FROZE, then crash, 素晴らしかった"))
    assert [r.text for r in match.reasons] == [
        'keyword "freeze": "FROZE"',
        'keyword "素晴らしい": "素晴らしかった"',
        'keyword "crash"',
    ]


def test_word_keywords_stay_exact() -> None:
    rs = ruleset("- {name: r, when: {keyword: [{word: bug}]}, to: product}")
    assert rs.classify(message("a bug!"))
    assert not rs.classify(message("two bugs"))


def test_a_polite_keyword_is_not_read_as_a_dictionary_form() -> None:
    """公開します is already conjugated: it matches 公開しました, not a made-up stem like 公開しまし."""
    assert {form for form, _ in forms("公開します")} == {
        "公開します",
        "公開しました",
        "公開しません",
        "公開しませんでした",
    }
