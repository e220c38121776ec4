"""``kakehashi doctor`` through the real CLI against the Slack, Bot Connector and Discourse fakes."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.core import setup_texts
from storage.store import Store
from tests.conftest import FIXTURES
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.discourse_api import FakeDiscourse
from tests.fakes.slack_api import FakeSlack

APP_ID = "0b6e4a3c-1111-4222-8333-444455556666"
# no rules file and no KAKEHASHI_LOCALE: the command line speaks what LANG says
JAPANESE_DESKTOP = {"KAKEHASHI_LOCALE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "ja_JP.UTF-8"}
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"

RULES = """\
version: 1
locale: {locale}
sources:
  - {{slack: "#community"}}
  - {{slack: "#feedback"}}
  - {{discourse: {{category: feedback}}}}
departments:
  product: {{label: Product, post_to: [{{slack: "#dept-product"}}]}}
  cs: {{label: CS, post_to: [{{slack: "#dept-cs"}}, {{teams: "CS/Community"}}]}}
  sales: {{label: Sales, post_to: [{{slack: "{sales}"}}]}}
routes:
  - name: bug
    when: {{keyword: [bug]}}
    to: [product]
"""


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector(apps={APP_ID: "right-secret"}, tenants={TENANT, "botframework.com"})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def forum() -> AsyncIterator[FakeDiscourse]:
    fake = await FakeDiscourse().start()
    try:
        yield fake
    finally:
        await fake.close()


def environment(
    tmp_path: Path,
    store: Store,
    slack: FakeSlack,
    connector: FakeBotConnector,
    forum: FakeDiscourse,
    **extra: str,
) -> dict[str, str]:
    return {
        "DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "KAKEHASHI_RULES": str(tmp_path / "rules.yaml"),
        "SLACK_BOT_TOKEN": "xoxb-good",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_API_URL": slack.url,
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "right-secret",
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "MICROSOFT_LOGIN_URL": connector.url,
        "DISCOURSE_URL": forum.url,
        "DISCOURSE_API_KEY": "forum-key",
        "DISCOURSE_API_USERNAME": "kakehashi",
        **extra,
    }


async def doctor(env: dict[str, str], tmp_path: Path) -> Result:
    def run() -> Result:
        with CliRunner().isolated_filesystem(temp_dir=tmp_path):  # no stray ./.env
            # wide enough that no finding wraps: the assertions read whole sentences (Japanese
            # wraps between any two characters; test_cli_language checks 80 columns)
            wide = {"COLUMNS": "250", **env}
            return CliRunner().invoke(main, ["doctor"], env=wide, catch_exceptions=False)

    return await asyncio.to_thread(run)


async def test_a_working_install_passes(
    tmp_path: Path, store: Store, slack_api: FakeSlack, connector: FakeBotConnector, forum: FakeDiscourse
) -> None:
    slack_api.add_channel("C0FEEDBACK", "feedback")
    (tmp_path / "rules.yaml").write_text(RULES.format(locale="en", sales="#dept-marketing"), encoding="utf-8")
    await store.save_ref(
        platform="teams",
        name="CS/Community",
        conversation_id="19:cs@thread.tacv2",
        service_url=None,
        reference={},
    )
    result = await doctor(environment(tmp_path, store, slack_api, connector, forum), tmp_path)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "✓ SLACK_BOT_TOKEN: bot @kakehashi in the workspace Community" in out
    assert "✓ scopes: all" in out
    assert "✓ source #community: the bot is a member" in out
    assert "✓ department cs: #dept-cs: public; the bot joins on its first post" in out
    assert f"✓ MICROSOFT_APP_ID: a Bot Framework token was issued (tenant {TENANT})" in out
    assert "✓ department cs: CS/Community: conversation reference stored" in out
    assert f"✓ DISCOURSE_API_KEY: logged in to {forum.url} as kakehashi" in out
    assert "✓ MICROSOFT_APP_PASSWORD is set" in out and "right-secret" not in out
    assert "No problems found." in out
    assert "Shared dashboard is off (/dashboard answers 404): set DASHBOARD_TOKEN to turn it on" in out
    [token] = connector.token_requests
    assert token["tenant"] == TENANT and token["grant_type"] == "client_credentials"
    assert token["scope"] == "https://api.botframework.com/.default"


async def test_a_misconfigured_install_says_exactly_what_is_wrong_in_the_rules_locale(
    tmp_path: Path, store: Store, slack_api: FakeSlack, connector: FakeBotConnector, forum: FakeDiscourse
) -> None:
    slack_api.add_channel("C0FEEDBACK", "feedback", member=False)
    slack_api.add_channel("C0SALESXXX", "dept-sales", private=True, member=False)
    slack_api.scopes = [s for s in slack_api.scopes if s not in ("reactions:read", "groups:history")]
    (tmp_path / "rules.yaml").write_text(RULES.format(locale="ja", sales="#dept-sales"), encoding="utf-8")
    env = environment(
        tmp_path,
        store,
        slack_api,
        connector,
        forum,
        SLACK_BOT_TOKEM="xoxb-typo",
        MICROSOFT_APP_PASSWORD="the-secret-id-not-its-value",
        DISCOURSE_API_KEY="wrong",
        DASHBOARD_TOKEN="a-long-enough-shared-secret",
    )
    result = await doctor(env, tmp_path)
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "✗ SLACK_BOT_TOKEM: kakehashi はこの変数を読みません。SLACK_BOT_TOKEN のつもりですか？" in out
    assert "✗ スコープが足りません: groups:history, reactions:read" in out
    assert "✗ ソース #feedback: ボットが参加していないので、投稿が届きません" in out
    assert "→ 対処: #feedback で /invite @kakehashi" in out
    assert "✗ 部門 sales の投稿先 #dept-sales: ボットが参加していないので" in out
    assert "→ 対処: #dept-sales で /invite @kakehashi" in out
    assert "AADSTS7000215: Invalid client secret provided." in out
    assert "✗ 部門 cs の投稿先 CS/Community: チーム「CS」に kakehashi アプリが追加されていません" in out
    assert "✗ DISCOURSE_API_KEY / DISCOURSE_API_USERNAME: フォーラムが拒否しました（HTTP 403" in out
    assert (
        "✓ 共有ダッシュボード: kakehashi serve の /dashboard で公開中（DASHBOARD_TOKEN でサインイン）" in out
    )
    assert "問題 7件" in out


async def test_no_platform_and_no_database_yet(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nothing-yet.db'}",
        "KAKEHASHI_RULES": "",
        "SLACK_BOT_TOKEN": "",
        **JAPANESE_DESKTOP,
    }
    result = await doctor(env, tmp_path)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "✗ どのプラットフォームも設定されていません" in out  # no rules file: LANG says ja
    # the fix spells the command as it runs here (`.venv/bin/kakehashi` when not on PATH)
    assert re.search(r"nothing-yet\.db: まだ作られていません → 対処: \S*kakehashi db upgrade", out), out
    assert not (tmp_path / "nothing-yet.db").exists()  # doctor changes nothing


async def test_a_short_or_misspelt_dashboard_token(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nothing-yet.db'}",
        "DASHBOARD_TOKN": "0123456789abcdef",
        "DASHBOARD_TOKEN": "short",
        **JAPANESE_DESKTOP,
    }
    result = await doctor(env, tmp_path)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "✗ DASHBOARD_TOKN: kakehashi はこの変数を読みません。DASHBOARD_TOKEN のつもりですか？" in out
    assert (
        "✗ DASHBOARD_TOKEN: 16文字以上にしてください（いまは5文字）" in out
    )  # the setting's error in ja too


def test_setup_texts_exist_in_both_languages() -> None:
    assert setup_texts.JA.keys() == setup_texts.EN.keys()


async def test_a_discourse_category_the_forum_does_not_list_is_a_problem(
    tmp_path: Path, store: Store, slack_api: FakeSlack, connector: FakeBotConnector
) -> None:
    slack_api.add_channel("C0FEEDBACK", "feedback")
    await store.save_ref(
        platform="teams",
        name="CS/Community",
        conversation_id="19:cs@thread.tacv2",
        service_url=None,
        reference={},
    )
    site = json.loads((FIXTURES / "discourse" / "site.json").read_text(encoding="utf-8"))
    forum = await FakeDiscourse(categories=site["categories"]).start()
    try:
        rules = RULES.format(locale="en", sales="#dept-marketing").replace(
            "  - {discourse: {category: feedback}}\n",
            "  - {discourse: {category: feedback}}\n  - {discourse: {category: how-to}}\n",
        )
        (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
        result = await doctor(environment(tmp_path, store, slack_api, connector, forum), tmp_path)
    finally:
        await forum.close()
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "✓ source category feedback: the forum has it" in out
    assert "✗ source category how-to: the forum has no such category (or the API key cannot see it)" in out
    assert (
        "write the slug from the category's address (/c/SLUG); the forum has: feedback, howto, staff" in out
    )
