"""Routing explained in the rules' locale, through the real Slack stack: the reason on a repost
(what the fake Slack Web API received) and ``/kakehashi rules test`` explaining a miss."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import DEPT_PRODUCT, SlackBot, build_bot
from tests.slack.test_events import msg

RULES = """\
version: 1
locale: {locale}
sources:
  - {{slack: "#community"}}
departments:
  product: {{label: {product}, post_to: [{{slack: "#dept-product"}}]}}
  cs: {{label: {cs}, post_to: [{{slack: "#dept-cs"}}]}}
routes:
  - name: chatter
    label: {chatter}
    when: {{keyword: [ランチ, lunch]}}
    to: []
  - name: bug
    label: {bug}
    when: {{keyword: [落ちる, crash, {{word: bug}}]}}
    to: [product]
    tag: bug
  - name: question
    when: {{keyword: ["?", "？"], min_length: 10}}
    to: [cs]
    tag: question
"""
LABELS = {
    "ja": {"product": "製品開発", "cs": "カスタマーサクセス", "chatter": "雑談", "bug": "バグ報告"},
    "en": {"product": "Product", "cs": "Customer Success", "chatter": "Chatter", "bug": "Bug report"},
}


@pytest.fixture(params=["ja", "en"])
async def bot(
    request: pytest.FixtureRequest, tmp_path: Path, slack_api: FakeSlack
) -> AsyncIterator[SlackBot]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.format(locale=request.param, **LABELS[request.param]), encoding="utf-8")
    app, client = await build_bot(Database("sqlite", tmp_path), slack_api, rules)
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


REPOST_REASON = {
    "ja": "振り分け理由: 「バグ報告」ルール: キーワード「落ちる」",
    "en": 'Routed because: route "Bug report": keyword "落ちる"',
}


async def test_the_repost_says_why_in_the_rules_locale(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("起動するとアプリが落ちる", "1700000030.000100"))
    assert await bot.deliver() == {"sent": 1}
    [post] = bot.fake.posts(DEPT_PRODUCT)
    contexts = [[e["text"] for e in b["elements"]] for b in post["blocks"] if b["type"] == "context"]
    assert [REPOST_REASON[bot.app.rules.current.locale]] in contexts


EXPLAINED = {
    "ja": [
        {"type": "header", "text": {"type": "plain_text", "text": "振り分けテスト", "emoji": True}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "「雑談」ルール: キーワード「ランチ」\n"
                "「雑談」ルールが先に一致しました。送り先のないルール（`to: []`）なので、"
                "それより後のルールは試されません。\n"
                "「バグ報告」ルールも一致しますが、先に「雑談」ルールが一致してそこで止まりました"
                "（`continue: true` なし）。",
            },
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*近いルールと足りないもの*\n"
                "• 「question」ルール（条件 1/2 を満たす）: キーワード［?、？］のどれかが必要ですが、見つかりません",
            },
        },
    ],
    "en": [
        {"type": "header", "text": {"type": "plain_text", "text": "Rules test", "emoji": True}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": 'route "Chatter": keyword "ランチ"\n'
                "route `Chatter` matched first and sends nowhere (`to: []`), so no route after it was tried.\n"
                "route `Bug report` would match too, but route `Chatter` matched first and stops there "
                "(no `continue: true`).",
            },
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Nearest routes and what they lacked*\n"
                "• route `question` needs a keyword from [?, ？]; found none (1/2 conditions held)",
            },
        },
    ],
}


async def test_rules_test_explains_what_stopped_a_message_and_the_nearest_routes(bot: SlackBot) -> None:
    response = await bot.command("rules test ランチの後にアプリが落ちる")
    assert response.status == 200
    body = await response.json()
    assert body["response_type"] == "ephemeral"
    assert body["blocks"] == EXPLAINED[bot.app.rules.current.locale]


NEAREST = {
    "ja": [
        "どのルールにも一致しませんでした。",
        "*近いルールと足りないもの*\n"
        "• 「question」ルール（条件 1/2 を満たす）: キーワード［?、？］のどれかが必要ですが、見つかりません\n"
        "• 「バグ報告」ルール（条件 0/1 を満たす）: キーワード［落ちる、crash、bug］のどれかが必要ですが、"
        "「bug」は長い語の一部にしかありません",
    ],
    "en": [
        "No route matched.",
        "*Nearest routes and what they lacked*\n"
        "• route `question` needs a keyword from [?, ？]; found none (1/2 conditions held)\n"
        '• route `Bug report` needs a keyword from [落ちる, crash, bug]; found "bug" only inside a longer word '
        "(0/1 conditions held)",
    ],
}


async def test_rules_test_explains_a_message_no_route_matched(bot: SlackBot) -> None:
    body = await (await bot.command("rules test the debugger froze")).json()
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert sections == NEAREST[bot.app.rules.current.locale]
