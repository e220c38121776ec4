"""Pure rendering of kakehashi payloads as Slack Block Kit (https://docs.slack.dev/reference/block-kit).

Limits respected (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks per message,
3000 characters per section text, 150 per header, 75 per button or option label, 10 context
elements.  Action ids are ``kakehashi:<action>``; button values carry the item id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.core.views import ReportView, RepostView

Block = dict[str, Any]

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
LABEL_LIMIT = 75
FALLBACK_LIMIT = 3000
QUOTE_LIMIT = 2900  # leaves room for the quote markers inside one section
ACTION_PREFIX = "kakehashi:"

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def escape(text: str) -> str:
    """Slack's three control characters (https://docs.slack.dev/messaging/formatting-message-text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(markdown: str) -> str:
    """The small Markdown subset payloads use -> Slack mrkdwn: links, bold, headings."""
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(markdown):
        out.append(escape(markdown[pos : match.start()]))
        label = escape(match[1]).replace("|", "¦")
        out.append(f"<{match[2]}|{label}>")
        pos = match.end()
    out.append(escape(markdown[pos:]))
    text = "".join(out)
    text = _HEADING.sub(lambda m: f"*{m[1]}*", text)
    return _BOLD.sub(lambda m: f"*{m[1]}*", text)


def plain(text: str, limit: int = LABEL_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT) or " "}}


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": cut(t, SECTION_LIMIT)} for t in texts[:10]],
    }


# A URL in escaped text: printable ASCII only (so Japanese glued to a link is not part of it), never
# across an escaped bracket, trailing punctuation left out.
_URL = re.compile(r"https?://(?:(?!&lt;|&gt;)[!#-;=?-~])+")
_URL_TAIL = ".,;:!?)]'"


def _linked(escaped: str) -> str:
    """Bare URLs in escaped text as ``<url>``: a verbatim section does not link them by itself."""

    def link(match: re.Match[str]) -> str:
        url = match[0]
        stripped = url.rstrip(_URL_TAIL)
        if url.endswith(")") and stripped.count("(") > stripped.count(")"):  # (see https://x/a_(b))
            stripped += ")"
        return f"<{stripped}>{url[len(stripped) :]}"

    return _URL.sub(link, escaped)


def _quoted(body: str) -> str:
    return (
        "\n".join("&gt; " + _linked(escape(line)) if line else "&gt;" for line in body.splitlines()) or "&gt;"
    )


def quote(text: str) -> str:
    """Community text as a mrkdwn block quote, escaped, within one section's limit.

    Escaping and the quote markers make the text longer, so the text is cut until the result fits
    (cutting the result instead could split an entity or a link).
    """
    body = text.strip()
    limit = QUOTE_LIMIT
    while True:
        rendered = _quoted(cut(body, limit))
        if len(rendered) <= SECTION_LIMIT or limit <= 1:
            return rendered
        limit = max(min(limit * SECTION_LIMIT // len(rendered), limit) - 16, 1)


def verbatim_section(text: str) -> Block:
    """A section Slack shows as written: ``@here`` or ``#general`` typed by a community member must
    not notify or link anything in a department channel (https://docs.slack.dev/reference/block-kit/composition-objects/text-object)."""
    block = section(text)
    block["text"]["verbatim"] = True
    return block


def button(text: str, action: str, value: str, *, style: str | None = None, url: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(text),
        "action_id": ACTION_PREFIX + action,
        "value": value,
    }
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def shows_permission(payload: RepostView) -> bool:
    """Whether a repost shows its reuse permission: where the department asks, or once asked."""
    return bool(payload.get("asks_consent")) or payload.get("permission") not in (None, "none")


def repost_blocks(payload: RepostView, departments: Sequence[tuple[str, str]] = ()) -> list[Block]:
    """A routed item (``bot.pipeline.render.repost_payload``): header, quote, author, why, status, buttons.

    ``departments`` are ``(name, label)`` pairs offered by the forward menu (the item's own
    department is left out).
    """
    labels = payload.get("labels", {})
    item = str(payload.get("item_id", ""))
    blocks: list[Block] = [{"type": "header", "text": plain(labels.get("header", ""), HEADER_LIMIT)}]
    if payload.get("deleted"):
        blocks.append(section("_" + escape(labels.get("deleted", "")) + "_"))
        blocks.append(context(escape(labels.get("status", ""))))
        return blocks
    if payload.get("context"):
        blocks.append(context("↪ " + escape(labels.get("context", ""))))
    blocks.append(verbatim_section(quote(payload.get("text", ""))))
    if payload.get("files"):
        blocks.append(context("📎 " + escape(labels.get("files", ""))))
    by = escape(labels.get("by", ""))
    link = payload.get("link")
    if link:
        by += f" · <{link}|{escape(labels.get('open_source', 'link'))}>"
    status_line = escape(labels.get("status", ""))
    if payload.get("votes"):
        status_line += " · " + escape(labels.get("votes", ""))
    if shows_permission(payload):
        status_line += " · " + escape(str(payload.get("permission_label") or ""))
    blocks.append(context(by, status_line))
    why = [escape(labels.get("why", ""))]
    if labels.get("flaggers"):
        why.append(escape(labels["flaggers"]))
    blocks.append(context(*why))
    elements: list[Block] = []
    for action in payload.get("actions", ()):
        text = labels.get(f"action.{action}", action)
        if action == "forward":
            options = [
                {"text": plain(label), "value": f"{item}:{name}"}
                for name, label in departments
                if name != payload.get("department")
            ][:100]
            if options:
                elements.append(
                    {
                        "type": "static_select",
                        "action_id": ACTION_PREFIX + "forward",
                        "placeholder": plain(text),
                        "options": options,
                    }
                )
        else:
            elements.append(button(text, action, item, style="primary" if action == "done" else None))
    if elements:
        blocks.append({"type": "actions", "elements": elements[:25]})
    return blocks


def notice_blocks(text: str, payload: dict[str, Any]) -> list[Block] | None:
    """A notice with buttons (Retry under a dead-letter notice): its text, then the buttons;
    None for a notice without any (it goes as plain text)."""
    buttons = [
        button(str(b.get("label", "")), str(b.get("action", "")), str(b.get("value", "")))
        for b in payload.get("buttons") or ()
        if isinstance(b, dict) and b.get("action")
    ]
    if not buttons:
        return None
    return [section(cut(text, SECTION_LIMIT)), {"type": "actions", "elements": buttons[:25]}]


def consent_blocks(payload: dict[str, Any]) -> list[Block]:
    """A reuse request in the author's DM: the request, their post quoted, one button per answer
    (``kakehashi:consent_<answer>``, value: the item id), and once answered a line saying so."""
    blocks: list[Block] = [
        section(mrkdwn(str(payload.get("intro") or ""))),
        verbatim_section(quote(str(payload.get("quote") or ""))),
    ]
    if payload.get("link"):
        label = escape(str((payload.get("labels") or {}).get("open_source") or "link")).replace("|", "¦")
        blocks.append(context(f"<{payload['link']}|{label}>"))
    blocks.append(section(mrkdwn(str(payload.get("outro") or ""))))
    item = str(payload.get("item_id"))
    styles = {"granted": "primary", "declined": "danger"}
    buttons = [
        button(str(b["label"]), f"consent_{b['answer']}", item, style=styles.get(str(b["answer"])))
        for b in payload.get("buttons") or []
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": "kakehashi_consent", "elements": buttons})
    if payload.get("answered"):
        blocks.append(context(escape(str(payload["answered"]))))
    return blocks


def consent_text(payload: dict[str, Any]) -> str:
    """The notification text of a reuse request (what a screen reader and a push notice show)."""
    return cut(f"{payload.get('title') or ''}: {payload.get('intro') or ''}", FALLBACK_LIMIT)


def thread_reply_text(payload: dict[str, Any]) -> str:
    """A mirrored community reply (``bot.pipeline.threads``): who replied, a link, the quoted text."""
    labels = payload.get("labels", {})
    head = mrkdwn(str(labels.get("reply", "")))
    link = payload.get("link")
    if link:
        head += f" · <{link}|{escape(str(labels.get('open_source', 'link')))}>"
    if payload.get("deleted"):
        return f"{head}\n_{escape(str(labels.get('deleted', '')))}_"
    return f"{head}\n{quote(str(payload.get('text', '')))}"


def repost_text(payload: RepostView) -> str:
    """The notification / screen-reader fallback of a repost."""
    labels = payload.get("labels", {})
    if payload.get("deleted"):
        return escape(cut(f"{labels.get('header', '')} {labels.get('deleted', '')}", FALLBACK_LIMIT))
    return escape(cut(f"{labels.get('header', '')}: {payload.get('text', '')}", 300))


def _section_chunks(heading: str, lines: Sequence[str]) -> list[str]:
    """A heading and its lines as mrkdwn texts of at most ``SECTION_LIMIT`` characters each."""
    chunks: list[str] = []
    current = f"*{escape(heading)}*" if heading else ""
    for line in lines:
        rendered = cut(mrkdwn(line), SECTION_LIMIT - 10)
        candidate = f"{current}\n{rendered}" if current else rendered
        if len(candidate) > SECTION_LIMIT:
            chunks.append(current)
            current = rendered
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def report_messages(payload: ReportView, *, max_blocks: int = MAX_BLOCKS) -> list[list[Block]]:
    """A recap / agenda / command reply as one or more messages (the rest go into a thread).

    The first message starts with the title as a header; sections never split across messages
    unless one alone is longer than a message.
    """
    messages: list[list[Block]] = []
    current: list[Block] = []
    title = payload.get("title")
    markdown = str(payload.get("markdown") or "")
    if title and not payload.get("sections") and markdown in ("", f"**{title}**"):
        # A one-line notice ("Sorry, `route` is only for admins"): one mrkdwn section, so its
        # `code` reads as code, instead of a plain-text header repeated in bold underneath.
        return [[section(mrkdwn(str(title)))]]
    if title:
        current.append({"type": "header", "text": plain(str(title), HEADER_LIMIT)})
    sections = payload.get("sections") or []
    if not sections and payload.get("markdown"):
        sections = [{"heading": "", "lines": str(payload["markdown"]).splitlines()}]
    for sec in sections:
        chunks = [
            section(chunk) for chunk in _section_chunks(str(sec.get("heading", "")), sec.get("lines", []))
        ]
        if current and len(current) + len(chunks) + 1 > max_blocks:
            messages.append(current)
            current = []
        if current and current[-1]["type"] != "header":
            current.append({"type": "divider"})
        for block in chunks:
            if len(current) >= max_blocks:
                messages.append(current)
                current = []
            current.append(block)
    if current:
        messages.append(current)
    return messages or [[section(" ")]]


def report_text(payload: ReportView) -> str:
    return cut(str(payload.get("title") or payload.get("markdown") or "kakehashi"), FALLBACK_LIMIT)
