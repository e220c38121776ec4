"""Normalisation: NFKC + casefold + a small documented fold, with spans mapped back to the original."""

from __future__ import annotations

import pytest

from rules import normalize
from rules.normalize import NormalizedText

CASES = [
    ("full-width ASCII", "ＡＰＩ　ｴﾗｰ ５００", "api エラー 500"),
    ("half-width katakana with voiced marks", "ｶﾞｲﾄﾞ ﾊﾟｽﾜｰﾄﾞ", "ガイド パスワード"),
    ("casefold", "Straße BUG", "strasse bug"),
    ("circled digits", "①②", "12"),
    ("dash family", "ログイン—できない ‐ − –", "ログイン-できない - - -"),
    ("wave dash and full-width tilde", "〜できない ～できない", "~できない ~できない"),
    ("typographic apostrophes (phone keyboards)", "doesn’t ‘work’ can′t", "doesn't 'work' can't"),
    ("long vowel mark stays", "サーバー", "サーバー"),
    ("whitespace runs", "a \t\n\n b\u3000c", "a b c"),
    ("zero-width and soft hyphen dropped", "バ\u200bグ de\u00adbug", "バグ debug"),
    ("already normal", "hello", "hello"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


SPANS = [
    # original text, normalised substring, original substring it maps back to
    ("ＡＰＩが落ちる", "api", "ＡＰＩ"),
    ("ｽﾏﾎｱﾌﾟﾘが落ちる", "アプリ", "ｱﾌﾟﾘ"),
    ("ｽﾏﾎｱﾌﾟﾘが落ちる", "落ちる", "落ちる"),
    ("feature\n\n  request please", "feature request", "feature\n\n  request"),
    ("Straße bug", "ss", "ß"),
    ("バ\u200bグです", "バグ", "バ\u200bグ"),
    ("ｶﾞ", "ガ", "ｶﾞ"),
]


@pytest.mark.parametrize(("original", "needle", "expected"), SPANS)
def test_original_span(original: str, needle: str, expected: str) -> None:
    text = NormalizedText(original)
    start = text.text.index(needle)
    a, b = text.original_span(start, start + len(needle))
    assert original[a:b] == expected
