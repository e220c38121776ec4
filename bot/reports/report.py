"""The payload of a recap, an agenda or a notice, and how it is split to fit each platform.

A report is platform-neutral data that the Slack and Teams sinks render::

    {"title": str, "sections": [{"heading": str, "lines": [str, ...]}], "markdown": str,
     "locale": "ja" | "en", "image": {"png_base64", "alt", "title", "filename"} | None,
     "late": bool, "part": int, "parts": int, "continuation_of": dedupe key of part 1 (parts 2..n)}

Lines are Markdown (``[text](url)``, ``**bold**``), one line each; ``markdown`` is the whole post
as a Markdown document (the CLI prints it).  ``split`` cuts a long report into several complete
posts that each fit Slack (50 blocks, 3000 characters per section text) and a Teams card
(~25 KB): the first post is the parent, the sinks reply in its thread with the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.core.texts import CATALOGUES, t

SECTION_TEXT_LIMIT = 2800  # Slack: 3000 characters per section text; keep a margin for mrkdwn conversion
SECTIONS_PER_POST = 12  # Slack: 50 blocks per message; a sink spends ~3 blocks per section (+ header, image)
POST_BYTES_LIMIT = 14_000  # Teams: ~25 KB per card; JSON-escaped Japanese costs 6 bytes per character
CARD_BYTES_BUDGET = 22_000  # Teams card (24 KB kept) less its overhead: text and the chart's base64 together
EXCERPT = 70  # characters of community text quoted in a line

_SPACES = re.compile(r"\s+")
_MARKUP = str.maketrans({"[": "［", "]": "］", "*": "＊", "`": "'"})  # what could break a line's own markup


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "lines": list(self.lines)}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Community text made safe inside one Markdown line: one line, no markup, cut at ``limit``."""
    flat = _SPACES.sub(" ", text).strip().translate(_MARKUP)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def name(text: str) -> str:
    """A person's or channel's name inside a line (no markup)."""
    return _SPACES.sub(" ", text).strip().translate(_MARKUP)


def tn(locale: str, key: str, number: int, **values: object) -> str:
    """``t`` for a phrase about ``number`` of something: ``KEY.one`` when it is 1 and exists."""
    singular = f"{key}.one"
    if number == 1 and singular in CATALOGUES.get(locale, {}):
        key = singular
    return t(locale, key, **values)


def link(label: str, url: str | None) -> str:
    return f"[{label}]({url})" if url else ""


def delta(now: int, before: int) -> str:
    return "±0" if now == before else f"{now - before:+d}"


def markdown(title: str, sections: list[Section]) -> str:
    parts = [f"## {title}"]
    for section in sections:
        body = "\n".join(f"- {line}" for line in section.lines)
        parts.append(f"### {section.heading}\n{body}" if body else f"### {section.heading}")
    return "\n\n".join(parts) + "\n"


def report(
    title: str,
    sections: list[Section],
    *,
    locale: str,
    image: dict[str, str] | None = None,
    late: bool = False,
) -> dict[str, Any]:
    """One complete post (not split)."""
    return {
        "title": title,
        "sections": [s.as_dict() for s in sections],
        "markdown": markdown(title, sections),
        "locale": locale,
        "image": image,
        "late": late,
    }


def _cut_section(section: Section, locale: str) -> list[Section]:
    """A section whose text is too long for one Slack section becomes several."""
    pieces: list[list[str]] = [[]]
    size = 0
    for line in section.lines:
        line = line if len(line) <= SECTION_TEXT_LIMIT else line[: SECTION_TEXT_LIMIT - 1] + "…"
        if pieces[-1] and size + len(line) + 1 > SECTION_TEXT_LIMIT:
            pieces.append([])
            size = 0
        pieces[-1].append(line)
        size += len(line) + 1
    return [
        Section(
            section.heading if i == 0 else t(locale, "report.continued", heading=section.heading), tuple(p)
        )
        for i, p in enumerate(pieces)
    ]


def _bytes(section: Section) -> int:
    return len(json.dumps(section.as_dict()))  # ensure_ascii: the worst case a sink may produce


def split(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Cut ``payload`` into posts within the platforms' limits; one post when it already fits.

    Every post is complete (title, sections, markdown).  The image stays on the first post;
    ``part``/``parts`` number them and the title of a continuation says so.  The caller sets
    ``continuation_of`` when it knows the first post's dedupe key (``enqueue_report``).
    """
    locale = str(payload.get("locale") or "ja")
    sections = [
        piece
        for raw in payload["sections"]
        for piece in _cut_section(Section(raw["heading"], tuple(raw["lines"])), locale)
    ]
    image = payload.get("image")
    chart = len(str(image.get("png_base64") or "")) if isinstance(image, dict) else 0
    budget = min(POST_BYTES_LIMIT, CARD_BYTES_BUDGET - chart)  # the first post carries the chart
    posts: list[list[Section]] = [[]]
    size = 0
    for section in sections:
        cost = _bytes(section)
        full = len(posts[-1]) >= SECTIONS_PER_POST or size + cost > budget
        if posts[-1] and full:
            posts.append([])
            size = 0
            budget = POST_BYTES_LIMIT
        posts[-1].append(section)
        size += cost
    title = str(payload["title"])
    out = []
    for index, chunk in enumerate(posts, start=1):
        part_title = (
            title if len(posts) == 1 else t(locale, "report.part", title=title, part=index, parts=len(posts))
        )
        out.append(
            {
                **payload,
                "title": part_title,
                "sections": [s.as_dict() for s in chunk],
                "markdown": markdown(part_title, chunk),
                "image": payload.get("image") if index == 1 else None,
                "part": index,
                "parts": len(posts),
            }
        )
    return out


async def enqueue_report(
    store: Any, *, kind: str, destination: str, payload: dict[str, Any], dedupe_key: str
) -> int:
    """Enqueue ``payload`` (split when long) once; returns how many new outbox rows were added.

    Part 1 uses ``dedupe_key``; part n uses ``f"{dedupe_key}#n"`` and ``continuation_of`` =
    ``dedupe_key``, so the sinks post it as a reply in the first post's thread.
    """
    added = 0
    for post in split(payload):
        part = int(post["part"])
        key = dedupe_key if part == 1 else f"{dedupe_key}#{part}"
        if part > 1:
            post["continuation_of"] = dedupe_key
        added += (
            await store.enqueue(kind=kind, destination=destination, payload=post, dedupe_key=key) is not None
        )
    return added


async def enqueue_to(
    store: Any, *, kind: str, payload: dict[str, Any], destinations: Iterable[object], key: str
) -> int:
    """``enqueue_report`` to each destination, keyed ``f"{key}:{destination}"``; returns new rows."""
    added = 0
    for dest in destinations:
        added += await enqueue_report(
            store, kind=kind, destination=str(dest), payload=payload, dedupe_key=f"{key}:{dest}"
        )
    return added
