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
# ``str.translate`` (a dictionary lookup per character of any non-ASCII text); those found are
# replaced one by one (what each becomes is never one of them).
_FOLDED_CHARS = re.compile("[" + "".join(map(chr, _FOLD)) + "]")
_FOLD_STR = {chr(code): value or "" for code, value in _FOLD.items()}

# Characters that each step leaves alone, one by one and next to anything: ASCII (casefold
# lowers it), kana, CJK ideographs and the common Japanese brackets and stops.  Each is a
# starter that NFKC keeps and that never composes with the character before it (what composes
# backwards is a combining mark, a Hangul vowel or final, or one of a few Indic signs), so the
# steps may skip runs of them and treat the rest piece by piece (``tests/rules/test_normalize``
# checks every one of them).  Not here: ゛゜ゟヿ (NFKC spells them out), the wave dash (folded),
# the ideographic space (NFKC makes it a space) and the half- and full-width forms.
STABLE = (
    (0x00, 0x7F),
    (0x3001, 0x3002),
    (0x3005, 0x3011),
    (0x3041, 0x3096),
    (0x309D, 0x309E),
    (0x30A0, 0x30FE),
    (0x4E00, 0x9FFF),
)
_STABLE_CLASS = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in STABLE)
_UNSTABLE = re.compile(f"[^{_STABLE_CLASS}]+")


def _nfkc_casefold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


_nfkc_short = functools.lru_cache(maxsize=4096)(_nfkc_casefold)  # the same short runs recur (す！)


def _nfkc_run(text: str) -> str:
    return _nfkc_short(text) if len(text) <= 8 else _nfkc_casefold(text)


def _fold(text: str) -> str:
    """Steps 1-3 and the deletions of step 4; whitespace runs are left to the caller."""
    if text.isascii():  # NFKC leaves ASCII as it is, casefold lowers it, the fold holds none of it
        return text.lower()
    # NFKC works on the whole text once one character needs it (a few hundred ns a character):
    # only the runs that hold such characters go through it, the stable runs are only lowered
    parts = []
    done = 0
    for run in _UNSTABLE.finditer(text):
        start, end = run.span()
        if start > done:  # with the stable character before the run, which may compose with it
            start -= 1
            if start > done:
                parts.append(text[done:start].lower())
        parts.append(_nfkc_run(text[start:end]))
        done = end
    parts.append(text[done:].lower())
    text = "".join(parts)
    for char in set(_FOLDED_CHARS.findall(text)):
        text = text.replace(char, _FOLD_STR[char])
    return text


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
        # ASCII folds one to one (NFKC leaves it, casefold lowers it, the fixed fold holds none
        # of it): with equal lengths no whitespace run was collapsed nor trimmed either
        if len(self.original) == len(self.text) and self.original.isascii():
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


# Whitespace runs that collapse: one space then stands for several characters.
_SPACE_RUNS = re.compile(r"\s{2,}")


def _table_by_char(original: str, expected: str) -> tuple[list[int], list[int]] | None:
    """The common case, fast: each character folds on its own (no composition across characters).
    Stable runs (``STABLE``) fold to themselves, lowered, one character each; only the other
    characters are folded one by one.  Empty lists when character i came from character i."""
    pieces: list[str] = []
    even = True  # every character folds to exactly one
    done = 0
    runs = [run.span() for run in _UNSTABLE.finditer(original)]
    for start, end in runs:
        if start > done:
            pieces.append(original[done:start].lower())
        for char in original[start:end]:
            piece = _fold_cluster(char)
            pieces.append(piece)
            even = even and len(piece) == 1
        done = end
    pieces.append(original[done:].lower())
    joined = "".join(pieces)
    stripped = " ".join(joined.split())  # str.split() splits where ``\s`` matches
    if stripped != expected:
        return None
    if even and len(stripped) == len(joined):  # nor any whitespace collapsed or trimmed
        return [], []
    owner: list[int] = []  # per character of the folded text: the original character it came from
    after: list[int] = []  # ... and the position just after that one
    done = 0
    for start, end in runs:
        owner += range(done, start)
        after += range(done + 1, start + 1)
        for i in range(start, end):
            size = len(_fold_cluster(original[i]))
            owner += [i] * size
            after += [i + 1] * size
        done = end
    owner += range(done, len(original))
    after += range(done + 1, len(original) + 1)
    if len(stripped) == len(joined):
        return owner, after
    starts, ends = owner, after
    if _SPACE_RUNS.search(joined) is not None:
        starts, ends = [], []
        done = 0
        for run in _SPACE_RUNS.finditer(joined):
            a, b = run.span()
            starts += owner[done:a]
            ends += after[done:a]
            starts.append(owner[a])
            ends.append(owner[b - 1] + 1)
            done = b
        starts += owner[done:]
        ends += after[done:]
    lead = 1 if joined[:1].isspace() else 0  # leading whitespace, collapsed to one space
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
