"""The matching machinery: one keyword automaton, re2 regexes, channel/author name patterns.

Every keyword of every route goes into ONE Aho-Corasick automaton; a message is scanned once and
conditions look their keywords up in the result.  Regexes are compiled with re2, which runs in
linear time (no catastrophic backtracking) and so has no backreferences or lookaround.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, KeysView
from dataclasses import dataclass
from typing import Any

import ahocorasick
import re2
from re2 import _re2

from rules.errors import Said, said
from rules.forms import Boundary, forms, stops_cleanly
from rules.normalize import char_form

__all__ = [
    "KeywordHits",
    "KeywordIndex",
    "NamePatterns",
    "RegexProblem",
    "RegexSet",
    "compile_regex",
    "iter_spans",
    "name_key",
    "search_span",
    "utf8",
]


# Links in normalised (casefolded, NFKC) text; stops at whitespace and at the brackets and quotes
# people wrap links in.  A simple, linear pattern.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]{}\"'「」『』（）【】]+")


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where links are in ``text``: keywords never match inside them (``/enterprise/`` in a
    news URL is not a pricing question); regexes still see them."""
    return [match.span() for match in _LINK.finditer(text)] if "://" in text or "www." in text else []


def _inside(spans: list[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b for a, b in spans)


@dataclass(frozen=True, slots=True)
class KeywordHits:
    """First occurrence of each keyword id in one message (a form of it, standing as a word)."""

    anywhere: dict[int, tuple[int, int]]

    def span(self, keyword_id: int) -> tuple[int, int] | None:
        return self.anywhere.get(keyword_id)

    def among(self, keyword_ids: KeysView[int]) -> Iterable[int]:
        """Which of ``keyword_ids`` occur at all (then ask ``span`` where)."""
        return self.anywhere.keys() & keyword_ids

    def any_of(self, keyword_ids: frozenset[int]) -> bool:
        """Whether one of ``keyword_ids`` occurs."""
        return not keyword_ids.isdisjoint(self.anywhere)


_NO_HITS = KeywordHits({})


class KeywordIndex:
    """Collects normalised keywords at load time, then scans messages for all of them at once.

    A keyword is registered with its word forms (``rules.forms``): every form goes into the one
    automaton, pointing back at the keyword's id, with the boundary check that form needs.
    ``{word: x}`` keywords (``exact=True``) have one form and must stand as an ASCII word.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, bool], int] = {}
        self._forms: dict[str, list[tuple[int, Boundary]]] = {}
        self._automaton: Any = None

    def add(self, keyword: str, *, exact: bool) -> int:
        """Register a normalised keyword; returns its id (the same keyword shares one id)."""
        key = (keyword, exact)
        if key in self._ids:
            return self._ids[key]
        keyword_id = self._ids[key] = len(self._ids)
        for form, boundary in ((keyword, "word"),) if exact else forms(keyword):
            self._forms.setdefault(form, []).append((keyword_id, boundary))
        return keyword_id

    def __len__(self) -> int:
        return len(self._ids)

    def form_count(self) -> int:
        """How many distinct strings the automaton holds (keywords and their forms)."""
        return len(self._forms)

    def entries(self) -> list[tuple[str, int, Boundary]]:
        """(normalised form, keyword id, boundary) for every form of every keyword."""
        return [
            (form, keyword_id, boundary)
            for form, owners in self._forms.items()
            for keyword_id, boundary in owners
        ]

    def build(self) -> None:
        if not self._forms:
            return
        automaton = ahocorasick.Automaton()
        for form, owners in self._forms.items():
            automaton.add_word(form, (len(form), tuple(owners)))
        automaton.make_automaton()
        self._automaton = automaton

    def scan(self, text: str) -> KeywordHits:
        if self._automaton is None or not text:
            return _NO_HITS
        anywhere: dict[int, tuple[int, int]] = {}
        links = link_spans(text)
        for end, (length, owners) in self._automaton.iter(text):
            start = end - length + 1
            if links and _inside(links, start):
                continue
            for keyword_id, boundary in owners:
                seen = anywhere.get(keyword_id)
                if (seen is None or seen[0] == start) and stops_cleanly(text, start, end + 1, boundary):
                    anywhere[keyword_id] = (start, end + 1)  # a longer form at the same start wins
        return KeywordHits(anywhere)


@dataclass(frozen=True, slots=True)
class RegexProblem:
    """Why a pattern was refused; ``offset`` is the character in the pattern to point at, if known."""

    message: Said
    offset: int | None = None


# re2's compiled program size grows with repetition counts: ``(a|b|c|d){1000}`` is about 3,000
# instructions.  Patterns people write to spot bug reports or prices stay far below this limit;
# what passes it costs memory and time on every message.
MAX_REGEX_PROGRAM = 5000


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False  # the text is casefolded; let 'API' in a pattern match 'api'
    options.log_errors = False
    # Only the whole match's span is used.  Without capture groups re2 answers from its DFA,
    # in one pass over the text; with them ``(.*a){20}`` falls back to a far slower engine.
    options.never_capture = True
    return options


_RE2_OPTIONS = _options()


def compile_regex(pattern: str) -> Any:
    """Compile ``pattern`` with re2 for use on normalised text, or explain why not (``RegexProblem``)."""
    for offset, char in enumerate(pattern):
        form = char_form(char)
        if form != char:
            return RegexProblem(said("regex.form", char=char, form=form), offset)
    try:
        compiled = re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = (
            exc.args[0].decode("utf-8", "replace")
            if exc.args and isinstance(exc.args[0], bytes)
            else str(exc)
        )
        try:
            re.compile(pattern)
        except re.error as py_exc:
            return RegexProblem(said("regex.invalid", error=py_exc.msg), py_exc.pos)
        return RegexProblem(said("regex.re2", reason=reason))
    if compiled.programsize > MAX_REGEX_PROGRAM:
        return RegexProblem(said("regex.too_big", size=compiled.programsize, limit=MAX_REGEX_PROGRAM))
    if compiled.search("") is not None:
        return RegexProblem(said("regex.empty"))
    return compiled


# google-re2's ``search`` and ``finditer`` are Python around the C++ call: per call they encode
# the text, start a generator, sort the span offsets, convert them and build a match object,
# some 3 us, often more than the search itself.  The hot paths ask the compiled RE2 directly,
# with the text encoded once per message, and convert byte offsets to characters only for
# non-ASCII text: the same spans, the same iteration as ``finditer``.
_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
_NO_MATCH = -1
_encoded: tuple[str, bytes] = ("", b"")  # the last text encoded, and its UTF-8


def utf8(text: str) -> bytes:
    global _encoded
    last = _encoded
    if last[0] is text:
        return last[1]
    data = text.encode("utf-8")
    _encoded = (text, data)
    return data


def search_span(compiled: Any, text: str) -> tuple[int, int] | None:
    """``compiled.search(text).span()``, or None when it finds nothing."""
    if _UNANCHORED is None:  # a binding without the internals used here: its own search
        found = compiled.search(text)
        return None if found is None else found.span()
    data = utf8(text)
    start, end = compiled._regexp.Match(_UNANCHORED, data, 0, len(data))[0]
    if start == _NO_MATCH:
        return None
    if len(data) == len(text):
        return (start, end)
    return (_re2.BytesToCharLen(data, 0, start), _re2.BytesToCharLen(data, 0, end))


def iter_spans(compiled: Any, text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``compiled.finditer(text)``, in order, lazily."""
    if _UNANCHORED is None:
        yield from (found.span() for found in compiled.finditer(text))
        return
    data = utf8(text)
    size = len(data)
    ascii_only = size == len(text)
    match = compiled._regexp.Match
    pos = 0
    byte, char = 0, 0  # the last offset converted, in bytes and in characters (offsets only grow)
    while True:
        start, end = match(_UNANCHORED, data, pos, size)[0]
        if start == _NO_MATCH:
            return
        if ascii_only:
            yield (start, end)
        else:
            first = char + _re2.BytesToCharLen(data, byte, start)
            char = first + _re2.BytesToCharLen(data, start, end)
            byte = end
            yield (first, char)
        if pos == size:
            return
        pos = pos + _re2.CharLenToBytes(data, pos, 1) if pos == end else end


class RegexSet:
    """Every regex of the rules in ONE re2 pass: which of them match somewhere in a text (an
    RE2::Set with the same options as each pattern), so a message searches only those for where.
    "Matches somewhere" is exactly "its own search finds a match"."""

    def __init__(self, compiled: Iterable[Any]) -> None:
        options = _options()
        # RE2 sets never give up for slowness, only when their start state does not fit the DFA
        # budget: room to spare (memory is taken as states are built, not up front)
        options.max_mem = 64 << 20
        self._set = re2.Set.SearchSet(options)
        self._index: dict[int, int] = {}  # id of a compiled pattern -> its index in the set
        self._keep: list[Any] = []  # the compiled patterns, so their ids stay theirs
        for pattern in compiled:
            if id(pattern) not in self._index:
                self._index[id(pattern)] = self._set.Add(pattern.pattern)
                self._keep.append(pattern)
        if self._keep:
            self._set.Compile()
        self.covered = frozenset(self._index)  # ids of the compiled patterns in the set
        self._ids = {index: key for key, index in self._index.items()}

    def __len__(self) -> int:
        return len(self._keep)

    def matching(self, text: str) -> frozenset[int]:
        """Set indexes of the patterns that match somewhere in ``text``."""
        found = self._set.Match(utf8(text)) if self._keep and text else None
        return frozenset(found) if found else frozenset()

    def matching_ids(self, text: str) -> frozenset[int]:
        """``matching`` as the ids of the compiled patterns (``id(compiled) in covered``)."""
        found = self._set.Match(utf8(text)) if self._keep and text else None
        return frozenset(self._ids[i] for i in found) if found else frozenset()

    def index_of(self, compiled: Any) -> int | None:
        return self._index.get(id(compiled))


def name_key(name: str) -> str:
    """How channel and author names compare: ``#x`` == ``x`` == ``X``, ``@sato`` == ``sato``."""
    return name.strip().lstrip("#@").casefold()


class NamePatterns:
    """Names or globs (``*``, ``?``, ``[..]``) compared with ``name_key``; remembers what was written."""

    __slots__ = ("_exact", "_globs")

    def __init__(self, written: Iterable[str]) -> None:
        self._exact: dict[str, str] = {}
        self._globs: list[tuple[re.Pattern[str], str]] = []
        for name in written:
            key = name_key(name)
            if any(c in key for c in "*?["):
                self._globs.append((re.compile(fnmatch.translate(key)), name))
            else:
                self._exact.setdefault(key, name)

    def find(self, *names: str) -> str | None:
        """The pattern (as written) that one of ``names`` matches, or None."""
        keys = [name_key(name) for name in names if name]
        for key in keys:
            if key in self._exact:
                return self._exact[key]
        for regex, written in self._globs:
            if any(regex.match(key) for key in keys):
                return written
        return None
