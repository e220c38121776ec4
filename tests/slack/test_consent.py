"""Reuse permission asked in a DM and answered by the author, through Bolt and the Slack stand-in,
on SQLite and PostgreSQL: the request, the answer, a refusal for anyone else, a revocation."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from storage.models import Consent, Item, OutboxRow
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_MARKETING, FIXTURES, SlackBot, build_bot, event_body
from tests.slack.test_delivery import retry_now
from tests.slack.test_events import items, msg
from tests.slack.test_interactions import click

DM = "D0MEMBER1"  # the fake's DM with U0MEMBER1 (conversations.open)


@pytest.fixture
async def consent_bot(database: Database, fake: FakeSlack) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, fake)
    try:
        yield SlackBot(app=app, client=client, fake=fake)
    finally:
        await client.close()
        await app.stop()


def answer(
    bot: SlackBot, choice: str, item_id: int, *, user: str = "U0MEMBER1", name: str = "hana"
) -> dict[str, Any]:
    body = event_body(
        "block_actions_dm.json",
        user=user,
        user_name=name,
        message_ts="1800000000.000002",
        channel=DM,
        response_url=bot.fake.response_url(f"consent-{choice}"),
        action_id=f"kakehashi:consent_{choice}",
        value=str(item_id),
    )
    return dict(json.loads(body))


async def consent(bot: SlackBot) -> Consent:
    async with bot.app.store.sessions() as session:
        return (await session.scalars(select(Consent))).one()


async def ask(bot: SlackBot) -> Item:
    await bot.event("message.json", **msg("I love how fast the new search is", "1700000010.000500"))
    await bot.deliver()
    [item] = await items(bot)
    body = click(
        bot,
        {"action_id": "kakehashi:ask_permission", "value": str(item.id)},
        message_ts="1800000000.000001",
        channel=DEPT_MARKETING,
    )
    assert (await bot.click(body)).status == 200
    await bot.deliver()
    return item


async def test_the_author_is_asked_in_a_dm_and_the_answer_is_recorded(consent_bot: SlackBot) -> None:
    bot = consent_bot
    item = await ask(bot)
    # asked privately: a DM opened with the author, nothing in the public community thread
    assert [c.args["users"] for c in bot.fake.of("conversations.open")] == ["U0MEMBER1"]
    assert bot.fake.posts(COMMUNITY) == []
    [request] = bot.fake.posts(DM)
    blocks = request["blocks"]
    assert blocks[0]["text"]["text"] == (
        "Hi hana, Marketing would like to share your post in #community as a customer story or "
        "testimonial. (taro is asking.)"
    )
    assert blocks[1]["text"]["text"] == "&gt; I love how fast the new search is"
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        ("kakehashi:consent_granted", str(item.id), "Yes, you may"),
        ("kakehashi:consent_anonymous", str(item.id), "Yes, without my name"),
        ("kakehashi:consent_declined", str(item.id), "No"),
    ]
    stored = await consent(bot)
    assert (stored.answer, stored.author_id, stored.asked_by, stored.locale) == (
        "pending",
        "U0MEMBER1",
        "taro",
        "en",
    )
    assert stored.text == (
        "Hi hana, Marketing would like to share your post in #community as a customer story or "
        "testimonial. (taro is asking.)\n\n> I love how fast the new search is\n\n"
        "Please answer with the buttons below. You can change your answer later."
    )
    # the repost now says "requested" and no longer offers to ask
    update = bot.fake.of("chat.update")[-1].args
    assert "Permission requested" in json.dumps(update["blocks"])
    assert "kakehashi:ask_permission" not in json.dumps(update["blocks"])

    # the author says yes
    assert (await bot.click(answer(bot, "granted", item.id))).status == 200
    await bot.deliver()
    stored = await consent(bot)
    assert (stored.answer, stored.answered_by_id, stored.answered_by) == ("granted", "U0MEMBER1", "hana")
    assert stored.answered_at is not None
    [row] = [i for i in await items(bot)]
    assert row.permission == "granted"
    # the DM shows the answer in place of the request (buttons kept, to change one's mind)
    [shown] = [r for r in bot.fake.responses if r.get("replace_original")]
    assert shown["blocks"][-1]["elements"][0]["text"].startswith("Thank you for your answer: yes (")
    # the marketing repost's label, and a note in its thread for the department
    update = bot.fake.of("chat.update")[-1].args
    assert update["channel"] == DEPT_MARKETING
    assert "Permission granted" in json.dumps(update["blocks"])
    [note] = [p for p in bot.fake.posts(DEPT_MARKETING) if p.get("thread_ts")]
    assert note["thread_ts"] == bot.fake.posted[0][1]  # the repost's ts
    assert note["text"].startswith("hana allowed reuse of this post (")

    # pressing again changes nothing and tells no one twice
    assert (await bot.click(answer(bot, "granted", item.id))).status == 200
    await bot.deliver()
    assert len([p for p in bot.fake.posts(DEPT_MARKETING) if p.get("thread_ts")]) == 1

    # a later "no" revokes it
    assert (await bot.click(answer(bot, "declined", item.id))).status == 200
    await bot.deliver()
    assert (await consent(bot)).answer == "declined"
    assert [i.permission for i in await items(bot)] == ["declined"]
    notes = [p["text"] for p in bot.fake.posts(DEPT_MARKETING) if p.get("thread_ts")]
    assert notes[-1].startswith("hana declined reuse of this post (")
    assert "Permission declined" in json.dumps(bot.fake.of("chat.update")[-1].args["blocks"])


async def test_only_the_author_may_answer(consent_bot: SlackBot) -> None:
    bot = consent_bot
    item = await ask(bot)
    response = await bot.click(answer(bot, "granted", item.id, user="U0MEMBER2", name="ken"))
    assert response.status == 200
    await bot.fake.wait_for(lambda f: f.responses)
    assert bot.fake.responses[-1]["text"] == "Only the post's author, hana, can answer this request."
    assert bot.fake.responses[-1]["replace_original"] is False
    assert (await consent(bot)).answer == "pending"
    assert [i.permission for i in await items(bot)] == ["requested"]


async def test_asking_twice_sends_one_request(consent_bot: SlackBot) -> None:
    bot = consent_bot
    item = await ask(bot)
    body = click(
        bot,
        {"action_id": "kakehashi:ask_permission", "value": str(item.id)},
        message_ts="1800000000.000001",
        channel=DEPT_MARKETING,
    )
    assert (await bot.click(body)).status == 200
    await bot.deliver()
    assert len(bot.fake.posts(DM)) == 1
    assert bot.fake.responses[-1]["text"] == "hana has been asked already (Permission requested)."


async def test_a_failing_dm_is_retried_by_the_outbox(consent_bot: SlackBot) -> None:
    bot = consent_bot
    bot.fake.fail("conversations.open", status=500)
    await ask(bot)
    await retry_now(bot)
    await bot.deliver()
    assert [c.ok for c in bot.fake.of("conversations.open")] == [False, True]
    assert len(bot.fake.posts(DM)) == 1


async def test_a_bad_answer_is_a_400_and_changes_nothing(consent_bot: SlackBot) -> None:
    bot = consent_bot
    item = await ask(bot)
    broken = answer(bot, "granted", item.id)
    broken["actions"][0]["value"] = "not-an-item"
    response = await bot.click(broken)
    assert response.status == 400
    assert "expected an item id" in await response.text()
    assert (await consent(bot)).answer == "pending"


async def test_consent_export_lists_each_answer_with_the_words_agreed_to(
    consent_bot: SlackBot, database: Database
) -> None:
    bot = consent_bot
    item = await ask(bot)
    environ = {"DATABASE_URL": database.url, "KAKEHASHI_RULES": str(FIXTURES / "rules.yaml")}

    async def export(*args: str) -> str:
        result = await asyncio.to_thread(CliRunner().invoke, main, ["consent", "export", *args], env=environ)
        assert result.exit_code == 0, result.output
        return str(result.output)

    assert json.loads(await export("--format", "json")) == []  # asked, not answered: nothing to prove yet
    await bot.click(answer(bot, "granted", item.id))
    await bot.deliver()
    [record] = json.loads(await export("--format", "json"))
    stored = await consent(bot)
    assert record == {
        "item_id": item.id,
        "department": "marketing",
        "answer": "granted",
        "reusable": True,
        "anonymous": False,
        "author": "hana",
        "author_id": "U0MEMBER1",
        "answered_by": "hana",
        "answered_by_id": "U0MEMBER1",
        "answered_at": stored.answered_at.isoformat() if stored.answered_at else None,
        "agreed_text": stored.text,
        "post_text": "I love how fast the new search is",
        "link": "https://community.slack.com/archives/C0COMMUNTY/p1700000010000500",
        "platform": "slack",
        "asked_by": "taro",
        "asked_at": stored.asked_at.isoformat(),
        "asked_in": f"slack:{DM}",
        "request_sent_at": record["request_sent_at"],
    }
    assert record["request_sent_at"] is not None
    rows = list(csv.DictReader(io.StringIO(await export())))
    assert [(r["item_id"], r["answer"], r["reusable"], r["asked_in"]) for r in rows] == [
        (str(item.id), "granted", "True", f"slack:{DM}")
    ]
    assert rows[0]["agreed_text"] == stored.text  # multi-line text survives the CSV quoting
    assert [r["item_id"] for r in json.loads(await export("--format", "json", "--reusable"))] == [item.id]
    await bot.click(answer(bot, "declined", item.id))
    await bot.deliver()
    assert json.loads(await export("--format", "json", "--reusable")) == []  # revoked: not for the site
    [record] = json.loads(await export("--format", "json"))
    assert (record["answer"], record["reusable"]) == ("declined", False)
    # a period without the answer lists nothing; a bad period is one clear error
    assert json.loads(await export("--format", "json", "--period", "2020-01-01..2020-01-31")) == []
    bad = await asyncio.to_thread(
        CliRunner().invoke, main, ["consent", "export", "--period", "someday"], env=environ
    )
    assert bad.exit_code == 1 and "someday" in bad.output


async def test_a_workspace_without_im_write_dead_letters_the_request_with_what_to_do(
    consent_bot: SlackBot,
) -> None:
    bot = consent_bot
    bot.fake.fail("conversations.open", error="missing_scope", needed="im:write", provided="chat:write")
    await ask(bot)
    async with bot.app.store.sessions() as session:
        [row] = (await session.scalars(select(OutboxRow).where(OutboxRow.kind == "consent_request"))).all()
    assert row.status == "dead"
    assert row.last_error == (
        "missing_scope: @U0MEMBER1 — the app needs the im:write scope; add it (slack-manifest.yml) "
        "and reinstall the app"
    )
    assert bot.fake.posts(DM) == []


async def test_a_department_that_does_not_ask_cannot_ask(consent_bot: SlackBot) -> None:
    bot = consent_bot
    await bot.event("message.json", **msg("The export crashes, a bug", "1700000010.000600"))
    await bot.deliver()
    [item] = await items(bot)
    assert item.department == "product"
    assert "kakehashi:ask_permission" not in json.dumps(bot.fake.posts()[-1]["blocks"])
    body = click(
        bot, {"action_id": "kakehashi:ask_permission", "value": str(item.id)}, message_ts="1800000000.000001"
    )
    assert (await bot.click(body)).status == 200
    await bot.deliver()
    await bot.fake.wait_for(lambda f: f.responses)
    assert bot.fake.responses[-1]["text"] == (
        "Product does not ask authors for reuse permission (rules.yaml: asks_consent)."
    )
    assert bot.fake.of("conversations.open") == []
    assert [i.permission for i in await items(bot)] == ["none"]
