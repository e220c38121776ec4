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


# Characters whose compatibility form is an upper-case letter: only NFKC *before* casefold
# lower-cases them (casefold leaves 𝐁 alone; NFKC then makes it "B").
COMPAT_CAPITALS = [
    ("mathematical bold", "𝐁𝐔𝐆 𝐂𝐑𝐀𝐒𝐇", "bug crash"),
    ("trade mark and service mark", "Kakehashi™ ℠", "kakehashitm sm"),
    ("modifier capitals", "ᴬᴾᴵ", "api"),
    ("black-letter and double-struck", "ℌℑℜ ℂℕ", "hir cn"),
    ("circled and squared capitals", "Ⓑ🄱", "bb"),
    ("roman numeral", "Ⅻ", "xii"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in COMPAT_CAPITALS], ids=[c[0] for c in COMPAT_CAPITALS]
)
def test_compatibility_capitals_are_lower_cased(text: str, expected: str) -> None:
    assert normalize(text) == expected


BLOCKS = {
    "Letterlike Symbols": range(0x2100, 0x2150),
    "Number Forms": range(0x2150, 0x2190),
    "Enclosed Alphanumerics": range(0x2460, 0x2500),
    "Phonetic Extensions": range(0x1D00, 0x1D80),
    "Mathematical Alphanumeric Symbols": range(0x1D400, 0x1D800),
    "Enclosed Alphanumeric Supplement": range(0x1F100, 0x1F200),
}


@pytest.mark.parametrize("block", list(BLOCKS), ids=list(BLOCKS))
def test_no_capital_survives_normalisation(block: str) -> None:
    """What a keyword is compared with is case-free for every character of the blocks where
    compatibility forms hide capitals (hundreds of characters, not only the ones above)."""
    kept = [c for c in map(chr, BLOCKS[block]) if normalize(c) != normalize(c).casefold()]
    assert kept == []


def test_a_keyword_matches_text_written_in_compatibility_capitals() -> None:
    from tests.rules.support import routed, ruleset

    rs = ruleset("- {name: bug, when: {keyword: [bug, tm]}, to: [product], tag: bug}")
    assert routed(rs, "𝐁𝐔𝐆 in the export") == [("bug", ("product",), "bug")]
    assert routed(rs, "Kakehashi ™ is great") == [("bug", ("product",), "bug")]  # a word of its own
