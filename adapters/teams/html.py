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

from adapters import html_text

_QUOTED_REPLY = "schema.skype.com/reply"
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def _quoted_reply(tag: str, attrs: html_text.Attrs) -> bool:
    return tag == "blockquote" and _QUOTED_REPLY in attrs.get("itemtype", "").casefold()


def _alt(tag: str, attrs: html_text.Attrs) -> str | None:
    return attrs.get("alt") if tag in ("img", "emoji") else None


TEAMS = html_text.Dialect(skip=_quoted_reply, inline=_alt, link_urls=True)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def html_to_text(html: str) -> str:
    """Readable text from Teams HTML: block elements become line breaks, entities are decoded."""
    return html_text.html_to_text(html, TEAMS)
