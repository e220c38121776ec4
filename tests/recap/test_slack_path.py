"""Recaps through the real Slack stack: the slash command and a scheduled post, against the
Slack Web API stand-in (tests/fakes/slack_api.py) with slack-bolt and the SlackSink in between."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.reports.scheduler import Scheduler
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.recap.conftest import FIRE, RULES_JA, seed
from tests.recap.test_limits import big_week
from tests.slack.conftest import DEPT_CS, DEPT_PRODUCT, SlackBot, build_bot
from tests.slack.test_delivery import retry_now

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
    firing = await Scheduler(app).fire(weekly, FIRE, now=FIRE + timedelta(seconds=1))
    assert firing.claimed and firing.posted == 3
    await slack_bot.deliver()
    [product] = slack_bot.fake.posts(DEPT_PRODUCT)
    assert "製品開発の週次まとめ（2026-11-16〜2026-11-22）" in str(product["blocks"])
    assert slack_bot.fake.posts(DEPT_CS)
    uploads = slack_bot.fake.of("files.completeUploadExternal")
    assert uploads, "the weekly chart is uploaded into the recap's thread"


async def test_a_very_large_week_reaches_slack_within_block_kit_limits(slack_bot: SlackBot) -> None:
    """200 community posts in a week: every message Slack receives keeps Block Kit's limits
    (50 blocks, 3000 characters per section text, 150 per header), later parts are replies in
    the first message's thread, and the chart goes up the current way (getUploadURLExternal,
    the bytes, completeUploadExternal into that thread; files.upload is retired)."""
    app, fake = slack_bot.app, slack_bot.fake
    await seed(app.store, big_week())
    weekly = next(s for s in app.rules.current.schedules if s.name == "weekly")
    firing = await Scheduler(app).fire(weekly, FIRE, now=FIRE + timedelta(seconds=1))
    assert firing.claimed
    await slack_bot.deliver()
    messages = fake.posts(DEPT_CS)
    assert len(messages) > 1
    assert "thread_ts" not in messages[0]  # the first part is a new message in the channel
    parent = next(ts for channel, ts in fake.posted if channel == DEPT_CS)
    assert all(m.get("thread_ts") == parent for m in messages[1:])
    for message in messages:
        blocks = message["blocks"]
        assert 0 < len(blocks) <= 50
        for block in blocks:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= 3000
        assert len(message["text"]) <= 3000
    assert messages[0]["blocks"][0]["text"]["text"] == (
        "カスタマーサクセスの週次まとめ（2026-11-16〜2026-11-22）（1/" + str(len(messages)) + "）"
    )
    text = "\n".join(b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section")
    assert "ほか" in text  # the unanswered questions beyond the cap are counted, not dropped silently
    assert text.count("|元の投稿>") >= 30  # every listed item links to its source
    # the chart: one upload per department recap, into its thread, in the channel by id
    get_urls, completes = fake.of("files.getUploadURLExternal"), fake.of("files.completeUploadExternal")
    # (product and cs; marketing received nothing in 8 weeks, so it has no chart)
    assert len(get_urls) == len(fake.uploads) == len(completes) == 2 and all(c.ok for c in completes)
    for get_url, upload in zip(get_urls, fake.uploads, strict=True):
        assert get_url.args["filename"].endswith(".png") and int(get_url.args["length"]) == len(upload)
        assert upload[:8] == b"\x89PNG\r\n\x1a\n"
    [cs_chart] = [c for c in completes if c.args["channel_id"] == DEPT_CS]
    assert cs_chart.args["thread_ts"] == parent
    [cs_file] = json.loads(cs_chart.args["files"])
    assert cs_file["title"] == "直近8週の件数: カスタマーサクセス"  # short; the long text is the alt text
    assert any(g.args.get("alt_txt", "").startswith("カスタマーサクセスの直近8週の件数") for g in get_urls)
    assert fake.of("files.upload") == []


async def outbox_statuses(app) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from storage.models import OutboxRow

    async with app.store.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
        return [(r.destination, r.status) for r in rows]


async def test_chart_upload_without_files_write_leaves_the_recap_delivered(slack_bot: SlackBot) -> None:
    """An app installed before ``files:write`` was in the manifest: the recap still counts as sent."""
    app, fake = slack_bot.app, slack_bot.fake
    await seed(app.store)
    fake.fail("files.getUploadURLExternal", error="missing_scope", times=5, needed="files:write")
    weekly = next(s for s in app.rules.current.schedules if s.name == "weekly")
    await Scheduler(app).fire(weekly, FIRE, now=FIRE + timedelta(seconds=1))
    await slack_bot.deliver()
    assert len(fake.posts(DEPT_PRODUCT)) == 1
    assert {status for _, status in await outbox_statuses(app)} == {"sent"}


async def test_a_chart_upload_that_fails_once_is_retried_without_reposting_the_recap(
    slack_bot: SlackBot,
) -> None:
    app, fake = slack_bot.app, slack_bot.fake
    await seed(app.store)
    fake.fail("files.completeUploadExternal", status=500, times=1)
    weekly = next(s for s in app.rules.current.schedules if s.name == "weekly")
    await Scheduler(app).fire(weekly, FIRE, now=FIRE + timedelta(seconds=1))
    await slack_bot.deliver()
    await retry_now(slack_bot)  # whatever the backoff's jitter left for later is due now
    await slack_bot.deliver()
    assert not fake.of("files.completeUploadExternal")[0].ok  # the first try failed
    assert len(fake.posts(DEPT_PRODUCT)) == 1  # the recap once, however often the upload is tried
    done = [c for c in fake.of("files.completeUploadExternal") if c.ok]
    assert DEPT_PRODUCT in {c.args["channel_id"] for c in done}
    assert {status for _, status in await outbox_statuses(app)} == {"sent"}


async def test_a_reply_longer_than_one_message_comes_as_several(tmp_path: Path, slack_api: FakeSlack) -> None:
    """An overview of 30 departments is more than 50 blocks: it arrives in several ephemeral
    messages through the response_url (Slack takes up to 5), none of them over the limit."""
    many = "".join(
        f"  team{n}: {{label: チーム{n}, post_to: [{{slack: '#dept-product'}}]}}\n" for n in range(30)
    )
    text = RULES_JA.read_text(encoding="utf-8").replace(', {teams: "CS/Community"}', "")
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace("departments:\n", "departments:\n" + many, 1), encoding="utf-8")
    app, client = await build_bot(Database("sqlite", tmp_path), slack_api, rules)
    bot = SlackBot(app=app, client=client, fake=slack_api)
    try:
        await seed(app.store)
        await bot.command("recap 2026-11-16..2026-11-22")
        await slack_api.wait_for(lambda f: len(f.responses) >= 2)
    finally:
        await client.close()
        await app.stop()
    answers = slack_api.responses
    assert 2 <= len(answers) <= 5
    assert all(a["response_type"] == "ephemeral" and len(a["blocks"]) <= 50 for a in answers)
    shown = str([a["blocks"] for a in answers])
    assert "チーム0" in shown and "チーム29" in shown and "マーケティング" in shown


@pytest.mark.parametrize(
    "text",
    [
        "recap product 2026-11-16 〜 2026-11-22",
        "recap 2026-11-16 .. 2026-11-22 製品開発",
        "recap product 2026-11-16 2026-11-22",
        "recap ｐｒｏｄｕｃｔ ２０２６－１１－１６～２０２６－１１－２２",
    ],
)
async def test_slash_command_periods_as_people_type_them(slack_bot: SlackBot, text: str) -> None:
    await seed(slack_bot.app.store)
    await slack_bot.command(text)
    await slack_bot.fake.wait_for(lambda f: f.responses)
    [answer] = slack_bot.fake.responses
    assert answer["response_type"] == "ephemeral"
    assert "製品開発の週次まとめ（2026-11-16〜2026-11-22）" in str(answer["blocks"])
