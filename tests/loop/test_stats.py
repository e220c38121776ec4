"""Value figures (``kakehashi stats``, ``/kakehashi stats``) from a week driven through Slack.

Signed Events API requests, block_actions clicks and slash commands into the real server on
SQLite and PostgreSQL, with the app's clock moved between steps so every time figure is exact;
then ``kakehashi stats --format json`` through click's runner and the slash command's answer as
Slack received it (the slash command payload, ``channel_id`` / ``channel_name``:
https://docs.slack.dev/interactivity/implementing-slash-commands).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from tests.conftest import FIXTURES, Database
from tests.fakes.slack_api import COMMUNITY, DEPT_CS, DEPT_MARKETING, DEPT_PRODUCT, FakeSlack
from tests.loop.conftest import click, edit, items, post, posted_ts, rendered, reply
from tests.slack.conftest import SlackBot, build_bot, event_body
from tests.slack.test_consent import answer
from tests.slack.test_interactions import reaction

RULES = FIXTURES / "slack" / "rules_stats.yaml"
T0 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # Monday 09:00 in Tokyo, the rules' time zone


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: int) -> str:
        """Move to ``minutes`` after T0; the Slack ``ts`` of that moment."""
        self.now = T0 + timedelta(minutes=minutes)
        return f"{self.now.timestamp():.0f}.000100"


@pytest.fixture
async def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack, clock: Clock) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, slack_api, RULES, clock=clock)
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


async def stats(database: Database, *args: str) -> dict[str, Any]:
    environ = {"DATABASE_URL": database.url, "KAKEHASHI_RULES": str(RULES), "LOG_LEVEL": "WARNING"}
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["stats", "--format", "json", *args], env=environ, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


async def forward(bot: SlackBot, item_id: int, to: str, *, message_ts: str, channel: str) -> None:
    body = json.loads(
        event_body(
            "block_actions.json",
            user="U0STAFF",
            user_name="taro",
            message_ts=message_ts,
            channel=channel,
            response_url=bot.fake.response_url("action"),
        )
    )
    body["actions"] = [
        {
            "action_id": "kakehashi:forward",
            "block_id": "b1",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": to}, "value": f"{item_id}:{to}"},
            "action_ts": "1700002000.000001",
        }
    ]
    response = await bot.post(
        urlencode({"payload": json.dumps(body)}), content_type="application/x-www-form-urlencoded"
    )
    assert response.status == 200, await response.text()


async def a_week(bot: SlackBot, clock: Clock) -> None:
    """Seven posts; product acknowledges and fixes a bug and says "Not for us" to another, a
    member answers one question before staff closes it, staff replies to another that is then
    forwarded, an edit withdraws a bug, two people flag a post, and the author of a testimonial
    says yes when marketing asks (in a DM) to reuse it."""
    ts = clock.at(0)
    bug, question, other_q, login, love, hello, coffee = (f"{ts[:-1]}{n}" for n in range(1, 8))
    await post(bot, "the export crashes on big files", bug, n="1")
    await post(bot, "how do I export?", question, n="2")
    await post(bot, "how do I import?", other_q, n="3")
    await post(bot, "the login has a bug", login, n="4")
    await post(bot, "I love the new dashboard", love, n="5")
    await post(bot, "hello everyone", hello, n="6")  # no route: flagged below
    await post(bot, "there is a bug in my coffee", coffee, n="7")
    await bot.deliver()
    bug_item, question_item, other_item, _login, love_item, coffee_item = await items(bot)  # as posted
    product_ts = posted_ts(bot.fake, DEPT_PRODUCT)
    cs_ts = posted_ts(bot.fake, DEPT_CS)
    [marketing_ts] = posted_ts(bot.fake, DEPT_MARKETING)

    clock.at(5)
    await bot.event("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, hello, n="1"))
    await bot.event(
        "reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, hello, user="U0MEMBER1", n="2")
    )
    clock.at(10)
    await click(bot, "acknowledge", bug_item.id, message_ts=product_ts[0])  # 10 min
    clock.at(15)
    await click(bot, "not_for_us", coffee_item.id, message_ts=product_ts[2])  # 15 min, and a correction
    await reply(bot, "File > Export, then CSV", clock.at(20), question, n="1")  # a member answers
    await reply(bot, "we are looking at it", clock.at(30), other_q, user="U0ADMIN", n="2")  # staff: 30 min
    clock.at(40)
    await click(bot, "done", bug_item.id, message_ts=product_ts[0])  # closed after 40 min, answered
    clock.at(60)
    await click(bot, "done", question_item.id, message_ts=cs_ts[0], channel=DEPT_CS)  # staff after the member
    await edit(bot, "the login is slow", login, clock.at(70), n="1")  # no route any more: withdrawn
    clock.at(90)
    await forward(bot, other_item.id, "marketing", message_ts=cs_ts[1], channel=DEPT_CS)
    await click(bot, "ask_permission", love_item.id, message_ts=marketing_ts, channel=DEPT_MARKETING)
    await bot.deliver()
    assert (await bot.click(answer(bot, "granted", love_item.id))).status == 200  # hana, in the DM
    assert [p["thread_ts"] for p in bot.fake.posts(COMMUNITY)] == [bug, question]  # the two answers


async def test_stats_json_gives_each_department_its_figures_and_each_route_its_precision(
    bot: SlackBot, clock: Clock, database: Database
) -> None:
    await a_week(bot, clock)
    value = (await stats(database))["value"]
    assert value["period"] is None and value["department"] is None
    product, cs, marketing = (value["departments"][d] for d in ("product", "cs", "marketing"))
    assert product == {
        "label": "Product",
        "items": 4,
        "by_origin": {"reaction": 1, "rule": 3},
        "by_tag": {"bug": 3, "idea": 1},
        "by_status": {"done": 1, "misrouted": 1, "open": 1, "withdrawn": 1},
        "first_response": {"count": 2, "median_seconds": 750.0, "p90_seconds": 870.0, "waiting": 1},
        "time_to_close": {"count": 1, "median_seconds": 2400.0, "p90_seconds": 2400.0},
        "closed": {"done": 1, "declined": 0},
        "answered_back": 1,
        "questions": {"total": 0, "answered_by_community": 0, "deflection_rate": None},
        "testimonials": {"granted": 0, "requested": 0, "declined": 0},
        "votes": 0,
    }
    # cs: the staff reply answered one question after 30 min, the other was closed after an hour
    assert cs["first_response"] == {"count": 2, "median_seconds": 2700.0, "p90_seconds": 3420.0, "waiting": 0}
    assert cs["time_to_close"] == {"count": 1, "median_seconds": 3600.0, "p90_seconds": 3600.0}
    assert cs["questions"] == {"total": 2, "answered_by_community": 1, "deflection_rate": 0.5}
    assert (cs["answered_back"], cs["by_status"]) == (1, {"done": 1, "forwarded": 1})
    assert marketing["by_origin"] == {"command": 1, "rule": 1}
    assert marketing["testimonials"] == {"granted": 1, "requested": 0, "declined": 0}
    assert marketing["first_response"] == {
        "count": 0,
        "median_seconds": None,
        "p90_seconds": None,
        "waiting": 2,
    }
    total = value["total"]
    assert (total["label"], total["items"], total["answered_back"]) == (None, 8, 2)
    assert total["first_response"] == {
        "count": 4,
        "median_seconds": 1350.0,
        "p90_seconds": 3060.0,
        "waiting": 3,
    }
    assert total["time_to_close"] == {"count": 2, "median_seconds": 3000.0, "p90_seconds": 3480.0}
    assert value["routes"] == [
        {
            "route": "bug",
            "label": None,
            "department": "product",
            "hits": 3,
            "withdrawn": 1,
            "forwarded": 0,
            "misrouted": 1,
            "corrections": 2,
            "precision": 0.3333,
        },
        {
            "route": "question",
            "label": None,
            "department": "cs",
            "hits": 2,
            "withdrawn": 0,
            "forwarded": 1,
            "misrouted": 0,
            "corrections": 1,
            "precision": 0.5,
        },
        {
            "route": "testimonial",
            "label": None,
            "department": "marketing",
            "hits": 1,
            "withdrawn": 0,
            "forwarded": 0,
            "misrouted": 0,
            "corrections": 0,
            "precision": 1.0,
        },
    ]
    assert value["flags"] == [{"emoji": "bulb", "department": "product", "flags": 2, "posts": 1}]
    assert set(value["definitions"]) == {
        "items",
        "first_response",
        "time_to_close",
        "answered_back",
        "deflection",
        "testimonials",
        "flags",
        "precision",
    }
    assert value["definitions"]["precision"].startswith("Precision: 1 − corrections ÷ hits")


async def test_stats_json_for_one_department_and_periods(
    bot: SlackBot, clock: Clock, database: Database
) -> None:
    await a_week(bot, clock)
    cs = (await stats(database, "--department", "Customer Success", "--period", "2026-11-16..2026-11-22"))[
        "value"
    ]
    assert cs["period"] == {
        "label": "2026-11-16..2026-11-22",
        "start": "2026-11-15T15:00:00+00:00",
        "end": "2026-11-22T15:00:00+00:00",
        "timezone": "Asia/Tokyo",
    }
    assert cs["department"] == "cs" and list(cs["departments"]) == ["cs"]
    assert [r["route"] for r in cs["routes"]] == ["question"] and cs["flags"] == []
    assert cs["total"]["items"] == 2
    later = (await stats(database, "--period", "2026-11-17"))["value"]
    assert later["departments"] == {} and later["routes"] == []
    assert later["total"]["items"] == 0
    assert later["total"]["first_response"] == {
        "count": 0,
        "median_seconds": None,
        "p90_seconds": None,
        "waiting": 0,
    }
    assert later["total"]["questions"]["deflection_rate"] is None


async def test_slash_stats_answers_with_the_figures_of_the_channels_department(
    bot: SlackBot, clock: Clock
) -> None:
    await a_week(bot, clock)
    in_cs = rendered(await (await bot.command("stats", channel_id=DEPT_CS, channel_name="dept-cs")).json())
    assert "What the community brought (Customer Success, all time)" in in_cs
    assert "First response: median 45 min, p90 57 min (2 items; 0 waiting)" in in_cs
    assert "Questions answered by the community first: 1 of 2 (50%)" in in_cs
    assert "By tag: Question 2" in in_cs
    assert (
        "question → Customer Success: 2 hits, 1 corrected (0 withdrawn, 1 forwarded, 0 not for us), precision 50%"
        in in_cs
    )
    assert "Product" not in in_cs and "Time to close: median 1 h 0 min" in in_cs
    assert "How each figure is defined" in in_cs
    everywhere = rendered(await (await bot.command("stats this-week")).json())
    assert "What the community brought (all departments, 2026-11-16 – 2026-11-22)" in everywhere
    assert "Routed: 4 (emoji flags 1, rules 3)" in everywhere
    assert ":bulb: 2 (1 posts) → Product" in everywhere
    assert (
        "bug → Product: 3 hits, 2 corrected (1 withdrawn, 0 forwarded, 1 not for us), precision 33%"
        in everywhere
    )
    assert "Testimonials with permission: 1 (0 requested, 0 declined)" in everywhere
    assert "9 messages, 8 routed items (3 open)" in everywhere  # seven posts and two replies
    all_from_cs = rendered(
        await (await bot.command("stats all", channel_id=DEPT_CS, channel_name="dept-cs")).json()
    )
    assert "(all departments, all time)" in all_from_cs
    usage = rendered(await (await bot.command("stats nowhere")).json())
    assert "Usage: `stats [department|all]" in usage


async def test_stats_table_says_how_each_figure_is_defined_and_refuses_a_bad_period(
    bot: SlackBot, clock: Clock, database: Database
) -> None:
    await a_week(bot, clock)
    environ = {"DATABASE_URL": database.url, "KAKEHASHI_RULES": str(RULES), "LOG_LEVEL": "WARNING"}
    table = await asyncio.to_thread(
        CliRunner().invoke, main, ["stats", "--department", "product"], env=environ, catch_exceptions=False
    )
    assert table.exit_code == 0, table.output
    assert "What the community brought (Product, all time)" in table.output
    assert "Precision per route" in table.output and "33%" in table.output
    assert (
        "How each figure is defined" in table.output and "- Precision: 1 − corrections ÷ hits" in table.output
    )
    assert "items per department" in table.output  # what the store holds, as before
    bad = await asyncio.to_thread(
        CliRunner().invoke, main, ["stats", "--period", "fortnight"], env=environ, catch_exceptions=False
    )
    assert bad.exit_code != 0 and "fortnight" in bad.output
