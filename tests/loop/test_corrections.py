"""Corrections that count: "Not for us" on a repost, through Slack block_actions and a Teams card
submit. The item becomes ``misrouted`` (who, when, via the button), the repost says so and offers
Reopen, the member hears nothing, and the route that made the item keeps the correction
(``kakehashi stats`` reads it per route).

Slack ``block_actions`` payload: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
(the shape tests/fixtures/slack/ already records); Teams ``Action.Submit`` arrives as a message
activity whose ``value`` is the card's data (tests/fixtures/teams/card_submit.json).
"""

from __future__ import annotations

from storage.models import Item
from tests.fakes.slack_api import COMMUNITY, DEPT_PRODUCT
from tests.loop.conftest import click, items, post, posted_ts, rendered
from tests.loop.test_teams import submit, teams  # noqa: F401  (the Teams fixture)
from tests.slack.conftest import SlackBot
from tests.teams.conftest import CS_COMMUNITY, TeamsBot
from tests.teams.test_flow import repost_id, rows

POST_TS = "1700000020.000100"


async def test_not_for_us_marks_the_item_misrouted_and_reopen_takes_it_back(bot: SlackBot) -> None:
    await post(bot, "the export crashes on big files", POST_TS)
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    [item] = await items(bot)
    first = bot.fake.of("chat.postMessage")[-1].args
    assert '"kakehashi:not_for_us"' in rendered(first)

    await click(bot, "not_for_us", item.id, message_ts=repost_ts)
    await bot.deliver()
    [item] = await items(bot)
    assert (item.status, item.status_by, item.route) == ("misrouted", "taro", item.route)
    history = await bot.app.store.status_history(item.id)
    assert [(h.previous, h.status, h.by_name, h.via) for h in history] == [
        ("open", "misrouted", "taro", "button")
    ]
    last = bot.fake.of("chat.update")[-1].args
    assert (last["channel"], last["ts"]) == (DEPT_PRODUCT, repost_ts)
    assert "Status: Not for us (taro," in rendered(last)
    assert '"kakehashi:reopen"' in rendered(last) and '"kakehashi:not_for_us"' not in rendered(last)
    assert bot.fake.posts(COMMUNITY) == []  # a correction never answers the member

    await click(bot, "reopen", item.id, message_ts=repost_ts)
    await bot.deliver()
    [item] = await items(bot)
    assert item.status == "open"
    assert '"kakehashi:not_for_us"' in rendered(bot.fake.of("chat.update")[-1].args)


async def test_not_for_us_is_offered_only_before_work_started(bot: SlackBot) -> None:
    await post(bot, "crash when saving", POST_TS)
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    [item] = await items(bot)
    await click(bot, "in_progress", item.id, message_ts=repost_ts)
    await bot.deliver()
    assert '"kakehashi:not_for_us"' not in rendered(bot.fake.of("chat.update")[-1].args)


async def test_not_for_us_from_a_teams_card(teams: TeamsBot) -> None:  # noqa: F811
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    cs_card = await repost_id(teams, CS_COMMUNITY)
    cs = next(i for i in await rows(teams, Item) if i.department == "cs")
    await submit(teams, cs_card, cs.id, "not_for_us", 1)
    await teams.deliver()
    cs = next(i for i in await rows(teams, Item) if i.department == "cs")
    assert cs.status == "misrouted"
    history = await teams.app.store.status_history(cs.id)
    assert [(h.status, h.via) for h in history] == [("misrouted", "button")]
    updated = teams.connector.updates()
    assert updated and "宛先違い" in str(updated[-1].body)
