"""The /kakehashi slash command: form-encoded bodies through Bolt, replies in the ack or via response_url."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.settings import bundled_rules_path
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_MARKETING, DEPT_PRODUCT, RANDOM, SlackBot, build_bot
from tests.slack.test_events import items, msg


async def test_help_is_answered_in_the_ack_ephemerally(bot: SlackBot) -> None:
    response = await bot.command("help")
    assert response.status == 200
    body = await response.json()
    assert body["response_type"] == "ephemeral"
    assert body["blocks"][0]["text"]["text"] == "How to use kakehashi"
    rendered = json.dumps(body["blocks"])
    for sub in ("recap", "agenda", "stats", "rules test", "route"):
        assert sub in rendered
    empty = await (await bot.command("")).json()
    assert empty["blocks"][0]["text"]["text"] == "How to use kakehashi"


async def test_unknown_subcommand_says_so_and_shows_help(bot: SlackBot) -> None:
    body = await (await bot.command("frobnicate now")).json()
    assert body["text"] == 'Sorry, I did not understand "frobnicate now". Commands:'


async def test_rules_test_explains_the_routing(bot: SlackBot) -> None:
    body = await (await bot.command("rules test the app crashes on start")).json()
    rendered = json.dumps(body["blocks"], ensure_ascii=False)
    assert body["blocks"][0]["text"]["text"] == "Rules test"
    assert '*Product* · Bug report · route \\"bug\\": keyword \\"crash\\"' in rendered
    none = await (await bot.command("rules test hello")).json()
    assert "No route matched." in json.dumps(none["blocks"])


async def test_stats_counts_items_and_deliveries(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash on export", "1700000020.000100"))
    await bot.deliver()
    body = await (await bot.command("stats")).json()
    rendered = json.dumps(body["blocks"], ensure_ascii=False)
    assert "1 messages, 1 routed items (1 open)" in rendered
    assert "*Product*: 1 (Open 1)" in rendered
    assert "Delivery: 0 pending, 1 sent, 0 failed" in rendered


async def test_route_is_admin_only_with_a_polite_refusal(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("we wrote a blog post about our setup", "1700000020.000200"))
    stored_link = "https://community.slack.com/archives/C0COMMUNTY/p1700000020000200"
    refused = await (await bot.command(f"route <{stored_link}> marketing")).json()
    assert refused["text"] == "Sorry, `route` is only for admins (rules.yaml `admins`)."
    # one section, not a plain-text header (where `route` showed its backticks) repeated in bold
    assert refused["blocks"] == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Sorry, `route` is only for admins (rules.yaml `admins`)."},
        }
    ]
    assert await items(bot) == []

    ok = await (
        await bot.command(
            f"route <{stored_link}?thread_ts=1&cid=C0COMMUNTY> marketing", user_id="U0ADMIN", user_name="aiko"
        )
    ).json()
    assert ok["text"] == "Routed to Marketing."
    [item] = await items(bot)
    assert (item.department, item.origin, item.reason) == (
        "marketing",
        "command",
        "routed by @aiko with a command",
    )
    again = await (await bot.command(f"route {stored_link} marketing", user_id="U0ADMIN")).json()
    assert again["text"] == "Marketing already has this post."
    unknown = await (
        await bot.command("route https://community.slack.com/archives/C1/p1 marketing", user_id="U0ADMIN")
    ).json()
    assert unknown["text"].startswith("kakehashi has no record of the post")
    bad_dept = await (await bot.command(f"route {stored_link} legal", user_id="U0ADMIN")).json()
    assert bad_dept["text"].startswith('There is no department "legal"')


async def test_route_finds_the_post_by_channel_and_ts_whatever_host_the_link_names(bot: SlackBot) -> None:
    # The client's "Copy link" on an Enterprise Grid org (or a stand-in) names another host than the
    # permalink chat.getPermalink gave when the post arrived; the path still names the message.
    await bot.event("message.json", **msg("we wrote a blog post about our setup", "1700000020.000400"))
    link = "https://acme.enterprise.slack.com/archives/C0COMMUNTY/p1700000020000400"
    ok = await (await bot.command(f"route {link} marketing", user_id="U0ADMIN", user_name="aiko")).json()
    assert ok["text"] == "Routed to Marketing."
    assert [(i.department, i.origin) for i in await items(bot)] == [("marketing", "command")]


async def test_route_fetches_a_post_from_before_the_bot_listened(bot: SlackBot) -> None:
    bot.fake.history[COMMUNITY] = [
        {
            "type": "message",
            "user": "U0MEMBER2",
            "text": "our team story, happy to share",
            "ts": "1690000000.000100",
        }
    ]
    link = "https://community.slack.com/archives/C0COMMUNTY/p1690000000000100"
    ok = await (await bot.command(f"route <{link}> marketing", user_id="U0ADMIN", user_name="aiko")).json()
    assert ok["text"] == "Routed to Marketing."
    [history] = bot.fake.of("conversations.history")
    assert (history.args["channel"], history.args["latest"]) == (COMMUNITY, "1690000000.000100")
    assert await bot.deliver() == {"sent": 1}
    [post] = bot.fake.posts(DEPT_MARKETING)
    assert "our team story" in post["text"]


async def test_recap_acks_at_once_and_answers_via_response_url(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash in the importer", "1700000020.000300"))
    response = await bot.command("recap product this-week")
    assert response.status == 200
    ack = await response.json()
    assert ack == {"text": "⏳ Working on it…", "response_type": "ephemeral"}
    await bot.fake.wait_for(lambda f: f.responses)
    [reply] = bot.fake.responses
    assert reply["name"] == "command" and reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert reply["blocks"][0]["type"] == "header" and reply["text"]
    assert bot.fake.posts(DEPT_PRODUCT) == []  # nothing was published


async def test_agenda_post_is_public(bot: SlackBot) -> None:
    await bot.command("agenda post")
    await bot.fake.wait_for(lambda f: f.responses)
    [reply] = bot.fake.responses
    assert reply["text"] and reply["response_type"] == "in_channel"
    assert reply["blocks"][0]["type"] == "header"


async def test_replies_follow_the_rules_locale(sqlite_db: Database, fake: FakeSlack) -> None:
    app, client = await build_bot(sqlite_db, fake, rules=bundled_rules_path())  # locale: ja
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        help_body = await (await bot.command("help")).json()
        assert help_body["blocks"][0]["text"]["text"] == "kakehashi の使い方"
        refused = await (await bot.command("route https://x/y product")).json()
        assert refused["text"] == "申し訳ありません、`route` は管理者（rules.yaml の admins）だけが使えます。"
    finally:
        await client.close()
        await app.stop()


async def test_recap_takes_a_department_label_and_a_period(bot: SlackBot) -> None:
    response = await bot.command("recap Product 2026-11-16..2026-11-22")
    assert response.status == 200
    await bot.fake.wait_for(lambda f: f.responses)
    [reply] = bot.fake.responses
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Product weekly recap (2026-11-16 – 2026-11-22)")


async def test_recap_reads_the_period_words_people_type(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash in the importer", "1700000020.000500"))
    await bot.command("recap product week")
    await bot.fake.wait_for(lambda f: len(f.responses) == 1)
    assert bot.fake.responses[0]["text"].startswith("Product weekly recap (")
    await bot.command("recap product fortnight")
    await bot.fake.wait_for(lambda f: len(f.responses) == 2)
    assert bot.fake.responses[1]["text"] == (
        "Cannot read the period 'fortnight': use last-week, this-week, today, this-month, 7d "
        "or YYYY-MM-DD..YYYY-MM-DD."
    )


async def test_a_slow_reply_without_a_response_url_is_posted_ephemerally(bot: SlackBot) -> None:
    ack = await (await bot.command("recap product this-week", response_url=None)).json()
    assert ack["text"] == "⏳ Working on it…"
    await bot.fake.wait_for(lambda f: f.of("chat.postEphemeral"))
    [call] = bot.fake.of("chat.postEphemeral")
    assert (call.args["channel"], call.args["user"]) == (RANDOM, "U0MEMBER1")
    assert call.args["text"].startswith("Product weekly recap (")
    assert bot.fake.responses == []


async def test_a_renamed_command_is_a_warning_naming_the_setting(
    bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    form = {"command": "/bridge", "text": "help", "user_id": "U0MEMBER1", "team_id": "T0COMMUNITY"}
    response = await bot.post(urlencode(form), content_type="application/x-www-form-urlencoded")
    assert response.status == 200  # Slack would show an error to the user for anything else
    [line] = [r.getMessage() for r in caplog.records if "SLACK_COMMAND" in r.getMessage()]
    assert line == (
        "Slack sent the command /bridge, but kakehashi answers /kakehashi: "
        "set SLACK_COMMAND=/bridge if you renamed it"
    )
