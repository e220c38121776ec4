"""Posts as Adaptive Cards (pure): a repost card with buttons, a recap/agenda/notice card.

Cards use schema 1.4 (what Teams renders on every client) and stay under Teams' message size
limit: ``fit`` cuts the quoted text (then drops an image) until the serialised activity is below
``MAX_BYTES``.  Button presses come back as ``Action.Submit`` data
``{"kakehashi": action, "item_id": n[, "department": name]}`` (see ``convert.card_action``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.core.views import ReportView, RepostView

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_BYTES = (
    24 * 1024
)  # Teams rejects messages over ~28 KB; cards are kept under 25 KB on the wire, with headroom
_ELLIPSIS = "…"

Card = dict[str, Any]


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


_CODE = re.compile(r"`([^`\n]+)`")


def _markdown(text: str) -> str:
    """Slack-flavoured Markdown for a TextBlock: Teams' card Markdown has no inline code (a
    backtick shows as itself), so `help` in backticks becomes **help**."""
    return _CODE.sub(r"**\1**", text)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


def _quote(text: str) -> str:
    """The community text for the quote box, one paragraph per line.

    Teams' TextBlock Markdown has no block quotes (a ``>`` shows as itself; the emphasis
    container is the quote) and joins lines split by a single ``\n``, so lines are separated by
    a blank line (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
    """
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def repost_card(
    payload: RepostView, departments: Sequence[tuple[str, str]] = (), *, quote_limit: int | None = None
) -> Card:
    """The Teams twin of the Slack repost: header, quote, author and channel, why, status, buttons.

    ``departments`` are (name, label) pairs offered by "Send to another department".
    """
    labels: dict[str, str] = payload.get("labels") or {}
    item_id = payload.get("item_id")
    text = str(payload.get("text") or "")
    if quote_limit is not None and len(text) > quote_limit:
        text = text[: max(quote_limit - 1, 0)].rstrip() + _ELLIPSIS
    body: list[dict[str, Any]] = [_text(labels.get("header", ""), weight="Bolder", size="Medium")]
    if payload.get("deleted"):
        body.append(_text(labels.get("deleted", ""), isSubtle=True, color="Attention"))
    else:
        if payload.get("context"):  # a reply routed on its own: the post it answers
            body.append(_text("↪ " + str(labels.get("context", "")), isSubtle=True, size="Small"))
        body.append({"type": "Container", "style": "emphasis", "items": [_text(_quote(text))]})
        if payload.get("files"):
            body.append(_text(labels.get("files", ""), isSubtle=True, size="Small"))
    body.append(_text(labels.get("by", ""), isSubtle=True, spacing="Small"))
    body.append(
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [_text(labels.get("status", ""), weight="Bolder")],
                },
                {"type": "Column", "width": "auto", "items": [_text(labels.get("votes", ""))]},
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [_text(str(payload.get("permission_label") or ""), isSubtle=True)],
                }
                if payload.get("asks_consent") or payload.get("permission") not in (None, "none")
                else {"type": "Column", "width": "stretch", "items": []},
            ],
        }
    )
    body.append(_text(labels.get("why", ""), isSubtle=True, size="Small"))
    if labels.get("flaggers"):
        body.append(_text(labels["flaggers"], isSubtle=True, size="Small", spacing="None"))
    actions: list[dict[str, Any]] = []
    link = payload.get("link")
    if link and not payload.get("deleted"):
        actions.append({"type": "Action.OpenUrl", "title": labels.get("open_source", "Open"), "url": link})
    listed = list(payload.get("actions") or ())
    # Teams shows at most 6 card actions (its host config's maxActions): "Not for us" goes inside
    # the "send to another department" card, next to its Send, whenever that card is there
    inside_forward = "not_for_us" in listed and "forward" in listed and len(departments) > 1
    for action in listed:
        title = labels.get(f"action.{action}", action)
        data = {"kakehashi": action, "item_id": item_id}
        if action == "not_for_us" and inside_forward:
            continue
        if action == "forward":
            choices = [
                {"title": label, "value": name}
                for name, label in departments
                if name != payload.get("department")
            ]
            if not choices:
                continue
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": title,
                    "card": {
                        "type": "AdaptiveCard",
                        "body": [
                            {
                                "type": "Input.ChoiceSet",
                                "id": "department",
                                "style": "compact",
                                "value": choices[0]["value"],
                                "choices": choices,
                                "label": labels.get("forward.choose", title),
                            },
                        ],
                        "actions": [
                            {
                                "type": "Action.Submit",
                                "title": labels.get("forward.send", title),
                                "data": data,
                            },
                            *(
                                [
                                    {
                                        "type": "Action.Submit",
                                        "title": labels.get("action.not_for_us", "not_for_us"),
                                        "data": {"kakehashi": "not_for_us", "item_id": item_id},
                                    }
                                ]
                                if inside_forward
                                else []
                            ),
                        ],
                    },
                }
            )
        else:
            actions.append({"type": "Action.Submit", "title": title, "data": data})
    return _card(body, actions)


def summary_card(payload: ReportView, *, include_image: bool = True) -> Card:
    """Recap, agenda and notice posts: title, sections of Markdown lines, optional chart image."""
    body: list[dict[str, Any]] = []
    title = str(payload.get("title") or "")
    sections = payload.get("sections") or []
    if title and not sections and str(payload.get("markdown") or "") in ("", f"**{title}**"):
        # A one-line answer ("Sorry, `route` is only for admins"): the sentence once, not a
        # large title with the same sentence repeated in bold underneath.
        return _card([_text(_markdown(title))])
    if title:
        body.append(_text(title, weight="Bolder", size="Large"))
    for section in sections:
        if section.get("heading"):
            body.append(_text(str(section["heading"]), weight="Bolder", spacing="Medium"))
        lines = [_markdown(str(line)) for line in section.get("lines") or []]
        if lines:
            body.append(_text("\n\n".join(lines)))
    if not sections and payload.get("markdown"):
        body.append(_text(_markdown(str(payload["markdown"]))))
    image = payload.get("image")
    if include_image and isinstance(image, dict) and image.get("png_base64"):
        body.append(
            {
                "type": "Image",
                "url": f"data:image/png;base64,{image['png_base64']}",
                "altText": str(image.get("alt") or ""),
                "size": "Stretch",
            }
        )
    actions = [  # e.g. Retry under a dead-letter notice
        {
            "type": "Action.Submit",
            "title": str(b.get("label", "")),
            "data": {"kakehashi": b["action"], "item_id": int(b["value"])},
        }
        for b in payload.get("buttons") or ()
        if isinstance(b, dict) and b.get("action") and str(b.get("value", "")).isdigit()
    ]
    return _card(body, actions) if actions else _card(body)


def consent_card(payload: dict[str, Any]) -> Card:
    """A reuse request in the author's 1:1 chat: the request, their post quoted, and one
    ``Action.Submit`` per answer with data ``{"kakehashi": "consent", "item_id": n, "value": answer}``."""
    body: list[dict[str, Any]] = [
        _text(str(payload.get("title") or ""), weight="Bolder", size="Medium"),
        _text(_markdown(str(payload.get("intro") or ""))),
        {"type": "Container", "style": "emphasis", "items": [_text(_quote(str(payload.get("quote") or "")))]},
        _text(_markdown(str(payload.get("outro") or "")), isSubtle=True),
    ]
    actions: list[dict[str, Any]] = [
        {
            "type": "Action.Submit",
            "title": str(button["label"]),
            "data": {"kakehashi": "consent", "item_id": payload.get("item_id"), "value": button["answer"]},
        }
        for button in payload.get("buttons") or ()
    ]
    if payload.get("link"):
        title = str((payload.get("labels") or {}).get("open_source") or "Open")
        actions.append({"type": "Action.OpenUrl", "title": title, "url": payload["link"]})
    return _card(body, actions)


def card_size(card: Card) -> int:
    """Bytes of the card's activity as the Bot Connector receives it: botbuilder's HTTP layer
    (msrest) sends ``json.dumps`` with ASCII escapes, so a Japanese character costs 6 bytes
    (an emoji 12), not its 3 or 4 in UTF-8."""
    return len(
        json.dumps({"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]})
    )


def fit_repost(payload: RepostView, departments: Sequence[tuple[str, str]] = ()) -> Card:
    """The repost card, with the quote cut until the card fits in ``MAX_BYTES``."""
    card = repost_card(payload, departments)
    limit = len(str(payload.get("text") or ""))
    while card_size(card) > MAX_BYTES and limit > 0:
        excess = card_size(card) - MAX_BYTES
        # escaped Japanese is 6 bytes a character: cut at least a sixth of the excess in characters.
        limit = max(limit - max(excess // 6, 64), 0)
        card = repost_card(payload, departments, quote_limit=limit)
    return card


def fit_summary(payload: ReportView) -> Card:
    """The summary card; drops the image, then trailing lines, when it would not fit."""
    card = summary_card(payload)
    if card_size(card) <= MAX_BYTES:
        return card
    card = summary_card(payload, include_image=False)
    body = card["body"]
    while card_size(card) > MAX_BYTES and len(body) > 1:
        body.pop()
    if card_size(card) > MAX_BYTES:
        body[0]["text"] = str(body[0]["text"])[:1000]
    return card


def card_attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}
