"""Text for a terminal by cells, not characters: a kana or kanji takes two, and Japanese breaks
between any two characters, except before closing marks (、。）」) and after opening ones (（「)."""

from __future__ import annotations

import re
import shutil
import unicodedata

_TOKENS = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]+|.")
NO_START = frozenset("、。，．）」』】〉》・：；？！ー々)]},.:;!?")
NO_END = frozenset("（「『【〈《([{")


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def wrap_cells(text: str, width: int) -> list[str]:
    """One paragraph in lines of at most ``width`` cells (a longer word stays whole), breaking
    between words and between wide characters, never before closing or after opening punctuation."""
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line.append(" ")
                used += 1
            continue
        size = cells(token)
        if used + size > width and line:
            spaced = line[-1] == " "  # a break at a space may come before anything
            while line and line[-1] == " ":
                line.pop()
            carried: list[str] = []
            while not spaced and line and token[0] in NO_START and (not carried or carried[0][0] in NO_START):
                carried.insert(0, line.pop())  # 「…ます」「）。」: the closing marks go down with a word
            while line and line[-1] == " ":
                line.pop()
            while not spaced and line and line[-1][-1] in NO_END:
                carried.insert(0, line.pop())
            if line:
                lines.append("".join(line).rstrip())
            line = carried
            used = cells("".join(line))
        line.append(token)
        used += size
    if line:
        lines.append("".join(line).rstrip())
    return lines


def fit(text: str, width: int | None = None, indent: str = "  ") -> str:
    """A message for the terminal: each line with Japanese in it wrapped by cells at ``width``
    (the terminal's, at most 80, as click's help), the rest of it indented under it.  English
    lines are left whole as click leaves them, for ``grep`` and for the terminal to wrap: they
    break between words anyway, and a path or ``file:line:col`` stays on the line it starts."""
    width = width or min(shutil.get_terminal_size((80, 24)).columns, 80)
    out: list[str] = []
    for line in text.split("\n"):
        if not is_wide(line) or cells(line) <= width:
            out.append(line)
            continue
        first = (wrap_cells(line, width) or [""])[0]
        if not line.startswith(first):  # spaces were squeezed: every line at the narrower width
            first = (wrap_cells(line, width - len(indent)) or [""])[0]
        out.append(first)
        rest = line[len(first) :].strip()
        out.extend(indent + more for more in wrap_cells(rest, width - len(indent)))
    return "\n".join(out)
