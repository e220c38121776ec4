"""The HTTP server: health and metrics over real HTTP; a bad setting stops start-up clearly."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.errors import SettingsError
from bot.platforms import webhook as inbound_plugin
from bot.runtime.app import App
from bot.runtime.server import APP_KEY, NO_PLATFORM
from bot.settings import KNOWN_VARIABLES, Settings, read_env_file
from tests.conftest import FIXTURES, Database


@pytest.fixture
async def client(database: Database) -> AsyncIterator[TestClient]:
    settings = replace(
        Settings.from_env({}), rules_path=FIXTURES / "bot" / "rules.yaml", database_url=database.url
    )
    app = await App.build(settings, plugins=[])
    async with TestClient(TestServer(app.web_app())) as client:
        yield client
    await app.stop()


async def test_healthz_and_metrics(client: TestClient) -> None:
    health = await client.get("/healthz")
    assert health.status == 200
    body = await health.json()
    # no platform at all: the process works but hears nothing, and says so (200, not 503)
    assert body["status"] == "degraded" and len(body["rules"]) == 12
    assert body["problems"] == [
        "no platform configured: set SLACK_BOT_TOKEN, MICROSOFT_APP_ID, DISCOURSE_URL or "
        "KAKEHASHI_INBOUND_SECRET (kakehashi init, then kakehashi doctor)"
    ]
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    text = await metrics.text()
    assert "kakehashi_messages_total" in text or "# HELP kakehashi_messages" in text


async def test_metrics_count_requests_per_route_and_status(database: Database) -> None:
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url=database.url,
        inbound_webhook_secret="s3cret",
    )
    app = await App.build(settings, plugins=[inbound_plugin.plugin])
    async with TestClient(TestServer(app.web_app())) as client:
        health = await client.get("/healthz")
        assert health.status == 200 and (await health.json())["status"] == "ok"  # a platform listens
        for source in ("forum", "typeform"):  # unsigned: 401, counted under the route, not each source
            assert (await client.post(f"/hooks/inbound/{source}", data=b"{}")).status == 401
        assert (await client.get("/nothing-here")).status == 404
        text = await (await client.get("/metrics")).text()
    await app.stop()
    assert 'kakehashi_requests_total{endpoint="/healthz",status="200"} 1.0' in text
    assert 'kakehashi_requests_total{endpoint="/hooks/inbound/{source}",status="401"} 2.0' in text
    assert 'kakehashi_requests_total{endpoint="(no route)",status="404"} 1.0' in text


def test_settings_errors_name_the_variable() -> None:
    with pytest.raises(Exception, match=r"DATABASE_URL: unsupported database 'mysql'"):
        Settings.from_env({"DATABASE_URL": "mysql://x@y/z"})
    with pytest.raises(Exception, match=r"SLACK_APP_TOKEN: expected an app-level token starting with xapp-"):
        Settings.from_env({"SLACK_APP_TOKEN": "xoxb-1"})
    with pytest.raises(
        Exception, match=r"MICROSOFT_APP_TYPE='Both': expected one of SingleTenant, MultiTenant"
    ):
        Settings.from_env({"MICROSOFT_APP_TYPE": "Both"})
    assert (
        Settings.from_env({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+asyncpg://u@h/db"
    )


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        # 0 made the outbox worker poll the database in a busy loop
        (
            "KAKEHASHI_OUTBOX_POLL_SECONDS",
            "0",
            "expected a number of seconds above 0, e.g. KAKEHASHI_OUTBOX_POLL_SECONDS=1.0",
        ),
        ("KAKEHASHI_OUTBOX_POLL_SECONDS", "nan", "expected a number of seconds above 0"),
        ("DISCOURSE_POLL_SECONDS", "-5", "expected a number >= 0, e.g. DISCOURSE_POLL_SECONDS=300.0"),
        ("DISCOURSE_POLL_SECONDS", "inf", "expected a number >= 0"),
        ("PORT", "0", "expected a number between 1 and 65535"),
    ],
)
def test_seconds_and_ports_out_of_range_name_the_variable(name: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: raw})
    assert str(caught.value).startswith(f"{name}={raw!r}: {message}")


def test_zero_discourse_poll_turns_the_poller_off_and_is_accepted() -> None:
    assert Settings.from_env({"DISCOURSE_POLL_SECONDS": "0"}).discourse_poll_interval == 0.0


def test_env_example_lists_every_variable_and_is_valid_as_is(tmp_path: Path) -> None:
    """`cp .env.example .env` gives working settings, and the file names every variable read."""
    example = Path(__file__).resolve().parents[2] / ".env.example"
    values = read_env_file(example)
    Settings.from_env(values)  # every value as shipped is valid
    listed = set(values) | set(re.findall(r"^# ([A-Z_]+)=", example.read_text(encoding="utf-8"), re.M))
    source = (Path(__file__).resolve().parents[2] / "bot" / "settings.py").read_text(encoding="utf-8")
    read = set(
        re.findall(r'"((?:KAKEHASHI|SLACK|MICROSOFT|DISCOURSE|DATABASE|HOST|PORT|LOG)[A-Z_]*)"', source)
    )
    assert read <= listed, read - listed
    # Docker's --env-file passes the file as is: it must not move the image's database off its volume.
    assert "DATABASE_URL" not in values


def test_doctor_knows_every_variable_settings_read() -> None:
    """``kakehashi doctor`` flags a variable missing from ``KNOWN_VARIABLES`` as a typo ("kakehashi
    does not read this variable") and skips checking its value: each one ``from_env`` reads is there."""
    source = (Path(__file__).resolve().parents[2] / "bot" / "settings.py").read_text(encoding="utf-8")
    body = source[source.index("    def from_env(") :]
    read = set(re.findall(r'"((?:KAKEHASHI|SLACK|MICROSOFT|DISCOURSE|DATABASE|HOST|PORT|LOG)[A-Z_]*)"', body))
    assert read - set(KNOWN_VARIABLES) == set()


def test_teams_is_single_tenant_by_default_and_bot_framework_names_are_aliases() -> None:
    """Azure creates no new multi-tenant bots since 2025-07-31; Azure's own variable names work."""
    app_id, tenant = "0b6e4a3c-1111-4222-8333-444455556666", "72f988bf-86f1-41af-91ab-2d7cd011db47"
    with pytest.raises(
        SettingsError, match=r"^MICROSOFT_APP_TENANT_ID: required with MICROSOFT_APP_TYPE=SingleTenant"
    ):
        Settings.from_env({"MICROSOFT_APP_ID": app_id})
    settings = Settings.from_env(
        {"MicrosoftAppId": app_id, "MicrosoftAppPassword": "pw", "MicrosoftAppTenantId": tenant}
    )
    assert (settings.microsoft_app_id, settings.microsoft_app_password) == (app_id, "pw")
    assert (settings.microsoft_app_type, settings.microsoft_app_tenant_id) == ("SingleTenant", tenant)
    multi = Settings.from_env({"MicrosoftAppId": app_id, "MicrosoftAppType": "MultiTenant"})
    assert multi.microsoft_app_type == "MultiTenant"
    with pytest.raises(
        SettingsError, match=r"^MicrosoftAppId and MICROSOFT_APP_ID are both set, to different"
    ):
        Settings.from_env({"MicrosoftAppId": app_id, "MICROSOFT_APP_ID": "other"})


def test_dot_env_is_read_from_the_working_folder_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "# comment\n\nPORT=3999\nexport LOG_LEVEL=debug\nSLACK_BOT_TOKEN='xoxb-from-file'\n"
        "SLACK_SIGNING_SECRET=\nKAKEHASHI_INSTANCE_ID=from-file\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for name in ("PORT", "LOG_LEVEL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAKEHASHI_INSTANCE_ID", "from-env")
    settings = Settings.from_env()
    assert settings.port == 3999 and settings.log_level == "DEBUG"
    assert settings.slack_bot_token == "xoxb-from-file" and settings.slack_signing_secret is None
    assert settings.instance_id == "from-env"
    (tmp_path / ".env").write_text("PORT=1\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^\.env:2: expected NAME=value, got 'this is not a setting'$"):
        Settings.from_env()


def test_start_up_hints_ask_only_for_what_each_platform_needs() -> None:
    hints = Settings.from_env({}).missing_for_platforms()
    assert (
        "Teams: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
        "and MICROSOFT_APP_TENANT_ID (MICROSOFT_APP_TYPE=SingleTenant, the default)"
    ) in hints
    assert any(h.startswith("generic webhook (POST /hooks/inbound/{source})") for h in hints)
    configured = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "MICROSOFT_APP_ID": "0b6e4a3c-1111-4222-8333-444455556666",
            "MICROSOFT_APP_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "DISCOURSE_URL": "https://forum.example.com",
            "KAKEHASHI_INBOUND_SECRET": "s",
        }
    )
    assert configured.missing_for_platforms() == []
    dev = Settings.from_env(
        {"KAKEHASHI_ENV": "dev"}
    ).missing_for_platforms()  # Teams listens, unauthenticated
    assert not [h for h in dev if h.startswith("Teams")]


async def test_metrics_are_the_series_the_readme_names(database: Database) -> None:
    """No ``kakehashi_items_created 1.79e+09`` (prometheus_client's start timestamps) next to them."""
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url=database.url,
        inbound_webhook_secret="s3cret",
    )
    app = await App.build(settings, plugins=[inbound_plugin.plugin])
    async with TestClient(TestServer(app.web_app())) as client:
        assert (await client.post("/hooks/inbound/forum", data=b"{}")).status == 401
        text = await (await client.get("/metrics")).text()
    await app.stop()
    families = set(re.findall(r"^# TYPE (\S+) ", text, flags=re.M))
    assert families == {
        "kakehashi_messages_total",
        "kakehashi_items_total",
        "kakehashi_deliveries_total",
        "kakehashi_requests_total",
        "kakehashi_slow_classifications_total",
        "kakehashi_outbox_rows",
        "kakehashi_outbox_oldest_pending_seconds",
        "kakehashi_request_seconds",
        "kakehashi_after_ack_events",
        "kakehashi_store_batch_events",
    }, families
    assert "_created" not in text
    # latency per endpoint (a histogram), and how long the oldest unsent post has waited
    assert 'kakehashi_request_seconds_count{endpoint="/hooks/inbound/{source}"} 1.0' in text
    assert 'kakehashi_request_seconds_bucket{endpoint="/hooks/inbound/{source}",le="3.0"} 1.0' in text
    assert "kakehashi_outbox_oldest_pending_seconds 0.0" in text


async def test_metrics_say_how_long_the_oldest_unsent_post_has_waited(database: Database) -> None:
    settings = replace(
        Settings.from_env({}), rules_path=FIXTURES / "bot" / "rules.yaml", database_url=database.url
    )
    clock = [datetime.now(UTC)]
    app = await App.build(settings, plugins=[], clock=lambda: clock[0])  # nothing sends: no worker runs
    await app.store.enqueue(
        kind="notice", destination="slack:#dept-product", payload={"text": "hi"}, dedupe_key="k1"
    )
    clock[0] += timedelta(minutes=5)
    async with TestClient(TestServer(app.web_app())) as client:
        text = await (await client.get("/metrics")).text()
    await app.stop()
    [age] = re.findall(r"^kakehashi_outbox_oldest_pending_seconds (\S+)$", text, flags=re.M)
    assert 290 < float(age) < 400


async def test_healthz_never_shows_where_the_database_is(tmp_path: Path) -> None:
    """An unreachable database is 503 with what fails, not its host and port (logged instead)."""
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url="postgresql://kakehashi@127.0.0.1:59999/community",
    )
    app = await App.build(settings, plugins=[], migrate=False)
    async with TestClient(TestServer(app.web_app())) as client:
        health = await client.get("/healthz")
        text = await health.text()
    await app.stop()
    assert health.status == 503
    assert (await health.json())["status"] == "error"
    assert "59999" not in text and "127.0.0.1" not in text and "kakehashi@" not in text
    assert (await health.json())["database"].startswith("unreachable")


async def test_healthz_reports_a_database_that_no_longer_takes_writes(database: Database) -> None:
    """Reads work, writes fail (disk full, a read-only failover): 503, not ok."""
    if database.kind != "postgresql":
        pytest.skip("a read-only database is made with PostgreSQL's default_transaction_read_only")
    settings = replace(
        Settings.from_env({}), rules_path=FIXTURES / "bot" / "rules.yaml", database_url=database.url
    )
    app = await App.build(settings, plugins=[])
    async with TestClient(TestServer(app.web_app())) as client:
        assert (await client.get("/healthz")).status == 200
        await database._admin(f'ALTER DATABASE "{database.name}" SET default_transaction_read_only = on')
        await app.engine.dispose()  # new connections come up read-only
        await app.probe_engine.dispose()  # /healthz's own connection too (it writes a probe row)
        health = await client.get("/healthz")
        body = await health.json()
    await app.stop()
    assert health.status == 503
    assert body["status"] == "error"
    assert body["database"].startswith("writes fail")


async def test_healthz_is_degraded_with_the_reason_while_a_problem_is_reported(client: TestClient) -> None:
    app = client.server.app[APP_KEY]
    app.services.health.report("slack:source:#gone", "rules.yaml sources: Slack channel #gone not found")
    health = await client.get("/healthz")
    assert health.status == 200
    body = await health.json()
    assert (body["status"], body["problems"]) == (
        "degraded",
        [NO_PLATFORM, "rules.yaml sources: Slack channel #gone not found"],
    )
    app.services.health.clear("slack:")
    after = await (await client.get("/healthz")).json()
    assert (after["status"], after["problems"]) == ("degraded", [NO_PLATFORM])  # this client has no platform
