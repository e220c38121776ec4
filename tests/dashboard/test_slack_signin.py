"""Sign in with Slack (OpenID Connect) for the dashboard, against the Slack Web API stand-in.

The browser goes to Slack's authorize page (``https://slack.com/openid/connect/authorize`` with
``response_type=code``, ``scope=openid profile``, ``state``, ``nonce``, ``redirect_uri``:
https://docs.slack.dev/authentication/sign-in-with-slack/); here the test plays the browser and
Slack's page, handing the callback the code the stand-in will accept.  The app exchanges it with
``openid.connect.token`` and asks ``openid.connect.userInfo`` who it is; only members of the bot's
workspace (``auth.test`` team) get a session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp.test_utils import TestServer

from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.dashboard.conftest import TOKEN, WEEK, figures
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.recap.conftest import FIRE, rules_file, seed


@pytest.fixture
async def site(database: Database, tmp_path: Path, slack_api: FakeSlack) -> AsyncIterator[str]:
    settings = Settings(
        rules_path=rules_file(tmp_path),
        database_url=database.url,
        dashboard_token=TOKEN,
        slack_bot_token="xoxb-test-token",
        slack_api_url=slack_api.url,
        slack_client_id="111.222",
        slack_client_secret="oidc-secret",
    )
    app = await App.build(settings, plugins=[], clock=lambda: FIRE)
    await seed(app.store)
    server = TestServer(app.web_app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
        await app.stop()


async def _to_slack(client: httpx.AsyncClient, next_path: str) -> dict[str, str]:
    """Follow the sign-in link to Slack's authorize page; its query, one value each."""
    page = await client.get("/dashboard/login", params={"next": next_path})
    assert 'id="signin-slack"' in page.text and "Slack でサインイン" in page.text
    start = await client.get("/dashboard/login/slack", params={"next": next_path})
    assert start.status_code == 302
    location = urlsplit(start.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "slack.com",
        "/openid/connect/authorize",
    )
    cookie = start.headers["set-cookie"]
    assert "kakehashi_oidc=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    return {k: v[0] for k, v in parse_qs(location.query).items()}


async def test_a_workspace_member_signs_in_with_slack(site: str, slack_api: FakeSlack) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=30) as client:
        query = await _to_slack(client, f"/dashboard?period={WEEK}")
        assert query["client_id"] == "111.222" and query["response_type"] == "code"
        assert set(query["scope"].replace(",", " ").split()) == {"openid", "profile"}
        assert query["redirect_uri"] == f"{site}/dashboard/login/slack/callback" and query["nonce"]
        # Slack's page: the member agrees; Slack sends the browser back with a code
        slack_api.oidc_codes["c-1"] = {
            "user": "U0MEMBER1",
            "team": TEAM_ID,
            "name": "hana",
            "redirect_uri": query["redirect_uri"],
        }
        back = await client.get(
            "/dashboard/login/slack/callback", params={"code": "c-1", "state": query["state"]}
        )
        assert back.status_code == 303 and back.headers["location"] == f"/dashboard?period={WEEK}"
        assert "SameSite=Strict" in back.headers["set-cookie"]
        page = await client.get(back.headers["location"])
    assert page.status_code == 200
    assert figures(page.text, "product")["total"] == "4"
    exchange = slack_api.of("openid.connect.token")[-1]
    assert exchange.args["code"] == "c-1" and exchange.args["redirect_uri"] == query["redirect_uri"]


async def test_refused_sign_ins_get_no_session(site: str, slack_api: FakeSlack) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=30) as client:
        query = await _to_slack(client, "/dashboard")
        redirect = query["redirect_uri"]
        # another workspace's member
        slack_api.oidc_codes["c-other"] = {
            "user": "U9OTHER",
            "team": "T9OTHER",
            "name": "eve",
            "redirect_uri": redirect,
        }
        other = await client.get(
            "/dashboard/login/slack/callback", params={"code": "c-other", "state": query["state"]}
        )
        assert other.status_code == 401 and "このワークスペースのメンバーだけ" in other.text
        assert "kakehashi_dashboard=" not in other.headers.get("set-cookie", "")
        # a code Slack never gave, a forged state, the member saying no
        bad = await client.get(
            "/dashboard/login/slack/callback", params={"code": "nope", "state": query["state"]}
        )
        assert bad.status_code == 401
        forged = await client.get(
            "/dashboard/login/slack/callback", params={"code": "x", "state": query["state"] + "x"}
        )
        assert forged.status_code == 401
        denied = await client.get(
            "/dashboard/login/slack/callback", params={"error": "access_denied", "state": query["state"]}
        )
        assert denied.status_code == 401
        assert (await client.get("/dashboard")).status_code == 401
    # a callback in a browser that did not start the sign-in (no state cookie): refused
    slack_api.oidc_codes["c-2"] = {
        "user": "U0MEMBER1",
        "team": TEAM_ID,
        "name": "hana",
        "redirect_uri": redirect,
    }
    async with httpx.AsyncClient(base_url=site, timeout=30) as stranger:
        stolen = await stranger.get(
            "/dashboard/login/slack/callback", params={"code": "c-2", "state": query["state"]}
        )
        assert stolen.status_code == 401 and "kakehashi_dashboard=" not in stolen.headers.get(
            "set-cookie", ""
        )


async def test_without_the_slack_app_credentials_there_is_no_slack_sign_in(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        assert 'id="signin-slack"' not in (await client.get("/dashboard/login")).text
        assert (await client.get("/dashboard/login/slack")).status_code == 404
