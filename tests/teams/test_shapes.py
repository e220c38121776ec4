"""Teams activity shapes beyond the basic flow, each through the real CloudAdapter over HTTP.

HTML bodies with ``<at id>`` mentions, ``<emoji>``, quoted replies and code blocks; group chats;
``Action.Execute`` invokes and invokes kakehashi does not implement; Teams' emoji reaction ids;
channel renames and deletions and the bot's removal.  Fixtures name their sources in
tests/fixtures/teams/README.md.
"""

from __future__ import annotations

from pathlib import Path

from storage.models import ConversationRef, Item, Message, Reaction
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.conftest import COMMUNITY, CS_COMMUNITY, CS_TEAM, RULES, TeamsBot, build, serving
from tests.teams.test_flow import repost_id, rows

EXECUTE_ANSWER = "application/vnd.microsoft.activity.message"


async def test_a_mention_in_the_html_body_is_a_command_without_the_bots_name(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("mention_command_html.json")
    (reply,) = teams.connector.replies()
    text = reply.card_text()
    assert "わかりませんでした" not in text  # "kakehashi rules test …" would be an unknown command
    assert "製品開発" in text and "カスタマーサクセス" in text  # 不具合 -> bug -> product + cs
    assert await rows(teams, Message) == []


async def test_a_group_chat_mention_is_answered_in_the_chat(teams: TeamsBot) -> None:
    await teams.send("group_chat_mention.json")
    (reply,) = teams.connector.replies()
    assert reply.conversation_id == "19:a9b8c7d6e5f4groupchat0123456789@thread.v2"
    assert reply.activity_id == "1731830700000" and "recap" in reply.card_text()
    assert await rows(teams, Message) == []


async def test_a_quoting_reply_is_routed_by_its_own_words(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.send("channel_message_rich.json")
    await teams.deliver()
    reply = next(m for m in await rows(teams, Message) if m.key.endswith(":1731830640000"))
    assert reply.text == "同じく困っています😢。ログ:\nError: export failed <500>"
    assert reply.thread_key == f"{COMMUNITY}:1731830400000" and reply.files == ["export-log.txt"]
    # the quoted "バグ" belongs to the first message: the reply itself matches no route
    assert {i.message_id for i in await rows(teams, Item)} == {
        next(m.id for m in await rows(teams, Message) if m.key.endswith(":1731830400000"))
    }


async def test_action_execute_is_answered_in_the_invoke_and_applied_once(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    execute = teams.activity("adaptive_card_execute.json", REPOST_ID=card_id)
    execute["value"]["action"]["data"]["item_id"] = cs_item.id
    response = await teams.post(execute)
    assert response.status == 200
    answer = await response.json()
    assert answer["statusCode"] == 200 and answer["type"] == EXECUTE_ANSWER and "CS Agent" in answer["value"]
    again = await teams.post(execute)  # resent: answered, not applied twice
    assert again.status == 200 and (await again.json())["value"] == ""
    await teams.deliver()
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    assert cs_item.status == "done" and cs_item.status_by == "CS Agent"
    (update,) = teams.connector.updates()
    assert update.activity_id == card_id and "完了" in update.card_text()


async def test_action_execute_may_name_the_action_by_its_verb(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    execute = teams.activity("adaptive_card_execute.json", REPOST_ID=card_id)
    execute["value"]["action"] = {
        "type": "Action.Execute",
        "verb": "done",
        "data": {"item_id": str(cs_item.id)},
    }
    response = await teams.post(execute)
    assert response.status == 200 and "CS Agent" in (await response.json())["value"]
    await teams.deliver()
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    assert cs_item.status == "done"
    (update,) = teams.connector.updates()
    assert update.activity_id == card_id


async def test_invokes_kakehashi_does_not_implement_change_nothing(teams: TeamsBot) -> None:
    await teams.install()
    calls = len(teams.connector.calls)
    response = await teams.post(teams.activity("invoke_task_fetch.json"))
    assert response.status == 501  # botbuilder's answer for an invoke the bot does not handle
    other_app = teams.activity("adaptive_card_execute.json", REPOST_ID="1700000000002")
    other_app["value"]["action"]["data"] = {"survey": "yes"}
    response = await teams.post(other_app)
    assert response.status == 200 and (await response.json())["value"] == ""
    no_value = teams.activity("adaptive_card_execute.json", REPOST_ID="1700000000002")
    no_value["id"] = "f:execute-without-value"
    del no_value["value"]
    response = await teams.post(no_value)
    assert response.status == 200
    assert len(teams.connector.calls) == calls and await rows(teams, Item) == []


async def test_teams_emoji_reaction_ids_map_to_rules_names(teams: TeamsBot) -> None:
    await teams.install()
    idea = teams.activity("channel_message.json")
    idea["text"] = "<p>ダッシュボードの色を選べるといいな</p>"  # matches no route
    idea["attachments"] = []
    await teams.post(idea)
    await teams.send("message_reaction_emoji.json")  # 💡 1f4a1_lightbulb -> rules' "bulb" -> product
    await teams.deliver()
    (item,) = await rows(teams, Item)
    assert (item.department, item.origin, item.tag) == ("product", "reaction", "idea")
    (reaction,) = await rows(teams, Reaction)
    assert reaction.emoji == "bulb"
    await teams.send("channel_message.json", **{"1731830400000": "1731830400099"})  # a bug: cs gets a card
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    check = teams.activity("message_reaction_like.json", REPOST_ID=card_id)
    check["id"] = "f:reaction-check"
    check["reactionsAdded"] = [{"type": "2705_whiteheavycheckmark"}]  # ✅ -> white_check_mark: done
    await teams.post(check)
    await teams.deliver()
    assert next(i for i in await rows(teams, Item) if i.department == "cs").status == "done"


async def test_a_renamed_channel_is_found_by_its_new_name_and_a_deleted_one_is_not_learned(
    teams: TeamsBot,
) -> None:
    await teams.install()
    calls = len(teams.connector.calls)
    await teams.send("conversation_update_channel_renamed.json")
    renamed = await teams.plugin.directory.resolve("CS/お客様の声")
    assert renamed is not None and renamed.reference["conversation"]["id"] == CS_COMMUNITY
    still = await teams.plugin.directory.resolve("CS/Community")  # rules.yaml may still say the old name
    assert still is not None and still.reference["conversation"]["id"] == CS_COMMUNITY
    learned = len(teams.connector.calls)
    assert learned > calls  # the rename re-read the team's channels
    await teams.send("conversation_update_channel_deleted.json")
    await teams.send("conversation_update_bot_removed.json")
    assert len(teams.connector.calls) == learned  # nothing to ask Teams after a deletion or removal
    names = {r.name for r in await rows(teams, ConversationRef)}
    assert "CS/Archive" not in names and "CS/Community" in names


async def test_a_user_joining_a_known_team_does_not_call_teams(teams: TeamsBot) -> None:
    await teams.install()
    calls = len(teams.connector.calls)
    joined = teams.activity("conversation_update_bot_added.json")
    joined["id"] = "f:user-added"
    joined["membersAdded"] = [{"id": "29:1NewMember", "aadObjectId": "dd00ee11-0000-4000-8000-000000000004"}]
    await teams.post(joined)
    assert len(teams.connector.calls) == calls
    unknown_team = teams.activity("conversation_update_bot_added.json")
    unknown_team["id"] = "f:user-added-unknown-team"
    unknown_team["membersAdded"] = [{"id": "29:1NewMember"}]
    unknown_team["conversation"]["id"] = "19:late-team-1234@thread.tacv2"
    unknown_team["channelData"]["team"] = {"id": "19:late-team-1234@thread.tacv2", "name": "Late"}
    teams.connector.add_team(
        "19:late-team-1234@thread.tacv2", "Late", {"19:late-team-1234@thread.tacv2": None}
    )
    await teams.post(unknown_team)
    assert await teams.plugin.directory.resolve("Late/General") is not None


async def test_an_image_only_post_is_stored_with_its_attachment(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_image_only.json")
    (message,) = await rows(teams, Message)
    assert message.text == "" and message.files == ["image"] and message.channel == "Community/General"
    heart = teams.activity("message_reaction_emoji.json")
    heart["reactionsAdded"] = [{"type": "heart"}]
    heart["replyToId"] = "1731830760000"
    heart["conversation"]["id"] = f"{COMMUNITY};messageid=1731830760000"
    await teams.send("conversation_update_channel_created.json")
    await teams.post(heart)
    await teams.deliver()
    (voices,) = [c for c in teams.connector.sent() if c.conversation_id == "19:cs-voices-51e0@thread.tacv2"]
    assert "添付: image" in voices.card_text()


async def test_installation_upgrade_relearns_and_removal_changes_nothing(teams: TeamsBot) -> None:
    upgrade = teams.activity("installation_update_add.json")
    upgrade["action"] = "add-upgrade"
    assert (await teams.post(upgrade)).status in (200, 201)
    assert await teams.plugin.directory.resolve("Community/General") is not None
    calls = len(teams.connector.calls)
    removed = teams.activity("installation_update_add.json")
    removed["action"] = "remove"
    removed["id"] = "f:installation-remove"
    assert (await teams.post(removed)).status in (200, 201)
    assert len(teams.connector.calls) == calls
    assert await teams.plugin.directory.resolve("Community/General") is not None


async def test_a_channel_created_later_links_its_posts_with_the_teams_group_id(
    database: Database, connector: FakeBotConnector, tmp_path: Path
) -> None:
    """``channelCreated`` carries no ``aadGroupId``; the deep link to a post in that channel
    still names the team's group (``groupId``), learned when the app was added to the team."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        RULES.read_text(encoding="utf-8").replace(
            '  - {teams: "Community/General"}',
            '  - {teams: "Community/General"}\n  - {teams: "Community/Feedback"}',
        ),
        encoding="utf-8",
    )
    app = await build(database, connector, rules=rules)
    async with serving(app, connector) as teams:
        await teams.install()
        feedback = "19:community-feedback-9f1e@thread.tacv2"
        created = teams.activity("conversation_update_channel_created.json")
        created["conversation"]["id"] = COMMUNITY
        created["channelData"]["channel"] = {"id": feedback, "name": "Feedback"}
        created["channelData"]["team"] = {"id": COMMUNITY}
        await teams.post(created)
        post = teams.activity("channel_message.json")
        post["conversation"]["id"] = f"{feedback};messageid=1731830400000"
        post["channelData"] = {
            "teamsChannelId": feedback,
            "teamsTeamId": COMMUNITY,
            "channel": {"id": feedback},
            "team": {"id": COMMUNITY},
            "tenant": {"id": post["channelData"]["tenant"]["id"]},
        }
        await teams.post(post)
        (message,) = await rows(teams, Message)
    assert message.channel == "Community/Feedback"
    assert message.link is not None and "groupId=3f1c2e4d-1111-4222-8333-444455556666" in message.link


async def test_a_renamed_team_keeps_its_channels_without_teams_channel_list(teams: TeamsBot) -> None:
    """``teamRenamed`` names no channel; when Teams' channel list cannot be read (a stand-in or
    an API hiccup), every channel kakehashi knew in that team is stored under the new name."""
    await teams.install()
    teams.connector.teams.pop(CS_TEAM)  # GET /v3/teams/{id}/conversations answers 404 from now on
    await teams.send("conversation_update_team_renamed.json")
    names = {r.name for r in await rows(teams, ConversationRef) if not r.name.startswith("id:")}
    assert {"Customer Success/General", "Customer Success/Community", "CS/Community"} <= names
    target = await teams.plugin.directory.resolve("customer success/community")
    assert target is not None and target.reference["conversation"]["id"] == CS_COMMUNITY


async def test_a_reaction_without_a_name_is_named_from_the_roster(teams: TeamsBot) -> None:
    """Teams reaction events may carry only ``from.id`` and ``aadObjectId``: the flag is credited
    to the name the roster gives (Bot Connector ``GET /v3/conversations/{id}/members/{userId}``,
    as ``TeamsInfo.get_member`` asks), never to the raw id; asked once per person."""
    await teams.install()
    idea = teams.activity("channel_message.json")
    idea["text"] = "<p>ダッシュボードの色を選べるといいな</p>"  # matches no route
    idea["attachments"] = []
    await teams.post(idea)
    teams.connector.roster["29:1CsAgent"] = {
        "name": "CS Agent",
        "aadObjectId": "cc00dd11-0000-4000-8000-000000000003",
    }
    bare = teams.activity("message_reaction_emoji.json")
    bare["from"] = {"id": "29:1CsAgent", "aadObjectId": "cc00dd11-0000-4000-8000-000000000003"}
    await teams.post(bare)
    await teams.deliver()
    (item,) = await rows(teams, Item)
    assert "CS Agent" in item.reason and "29:1CsAgent" not in item.reason
    lookups = [c for c in teams.connector.calls if "/members/" in c.path]
    assert len(lookups) == 1 and lookups[0].path.endswith("/members/29:1CsAgent")
    # somebody Teams cannot name: a neutral word, never the id
    stranger = teams.activity("message_reaction_emoji.json")
    stranger["id"] = "f:reaction-stranger"
    stranger["from"] = {"id": "29:1Stranger"}
    stranger["reactionsAdded"] = [{"type": "1f4a1_lightbulb"}]
    await teams.post(stranger)
    await teams.deliver()
    names = {r.user_id: r.user_name for r in await rows(teams, Reaction)}
    assert names == {"29:1CsAgent": "CS Agent", "29:1Stranger": "Teams のユーザー"}
