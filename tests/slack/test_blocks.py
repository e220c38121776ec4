"""Pure conversions: keys, emoji names, mrkdwn, Block Kit limits, manifest consistency."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack import blocks as bk
from adapters.slack.convert import archive_link, emoji_name, split_key
from adapters.slack.scopes import METHOD_SCOPES, required_scopes
from bot.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+1::skin-tone-3", "+1"), (":bulb:", "bulb"), ("white_check_mark", "white_check_mark")],
)
def test_emoji_name(raw: str, expected: str) -> None:
    assert emoji_name(raw) == expected


def test_keys_and_links() -> None:
    assert split_key("T1:C1:1700000000.000100") == ("T1", "C1", "1700000000.000100")
    assert split_key("discourse:42") is None
    assert archive_link("https://x.slack.com/", "C1", "1700000000.000200", "1700000000.000100") == (
        "https://x.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100&cid=C1"
    )


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**bold** and [a link](https://e.com/x?a=1&b=2)", "*bold* and <https://e.com/x?a=1&b=2|a link>"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("## 見出し\n- 項目", "*見出し*\n- 項目"),
        ("[x|y](https://e.com)", "<https://e.com|x¦y>"),
    ],
)
def test_mrkdwn(markdown: str, expected: str) -> None:
    assert bk.mrkdwn(markdown) == expected


def payload(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "item_id": 7,
        "department": "product",
        "text": "x",
        "link": None,
        "files": [],
        "votes": 0,
        "deleted": False,
        "actions": ["done", "forward"],
        "labels": {
            "header": "H" * 400,
            "by": "a in #c",
            "why": "w",
            "status": "s",
            "action.done": "D" * 100,
            "action.forward": "F",
        },
    }
    base.update(extra)
    return base


def test_repost_blocks_stay_inside_slack_limits() -> None:
    long_text = "<script>&" + "長い文章です。" * 2000
    blocks = bk.repost_blocks(payload(text=long_text), [("product", "Product"), ("cs", "CS")])
    assert len(blocks[0]["text"]["text"]) == bk.HEADER_LIMIT
    quote = blocks[1]["text"]["text"]
    assert (
        len(quote) <= bk.SECTION_LIMIT
        and quote.startswith("&gt; &lt;script&gt;&amp;")
        and quote.endswith("…")
    )
    actions = blocks[-1]["elements"]
    assert len(actions[0]["text"]["text"]) == bk.LABEL_LIMIT
    assert [o["value"] for o in actions[1]["options"]] == ["7:cs"]  # its own department is not offered
    assert len(bk.repost_text(payload(text=long_text))) <= 300


def test_report_is_split_into_messages_of_at_most_50_blocks() -> None:
    sections = [{"heading": f"S{n}", "lines": ["line " * 700]} for n in range(60)]
    messages = bk.report_messages({"title": "T", "sections": sections})
    assert len(messages) > 1
    assert all(len(m) <= bk.MAX_BLOCKS for m in messages)
    texts = [b["text"]["text"] for m in messages for b in m if b["type"] == "section"]
    assert all(len(t) <= bk.SECTION_LIMIT for t in texts)
    assert messages[0][0]["type"] == "header"


def test_manifest_matches_what_the_bot_listens_to() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yml").read_text(encoding="utf-8"))
    settings = Settings.from_env({})
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == settings.slack_command
    assert command["url"].endswith("/slack/events")
    # the hint Slack shows while typing is README's command line (`post` shares a recap or agenda)
    assert command["usage_hint"] == (
        "help | recap [department] [period] [post] | agenda [post] | stats | rules test TEXT | route LINK DEPARTMENT"
    )
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.channels", "message.groups", "reaction_added", "reaction_removed"} <= events
    assert {"channel_rename", "group_rename"} <= events  # channels are followed by id
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "chat:write",
        "channels:history",
        "channels:read",
        "channels:join",
        "users:read",
        "reactions:read",
        "commands",
        "files:write",
    } <= scopes


def test_manifest_grants_a_scope_for_every_web_api_method_the_code_calls() -> None:
    root = Path(__file__).parents[2]
    sources = [
        *sorted((root / "bot" / "platforms" / "slack").glob("*.py")),
        *sorted((root / "adapters" / "slack").glob("*.py")),
    ]
    called = {m for path in sources for m in re.findall(r"client\.(\w+)\(", path.read_text(encoding="utf-8"))}
    assert {"chat_postMessage", "conversations_list", "auth_test"} <= called  # the scan finds the code
    assert called - set(METHOD_SCOPES) == set(), "add the new methods' scopes to adapters/slack/scopes.py"
    manifest = yaml.safe_load((root / "slack-manifest.yml").read_text(encoding="utf-8"))
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {METHOD_SCOPES[m] for m in called} - {None}
    assert needed <= required_scopes() <= granted
    # private channels: the groups:* twin of each channels:* scope
    assert {s.replace("channels:", "groups:") for s in needed if s and s != "channels:join"} <= granted
