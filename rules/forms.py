"""Word forms of a keyword, expanded once at load time, and where a keyword may stop.

``forms("freeze")`` gives ``freeze, freezes, freezing, froze, frozen, ...``; ``forms("素晴らしい")``
gives ``素晴らしい, 素晴らしかった, 素晴らしく, ...``; ``forms("落ちる")`` gives ``落ちる, 落ちた,
落ちます, 落ちない, ...``. Every form goes into the one Aho-Corasick automaton, so matching stays
a single scan. Rules (no dictionary, no model; small and predictable):

- English (an ASCII keyword): the last word gets its inflections (-s/-es/-ies, -ed/-d/-ied,
  -ing with a dropped ``e`` or a doubled final consonant, and the irregular past forms of common
  verbs). The keyword then matches only as whole words: ``series c`` does not match "series
  cause", ``fee`` does not match "feed", ``bug`` does not match "debug".
- Japanese: an i-adjective (``〜い``) gets its conjugations (``〜かった``, ``〜く``, ``〜くて``,
  ``〜さ``, ``〜そう``, ``〜すぎ``), a verb in dictionary form (``〜る``, ``〜う``, ``〜く``, ...,
  ``〜する``) gets its stems for ``ます``, ``た``/``て``, ``ない``, ``れば``, passive and potential.
  A keyword whose last character is a kanji does not match when another kanji follows it
  (``価格`` is not in ``価格帯``) unless that kanji is a common suffix (``価格的``, ``エラー時``);
  one whose last character is katakana does not match when more katakana follows
  (``コスト`` is not in ``コストパフォーマンス``).

``{word: x}`` keywords are exact (no forms) and match as whole ASCII words, as before.
"""

from __future__ import annotations

import re

__all__ = ["Boundary", "forms", "stops_cleanly"]

# How a form's ends are checked against the text around it.
Boundary = str  # "word" (ASCII letters/digits on neither side), "ja" (see stops_cleanly), "exact"

_IRREGULAR = {
    "be": ("is", "are", "was", "were", "been", "being"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "buy": ("bought",),
    "catch": ("caught",),
    "choose": ("chose", "chosen"),
    "come": ("came",),
    "do": ("did", "done", "does"),
    "drive": ("drove", "driven"),
    "fall": ("fell", "fallen"),
    "feel": ("felt",),
    "find": ("found",),
    "forget": ("forgot", "forgotten"),
    "freeze": ("froze", "frozen"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "hang": ("hung",),
    "have": ("has", "had"),
    "hear": ("heard",),
    "hide": ("hid", "hidden"),
    "hold": ("held",),
    "keep": ("kept",),
    "know": ("knew", "known"),
    "leave": ("left",),
    "lose": ("lost",),
    "make": ("made",),
    "pay": ("paid",),
    "read": ("read",),
    "ring": ("rang", "rung"),
    "run": ("ran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "sell": ("sold",),
    "send": ("sent",),
    "shake": ("shook", "shaken"),
    "show": ("shown",),
    "shut": ("shut",),
    "sink": ("sank", "sunk"),
    "speak": ("spoke", "spoken"),
    "spend": ("spent",),
    "steal": ("stole", "stolen"),
    "stick": ("stuck",),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "understand": ("understood",),
    "wake": ("woke", "woken"),
    "wear": ("wore", "worn"),
    "win": ("won",),
    "write": ("wrote", "written"),
}
_VOWELS = set("aeiou")
_ENGLISH_WORD = re.compile(r"[a-z]{3,}")


def _english(word: str) -> set[str]:
    """Inflections of one lower-case English word (nouns and verbs alike; over-generation is harmless)."""
    out = {word, *_IRREGULAR.get(word, ())}
    if not _ENGLISH_WORD.fullmatch(word):
        return out
    if word.endswith(("s", "x", "z", "ch", "sh")):
        out |= {word + "es", word + "ed", word + "ing"}
    elif word.endswith("y") and word[-2] not in _VOWELS:
        out |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    elif word.endswith("ie"):
        out |= {word + "s", word + "d", word[:-2] + "ying"}
    elif word.endswith("ee"):
        out |= {word + "s", word + "ing"} | ({word + "d"} if len(word) > 3 else set())  # fee: not "feed"
    elif word.endswith("e"):
        out |= {word + "s", word + "d", word[:-1] + "ing"}
    else:
        out |= {word + "s", word + "ed", word + "ing"}
        # stop -> stopped, log -> logged: one vowel before one final consonant, in a short word
        if (
            word[-1] not in _VOWELS | set("wxy")
            and word[-2] in _VOWELS
            and word[-3] not in _VOWELS
            and len(word) <= 4
        ):
            out |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return out


# Godan verb endings: the row of kana each conjugation stem uses (a, i, e, o) plus the te/ta stem.
_GODAN = {
    "う": ("わ", "い", "え", "お", "っ"),
    "く": ("か", "き", "け", "こ", "い"),
    "ぐ": ("が", "ぎ", "げ", "ご", "い"),
    "す": ("さ", "し", "せ", "そ", "し"),
    "つ": ("た", "ち", "て", "と", "っ"),
    "ぬ": ("な", "に", "ね", "の", "ん"),
    "ぶ": ("ば", "び", "べ", "ぼ", "ん"),
    "む": ("ま", "み", "め", "も", "ん"),
    "る": ("ら", "り", "れ", "ろ", "っ"),
}
_ICHIDAN_ENDINGS = (
    "る",
    "た",
    "て",
    "ない",
    "なかっ",
    "なく",
    "ます",
    "まし",
    "ませ",
    "れ",
    "られ",
    "よう",
    "ちゃ",
    "させ",
    "ず",
)
_ADJECTIVE_ENDINGS = (
    "い",
    "かった",
    "かっ",
    "く",
    "くて",
    "くな",
    "くあり",
    "さ",
    "そう",
    "すぎ",
    "けれ",
    "き",
)
_SURU_ENDINGS = (
    "する",
    "した",
    "して",
    "しま",
    "しな",
    "され",
    "させ",
    "しよう",
    "すれ",
    "でき",
    "せず",
    "しちゃ",
)
# i/e-row kana before る: usually an ichidan verb (落ちる, 食べる); otherwise usually godan (止まる)
_I_E_ROW = set("いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ")


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"


def _is_katakana(char: str) -> bool:
    return "\u30a0" <= char <= "\u30ff"


def _japanese(keyword: str) -> set[str]:
    out = {keyword}
    if len(keyword) < 2:
        return out
    last, before = keyword[-1], keyword[-2]
    if keyword.endswith("ます") and len(keyword) > 2:  # already polite: 〜ます → 〜ました / 〜ません
        stem = keyword[:-2]
        return out | {stem + "ました", stem + "ません", stem + "ませんでした"}
    if keyword.endswith(("です", "でした", "ました", "ません", "ください", "下さい")):
        return out
    if keyword.endswith("する") and len(keyword) > 2:
        stem = keyword[:-2]
        return out | {stem + e for e in _SURU_ENDINGS}
    if last == "い" and (_is_kanji(before) or "\u3041" <= before <= "\u3096") and before != "い":
        return out | {keyword[:-1] + e for e in _ADJECTIVE_ENDINGS}
    if last == "る" and before in _I_E_ROW | {"見", "居", "寝", "出", "来"}:
        out |= {keyword[:-1] + e for e in _ICHIDAN_ENDINGS}
        if before in "りれ" or _is_kanji(before):
            out |= {keyword[:-1] + e for e in _GODAN["る"]}
        return out
    if last in _GODAN and (_is_kanji(before) or "\u3041" <= before <= "\u3096"):
        stem = keyword[:-1]
        a, i, e, o, te = _GODAN[last]
        out |= {stem + a, stem + i, stem + e, stem + o, stem + te}
        if _is_kanji(before) and last == "る":  # 見る-like kanji + る may be ichidan too
            out |= {stem + e2 for e2 in _ICHIDAN_ENDINGS}
    return out


def forms(keyword: str) -> tuple[tuple[str, Boundary], ...]:
    """Every form of a normalised keyword, each with how its ends are checked."""
    if keyword.isascii():
        words = keyword.split(" ")
        if len(words) == 1:
            return tuple((form, "word") for form in sorted(_english(keyword)))
        # a phrase: its first and last words vary ("log in" -> "logged in", "sync error" -> "sync errors")
        middle = " ".join(words[1:-1])
        combos = {
            " ".join(part for part in (first, middle, last) if part)
            for first in _english(words[0])
            for last in _english(words[-1])
        }
        return tuple((form, "word") for form in sorted(combos))
    return tuple((form, "ja") for form in sorted(_japanese(keyword)))


# Kanji that commonly end a compound without changing what it is about (エラー時, 不具合的, 障害中).
_SUFFIX_KANJI = set("的性化中時等者後前上内外用済率感面側系版様毎目回件個点度式型製風")


def stops_cleanly(text: str, start: int, end: int, boundary: Boundary) -> bool:
    """Whether the form found at ``text[start:end]`` is a word of its own there."""
    if boundary == "ja":
        if end >= len(text):
            return _word_edges(text, start, end)
        last, after = text[end - 1], text[end]
        if _is_kanji(last) and _is_kanji(after):
            return after in _SUFFIX_KANJI
        if _is_katakana(last) and _is_katakana(after) and after != "・":
            return False
        return _word_edges(text, start, end)
    return _word_edges(text, start, end)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _word_edges(text: str, start: int, end: int) -> bool:
    """No ASCII letter or digit runs on past either end (an end that is punctuation is free)."""
    if start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]))
