"""``@kakehashi`` commands in a channel and in a 1:1 chat, answered as cards in the same place."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.chat.commands import is_command
from storage.models import Message
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.conftest import (
    COMMUNITY,
    CS_COMMUNITY,
    CS_TEAM,
    PRODUCT_TEAM,
    PRODUCT_TRIAGE,
    RULES,
    TeamsBot,
    build,
    serving,
)


async def test_mention_command_in_a_channel_replies_in_the_thread(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("mention_command.json")
    await teams.send("mention_command.json")  # resent: answered once
    await teams.deliver()
    (reply,) = teams.connector.replies()
    assert reply.conversation_id == f"{COMMUNITY};messageid=1731830520000"
    assert reply.activity_id == "1731830520000"
    text = reply.card_text()
    assert "製品開発" in text and "カスタマーサクセス" in text and "バグ" in text
    async with teams.app.store.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0  # a command is not a post


async def test_help_in_a_personal_chat(teams: TeamsBot) -> None:
    await teams.send("personal_command.json")
    (reply,) = teams.connector.replies()
    assert reply.conversation_id == "a:1Qp8personalChatIdOfSatoAndKakehashi"
    assert "recap" in reply.card_text() and "stats" in reply.card_text()
    assert "**help**" in reply.card_text() and "`" not in reply.card_text()  # no inline code in Teams cards


async def test_rules_test_explains_a_miss_in_the_rules_locale(teams: TeamsBot) -> None:
    command = teams.activity("personal_command.json")
    command["text"] = "rules test 昨日から画面が固まる"
    await teams.post(command)
    (reply,) = teams.connector.replies()
    blocks = [b["text"] for b in reply.card["body"] if b["type"] == "TextBlock"]
    assert blocks[-2:] == [
        "近いルールと足りないもの",
        "• 「bug」ルール（条件 0/1 を満たす）: キーワード［バグ、不具合、bug、crash］のどれかが必要ですが、見つかりません\n\n"
        "• 「testimonial」ルール（条件 0/1 を満たす）: キーワード［最高、love］のどれかが必要ですが、見つかりません\n\n"
        "• 「press」ルール（条件 0/1 を満たす）: キーワード［取材］のどれかが必要ですが、見つかりません",
    ]


async def test_stats_and_admin_only_route(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    stats = teams.activity("personal_command.json")
    stats["text"] = "stats"
    await teams.post(stats)
    route = teams.activity("personal_command.json")
    route["id"] = "f:route-1"
    route["text"] = "route https://teams.microsoft.com/l/message/x/y pr"
    await teams.post(route)
    stats_reply, route_reply = teams.connector.replies()
    assert "製品開発" in stats_reply.card_text()
    assert "route" in route_reply.card_text() and "製品開発" not in route_reply.card_text()
    (refusal,) = route_reply.card["body"]  # a one-line answer is said once, not as title + bold copy
    assert refusal["type"] == "TextBlock" and refusal["text"].count("route") == 1


async def test_admin_routes_a_teams_message_by_its_link(teams: TeamsBot) -> None:
    await teams.install()
    post = teams.activity("channel_message.json")
    post["text"] = "<p>来月のイベントで登壇します</p>"
    post["attachments"] = []
    await teams.post(post)
    async with teams.app.store.sessions() as session:
        link = (await session.scalars(select(Message.link))).one()
    command = teams.activity("mention_command.json")
    command["text"] = f"<at>kakehashi</at> route {link} product"
    await teams.post(command)
    await teams.deliver()
    assert [c.conversation_id for c in teams.connector.sent()] == ["19:product-triage-88aa@thread.tacv2"]


async def test_recap_is_answered_after_the_ack(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    recap = teams.activity("mention_command.json")
    recap["text"] = "<at>kakehashi</at> recap cs week"
    response = await teams.post(recap)
    assert response.status in (200, 201)
    await teams.plugin.idle()
    (reply,) = teams.connector.replies()
    assert reply.activity_id == "1731830520000"
    assert reply.card["body"], reply.card


async def test_a_long_agenda_asked_in_teams_comes_as_several_complete_cards(teams: TeamsBot) -> None:
    """Many items needing a decision with Teams' long message links: the reply is split into
    cards under the size limit instead of one card whose last departments are cut off."""
    from datetime import timedelta

    from adapters.teams.cards import MAX_BYTES, card_size
    from bot.core.domain import InboundMessage
    from storage.inbound import Routing
    from storage.models import utcnow

    await teams.install()
    store = teams.app.store
    long_ago = utcnow() - timedelta(days=20)
    for department in ("product", "cs", "marketing", "pr"):
        for n in range(12):
            key = f"19:abc@thread.tacv2;messageid={department}{n}"
            message = InboundMessage(
                platform="teams",
                key=key,
                channel_id="19:abc@thread.tacv2",
                channel="Community/General",
                author_id=f"29:{n}",
                author=f"メンバー{n}",
                text=f"{department} {n}: 管理画面のエクスポートで文字化けが発生して業務に支障が出ています。"
                * 3,
                created_at=long_ago + timedelta(hours=n),
                link="https://teams.microsoft.com/l/message/19:abc@thread.tacv2/"
                + f"17318305{n:05d}?tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47"
                + "&groupId=2b7bd0a5-9e3f-4c8b-8a0e-5f1c2d3e4f50&parentMessageId=1731830520000"
                + "&teamName=Community&channelName=General&createdTime=1731830520000",
            )
            result = await store.record_inbound(
                message, [Routing(department, "bug", "bug", 'route "bug"')], {}, repost=False
            )
            await store.set_status(result.item_ids[0], "needs_decision", by="staff", now=long_ago)
    agenda = teams.activity("mention_command.json")
    agenda["text"] = "<at>kakehashi</at> agenda"
    await teams.post(agenda)
    await teams.plugin.idle()
    replies = teams.connector.replies()
    assert len(replies) > 1
    assert all(r.activity_id == "1731830520000" for r in replies)  # all in the command's thread
    assert all(card_size(r.card) <= MAX_BYTES for r in replies)
    text = "\n".join(r.card_text() for r in replies)
    for label in ("製品開発", "カスタマーサクセス", "マーケティング", "広報"):
        assert label in text
    assert text.count("要判断 12件") == 4  # per department: 10 listed, then "ほか2件"
    assert text.count("ほか2件") == 4 and "持ち越し" not in text  # each item listed once


async def test_commands_without_activity_ids_are_each_answered(teams: TeamsBot) -> None:
    for text in ("help", "stats"):
        command = teams.activity("personal_command.json")
        del command["id"]
        command["text"] = text
        await teams.post(command)
    answers = teams.connector.sent()  # nothing to reply to: posted in the chat
    assert len(answers) == 2 and {a.conversation_id for a in answers} == {
        "a:1Qp8personalChatIdOfSatoAndKakehashi"
    }


async def test_a_throttled_answer_is_retried_after_the_ack(teams: TeamsBot) -> None:
    """The SDK retries nothing: a 429 (Retry-After honoured) and a 502 on the answer are retried
    by kakehashi after the HTTP response; the command itself is not run again."""
    teams.connector.fail(429, headers={"Retry-After": "0"})
    teams.connector.fail(502)
    response = await teams.post(teams.activity("personal_command.json"))
    assert response.status in (200, 201), await response.text()
    await teams.plugin.idle()
    replies = teams.connector.replies()
    assert len(replies) == 3  # 429, 502, then delivered
    assert all(r.activity_id == replies[0].activity_id for r in replies)
    assert "recap" in replies[-1].card_text()


async def test_an_answer_teams_refuses_is_not_retried(teams: TeamsBot) -> None:
    teams.connector.fail(403, code="BotNotInConversationRoster")
    response = await teams.post(teams.activity("personal_command.json"))
    assert response.status in (200, 201), await response.text()
    await teams.plugin.idle()
    assert len(teams.connector.replies()) == 1


async def test_a_mention_that_asks_nothing_in_a_community_channel_is_a_post(teams: TeamsBot) -> None:
    """Without the RSC permission Teams delivers only messages that @mention the bot: in a
    community channel one that names no command is the community's post, routed as usual."""
    await teams.install()
    post = teams.activity("mention_command.json")
    post["text"] = "<at>kakehashi</at> CSVを書き出すとアプリが落ちるバグがあります"
    await teams.post(post)
    await teams.deliver()
    assert teams.connector.replies() == []
    assert {c.conversation_id for c in teams.connector.sent()} == {PRODUCT_TRIAGE, CS_COMMUNITY}
    async with teams.app.store.sessions() as session:
        (message,) = (await session.scalars(select(Message))).all()
    assert message.text == "CSVを書き出すとアプリが落ちるバグがあります"
    # the same words outside a community channel get the usual "unknown command" answer
    elsewhere = teams.activity("mention_command.json")
    elsewhere["id"] = "1731830520001"
    elsewhere["text"] = post["text"]
    elsewhere["conversation"]["id"] = f"{CS_COMMUNITY};messageid=1731830520001"
    elsewhere["channelData"].update(
        teamsChannelId=CS_COMMUNITY, teamsTeamId=CS_TEAM, channel={"id": CS_COMMUNITY}, team={"id": CS_TEAM}
    )
    await teams.post(elsewhere)
    (answer,) = teams.connector.replies()
    assert (
        answer.conversation_id == f"{CS_COMMUNITY};messageid=1731830520001" and "help" in answer.card_text()
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("help", True),
        ("  recap product last-week", True),
        ("ＳＴＡＴＳ", True),  # full-width
        ("rules test アプリが落ちる", True),
        ("rules are confusing", False),
        ("help! the export crashes", False),
        ("CSVを書き出すとアプリが落ちる", False),
    ],
)
def test_what_counts_as_a_command_after_the_bots_name(text: str, expected: bool) -> None:
    assert is_command(text) is expected


async def test_admins_are_matched_by_id_not_by_display_name(
    database: Database, connector: FakeBotConnector, tmp_path: Path
) -> None:
    """Anyone may call themselves "Aiko Admin" in Teams: a name in ``admins`` makes nobody an admin
    (reported in /healthz), and an id does, whatever the display name."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        RULES.read_text(encoding="utf-8").replace(
            "admins: [0a1b2c3d-0000-4000-8000-000000000001]", "admins: [Aiko Admin, 29:1Ab3staff]"
        ),
        encoding="utf-8",
    )
    app = await build(database, connector, rules=rules)
    async with serving(app, connector) as teams:
        await teams.install()
        route = teams.activity("mention_command.json")  # from "Aiko Admin", whose ids are not listed
        route["text"] = "<at>kakehashi</at> route https://teams.microsoft.com/l/message/x/y pr"
        await teams.post(route)
        staff = teams.activity("mention_command.json")
        staff["id"] = "1731830520099"
        staff["from"] = {**staff["from"], "id": "29:1Ab3staff", "name": "Someone", "aadObjectId": None}
        staff["text"] = "<at>kakehashi</at> route https://teams.microsoft.com/l/message/x/y pr"
        await teams.post(staff)
        refused, allowed = teams.connector.replies()
        assert "管理者" in refused.card_text()  # cmd.not_admin
        assert "管理者" not in allowed.card_text()  # an admin: the link is looked up instead
        health = await (await teams.client.get("/healthz")).json()
        assert health["status"] == "degraded"
        assert health["problems"][0] == (
            "rules.yaml admins: 'Aiko Admin' is not a Teams user id or AAD object id, so it makes nobody an "
            "admin on Teams (display names are not unique); write the AAD object id (Entra ID → Users → Object ID)"
        )
        # the other problems: department channels of these rules in teams the app is not installed in
        assert [p.split(":", 1)[0] for p in health["problems"][1:]] == [
            "rules.yaml department channel CS/Voices",
            "rules.yaml department channel PR/Press",
        ]


async def test_stats_in_a_department_channel_answers_with_that_departments_figures(teams: TeamsBot) -> None:
    """``@kakehashi stats`` in Product/Triage: a card with 製品開発's value figures only."""
    await teams.install()
    await teams.send("channel_message.json")  # a bug: routed to 製品開発 and カスタマーサクセス
    await teams.deliver()
    command = teams.activity("mention_command.json")
    command["id"] = "1731830600000"
    command["text"] = "<at>kakehashi</at> stats this-week"
    command["conversation"]["id"] = f"{PRODUCT_TRIAGE};messageid=1731830600000"
    command["channelData"].update(
        teamsChannelId=PRODUCT_TRIAGE,
        teamsTeamId=PRODUCT_TEAM,
        channel={"id": PRODUCT_TRIAGE},
        team={"id": PRODUCT_TEAM},
    )
    await teams.post(command)
    await teams.plugin.idle()
    (answer,) = [r for r in teams.connector.replies() if r.activity_id == "1731830600000"]
    text = answer.card_text()
    assert "コミュニティがもたらしたもの（製品開発、" in text
    assert "振り分け 1件（ルール 1）" in text and "初回対応まで: まだありません（未対応 1件）" in text
    assert "「bug」→ 製品開発: 1件、訂正 0件（取り下げ 0・転送 0・宛先違い 0）、精度 100%" in text
    assert "カスタマーサクセス" not in text and "各数字の定義" in text
