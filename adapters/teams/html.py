"""Teams message HTML to plain text (pure).

Teams sends channel messages as HTML (``<p>``, ``<br>``, ``<div>``, lists, ``<at>`` mentions,
emoji as ``<img alt="😀">`` or ``<emoji alt="😀"></emoji>``, links, ``<codeblock>``).  The rule
engine wants the words people wrote, so this keeps text, turns block elements into line breaks,
keeps a link's URL when its text differs, uses an image's or emoji's ``alt`` (Teams puts the
emoji there), and leaves out a quoted reply (``<blockquote itemtype="http://schema.skype.com/Reply">``:
someone else's words, already routed with their own message).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "codeblock"}
)
_SKIP = frozenset({"script", "style", "head", "title"})
_ALT = frozenset({"img", "emoji"})
_QUOTED_REPLY = "schema.skype.com/reply"
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._quote = 0  # depth inside a quoted reply's blockquote (0: not in one)
        self._href: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote" and (
            self._quote or _QUOTED_REPLY in (dict(attrs).get("itemtype") or "").casefold()
        ):
            self._quote += 1
            self._skip += 1
        elif tag in _SKIP:
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _ALT:
            alt = dict(attrs).get("alt")
            if alt and not self._skip:
                self.parts.append(alt)
        elif tag == "a":
            self._href.append((dict(attrs).get("href"), len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote" and self._quote:
            self._quote -= 1
            self._skip = max(self._skip - 1, 0)
            self.parts.append("\n")
        elif tag in _SKIP:
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._href:
            href, start = self._href.pop()
            label = "".join(self.parts[start:]).strip()
            if (
                not self._skip
                and href
                and href.startswith(("http://", "https://", "mailto:"))
                and href != label
            ):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def html_to_text(html: str) -> str:
    """Readable text from Teams HTML: block elements become line breaks, entities are decoded."""
    if not html:
        return ""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
