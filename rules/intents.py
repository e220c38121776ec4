"""Intent detectors: what a message is doing (asking, reporting breakage, wishing, praising, ...).

``when: {intent: problem}`` / ``{intent: [question, problem]}`` holds when the message shows one of
the intents. The vocabulary is the project's (``rules.intent_lexicon``), so a community team gets
it without writing keyword lists. Each detector is one re2 alternation for its patterns plus one
for its negations, run over the normalised text once per message and intent (results are cached
on the ``MessageContext``); a match is where the first pattern hit that no negation overlaps.

A match explains itself: ``intent "problem": "keeps freezing"`` (the ``Reason`` has ``kind``
``intent``, ``detail`` the intent's name and ``matched`` the words of the message that showed it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import re2

from rules.intent_lexicon import LEXICON, IntentWords
from rules.matcher import iter_spans, link_spans, search_span, utf8

__all__ = ["INTENTS", "INTENT_NAMES", "IntentDetector", "IntentSet"]


def _options(max_mem: int) -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = max_mem
    # only the whole match's span is read: without captures re2 answers from its DFA and the
    # binding converts two offsets per match, not one pair per group of the lexicon's patterns
    options.never_capture = True
    return options


def _alternation(patterns: tuple[str, ...]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _compile(patterns: tuple[str, ...]) -> Any:
    # the alternations are large; re2's default 8 MiB DFA budget is tight
    return re2.compile(_alternation(patterns), _options(64 << 20)) if patterns else None


def _never_empty(patterns: tuple[str, ...]) -> bool:
    """Whether no match of these patterns can be empty (each needs at least one character), as
    Python's own regex parser measures them; False when it cannot tell (re2-only syntax)."""
    try:
        return bool(patterns) and re._parser.parse(_alternation(patterns)).getwidth()[0] > 0  # type: ignore[attr-defined]
    except Exception:  # any doubt means "may be empty": the caller searches
        return False


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


@dataclass(frozen=True, slots=True)
class IntentDetector:
    """One intent, compiled: ``find(text)`` gives the span of its first un-negated hit, or None."""

    name: str
    summary: str
    found: Any
    negated: Any
    # every match of ``found`` is at least one character: then a text where it matches, with no
    # link and no negation anywhere, shows the intent (``find`` returns its first match)
    never_empty: bool = False

    @classmethod
    def build(cls, words: IntentWords) -> IntentDetector:
        found = _compile(words.patterns)
        return cls(words.name, words.summary, found, _compile(words.negations), _never_empty(words.patterns))

    def find(self, text: str, *, negations: bool = True) -> tuple[int, int] | None:
        """``text`` is normalised (``rules.normalize``); links are never read as intent.
        ``negations=False``: the caller knows none of the negations occurs in ``text``."""
        if not text:
            return None
        first = search_span(self.found, text)  # most messages show most intents not at all: one call
        if first is None:
            return None
        masked = link_spans(text)
        if negations and self.negated is not None and search_span(self.negated, text) is not None:
            masked += list(iter_spans(self.negated, text))
        if not masked and first[1] > first[0]:
            return first
        for start, end in iter_spans(self.found, text):
            if end > start and not _overlaps(masked, start, end):
                return (start, end)
        return None


NEGATED = "-"  # intent names are words: "-problem" is the problem intent's negations


class IntentSet:
    """Which intents' patterns occur anywhere in a text, all asked in ONE re2 pass (an RE2::Set of
    the detectors' alternations): a message then runs ``find`` only for the intents that occur,
    instead of one search per intent a route asks about.  "Occurs" is exactly "its alternation
    searches to a match", so the answers are the detectors' own."""

    def __init__(self, detectors: Iterable[IntentDetector], words: Iterable[IntentWords]) -> None:
        self._names: list[str] = []  # per set entry: the intent's name, or NEGATED + it
        self._covered: dict[str, IntentDetector] = {}
        # the covered detectors none of whose matches is empty: where their patterns occur, with
        # no negation and no link, they show (``MessageContext.shows``)
        self.never_empty: dict[str, IntentDetector] = {}
        # the detectors' own DFA budget: when the cache of states fills, RE2 starts it afresh (a
        # Set never gives up for slowness, only if its start state did not fit, far below this)
        self._set = re2.Set.SearchSet(_options(64 << 20))
        for detector, w in zip(detectors, words, strict=True):
            if detector.found is not None:
                self._set.Add(_alternation(w.patterns))
                self._names.append(detector.name)
                self._covered[detector.name] = detector
                if detector.never_empty:
                    self.never_empty[detector.name] = detector
                if detector.negated is not None:
                    self._set.Add(_alternation(w.negations))
                    self._names.append(NEGATED + detector.name)
        self._set.Compile()

    def covers(self, detector: IntentDetector) -> bool:
        """Whether ``occurring`` answers for this very detector (one built elsewhere is asked itself)."""
        return self._covered.get(detector.name) is detector

    def occurring(self, text: str) -> frozenset[str]:
        """The names of the intents whose patterns match somewhere in ``text``, and NEGATED + the
        name of those whose negations do."""
        found = self._set.Match(utf8(text)) if text else None
        return frozenset(self._names[i] for i in found) if found else frozenset()


INTENTS: dict[str, IntentDetector] = {words.name: IntentDetector.build(words) for words in LEXICON}
INTENT_NAMES: tuple[str, ...] = tuple(INTENTS)
INTENT_SET = IntentSet(INTENTS.values(), LEXICON)
