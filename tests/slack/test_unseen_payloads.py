"""Event shapes Slack really sends that the happy-path tests do not: markup, rich text only, shared
messages, link previews, event types nobody listens to.  Each goes through the signed HTTP stack."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from bot.settings import bundled_rules_path
from tests.conftest import Database
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, SECRET_CLUB, SlackBot, build_bot, event_body
from tests.slack.test_events import items, messages, msg


def quote_of(post: dict[str, object]) -> dict[str, object]:
    blocks = post["blocks"]
    assert isinstance(blocks, list)
    return blocks[1]["text"]  # type: ignore[no-any-return]


async def test_markup_becomes_the_words_people_saw(bot: SlackBot) -> None:
    await bot.event("message_markup.json", ts="1700000100.000100", channel=COMMUNITY, event_id="m1")
    [stored] = await messages(bot)
    assert stored.text == (
        "@ken @here エクスポートでエラー & 再起動も失敗 <3 → 手順書 (https://docs.example.com/export?a=1&b=2) "
        "を見ても #random @eng :bug: :+1::skin-tone-2:"
    )
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]  # "エラー"
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    quote = quote_of(post)
    # escaped once, links made explicit, and verbatim so "@here" typed in the community pings nobody here
    assert quote == {
        "type": "mrkdwn",
        "verbatim": True,
        "text": "&gt; @ken @here エクスポートでエラー &amp; 再起動も失敗 &lt;3 → 手順書 "
        "(<https://docs.example.com/export?a=1&amp;b=2>) を見ても #random @eng :bug: :+1::skin-tone-2:",
    }
    assert "<!" not in post["text"] and "&amp;" in post["text"]  # the notification text is escaped too
    # user and channel names came from users.info / conversations.list, once each
    assert [c.args["user"] for c in bot.fake.of("users.info")].count("U0MEMBER2") == 1


async def test_a_typed_special_is_shown_not_obeyed(bot: SlackBot) -> None:
    # someone types "<!channel>" literally: Slack escapes it, and so must the repost
    await bot.event(
        "message.json", **msg("crash &lt;!channel&gt; &lt;@U0ADMIN&gt; &amp;amp;", "1700000100.000150")
    )
    [stored] = await messages(bot)
    assert stored.text == "crash <!channel> <@U0ADMIN> &amp;"
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    assert quote_of(post)["text"] == "&gt; crash &lt;!channel&gt; &lt;@U0ADMIN&gt; &amp;amp;"
    assert "<!channel>" not in post["text"] and "<@U0ADMIN>" not in post["text"]


async def test_rich_text_only_message_is_read_from_its_blocks(bot: SlackBot) -> None:
    await bot.event("message_blocks_only.json", ts="1700000100.000200", channel=COMMUNITY, event_id="m2")
    [stored] = await messages(bot)
    assert stored.text == (
        "Two things after the update @ken:\n\n"
        "1. the export crashes\n1. see https://status.example.com/\n"
        "Error 500\nTraceback: KeyError 'id'\nNov 14, 2023 @channel"
    )
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]


async def test_shared_message_is_classified_with_what_was_shared(bot: SlackBot) -> None:
    await bot.event(
        "shared_message.json",
        ts="1700000100.000300",
        channel=COMMUNITY,
        event_id="m3",
        text="",
        shared="The installer crashes on macOS 15",
        shared_text="The installer crashes on macOS 15",
    )
    await bot.event(
        "shared_message.json",
        ts="1700000100.000301",
        channel=COMMUNITY,
        event_id="m4",
        text="見てください",
        shared="ログインできない不具合です",
        shared_text="",
    )  # blocks only
    first, second = await messages(bot)
    assert first.text == "The installer crashes on macOS 15"
    assert second.text == "見てください\nログインできない不具合です"
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug"), ("product", "bug")]


async def test_link_preview_added_by_slack_changes_nothing(bot: SlackBot) -> None:
    text = "Interesting read <https://news.example.com/pricing-bug>"
    await bot.event("message.json", **msg(text, "1700000100.000400"))
    assert await items(bot) == []
    # Slack unfurls the link: a message_changed with the same text and a page preview full of keywords
    await bot.event(
        "unfurl_changed.json",
        text=text,
        ts="1700000100.000400",
        changed_ts="1700000101.000000",
        channel=COMMUNITY,
        event_id="m5",
    )
    [stored] = await messages(bot)
    assert stored.text == "Interesting read https://news.example.com/pricing-bug" and stored.edited_at is None
    assert await items(bot) == []
    await bot.deliver()
    assert bot.fake.of("chat.update") == [] and bot.fake.posts() == []


@pytest.mark.parametrize(
    ("fixture", "logged"),
    [
        ("app_mention.json", None),
        ("member_joined_channel.json", None),
        ("app_rate_limited.json", "Slack is rate limiting event deliveries for workspace T0COMMUNITY"),
    ],
)
async def test_events_nobody_listens_to_get_200_and_change_nothing(
    bot: SlackBot, caplog: pytest.LogCaptureFixture, fixture: str, logged: str | None
) -> None:
    caplog.set_level(logging.INFO, logger="kakehashi.slack")
    response = await bot.post(event_body(fixture, ts="1700000100.000500", channel=COMMUNITY, event_id="u1"))
    assert response.status == 200, await response.text()
    assert await messages(bot) == []
    assert [c.method for c in bot.fake.calls if c.method.startswith("chat.")] == []
    if logged:
        assert any(logged in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_unknown_interaction_and_command_are_acknowledged(bot: SlackBot) -> None:
    view = {
        "type": "view_submission",
        "team": {"id": "T0COMMUNITY", "domain": "community"},
        "user": {"id": "U0MEMBER1", "username": "hana", "team_id": "T0COMMUNITY"},
        "api_app_id": "A0KAKEHASHI",
        "token": "x",
        "trigger_id": "1.2.3",
        "view": {"id": "V0", "type": "modal", "callback_id": "other", "state": {"values": {}}, "hash": "1"},
    }
    assert (await bot.click(view)).status == 200
    click = json.loads(
        event_body(
            "block_actions.json",
            user="U0MEMBER1",
            user_name="hana",
            message_ts="1700000100.000600",
            channel=COMMUNITY,
            response_url="http://x",
        )
    )
    click["actions"] = [
        {
            "type": "button",
            "action_id": "someone-elses-button",
            "block_id": "b",
            "value": "v",
            "action_ts": "1700000100.000601",
        }
    ]
    assert (await bot.click(click)).status == 200


@pytest.mark.parametrize("item_type", ["file", "file_comment"])
async def test_reaction_on_a_file_is_ignored(bot: SlackBot, item_type: str) -> None:
    response = await bot.post(
        event_body("reaction_file.json", item_type=item_type, ts="1700000100.000700", event_id="f1")
    )
    assert response.status == 200
    assert await items(bot) == [] and bot.fake.of("conversations.history") == []


async def test_a_channel_known_to_be_private_stays_private_whatever_channel_type_says(bot: SlackBot) -> None:
    # the fixture says channel_type "channel"; conversations.list says #secret-club is private
    await bot.event("message_markup.json", ts="1700000100.000800", channel=SECRET_CLUB, event_id="p1")
    [stored] = await messages(bot)
    assert stored.private
    assert await items(bot) == []


async def enterprise_command(bot: SlackBot, text: str, *, user_id: str = "U0ADMIN") -> dict[str, object]:
    """A slash command from an org-wide (Enterprise Grid) install: the extra fields Slack adds
    (https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling)."""
    form = {
        "token": "unused",
        "team_id": TEAM_ID,
        "team_domain": "community",
        "enterprise_id": "E0ENTERPRS",
        "enterprise_name": "Community Inc",
        "channel_id": COMMUNITY,
        "channel_name": "community",
        "user_id": user_id,
        "user_name": "aiko",
        "command": "/kakehashi",
        "text": text,
        "api_app_id": "A0KAKEHASHI",
        "is_enterprise_install": "true",
        "response_url": bot.fake.response_url("command"),
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    response = await bot.post(urlencode(form), content_type="application/x-www-form-urlencoded")
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_command_arguments_split_at_full_width_spaces_and_take_japanese_labels(
    sqlite_db: Database, fake: FakeSlack
) -> None:
    app, client = await build_bot(sqlite_db, fake, rules=bundled_rules_path())  # locale ja, Japanese labels
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        rules = app.rules.current
        name, dept = next(iter(rules.departments.items()))
        source = next(d for d in rules.sources if d.platform == "slack")
        fake.add_channel("C0JASOURCE", source.channel.lstrip("#"))
        await bot.event(
            "message.json", **msg("ブログに書きました", "1700000200.000100", channel="C0JASOURCE")
        )
        [stored] = await messages(bot)
        assert stored.link
        admin = rules.admins[0]
        body = await enterprise_command(bot, f"route\u3000<{stored.link}>\u3000{dept.label}", user_id=admin)
        assert body["text"] == f"{dept.label}へ振り分けました。"
        assert [i.department for i in await items(bot) if i.origin == "command"] == [name]
        help_body = await enterprise_command(bot, "ｈｅｌｐ")
        assert help_body["text"] == "kakehashi の使い方"
    finally:
        await client.close()
        await app.stop()


async def test_command_text_entities_and_links_are_decoded(bot: SlackBot) -> None:
    body = await enterprise_command(bot, "rules\u3000test 保存すると &lt;エラー&gt; &amp; 落ちる")
    assert "keyword" in json.dumps(body["blocks"], ensure_ascii=False)
    await bot.event("message.json", **msg("we wrote a blog post", "1700000200.000200"))
    link = f"https://community.slack.com/archives/{COMMUNITY}/p1700000200000200"
    ok = await enterprise_command(bot, f"route <{link}|the post> MARKETING")
    assert ok["text"] == "Routed to Marketing."


async def test_an_emoji_flag_never_carries_a_private_post_out(bot: SlackBot) -> None:
    await bot.event(
        "message.json",
        **msg(
            "we are presenting at a meetup", "1700000300.000100", channel=SECRET_CLUB, channel_type="group"
        ),
    )
    await bot.event(
        "reaction.json",
        type="reaction_added",
        reaction="mega",
        channel=SECRET_CLUB,
        ts="1700000300.000100",
        user="U0MEMBER2",
        event_ts="1700000300.000200",
        event_id="pf1",
    )
    assert await items(bot) == []
    await bot.deliver()
    assert bot.fake.posts() == []


async def test_envelope_without_team_id_uses_context_team_or_authorizations(bot: SlackBot) -> None:
    # org-wide installs (https://docs.slack.dev/enterprise/developing-for-enterprise-orgs) may send the
    # workspace only as context_team_id / authorizations[].team_id, with enterprise ids beside it
    for n, keep in enumerate(("context_team_id", "authorizations")):
        body = json.loads(
            event_body("message.json", **msg("crash", f"1700000900.00010{n}", event_id=f"t{n}"))
        )
        body.pop("team_id")
        body["event"].pop("team")
        body["enterprise_id"] = "E0ENTERPRS"
        body["is_ext_shared_channel"] = True
        if keep == "authorizations":
            body.pop("context_team_id")
            body["authorizations"][0]["enterprise_id"] = "E0ENTERPRS"
        assert (await bot.post(json.dumps(body))).status == 200
    assert [m.key.split(":")[0] for m in await messages(bot)] == [TEAM_ID, TEAM_ID]
