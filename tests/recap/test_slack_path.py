"""Recaps through the real Slack stack: the slash command and a scheduled post, against the
Slack Web API stand-in (tests/fakes/slack_api.py) with slack-bolt and the SlackSink in between."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.scheduler import Scheduler
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.recap.conftest import FIRE, RULES_JA, seed
from tests.slack.conftest import DEPT_CS, DEPT_PRODUCT, SlackBot, build_bot

SYNC = "C0CROSSSYN"


@pytest.fixture
async def slack_bot(tmp_path: Path, slack_api: FakeSlack) -> AsyncIterator[SlackBot]:
    rules = tmp_path / "rules.yaml"  # the recap rules, Slack destinations only
    rules.write_text(
        RULES_JA.read_text(encoding="utf-8").replace(', {teams: "CS/Community"}', ""), encoding="utf-8"
    )
    fake = slack_api
    fake.add_channel(SYNC, "cross-team-sync")
    app, client = await build_bot(Database("sqlite", tmp_path), fake, rules)
    try:
        yield SlackBot(app=app, client=client, fake=fake)
    finally:
        await client.close()
        await app.stop()
        await fake.close()


async def test_slash_command_recap_is_ephemeral_with_the_recap(slack_bot: SlackBot) -> None:
    await seed(slack_bot.app.store)
    response = await slack_bot.command("recap product 2026-11-16..2026-11-22")
    assert response.status == 200
    await slack_bot.fake.wait_for(lambda f: f.responses)
    [answer] = slack_bot.fake.responses
    assert answer["response_type"] == "ephemeral"
    text = str(answer)
    assert "製品開発の週次まとめ（2026-11-16〜2026-11-22）" in text
    assert "<https://community.example.com/slack/community/b1|元の投稿>" in text  # Markdown link as mrkdwn


async def test_slash_command_agenda_post_is_public(slack_bot: SlackBot) -> None:
    await seed(slack_bot.app.store)
    await slack_bot.command("agenda post")
    await slack_bot.fake.wait_for(lambda f: f.responses)
    [answer] = slack_bot.fake.responses
    assert answer["response_type"] == "in_channel"
    assert "定例会アジェンダ" in str(answer)


async def test_scheduled_recap_reaches_the_department_channels(slack_bot: SlackBot) -> None:
    app = slack_bot.app
    await seed(app.store)
    weekly = next(s for s in app.rules.current.schedules if s.name == "weekly")
    firing = await Scheduler(app, poll_rules=None).fire(weekly, FIRE, now=FIRE + timedelta(seconds=1))
    assert firing.claimed and firing.posted == 3
    await slack_bot.deliver()
    [product] = slack_bot.fake.posts(DEPT_PRODUCT)
    assert "製品開発の週次まとめ（2026-11-16〜2026-11-22）" in str(product["blocks"])
    assert slack_bot.fake.posts(DEPT_CS)
    uploads = slack_bot.fake.of("files.completeUploadExternal")
    assert uploads, "the weekly chart is uploaded into the recap's thread"
