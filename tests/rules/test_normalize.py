"""Normalisation: NFKC + casefold + a small documented fold, with spans mapped back to the original."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from rules import normalize
from rules.normalize import _FOLD, NormalizedText, _table_by_char

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


def _stable_chars() -> list[str]:
    from rules.normalize import STABLE

    return [chr(code) for low, high in STABLE for code in range(low, high + 1)]


def test_stable_characters_are_left_alone_and_compose_with_nothing_before_them() -> None:
    """What lets normalisation skip runs of them: each is a starter that NFKC keeps (case aside),
    that the fixed fold does not change, and that is never the second character of a canonical
    composition (nor a Hangul vowel or final, which compose by rule)."""
    stable = _stable_chars()
    assert len(stable) > 20_000 and "あ" in stable and "漢" in stable and "A" in stable
    composes_backwards = (
        {
            int(decomposition.split()[1], 16)
            for decomposition in (unicodedata.decomposition(chr(code)) for code in range(0x110000))
            if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2
        }
        | set(range(0x1161, 0x1176))
        | set(range(0x11A8, 0x11C3))
    )
    for char in stable:
        assert unicodedata.combining(char) == 0, char
        assert ord(char) not in composes_backwards, char
        assert unicodedata.normalize("NFKC", char) == char, char
        assert normalize(char) == " ".join(char.lower().split()), char


def _reference(text: str) -> str:
    """The module's docstring, step by step over the whole text."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.translate(_FOLD).split())


MIXED = [
    "abcXYZ ",
    "\t\n\u3000 ",
    "あがかゝゞゔ\u3099\u309aぱ",
    "カガヵヴーヽヾ・",
    "ｶﾞｷﾟｱｲｰ｡｢｣ﾞﾟ",
    "漢字日本語",
    "ＡＢＣ１２３！？（）",
    "\u0301\u0308\u0323\u0307\u200b\u00ad\ufeff\u2060",
    "éßİŉǅﬁ…①㈱㌔™",
    "‐–—―−〜〰⁓‘’‛′",
    "゛゜ゟヿ",
    "\u1100\u1161\u11a8가각",
    "、。「」『』【】〈〉々〆〇",
    "\U0001d401\U0001f131Ⅻ",
]


def _reference_table(original: str, expected: str) -> tuple[list[int], list[int]] | None:
    """Offsets back to the original folding character by character (None when that does not
    give the normalised text)."""
    folded = [
        unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", c).casefold()).translate(_FOLD)
        for c in original
    ]
    owner = [i for i, piece in enumerate(folded) for _ in piece]
    joined = "".join(folded)
    starts, ends, done = [], [], 0
    for run in re.finditer(r"\s+", joined):
        a, b = run.span()
        starts += [*owner[done:a], owner[a]]
        ends += [*(i + 1 for i in owner[done:a]), owner[b - 1] + 1]
        done = b
    starts += owner[done:]
    ends += [i + 1 for i in owner[done:]]
    collapsed = re.sub(r"\s+", " ", joined)
    lead = len(collapsed) - len(collapsed.lstrip(" "))
    if collapsed.strip(" ") != expected:
        return None
    return starts[lead : lead + len(expected)], ends[lead : lead + len(expected)]


def test_normalising_run_by_run_is_normalising_the_whole_text() -> None:
    """Stable runs skipped, the rest normalised piece by piece: the same text as the steps
    applied to the whole, and the same offsets back to the original as folding character by
    character, for random mixtures of what composes, decomposes, folds and collapses."""
    rng = random.Random(14)
    for _ in range(20_000):
        size = rng.randint(0, 12)
        text = "".join(
            chr(rng.randint(0x20, 0xD7FF)) if rng.random() < 0.2 else rng.choice(rng.choice(MIXED))
            for _ in range(size)
        )
        expected = _reference(text)
        assert normalize(text) == expected, text
        table = _table_by_char(text, expected)
        if table == ([], []) and expected:  # character i came from character i
            table = (list(range(len(text))), list(range(1, len(text) + 1)))
        assert table == _reference_table(text, expected), text
