"""A large week: the recap is split into complete posts within Slack's and Teams' limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.teams.cards import MAX_BYTES, card_size, fit_summary
from bot.reports.periods import previous_period
from bot.reports.recap import enqueue_recaps, recap_reply
from bot.reports.report import SECTION_TEXT_LIMIT, SECTIONS_PER_POST, split
from storage.models import OutboxRow
from tests.recap.conftest import FIRE, Msg, jst, seed

LONG = "ダッシュボードのグラフが表示されません。" * 20 + " https://example.com/very/long/path?x=" + "y" * 80


def big_week() -> tuple[Msg, ...]:
    msgs = []
    for n in range(200):
        at = jst(16, 0) + timedelta(minutes=25 * n)
        tag = ("question", "bug", "idea")[n % 3]
        department = "cs" if tag == "question" else "product"
        msgs.append(Msg(f"big{n}", f"member{n % 37}", f"{n}: {LONG}", at, department, tag))
        if n % 3 == 0 and n % 2:  # every other question gets an answer from someone else
            msgs.append(
                Msg(
                    f"ans{n}",
                    f"helper{n % 11}",
                    "こちらをご覧ください",
                    at + timedelta(minutes=5),
                    thread=f"big{n}",
                )
            )
    return tuple(msgs)


async def test_large_week_splits_into_thread_posts_within_limits(make_app) -> None:
    app = await make_app()
    await seed(app.store, big_week())
    period = previous_period("week", FIRE, app.rules.current.timezone)
    added = await enqueue_recaps(
        app, schedule="weekly", departments=("cs",), post_to=(), period=period, now=FIRE
    )
    async with app.store.sessions() as session:
        rows = list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())
    slack = [r for r in rows if r.destination == "slack:#dept-cs"]
    assert added == len(rows) and len(slack) > 1
    first = slack[0]
    assert first.dedupe_key == f"recap:weekly:{period.key}:cs:slack:#dept-cs"
    assert first.payload["image"] is not None and first.payload["part"] == 1
    for n, row in enumerate(slack[1:], start=2):
        assert row.dedupe_key == f"{first.dedupe_key}#{n}"
        assert row.payload["continuation_of"] == first.dedupe_key
        assert row.payload["image"] is None
        assert row.payload["title"].endswith(f"（{n}/{len(slack)}）")
    for row in slack:
        payload = row.payload
        assert len(payload["sections"]) <= SECTIONS_PER_POST  # Slack: 50 blocks per message
        for section in payload["sections"]:
            assert len("\n".join(section["lines"])) <= SECTION_TEXT_LIMIT < 3000  # Slack section text
        sections_json = json.dumps(payload["sections"])
        assert len(sections_json.encode()) < 20_000  # Teams card ~25 KB, escaped Japanese included
        assert payload["markdown"].startswith(f"## {payload['title']}\n")
    # every unanswered question is somewhere in the thread (up to the cap, then "and N more")
    lines = [line for row in slack for s in row.payload["sections"] for line in s["lines"]]
    assert any(line.startswith("ほか") for line in lines)
    # the same recap again is a no-op
    assert (
        await enqueue_recaps(app, schedule="weekly", departments=("cs",), post_to=(), period=period, now=FIRE)
        == 0
    )


def test_split_leaves_a_short_report_whole() -> None:
    payload = {
        "title": "t",
        "sections": [{"heading": "h", "lines": ["a"]}],
        "markdown": "",
        "locale": "en",
        "image": None,
    }
    [only] = split(payload)
    assert only["title"] == "t" and only["parts"] == 1 and "continuation_of" not in only


def test_split_cuts_one_huge_line_and_one_huge_section() -> None:
    lines = ["x" * 5000] + [f"line {n} " + "y" * 100 for n in range(200)]
    payload = {
        "title": "t",
        "sections": [{"heading": "h", "lines": lines}],
        "markdown": "",
        "locale": "en",
        "image": {"png_base64": "AA==", "alt": "a", "filename": "c.png"},
    }
    posts = split(payload)
    headings = [s["heading"] for p in posts for s in p["sections"]]
    assert headings[0] == "h" and set(headings[1:]) == {"h (continued)"}
    assert all(len(line) <= SECTION_TEXT_LIMIT for p in posts for s in p["sections"] for line in s["lines"])
    assert [p["image"] is not None for p in posts] == [True] + [False] * (len(posts) - 1)


@pytest.mark.parametrize("locale", ["ja", "en"])
async def test_large_week_fits_teams_cards_with_the_chart_in_the_first(make_app, locale: str) -> None:
    """Every part of a split recap is a Teams card under the limit with all its lines; the first
    one shows the chart (an Image, a data URI), also when the chart is unusually heavy (the
    first part then carries less text)."""
    app = await make_app(locale=locale)
    english = tuple(replace(m, text=f"{m.key}: the dashboard graph does not load " * 6) for m in big_week())
    await seed(app.store, english if locale == "en" else big_week())
    payload = await recap_reply(app, "cs", "2026-11-16..2026-11-22", with_chart=True)
    heavy = {**payload, "image": {**payload["image"], "png_base64": "A" * 19_000}}
    for report in (payload, heavy):
        parts = split(report)
        for index, part in enumerate(parts):
            card = fit_summary(part)
            assert card_size(card) <= MAX_BYTES
            images = [b for b in card["body"] if b["type"] == "Image"]
            assert len(images) == (1 if index == 0 else 0)
            if images:
                assert images[0]["url"] == "data:image/png;base64," + report["image"]["png_base64"]
            shown = "\n".join(b.get("text", "") for b in card["body"])
            assert all(line in shown for s in part["sections"] for line in s["lines"])  # nothing dropped
