"""HTML to the plain text people wrote (pure): the one converter Teams and Discourse share.

Block elements become line breaks, list items ``- `` lines, entities are decoded. A ``Dialect``
says what differs per platform: which elements hold someone else's words (a quoted reply, a link
preview) and are left out, what an empty element stands for (an emoji image's ``alt``), whether
a link's URL is kept when its text differs, and whether paragraphs keep a blank line between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

Attrs = Mapping[str, str]

BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "codeblock", "table", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_VOID = frozenset({"br", "img", "hr", "meta", "input", "source", "emoji", "link", "wbr", "area", "col"})
_ALWAYS_SKIPPED = frozenset({"script", "style", "head", "title"})


def _never(_tag: str, _attrs: Attrs) -> bool:
    return False


def _nothing(_tag: str, _attrs: Attrs) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Dialect:
    skip: Callable[[str, Attrs], bool] = _never  # this element's content is not the author's words
    inline: Callable[[str, Attrs], str | None] = _nothing  # text an element stands for (emoji alt)
    link_urls: bool = False  # "label (https://…)" when a link's text is not its URL
    paragraphs: bool = False  # keep one blank line between paragraphs


class _Text(HTMLParser):
    def __init__(self, dialect: Dialect) -> None:
        super().__init__(convert_charrefs=True)
        self.dialect = dialect
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, opened a skipped region)
        self._skipping = 0
        self._links: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag not in _VOID:
            skip = tag in _ALWAYS_SKIPPED or self.dialect.skip(tag, attr)
            self._open.append((tag, skip))
            self._skipping += skip
        if self._skipping:
            return
        text = self.dialect.inline(tag, attr)
        if text is not None:
            self.parts.append(text)
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self._links.append((attr.get("href") or None, len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <br/> is one break, and never closes anything

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or all(open_tag != tag for open_tag, _ in self._open):
            return  # a stray end tag closes nothing
        while self._open:
            open_tag, skip = self._open.pop()
            self._skipping -= skip
            if open_tag == tag:
                break
        if self._skipping:
            return
        if tag in BLOCKS and tag != "li":
            self.parts.append("\n")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            web = bool(href) and str(href).startswith(("http://", "https://", "mailto:"))
            if self.dialect.link_urls and web and href != label:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str, dialect: Dialect = Dialect()) -> str:
    if not html:
        return ""
    parser = _Text(dialect)
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if not dialect.paragraphs:
        return "\n".join(line for line in lines if line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return re.sub(r"\n\n(?=- )", "\n", text).strip()
