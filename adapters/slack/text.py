"""Slack message text to the plain text people saw (pure).

Slack sends ``text`` in its markup (https://docs.slack.dev/messaging/formatting-message-text):
``<@U123>`` / ``<@U123|name>`` user mentions, ``<#C123|name>`` channels, ``<!here>`` /
``<!channel>`` / ``<!subteam^S123|@team>`` / ``<!date^...|fallback>`` specials, ``<url|label>``
links, and ``&amp;`` ``&lt;`` ``&gt;`` for the three control characters.  The rule engine and the
repost quote want the words instead: ``@name``, ``#name``, ``@here``, ``label (url)``, ``&``.

When ``text`` is empty the words are in ``blocks`` (``rich_text``, whose leaves are already
plain: https://docs.slack.dev/reference/block-kit/blocks/rich-text-block; or the ``section`` /
``header`` / ``context`` blocks apps post).  A shared or forwarded message carries its content
in ``attachments`` (``is_share``); link previews (``from_url`` / ``original_url`` without
``is_share``) are left out, so a web page's description never routes a post.

Names of mentioned users and channels are looked up by the caller (``mentioned_ids``) and
passed in as ``names``; an id without a name stays an id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_MARKUP = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_USER_ID = re.compile(r"^[UWB][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_BROADCASTS = frozenset({"here", "channel", "everyone"})


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else nothing: a signed body may put any type anywhere."""
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:", "ftp://", "slack://")


def unescape(text: str) -> str:
    """``&amp;`` ``&lt;`` ``&gt;`` back to ``&`` ``<`` ``>`` (the only entities Slack uses)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m[1]], text)


def _link(url: str, label: str) -> str:
    label = label.strip()
    bare = url.removeprefix("mailto:").removeprefix("tel:")
    if not label or label in (url, bare) or url.split("://", 1)[-1].rstrip("/") == label.rstrip("/"):
        return bare
    return f"{label} ({url})" if url.startswith(("http://", "https://")) else label


def _at(name: str) -> str:
    return name if name.startswith("@") else "@" + name


def _markup(inner: str, names: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        uid = target[1:]
        return _at(label or names.get(uid) or uid)
    if target.startswith("#"):
        cid = target[1:]
        return "#" + (label.lstrip("#") or names.get(cid) or cid)
    if target.startswith("!"):
        special = target[1:]
        if special in _BROADCASTS:
            return "@" + special
        if special.startswith("subteam^"):
            return _at(
                label or names.get(special.removeprefix("subteam^")) or special.removeprefix("subteam^")
            )
        return label or "@" + special.split("^", 1)[0]  # <!date^...|fallback>, future specials
    url = unescape(target)
    if url.startswith(_LINK_SCHEMES) or "://" in url:
        return _link(url, label)
    return unescape(inner)  # not markup Slack documents: keep what was written


def markup_to_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack markup to plain text; ``names`` maps user / channel / user group ids to names."""
    names = names or {}
    out: list[str] = []
    pos = 0
    for match in _MARKUP.finditer(text):
        out.append(unescape(text[pos : match.start()]))
        out.append(_markup(match[1], names))
        pos = match.end()
    out.append(unescape(text[pos:]))
    return "".join(out)


def command_text(text: str) -> str:
    """A slash command's ``text`` as typed: a link is its URL (``route <https://…|label> cs``
    needs the address), a mention its label, entities decoded
    (https://docs.slack.dev/interactivity/implementing-slash-commands)."""
    out: list[str] = []
    pos = 0
    for match in _MARKUP.finditer(text):
        out.append(unescape(text[pos : match.start()]))
        target = match[1].partition("|")[0]
        out.append(_markup(match[1], {}) if target[:1] in "@#!" else unescape(target))
        pos = match.end()
    out.append(unescape(text[pos:]))
    return "".join(out)


def _markup_ids(text: str) -> Iterable[str]:
    for match in _MARKUP.finditer(text):
        target, _, label = match[1].partition("|")
        if label:
            continue
        if target[:1] in "@#" and (_USER_ID.match(target[1:]) or _CHANNEL_ID.match(target[1:])):
            yield target[1:]


# -- blocks -----------------------------------------------------------------------------------


def _leaf(element: dict[str, Any], names: Mapping[str, str]) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        return _link(str(element.get("url") or ""), str(element.get("text") or ""))
    if kind == "user":
        uid = str(element.get("user_id") or "")
        return _at(names.get(uid) or uid)
    if kind == "usergroup":
        gid = str(element.get("usergroup_id") or "")
        return _at(names.get(gid) or gid)
    if kind == "channel":
        cid = str(element.get("channel_id") or "")
        return "#" + (names.get(cid) or cid)
    if kind == "broadcast":
        return "@" + str(element.get("range") or "here")
    if kind == "emoji":
        return f":{element.get('name')}:" if element.get("name") else ""
    if kind == "date":
        return str(element.get("fallback") or "")
    if isinstance(element.get("text"), str):  # a leaf type newer than this code: keep its words
        return str(element["text"])
    return ""


def _rich(element: dict[str, Any], names: Mapping[str, str]) -> str:
    kind = element.get("type")
    children = [e for e in _list(element.get("elements")) if isinstance(e, dict)]
    if kind == "rich_text_list":
        bullet = "1." if element.get("style") == "ordered" else "-"
        return "\n".join(f"{bullet} {_rich(child, names)}" for child in children)
    if kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
        return "".join(_leaf(child, names) for child in children)
    return _leaf(element, names)


def _text_object(obj: Any, names: Mapping[str, str]) -> str:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return ""
    return markup_to_text(obj["text"], names) if obj.get("type") == "mrkdwn" else str(obj["text"])


def blocks_text(blocks: Any, names: Mapping[str, str] | None = None) -> str:
    """The words in a message's blocks: rich text, section / header / context texts."""
    names = names or {}
    parts: list[str] = []
    for block in blocks if isinstance(blocks, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "rich_text":
            parts.extend(_rich(e, names) for e in _list(block.get("elements")) if isinstance(e, dict))
        elif kind in ("section", "header"):
            parts.append(_text_object(block.get("text"), names))
            parts.extend(_text_object(f, names) for f in _list(block.get("fields")))
        elif kind == "context":
            parts.extend(_text_object(e, names) for e in _list(block.get("elements")))
    return "\n".join(p for p in parts if p.strip())


def _block_ids(blocks: Any) -> Iterable[str]:
    stack = list(blocks) if isinstance(blocks, list) else []
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        for key in ("user_id", "channel_id", "usergroup_id"):
            if node.get("type") in ("user", "channel", "usergroup") and isinstance(node.get(key), str):
                yield node[key]
        stack.extend(_list(node.get("elements")))
        for key in ("text", "fields"):
            value = node.get(key)
            if isinstance(value, dict) and value.get("type") == "mrkdwn":
                yield from _markup_ids(str(value.get("text") or ""))
            elif isinstance(value, list):
                stack.extend(value)


# -- attachments ------------------------------------------------------------------------------


def _is_preview(attachment: dict[str, Any]) -> bool:
    """A link unfurl (web page or message preview), not content someone shared on purpose."""
    return not attachment.get("is_share") and bool(
        attachment.get("from_url") or attachment.get("original_url")
    )


def attachments_text(attachments: Any, names: Mapping[str, str] | None = None) -> str:
    names = names or {}
    parts: list[str] = []
    for att in attachments if isinstance(attachments, list) else ():
        if not isinstance(att, dict) or _is_preview(att):
            continue
        words = [str(att[k]) for k in ("pretext", "title", "text") if isinstance(att.get(k), str) and att[k]]
        body = markup_to_text("\n".join(words), names)
        if not body.strip():  # a forwarded message may carry only its blocks, then only a fallback
            quoted = [
                blk
                for entry in _list(att.get("message_blocks"))
                if isinstance(entry, dict)
                for blk in _list(_dict(entry.get("message")).get("blocks"))
            ]
            body = blocks_text(quoted, names)
        if not body.strip() and isinstance(att.get("fallback"), str):
            body = markup_to_text(att["fallback"], names)
        parts.append(body)
    return "\n".join(p for p in parts if p.strip())


# -- a whole message --------------------------------------------------------------------------


def mentioned_ids(message: dict[str, Any]) -> list[str]:
    """User, channel and user-group ids whose names ``message_text`` would like to know."""
    found: dict[str, None] = {}
    text = message.get("text")
    if isinstance(text, str):
        found.update(dict.fromkeys(_markup_ids(text)))
    if not (isinstance(text, str) and text.strip()):
        found.update(dict.fromkeys(_block_ids(message.get("blocks"))))
    for att in _list(message.get("attachments")):
        if isinstance(att, dict) and not _is_preview(att):
            for key in ("pretext", "title", "text", "fallback"):
                if isinstance(att.get(key), str):
                    found.update(dict.fromkeys(_markup_ids(att[key])))
    return list(found)


def message_text(message: dict[str, Any], names: Mapping[str, str] | None = None) -> str:
    """What a Slack message says, as plain text: ``text`` (else its blocks), then shared content."""
    raw = message.get("text")
    text = markup_to_text(raw, names) if isinstance(raw, str) else ""
    if not text.strip():
        text = blocks_text(message.get("blocks"), names)
    shared = attachments_text(message.get("attachments"), names)
    return "\n".join(p for p in (text, shared) if p.strip())
