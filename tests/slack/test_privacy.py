"""Invariant 4 over real signed Slack requests: private channels, group DMs (``mpim``) and DMs stay
private; an admin's ``/kakehashi route`` carries a private post out only where an
``allow_private: true`` route would have sent it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import FIXTURES, SECRET_CLUB, SlackBot, build_bot
from tests.slack.test_events import items, messages, msg

GROUP_DM = "C0MPIMGRP1"  # a group DM (mpim); Slack gives newer ones C ids, so the id says nothing
DIRECT = "D0DIRECT01"
BASE = (FIXTURES / "rules.yaml").read_text(encoding="utf-8")


def rules_with(tmp_path: Path, *, locale: str = "en", allow_private: bool = False) -> Path:
    """The Slack test rules, listening in a group DM and a DM too, optionally with an opt-in route."""
    text = BASE.replace("locale: en", f"locale: {locale}").replace(
        '  - {slack: "#secret-club"}',
        f'  - {{slack: "#secret-club"}}\n  - {{slack: {GROUP_DM}}}\n  - {{slack: {DIRECT}}}',
    )
    if allow_private:  # private bug reports may reach product, and only product
        text = text.replace(
            "routes:\n",
            "routes:\n  - {name: private-bug, when: {keyword: [crash]}, to: [product], tag: bug, "
            "allow_private: true}\n",
        )
    path = tmp_path / f"rules-{locale}-{allow_private}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def make_bot(sqlite_db: Database, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[object]:
    bots: list[SlackBot] = []

    async def make(**kwargs: object) -> SlackBot:
        app, client = await build_bot(sqlite_db, fake, rules=rules_with(tmp_path, **kwargs))  # type: ignore[arg-type]
        bots.append(SlackBot(app=app, client=client, fake=fake))
        return bots[-1]

    try:
        yield make
    finally:
        for bot in bots:
            await bot.client.close()
            await bot.app.stop()


def link(channel: str, ts: str) -> str:
    return f"https://community.slack.com/archives/{channel}/p{ts.replace('.', '')}"


@pytest.mark.parametrize(
    ("channel", "channel_type"),
    [(SECRET_CLUB, "group"), (GROUP_DM, "mpim"), (DIRECT, "im")],
    ids=["private-channel", "group-dm", "dm"],
)
async def test_private_posts_are_stored_private_and_routed_only_by_opt_in(
    make_bot, channel: str, channel_type: str
) -> None:
    closed = await make_bot()
    await closed.event(
        "message.json",
        **msg("crash on save", "1700000001.000600", channel=channel, channel_type=channel_type),
    )
    [stored] = await messages(closed)
    assert stored.private
    assert await items(closed) == []  # the public "bug" route matches the words, not the place

    opted_in = await make_bot(allow_private=True)
    event = msg(
        "crash on load", "1700000001.000700", channel=channel, channel_type=channel_type, event_id="2"
    )
    await opted_in.event("message.json", **event)
    assert [(i.department, i.route) for i in await items(opted_in)] == [("product", "private-bug")]


@pytest.mark.parametrize(
    ("channel", "channel_type"),
    [(SECRET_CLUB, "group"), (GROUP_DM, "mpim"), (DIRECT, "im")],
    ids=["private-channel", "group-dm", "dm"],
)
async def test_an_admin_cannot_route_a_private_post_out(make_bot, channel: str, channel_type: str) -> None:
    bot = await make_bot()
    ts = "1700000001.000800"
    await bot.event(
        "message.json", **msg("we love the new editor", ts, channel=channel, channel_type=channel_type)
    )
    answer = await (await bot.command(f"route <{link(channel, ts)}> marketing", user_id="U0ADMIN")).json()
    assert answer["text"] == (
        "This post is from a private channel or a DM, so it is not routed to Marketing: only a route "
        "with `allow_private: true` in rules.yaml may carry private posts out, and none sends this "
        "one to Marketing."
    )
    assert await items(bot) == []
    assert await bot.deliver() == {}
    assert bot.fake.posts() == []


async def test_route_follows_an_allow_private_route_and_no_further(make_bot) -> None:
    bot = await make_bot(allow_private=True)
    ts = "1700000001.000900"
    await bot.event(
        "message.json",
        **msg("it does not crash anymore, love it", ts, channel=SECRET_CLUB, channel_type="group"),
    )
    assert [i.department for i in await items(bot)] == ["product"]  # what the opt-in route chose
    refused = await (await bot.command(f"route {link(SECRET_CLUB, ts)} marketing", user_id="U0ADMIN")).json()
    assert refused["text"].startswith("This post is from a private channel or a DM")
    again = await (await bot.command(f"route {link(SECRET_CLUB, ts)} product", user_id="U0ADMIN")).json()
    assert again["text"] == "Product already has this post."
    assert [i.department for i in await items(bot)] == ["product"]


async def test_the_refusal_is_in_japanese_too(make_bot) -> None:
    bot = await make_bot(locale="ja")
    ts = "1700000001.001000"
    await bot.event("message.json", **msg("最高です", ts, channel=SECRET_CLUB, channel_type="group"))
    answer = await (await bot.command(f"route {link(SECRET_CLUB, ts)} marketing", user_id="U0ADMIN")).json()
    assert answer["text"].startswith(
        "この投稿は非公開チャンネルか DM のものなので、Marketingへは振り分けません。"
    )
    assert await items(bot) == []
