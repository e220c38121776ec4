"""History imports through the CLI: a generated Slack export zip run twice; the Discourse import."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from adapters.discourse import Site
from adapters.discourse_client import DiscourseClient
from adapters.slack import convert
from bot.cli.main import main
from bot.platforms.discourse.source import DiscourseLookups, import_since
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.fakes.discourse_api import FakeDiscourse
from tests.forums.conftest import RULES
from tests.forums.test_discourse_poller import latest_post

TEAM = "T0KAKE01"
USERS = [
    {
        "id": "U01SATO",
        "team_id": TEAM,
        "name": "sato",
        "real_name": "佐藤 健",
        "is_bot": False,
        "profile": {"display_name": "sato.k", "real_name": "佐藤 健", "team": TEAM},
    },
    {
        "id": "U02LEE",
        "team_id": TEAM,
        "name": "lee",
        "real_name": "Jamie Lee",
        "is_bot": False,
        "profile": {"display_name": "", "real_name": "Jamie Lee", "team": TEAM},
    },
    {"id": "U03GH", "team_id": TEAM, "name": "github", "is_bot": True, "profile": {"real_name": "GitHub"}},
]
CHANNELS = [
    {
        "id": "C01COMM",
        "name": "community",
        "created": 1700000000,
        "creator": "U01SATO",
        "is_archived": False,
        "is_general": True,
        "members": ["U01SATO", "U02LEE"],
        "topic": {"value": ""},
        "purpose": {"value": ""},
    },
    {
        "id": "C02RAND",
        "name": "random",
        "created": 1700000000,
        "creator": "U01SATO",
        "is_archived": False,
        "is_general": False,
        "members": [],
        "topic": {"value": ""},
        "purpose": {"value": ""},
    },
    {
        "id": "C03PROD",
        "name": "dept-product",
        "created": 1700000000,
        "creator": "U01SATO",
        "is_archived": False,
        "is_general": False,
        "members": [],
        "topic": {"value": ""},
        "purpose": {"value": ""},
    },
]
PARENT_TS = "1762736400.000100"  # 2025-11-10 01:00 UTC


def msg(ts: str, user: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM,
        "user_team": TEAM,
        "client_msg_id": f"id-{ts}",
        "blocks": [],
        **extra,
    }


DAYS: dict[str, list[dict[str, Any]]] = {
    "community/2026-11-10.json": [
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U02LEE",
            "text": "<@U02LEE> has joined the channel",
            "ts": "1762736000.000050",
        },
        msg(
            PARENT_TS,
            "U01SATO",
            "CSVエクスポートで文字化けします。バグでしょうか？",
            thread_ts=PARENT_TS,
            reply_count=2,
            reply_users_count=1,
            latest_reply="1762822800.000300",
            replies=[
                {"user": "U02LEE", "ts": "1762737000.000200"},
                {"user": "U02LEE", "ts": "1762822800.000300"},
            ],
        ),
        msg(
            "1762737000.000200",
            "U02LEE",
            "Same here, it looks like an encoding bug.",
            thread_ts=PARENT_TS,
            parent_user_id="U01SATO",
        ),
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0GH",
            "username": "GitHub",
            "text": "New issue: crash on export",
            "ts": "1762738000.000400",
        },
        msg(
            "1762739000.000500",
            "U01SATO",
            "The new dashboard — love it!",
            edited={"user": "U01SATO", "ts": "1762739100.000000"},
        ),
    ],
    "community/2026-11-11.json": [
        msg(
            "1762822800.000300",
            "U02LEE",
            "Fixed in 3.2.2, 助かりました <@U01SATO>",
            thread_ts=PARENT_TS,
            parent_user_id="U01SATO",
        ),
    ],
    "random/2026-11-10.json": [msg("1762736500.000600", "U01SATO", "lunch bug?")],
    "dept-product/2026-11-10.json": [msg("1762736600.000700", "U02LEE", "triaging the crash bug")],
}


def make_export(path: Path, days: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", json.dumps(USERS, ensure_ascii=False))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("integration_logs.json", "[]")
        for name, messages in (days or DAYS).items():
            zf.writestr(name, json.dumps(messages, ensure_ascii=False))
    return path


def env(database: Database) -> dict[str, str]:
    return {"DATABASE_URL": database.url, "KAKEHASHI_RULES": str(RULES), "LOG_LEVEL": "WARNING"}


async def cli(args: list[str], environ: dict[str, str]) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, args, env=environ, catch_exceptions=False)


async def open_app(database: Database) -> App:
    return await App.build(Settings.from_env(env(database)), plugins=[])


async def test_slack_export_import_twice_then_stats_and_recap(database: Database, tmp_path: Path) -> None:
    export = make_export(tmp_path / "export.zip")
    first = await cli(
        ["import", "slack-export", str(export), "--workspace-url", "https://kake.slack.com"], env(database)
    )
    assert first.exit_code == 0, first.output
    # 5 content messages in #community (join skipped), 1 in #random (not a source), 1 in a department channel
    assert "4 files (0 already done), 7 messages: ignored 2, stored 5" in first.output

    app = await open_app(database)
    try:
        store = app.store
        parent = await store.get_message("slack", f"{TEAM}:C01COMM:{PARENT_TS}")
        assert parent is not None
        assert (parent.channel, parent.author, parent.thread_key) == ("#community", "sato.k", None)
        assert parent.link == f"https://kake.slack.com/archives/C01COMM/p{PARENT_TS.replace('.', '')}"
        late_reply = await store.get_message("slack", f"{TEAM}:C01COMM:1762822800.000300")
        assert (
            late_reply is not None
            and late_reply.thread_key == parent.key
            and late_reply.author == "Jamie Lee"
        )
        bot = await store.get_message("slack", f"{TEAM}:C01COMM:1762738000.000400")
        assert bot is not None and bot.is_bot
        edited = await store.get_message("slack", f"{TEAM}:C01COMM:1762739000.000500")
        assert edited is not None and edited.text == "The new dashboard — love it!"
        thanks = await store.get_message("slack", f"{TEAM}:C01COMM:1762822800.000300")
        assert (
            thanks is not None and thanks.text == "Fixed in 3.2.2, 助かりました @sato.k"
        )  # markup as people saw it
        assert await store.message_id("slack", f"{TEAM}:C03PROD:1762736600.000700") is None
        assert await store.outbox_counts() == {}  # stored, not reposted
        by_dept = await store.counts_by_department()
        assert by_dept == {"product": {"archived": 2}, "cs": {"archived": 2}, "marketing": {"archived": 2}}

        # a live Slack event for an imported message is a duplicate (same key)
        event = msg(
            PARENT_TS, "U01SATO", "CSVエクスポートで文字化けします。バグでしょうか？", channel="C01COMM"
        )
        ref = convert.message_ref(TEAM, "C01COMM", event, "channel")
        live = convert.to_inbound(
            ref, event, channel_name="#community", author_name="sato.k", link=None, is_bot=False
        )
        assert (await app.dispatcher.handle_message(live)).status == "duplicate"
        cursors = [
            await store.get_cursor(f"import:slack:{TEAM}:C01COMM:{day}")
            for day in ("2026-11-10.json", "2026-11-11.json")
        ]
        assert [c.split(":")[0] for c in cursors if c] == ["done", "done"]
    finally:
        await app.stop()

    second = await cli(["import", "slack-export", str(export)], env(database))
    assert second.exit_code == 0, second.output
    assert "4 files (4 already done), 0 messages: nothing new" in second.output

    stats = await cli(["stats", "--json"], env(database))
    numbers = json.loads(stats.output)
    assert (numbers["messages"], numbers["items"]) == (5, 6)
    assert numbers["platforms"] == {"slack": {"messages": 5, "items": 6}}
    assert numbers["tags"] == {"bug": 4, "testimonial": 2}
    table = await cli(["stats"], env(database))
    assert "items per department" in table.output and "marketing" in table.output

    recap = await cli(["recap", "marketing", "--period", "2025-11-09..2025-11-15"], env(database))
    assert recap.exit_code == 0, recap.output
    # the imported week itself (not only "waiting longest", which every later recap lists too)
    assert "Testimonial: 2 (+2)" in recap.output and "love it" in recap.output


async def test_a_later_export_whose_day_file_grew_stores_only_the_new_messages(
    database: Database, tmp_path: Path
) -> None:
    """Exported at noon, then again at night: the same day file now holds more messages."""
    first = await cli(["import", "slack-export", str(make_export(tmp_path / "noon.zip"))], env(database))
    assert "stored 5" in first.output, first.output
    later_day = [*DAYS["community/2026-11-11.json"], msg("1762830000.000800", "U01SATO", "another crash bug")]
    night = make_export(tmp_path / "night.zip", {**DAYS, "community/2026-11-11.json": later_day})
    second = await cli(["import", "slack-export", str(night)], env(database))
    assert second.exit_code == 0, second.output
    assert "4 files (3 already done), 2 messages: duplicate 1, stored 1" in second.output
    app = await open_app(database)
    try:
        new = await app.store.get_message("slack", f"{TEAM}:C01COMM:1762830000.000800")
        assert new is not None and new.text == "another crash bug"
        assert (await app.store.stats())["messages"] == 6
        assert await app.store.outbox_counts() == {}  # still history: stored, not reposted
    finally:
        await app.stop()
    third = await cli(["import", "slack-export", str(night)], env(database))
    assert "4 files (4 already done), 0 messages: nothing new" in third.output


async def test_interrupted_import_resumes_from_the_file_cursor(database: Database, tmp_path: Path) -> None:
    export = make_export(tmp_path / "export.zip")
    app = await open_app(database)
    try:  # as if a previous run stopped after the first three entries of the first day
        await app.store.set_cursor(f"import:slack:{TEAM}:C01COMM:2026-11-10.json", "3")
    finally:
        await app.stop()
    result = await cli(["import", "slack-export", str(export)], env(database))
    assert "7 messages" not in result.output and "stored 3" in result.output
    app = await open_app(database)
    try:
        assert await app.store.message_id("slack", f"{TEAM}:C01COMM:{PARENT_TS}") is None  # before the cursor
        assert await app.store.message_id("slack", f"{TEAM}:C01COMM:1762739000.000500") is not None
    finally:
        await app.stop()


async def test_import_with_repost_queues_reposts_and_bad_exports_fail_clearly(
    database: Database, tmp_path: Path
) -> None:
    export = make_export(tmp_path / "export.zip")
    result = await cli(["import", "slack-export", str(export), "--repost"], env(database))
    assert "reposts are queued" in result.output
    app = await open_app(database)
    try:
        assert (await app.store.outbox_counts()) == {
            "pending": 6
        }  # 2 bugs -> product + cs, 2 praises -> marketing
        by_dept = await app.store.counts_by_department()
        assert by_dept == {"product": {"open": 2}, "cs": {"open": 2}, "marketing": {"open": 2}}
    finally:
        await app.stop()
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("channels.json", "[]")
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(broken)], env=env(database)
    )
    assert result.exit_code == 1
    assert "users.json: missing from the export (is this a Slack workspace export?)" in result.output
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "discourse", "--since", "last year"], env=env(database)
    )
    assert result.exit_code == 2 and "expected a date such as 2026-01-31" in result.output


async def test_discourse_import_since_is_idempotent(
    database: Database, fake_discourse: FakeDiscourse
) -> None:
    for i in range(1, 13):  # created 2026-11-11 .. 2026-11-20 (see latest_post)
        fake_discourse.add_post(latest_post(i, text="crash on start" if i % 3 == 0 else "thanks"))
    fake_discourse.page_size = 5
    app = await open_app(database)
    client = DiscourseClient(base_url=fake_discourse.url, min_interval=0.0)
    lookups = DiscourseLookups(site=Site(fake_discourse.url), client=client)
    from datetime import UTC, datetime

    since = datetime(2026, 11, 15, tzinfo=UTC)
    try:
        seen, stored = await import_since(
            lookups=lookups, client=client, dispatcher=app.dispatcher, store=app.store, since=since
        )
        expected = [p for p in fake_discourse.posts.values() if p["created_at"] >= "2026-11-15"]
        assert (seen, stored) == (len(expected), len(expected))
        assert await app.store.outbox_counts() == {}
        statuses = {s for counts in (await app.store.counts_by_department()).values() for s in counts}
        assert statuses == {"archived"}  # stored, never shown: not open work
        assert (
            await import_since(
                lookups=lookups, client=client, dispatcher=app.dispatcher, store=app.store, since=since
            )
        ) == (0, 0)
    finally:
        await client.aclose()
        await app.stop()


def write_zip(path: Path, files: dict[str, Any], *, root: str = "") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            data = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            zf.writestr(root + name, data)
    return path


def export_files() -> dict[str, Any]:
    return {"users.json": USERS, "channels.json": CHANNELS, "integration_logs.json": [], **DAYS}


async def test_rezipped_export_with_a_top_level_folder_and_real_world_messages(
    database: Database, tmp_path: Path
) -> None:
    """Slack's help page: a full export also holds dms.json, mpims.json, groups.json and one
    folder per DM; canvases come as a folder of their own.  Unzipping and zipping again (Finder,
    Explorer) adds a top-level folder, and macOS adds __MACOSX copies."""
    root = "Kake Slack export Nov 10 2026 - Nov 11 2026/"
    files = export_files()
    files["groups.json"] = [
        {"id": "G01PRIV", "name": "staff-only", "created": 1700000000, "members": ["U01SATO"]}
    ]
    files["dms.json"] = [{"id": "D01DM", "created": 1700000000, "members": ["U01SATO", "U02LEE"]}]
    files["mpims.json"] = [{"id": "G02MP", "name": "mpdm-sato--lee--kim-1", "members": ["U01SATO", "U02LEE"]}]
    files["D01DM/2026-11-10.json"] = [msg("1762736900.000900", "U01SATO", "private bug talk")]
    files["mpdm-sato--lee--kim-1/2026-11-10.json"] = [msg("1762736901.000900", "U02LEE", "another bug")]
    files["staff-only/2026-11-10.json"] = [msg("1762736902.000900", "U01SATO", "crash, internal")]
    files["canvases/F0CANVAS.json"] = {"title": "Team notes"}
    files["community/2026-11-12.json"] = [
        # a reply also sent to the channel
        msg(
            "1762909200.000100",
            "U02LEE",
            "Also seeing the crash on Android",
            subtype="thread_broadcast",
            thread_ts=PARENT_TS,
            root={"ts": PARENT_TS, "user": "U01SATO", "text": "..."},
        ),
        # a file beyond the free plan's history limit
        msg(
            "1762909300.000200",
            "U01SATO",
            "screenshot of the bug",
            subtype="file_share",
            upload=True,
            files=[{"id": "F0HIDDEN", "mode": "hidden_by_limit"}],
        ),
        # an external (Slack Connect) author missing from users.json, named by user_profile
        msg(
            "1762909400.000300",
            "U09EXT",
            "We love it! 助かりました",
            user_profile={"display_name": "ext.kim", "real_name": "Kim Ext", "team": "T0OTHER"},
        ),
        {
            "type": "message",
            "subtype": "channel_name",
            "user": "U01SATO",
            "ts": "1762909500.000400",
            "old_name": "community-old",
            "name": "community",
            "text": "renamed the channel",
        },
        {
            "type": "message",
            "subtype": "tombstone",
            "user": "USLACKBOT",
            "ts": "1762909600.000500",
            "text": "This message was deleted.",
            "hidden": True,
        },
        {"type": "message", "user": "U01SATO", "text": "no ts: cannot be keyed"},
        # a Slackbot custom response (an admin's auto-reply): a bot post, never routed
        {"type": "message", "user": "USLACKBOT", "text": "Crash? See the FAQ", "ts": "1762909700.000600"},
    ]
    export = write_zip(tmp_path / "rezipped.zip", files, root=root)
    with zipfile.ZipFile(export, "a") as zf:
        zf.writestr(f"__MACOSX/{root}._channels.json", b"\x00\x05\x16\x07junk")
        zf.writestr(f"__MACOSX/{root}community/._2026-11-10.json", b"\x00\x05\x16\x07junk")
    result = await cli(["import", "slack-export", str(export)], env(database))
    assert result.exit_code == 0, result.output
    # as before plus broadcast, file share and external in #community, and one in staff-only (not a
    # source, ignored like #random and the department channel); DM folders are not read at all
    assert "6 files (0 already done), 12 messages: ignored 3, stored 9" in result.output
    app = await open_app(database)
    try:
        broadcast = await app.store.get_message("slack", f"{TEAM}:C01COMM:1762909200.000100")
        assert broadcast is not None and broadcast.thread_key == f"{TEAM}:C01COMM:{PARENT_TS}"
        shared = await app.store.get_message("slack", f"{TEAM}:C01COMM:1762909300.000200")
        assert shared is not None and shared.files == ["F0HIDDEN"]
        external = await app.store.get_message("slack", f"{TEAM}:C01COMM:1762909400.000300")
        assert external is not None and external.author == "ext.kim"
        staff = await app.store.get_message("slack", f"{TEAM}:G01PRIV:1762736902.000900")
        assert staff is None  # read (a private channel), but not a source
        assert await app.store.get_message("slack", f"{TEAM}:D01DM:1762736900.000900") is None
        slackbot = await app.store.get_message("slack", f"{TEAM}:C01COMM:1762909700.000600")
        assert slackbot is not None and slackbot.is_bot
        by_dept = await app.store.counts_by_department()
        assert by_dept["product"] == {"archived": 4}  # the two bugs, the broadcast, the screenshot
    finally:
        await app.stop()


async def test_damaged_or_foreign_files_fail_before_anything_is_stored(
    database: Database, tmp_path: Path
) -> None:
    export = write_zip(tmp_path / "export.zip", export_files())
    data = bytearray(export.read_bytes())
    with zipfile.ZipFile(export) as zf:
        info = zf.getinfo("community/2026-11-11.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5] ^= 0xFF  # flip a byte of the compressed data: CRC or inflate error
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(damaged)], env=env(database)
    )
    assert result.exit_code == 1, result.output
    assert "community/2026-11-11.json" in result.output and "damaged" in result.output

    not_zip = tmp_path / "export.json"
    not_zip.write_text("[]")
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(not_zip)], env=env(database)
    )
    assert result.exit_code == 1 and "not a readable zip file" in result.output

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(export.read_bytes()[: len(data) // 2])
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(truncated)], env=env(database)
    )
    assert result.exit_code == 1 and "Error:" in result.output

    files = export_files()
    files["community/2026-11-11.json"] = '[{"type": "message", "ts": '
    bad_json = write_zip(tmp_path / "bad-json.zip", files)
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(bad_json)], env=env(database)
    )
    assert result.exit_code == 1 and "community/2026-11-11.json: not valid JSON" in result.output

    app = await open_app(database)
    try:
        assert (await app.store.stats())["messages"] == 0  # nothing half-imported
    finally:
        await app.stop()


async def test_export_whose_users_name_no_workspace(database: Database, tmp_path: Path) -> None:
    """users.json without ``team_id`` (a hand-made or tool-made export): the workspace id comes
    from the messages' ``team``; with none anywhere the import still runs, keyed under 'export',
    and says how to make the keys match live events."""
    bare_users = [{k: v for k, v in u.items() if k != "team_id"} for u in USERS]
    with_team = write_zip(tmp_path / "team.zip", {**export_files(), "users.json": bare_users})
    result = await cli(["import", "slack-export", str(with_team)], env(database))
    assert result.exit_code == 0, result.output
    assert "stored 5" in result.output and "no workspace id" not in result.output

    def strip(message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if k not in ("team", "user_team")}

    days = {name: [strip(m) for m in messages] for name, messages in DAYS.items()}
    nameless = write_zip(tmp_path / "nameless.zip", {**export_files(), "users.json": bare_users, **days})
    first = await cli(["import", "slack-export", str(nameless)], env(database))
    assert first.exit_code == 0, first.output
    assert "stored 5" in first.output and "pass --team" in first.output
    second = await cli(["import", "slack-export", str(nameless)], env(database))
    assert "0 messages: nothing new" in second.output
    app = await open_app(database)
    try:
        assert await app.store.message_id("slack", f"{TEAM}:C01COMM:{PARENT_TS}") is not None
        assert await app.store.message_id("slack", f"export:C01COMM:{PARENT_TS}") is not None
    finally:
        await app.stop()


async def test_discourse_import_run_again_reads_what_was_posted_since(
    database: Database, fake_discourse: FakeDiscourse
) -> None:
    """A finished import run again with the same --since stores the posts written in between
    (not "0 posts"), reading only down to where the last run ended.  Whispers and small actions
    are never stored, and a created_at without an offset counts as UTC."""
    for i in range(1, 13):
        fake_discourse.add_post(latest_post(i, text="crash on start"))
    fake_discourse.page_size = 5
    app = await open_app(database)
    client = DiscourseClient(base_url=fake_discourse.url, min_interval=0.0)
    lookups = DiscourseLookups(site=Site(fake_discourse.url), client=client)
    from datetime import UTC, datetime

    since = datetime(2026, 11, 1, tzinfo=UTC)

    async def run() -> tuple[int, int]:
        return await import_since(
            lookups=lookups, client=client, dispatcher=app.dispatcher, store=app.store, since=since
        )

    try:
        assert await run() == (12, 12)
        fake_discourse.add_post({**latest_post(13, text="new crash"), "created_at": "2026-11-25T09:00:00"})
        fake_discourse.add_post({**latest_post(14, number=2, topic_id=5013), "post_type": 4})  # whisper
        fake_discourse.add_post({**latest_post(15, number=3, topic_id=5013), "post_type": 3})  # small action
        fake_discourse.requests.clear()
        assert await run() == (3, 1)
        assert [r.query.get("before") for r in fake_discourse.calls("/posts.json")] == [None]
        assert await app.store.message_id("discourse", Site(fake_discourse.url).post_key(13)) is not None
        for whisper_or_action in (14, 15):
            key = Site(fake_discourse.url).post_key(whisper_or_action)
            assert await app.store.message_id("discourse", key) is None
        assert await run() == (0, 0)
    finally:
        await client.aclose()
        await app.stop()


async def test_recap_of_a_period_without_the_imported_history_says_where_it_is(
    database: Database, tmp_path: Path
) -> None:
    export = make_export(tmp_path / "export.zip")
    assert (await cli(["import", "slack-export", str(export)], env(database))).exit_code == 0
    empty = await cli(["recap", "product", "--period", "2026-12-01..2026-12-07"], env(database))
    assert empty.exit_code == 0, empty.output
    assert "try --period 2025-11-10..2025-11-11" in empty.output
    covered = await cli(["recap", "product", "--period", "2025-11-10..2025-11-11"], env(database))
    assert "try --period" not in covered.output
