"""The Discourse categories rules.yaml names as sources are checked against the forum's category
list at start and on every reload (issue 13): one the forum does not list is reported in
``/healthz`` (degraded) with the slugs it does list; fixing rules.yaml clears it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.platforms.discourse import plugin as discourse_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.fakes.discourse_api import FakeDiscourse

RULES = """\
version: 1
locale: en
sources:
  - {{discourse: {{category: feedback}}}}
  - {{discourse: {{category: {second}}}}}
departments:
  product: {{label: Product, post_to: [{{slack: "#dept-product"}}]}}
routes:
  - {{name: bug, when: {{keyword: bug}}, to: product}}
"""


async def test_a_category_the_forum_does_not_list_is_reported_until_fixed(
    database: Database, fake_discourse: FakeDiscourse, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.format(second="how-to"), encoding="utf-8")  # the slug is "howto"
    settings = replace(
        Settings.from_env(
            {
                "DISCOURSE_URL": fake_discourse.url,
                "DISCOURSE_API_KEY": "k",
                "DISCOURSE_API_USERNAME": "system",
            }
        ),
        rules_path=rules,
        database_url=database.url,
        discourse_poll_interval=0,
    )
    app = await App.build(settings, plugins=[discourse_plugin.plugin])
    await app.start(worker=False, watch_rules=False)
    try:
        async with TestClient(TestServer(app.web_app())) as client:
            health = await (await client.get("/healthz")).json()
            assert health["status"] == "degraded"
            assert health["problems"] == [
                f"rules.yaml source {{discourse: {{category: how-to}}}}: {fake_discourse.url} has no category "
                "'how-to' that kakehashi can see (slugs: feedback, howto, staff, uncategorized); write the "
                "slug from the category's address (/c/SLUG), or give DISCOURSE_API_KEY access to a "
                "restricted one"
            ]
            rules.write_text(RULES.format(second="howto"), encoding="utf-8")
            assert await app.rules.reload_async()
            plugin = next(p for p in app.plugins if isinstance(p, discourse_plugin.DiscoursePlugin))
            await plugin.idle()
            health = await (await client.get("/healthz")).json()
            assert health["status"] == "ok", health
    finally:
        await app.stop()
