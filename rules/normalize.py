"""Text normalisation, applied once per message and once per keyword at load time.

``normalize(text)`` is, in order:

1. NFKC: full-width ASCII becomes half-width (``ＡＰＩ`` → ``API``, ``１２３`` → ``123``), half-width
   katakana becomes full-width (``ｶﾀｶﾅ`` → ``カタカナ``, ``ﾊﾞｸﾞ`` → ``バグ``), ``①`` → ``1``;
2. casefold (``API`` → ``api``, ``ß`` → ``ss``), then NFKC again so the result is stable;
3. a small, fixed fold for characters Japanese text mixes freely: every dash (``‐ – — ― −``) becomes
   ``-``, the wave dashes ``〜`` / ``〰`` become ``~`` (full-width ``～`` already is ``~`` after NFKC),
   and typographic apostrophes (``’ ‘ ‛ ′``, what phone keyboards type) become ``'``, so the keyword
   ``doesn't work`` matches ``doesn’t work``. The long-vowel mark ``ー`` is a letter and is left alone;
4. zero-width spaces, BOMs and soft hyphens are dropped, every run of whitespace (spaces, tabs,
   newlines, the ideographic space ``　``) becomes one ASCII space, and the ends are trimmed.

``NormalizedText`` keeps the original text and maps spans in the normalised text back to the
original (NFKC changes lengths), computed lazily: only messages that match pay for it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["NormalizedText", "char_form", "normalize"]

_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u301c\u3030\u2053", "~"),
        **dict.fromkeys("\u2018\u2019\u201b\u2032", "'"),
        **dict.fromkeys("\u200b\ufeff\u00ad\u2060", None),
    }
)
_SPACES = re.compile(r"\s+")
# Characters that NFKC may compose with what comes before them although their combining class is 0.
_JOINING = frozenset("\uff9e\uff9f\u3099\u309a")


# The characters _FOLD changes: most texts hold none, and finding that out is far cheaper than
# ``str.translate`` (a dictionary lookup per character of any non-ASCII text).
_FOLDED_CHARS = re.compile("[" + "".join(map(chr, _FOLD)) + "]")


def _fold(text: str) -> str:
    """Steps 1-3 and the deletions of step 4; whitespace runs are left to the caller."""
    if text.isascii():  # NFKC leaves ASCII as it is, casefold lowers it, the fold holds none of it
        return text.lower()
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return text.translate(_FOLD) if _FOLDED_CHARS.search(text) else text


# Most clusters are one character and recur constantly: fold each distinct one once.
_fold_cluster = functools.lru_cache(maxsize=8192)(_fold)


def normalize(text: str) -> str:
    """The normalised form of ``text``: what keywords, regexes and ``min_length`` see."""
    # str.split() splits at the characters ``\s`` matches, drops the ends: _SPACES then strip
    return " ".join(_fold(text).split())


def char_form(char: str) -> str:
    """What one character becomes in normalised text, case aside (used to vet regexes)."""
    return unicodedata.normalize("NFKC", char).translate(_FOLD)


def _starts_cluster(char: str) -> bool:
    return unicodedata.combining(char) == 0 and char not in _JOINING and not "\u1160" <= char <= "\u11ff"


def _clusters(text: str) -> list[tuple[int, int]]:
    """Runs that NFKC treats independently: a starter and whatever composes onto it."""
    bounds = [i for i in range(1, len(text)) if _starts_cluster(text[i])]
    starts = [0, *bounds]
    return [(a, b) for a, b in zip(starts, [*bounds, len(text)], strict=True) if a < b]


def _words(text: str) -> list[tuple[int, int]]:
    """Coarser runs (whitespace and non-whitespace), used if cluster-wise folding disagrees."""
    return [m.span() for m in re.finditer(r"\s+|\S+", text)]


class NormalizedText:
    """A message's text, normalised once, with a lazy offset table back to the original."""

    __slots__ = ("_ends", "_starts", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = normalize(original)
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalised to ``text[start:end]``."""
        if self._starts is None:
            self._build_table()
        starts = self._starts
        if not starts or start >= end or end > len(starts):  # no table: character i came from i
            return (start, end)
        return (starts[start], self._ends[end - 1])

    def _build_table(self) -> None:
        if _one_to_one(self.original, self.text):
            self._starts, self._ends = [], []
            return
        table = _table_by_char(self.original, self.text)
        if table is None:
            for segments in (_clusters(self.original), _words(self.original)):
                table = _table_by_segments(self.original, segments, self.text)
                if table is not None:
                    break
        if table is None:  # unreachable in practice: keep normalised offsets rather than fail
            table = (list(range(len(self.text))), [i + 1 for i in range(len(self.text))])
        self._starts, self._ends = table


# What a character that does not fold to exactly one character becomes in ``_FOLDED``'s
# translation: a noncharacter (U+FFFF), twice, so the translation shows that it held one.
_UNEVEN_MARK = "\uffff"


class _CharTable(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each character, so translating runs at
    C speed: a character maps to its fold when that is exactly one character, else to two
    ``_UNEVEN_MARK``s (a text holding U+FFFF itself is then taken as uneven, and its offsets
    are worked out the slower way, with the same result)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_cluster(chr(code))
        value = folded if len(folded) == 1 else _UNEVEN_MARK * 2
        if len(self) < 65_536:  # distinct characters seen; a flood of rare ones is not kept
            self[code] = value
        return value


_FOLDED = _CharTable()


def _one_to_one(original: str, expected: str) -> bool:
    """Whether character i of the normalised text came from character i of the original (most
    messages): every character folds to exactly one and, the lengths being equal, no whitespace
    run was collapsed nor trimmed.  ASCII always folds one to one (NFKC leaves it, casefold
    lowers it, the fixed fold holds none of it); other text is checked at C speed, in one pass."""
    if len(original) != len(expected):
        return False
    if original.isascii():
        return True
    folded = original.translate(_FOLDED)
    return _UNEVEN_MARK not in folded and _SPACES.sub(" ", folded) == expected


def _table_by_char(original: str, expected: str) -> tuple[list[int], list[int]] | None:
    """The common case, fast: each character folds on its own (no composition across characters)."""
    folded = list(map(_fold_cluster, original))
    joined = "".join(folded)
    owner = [i for i, piece in enumerate(folded) for _ in piece]
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for run in _SPACES.finditer(joined):
        a, b = run.span()
        starts += owner[done:a]
        ends += [i + 1 for i in owner[done:a]]
        starts.append(owner[a])
        ends.append(owner[b - 1] + 1)
        done = b
    starts += owner[done:]
    ends += [i + 1 for i in owner[done:]]
    collapsed = _SPACES.sub(" ", joined)
    lead = len(collapsed) - len(collapsed.lstrip(" "))
    stripped = collapsed.strip(" ")
    if stripped != expected:
        return None
    return starts[lead : lead + len(stripped)], ends[lead : lead + len(stripped)]


def _table_by_segments(
    original: str, segments: list[tuple[int, int]], expected: str
) -> tuple[list[int], list[int]] | None:
    """Fold segment by segment (clusters, or words); each output character maps to its segment."""
    starts: list[int] = []
    ends: list[int] = []
    out: list[str] = []
    for a, b in segments:
        for char in _fold_cluster(original[a:b]):
            if char.isspace():
                if out and out[-1] == " ":
                    ends[-1] = b
                    continue
                char = " "
            out.append(char)
            starts.append(a)
            ends.append(b)
    while out and out[-1] == " ":
        del out[-1], starts[-1], ends[-1]
    while out and out[0] == " ":
        del out[0], starts[0], ends[0]
    return (starts, ends) if "".join(out) == expected else None
