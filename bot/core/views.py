"""What ``bot/`` hands the sinks: typed views of the content of a ``Post``.

``RepostView`` is a routed item as the department channel shows it (``bot.pipeline.render``
builds it from a stored item); ``ReportView`` a recap, an agenda, a command's answer or a notice
(``bot.reports.report.report`` and the notices).  ``adapters.slack.blocks`` and
``adapters.teams.cards`` draw them, typed, so mypy checks every key they read; each sink turns
``Post.payload`` into the view of its ``kind`` at one place (``repost_view`` / ``report_view``).
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

__all__ = ["ReportView", "RepostView", "SectionView", "report_view", "repost_view"]


class RepostView(TypedDict, total=False):
    item_id: int
    department: str
    department_label: str
    tag: str | None
    tag_label: str
    text: str  # the post, quoted and cut to the repost's length
    author: str
    author_id: str
    channel: str
    platform: str
    link: str | None
    reason: str
    status: str
    status_label: str
    status_by: str | None
    status_changed_at: str | None  # ISO 8601, UTC
    context: bool  # a reply routed on its own: ``labels["context"]`` quotes the post it answers
    votes: int
    permission: str
    permission_label: str
    asks_consent: bool
    flaggers: list[str]
    created_at: str  # ISO 8601, UTC
    deleted: bool
    files: list[str]
    locale: str
    actions: list[str]  # buttons, in order: status changes, forward, not_for_us, ask_permission
    labels: dict[str, str]  # every localised string the adapters need (header, by, why, ...)


class SectionView(TypedDict):
    heading: str
    lines: list[str]  # Markdown lines (``**bold**``, ``[label](url)``), drawn per platform


class ReportView(TypedDict, total=False):
    """A recap, an agenda, a command's answer or a notice (``bot.reports.report.report``)."""

    title: str
    sections: list[SectionView]
    markdown: str  # the whole post as Markdown (the plain-text fallback, one-line notices)
    locale: str
    image: dict[str, str] | None  # ``png_base64`` and ``alt``: the chart, on the first post only
    late: bool
    part: int  # of a split report: this post's number and how many there are
    parts: int
    continuation_of: str  # the dedupe key of the first post (later parts reply in its thread)
    thread_root: str
    buttons: list[dict[str, str]]  # ``action``, ``value``, ``label`` (Retry under a dead letter)
    mention: dict[str, str]
    reply_to: str


def report_view(payload: dict[str, Any]) -> ReportView:
    """``Post.payload`` of a recap, agenda, answer or notice row as what it is."""
    return cast(ReportView, payload)


def repost_view(payload: dict[str, Any]) -> RepostView:
    """``Post.payload`` of a ``repost`` / ``update`` row as what it is: the outbox builds it with
    ``bot.pipeline.render.repost_payload`` (plus the row's own keys, e.g. ``thread_root``)."""
    return cast(RepostView, payload)
