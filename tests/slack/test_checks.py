"""What rules.yaml names on Slack, checked at start and on reload: admins by id only, channels
followed by id through renames (and restarts), anything unresolvable reported loudly."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.platforms.slack.plugin import SlackPlugin
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, FIXTURES, SlackBot, build_bot
from tests.slack.test_events import items, messages, msg

BASE = (FIXTURES / "rules.yaml").read_text(encoding="utf-8")
Maker = Callable[..., Awaitable[SlackBot]]


@pytest.fixture
async def make_bot(sqlite_db: Database, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Maker]:
    running: list[SlackBot] = []

    async def make(rules: str = BASE) -> SlackBot:
        path = tmp_path / "rules.yaml"
        path.write_text(rules, encoding="utf-8")
        app, client = await build_bot(sqlite_db, fake, rules=path)
        running.append(SlackBot(app=app, client=client, fake=fake))
        return running[-1]

    try:
        yield make
    finally:
        for bot in running:
            await bot.client.close()
            await bot.app.stop()


async def stop(bot: SlackBot) -> None:
    await bot.client.close()
    await bot.app.stop()


async def health(bot: SlackBot) -> dict[str, object]:
    response = await bot.client.get("/healthz")
    assert response.status == 200
    return dict(await response.json())


def plugin(bot: SlackBot) -> SlackPlugin:
    [slack] = bot.app.plugins
    assert isinstance(slack, SlackPlugin)
    return slack


async def route_as(bot: SlackBot, user_id: str, user_name: str) -> str:
    link = "https://community.slack.com/archives/C0COMMUNTY/p1700000020000200"
    answer = await (
        await bot.command(f"route <{link}> marketing", user_id=user_id, user_name=user_name)
    ).json()
    return str(answer["text"])


async def test_an_admin_named_in_rules_yaml_is_matched_by_the_id_slack_resolves_never_by_user_name(
    make_bot: Maker,
) -> None:
    bot = await make_bot(BASE.replace("admins: [U0ADMIN]", "admins: [aiko]"))
    await bot.event("message.json", **msg("we wrote a blog post about our setup", "1700000020.000200"))
    # Slack's deprecated user_name is whatever the sender calls themselves: it makes nobody an admin
    assert (
        await route_as(bot, "U0MEMBER1", "aiko") == "Sorry, `route` is only for admins (rules.yaml `admins`)."
    )
    assert await items(bot) == []
    assert await route_as(bot, "U0ADMIN", "someone-else") == "Routed to Marketing."  # users.list: aiko
    assert [c.method for c in bot.fake.of("users.list")] == ["users.list"] * 2  # 4 users, 2 per page


@pytest.mark.parametrize("twice", [False, True], ids=["nobody", "two-users"])
async def test_an_admin_name_that_is_not_exactly_one_user_is_refused_loudly(
    make_bot: Maker, fake: FakeSlack, caplog: pytest.LogCaptureFixture, twice: bool
) -> None:
    if twice:
        fake.add_user("U0AIKO2", "aiko", "Aiko Other")
    caplog.set_level(logging.ERROR)
    bot = await make_bot(
        BASE.replace("admins: [U0ADMIN]", "admins: [U0STAFF, " + ("aiko" if twice else "nobody") + "]")
    )
    found = "2 Slack users (U0ADMIN, U0AIKO2)" if twice else "no Slack user"
    expected = (
        f"rules.yaml admins: {'aiko' if twice else 'nobody'!r} names {found}, so it makes nobody an admin; "
        "admins are matched by member id: write the id (Slack profile → ⋯ → Copy member ID)"
    )
    assert [r.getMessage() for r in caplog.records if "admins:" in r.getMessage()] == [expected]
    body = await health(bot)
    assert expected in body["problems"]  # type: ignore[operator]
    assert body["status"] == "degraded"
    await bot.event("message.json", **msg("we wrote a blog post about our setup", "1700000020.000200"))
    assert (
        await route_as(bot, "U0ADMIN", "aiko") == "Sorry, `route` is only for admins (rules.yaml `admins`)."
    )
    assert await route_as(bot, "U0STAFF", "taro") == "Routed to Marketing."  # the id still counts


async def test_a_renamed_source_channel_is_still_routed_after_a_restart(
    make_bot: Maker, fake: FakeSlack
) -> None:
    first = await make_bot()
    assert (await health(first))["status"] == "ok"
    await stop(first)

    fake.channels[next(i for i, c in enumerate(fake.channels) if c["id"] == COMMUNITY)]["name"] = (
        "community-help"
    )
    again = await make_bot()  # rules.yaml still says #community
    problems = (await health(again))["problems"]
    assert (
        "rules.yaml source #community was renamed to #community-help (C0COMMUNTY): still followed by its id; "
        "write #community-help or C0COMMUNTY in rules.yaml"
    ) in problems  # type: ignore[operator]
    await again.event("message.json", **msg("the export crashes", "1700000030.000100"))
    assert [i.department for i in await items(again)] == ["product"]
    assert await again.deliver() == {"sent": 1}
    assert len(again.fake.posts(DEPT_PRODUCT)) == 1
    [stored] = await messages(again)
    assert stored.channel == "#community-help"  # stored (and shown) as it is called now


async def test_a_channel_rename_event_is_followed_at_once(make_bot: Maker, fake: FakeSlack) -> None:
    bot = await make_bot()
    fake.channels[next(i for i, c in enumerate(fake.channels) if c["id"] == COMMUNITY)]["name"] = "help"
    response = await bot.event(
        "channel_rename.json", channel=COMMUNITY, new_name="help", ts="1700000031.000000"
    )
    assert response.status == 200
    await plugin(bot).idle()
    assert any("#community was renamed to #help" in p for p in (await health(bot))["problems"])  # type: ignore[union-attr]
    await bot.event("message.json", **msg("the export crashes", "1700000032.000100", event_id="2"))
    [item] = await items(bot)
    assert item.department == "product"


async def test_an_unknown_channel_is_one_error_line_and_a_degraded_health_until_fixed(
    make_bot: Maker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    typo = BASE.replace('{slack: "#community"}', '{slack: "#comunity"}').replace(
        '"#dept-pr"', '"#dept-product"'
    )
    bot = await make_bot(typo)
    expected = (
        "rules.yaml source #comunity: no such Slack channel the bot can see; invite the bot "
        "(/invite @kakehashi) if it is private, or fix the name"
    )
    assert [r.getMessage() for r in caplog.records if "#comunity" in r.getMessage()] == [expected]
    body = await health(bot)
    assert (body["status"], body["problems"]) == ("degraded", [expected])

    path = Path(bot.app.settings.rules_path)
    path.write_text(typo.replace("#comunity", "#community"), encoding="utf-8")
    assert bot.app.rules.reload()
    await plugin(bot).idle()
    assert (await health(bot))["status"] == "ok"

    path.write_text(
        typo.replace('"#dept-marketing"', '"#dept-marketting"').replace("#comunity", "#community")
    )
    assert bot.app.rules.reload()
    await plugin(bot).idle()
    assert (await health(bot))["problems"] == [
        "rules.yaml department channel #dept-marketting: no such Slack channel the bot can see; "
        "create it, invite the bot if it is private, or fix the name"
    ]
