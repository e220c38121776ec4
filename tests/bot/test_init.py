"""``kakehashi init`` and ``kakehashi slack-manifest`` through the real CLI (Slack: the fake Web API)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from bot.cli.main import main
from rules.ruleset import load_rules
from storage.store import Store
from tests.fakes.slack_api import FakeSlack

DEPARTMENTS = {
    "product": "dept-product",
    "cs": "dept-cs",
    "marketing": "dept-marketing",
    "sales": "dept-sales",
    "pr": "dept-pr",
    "hiring": "dept-hiring",
}


def invoke(
    folder: Path, args: list[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> Result:
    cwd = os.getcwd()
    os.chdir(folder)  # init and doctor read and write ./.env and ./rules.yaml
    try:
        return CliRunner().invoke(main, args, env=env, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(cwd)


async def test_init_then_doctor_is_a_working_slack_setup(
    tmp_path: Path, slack_api: FakeSlack, store: Store
) -> None:
    """Clone to a working Slack setup with init and doctor alone: the channels are listed, the
    files written, and doctor finds nothing wrong."""
    for name in ("dept-sales", "dept-pr", "dept-hiring", "cross-team-sync"):
        slack_api.add_channel(f"C0{name.upper().replace('-', '')[:8]}", name)
    args = ["init", "--platform", "slack", "--slack-token", "xoxb-new", "--slack-signing-secret", "s3cret"]
    args += ["--source", "community", "--source", "#questions", "--agenda-channel", "#cross-team-sync"]
    args += ["--admin", "U0ADMIN", "--locale", "en", "--no-input"]
    args += [f"--department={name}=#{channel}" for name, channel in DEPARTMENTS.items()]
    env = {"SLACK_API_URL": slack_api.url}
    result = await asyncio.to_thread(invoke, tmp_path, args, env)
    assert result.exit_code == 0, result.output
    assert "#community*" in result.output and "#dept-cs " in result.output  # the workspace, * = member
    rules = load_rules(tmp_path / "rules.yaml")
    assert [(s.platform, s.channel) for s in rules.sources] == [
        ("slack", "#community"),
        ("slack", "#questions"),
    ]
    assert {n: d.post_to[0].channel for n, d in rules.departments.items()} == {
        n: f"#{c}" for n, c in DEPARTMENTS.items()
    }
    assert rules.locale == "en" and rules.admins == ("U0ADMIN",)
    dotenv = (tmp_path / ".env").read_text(encoding="utf-8")
    assert "SLACK_BOT_TOKEN=xoxb-new\n" in dotenv and "KAKEHASHI_RULES=./rules.yaml\n" in dotenv
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
    assert "doctor" in result.output and "slack-manifest --url" in result.output

    database = store.engine.url.render_as_string(hide_password=False)
    doctor = await asyncio.to_thread(invoke, tmp_path, ["doctor"], {**env, "DATABASE_URL": database})
    assert doctor.exit_code == 0, doctor.output
    assert "No problems" in doctor.output

    again = await asyncio.to_thread(invoke, tmp_path, ["init", "--no-input"], env)
    assert again.exit_code == 1 and "already exists: --force to overwrite it" in again.output
    assert load_rules(tmp_path / "rules.yaml").locale == "en"  # untouched


def test_init_asks_for_what_no_flag_gave(tmp_path: Path) -> None:
    answers = [
        "teams",
        "0b6e4a3c-1111-4222-8333-444455556666",  # app id
        "the-secret",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",  # tenant
        "Community/General, Community/Questions",
        "Product/Triage",  # product
        "CS/Community",  # cs
        "",  # marketing: the offered default
        "",
        "",
        "",
        "Community/Sync",  # agenda
        "",  # admins
    ]
    result = invoke(tmp_path, ["init", "--locale", "en"], stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Channel for the department" in result.output
    rules = load_rules(tmp_path / "rules.yaml")
    assert [s.channel for s in rules.sources] == ["Community/General", "Community/Questions"]
    assert rules.departments["cs"].post_to[0].platform == "teams"
    assert rules.departments["marketing"].post_to[0].channel == "Marketing/General"
    dotenv = (tmp_path / ".env").read_text(encoding="utf-8")
    assert "MICROSOFT_APP_TYPE=SingleTenant\n" in dotenv and "MICROSOFT_APP_TENANT_ID=72f988bf" in dotenv
    assert "teams-manifest" in result.output


def test_init_refuses_an_unknown_department_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke(tmp_path, ["init", "--no-input", "--locale", "en", "--department", "prodcut=#x"])
    assert result.exit_code == 1 and "no department 'prodcut'" in result.output
    assert not (tmp_path / "rules.yaml").exists() and not (tmp_path / ".env").exists()


def test_slack_manifest_fills_the_request_urls(tmp_path: Path) -> None:
    result = invoke(tmp_path, ["slack-manifest", "--url", "https://kakehashi.example.com/"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://kakehashi.example.com/slack/events"
    assert settings["interactivity"]["request_url"] == "https://kakehashi.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == "https://kakehashi.example.com/slack/events"
    assert "YOUR-HOST" not in result.output and settings["socket_mode_enabled"] is False

    socket = invoke(tmp_path, ["slack-manifest", "--socket-mode", "--out", "m.yml"])
    assert socket.exit_code == 0, socket.output
    manifest = yaml.safe_load((tmp_path / "m.yml").read_text(encoding="utf-8"))
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert invoke(tmp_path, ["slack-manifest", "--socket-mode", "--out", "m.yml"]).exit_code == 1

    plain = invoke(tmp_path, ["slack-manifest", "--url", "http://kakehashi.example.com"])
    assert plain.exit_code == 2 and "expected the public https:// address" in plain.output
