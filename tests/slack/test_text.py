"""adapters.slack.text: Slack markup to the words people saw (table-driven, pure)."""

from __future__ import annotations

import pytest

from adapters.slack import text

NAMES = {"U0HANA": "hana", "C0GENERAL": "general"}


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<@U0HANA> hi", "@hana hi"),
        ("<@U0UNKNOWN>", "@U0UNKNOWN"),
        ("<@U0HANA|hana-label>", "@hana-label"),
        ("<#C0GENERAL>", "#general"),
        ("<#C0GENERAL|>", "#general"),  # the empty label Slack sends today
        ("<#C0OTHER|random>", "#random"),
        ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
        ("<!subteam^S0ENG|@eng> <!subteam^S0OPS>", "@eng @S0OPS"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<https://example.com>", "https://example.com"),
        ("<https://example.com|example.com>", "https://example.com"),
        ("<https://example.com/a?x=1&amp;y=2|手順書>", "手順書 (https://example.com/a?x=1&y=2)"),
        ("<mailto:help@example.com|help@example.com>", "help@example.com"),
        ("a &amp; b &lt;3 &gt;_&lt; &amp;amp;", "a & b <3 >_< &amp;"),
        ("```<@U0HANA> &lt;code&gt;```", "```@hana <code>```"),
        (":tada: :+1::skin-tone-2: 全角　スペース", ":tada: :+1::skin-tone-2: 全角　スペース"),
        ("<not markup>", "not markup"),
    ],
)
def test_markup_to_text(markup: str, expected: str) -> None:
    assert text.markup_to_text(markup, NAMES) == expected


def test_ids_to_look_up_come_from_unlabelled_mentions_only() -> None:
    message = {"text": "<@U0HANA> <@U0KEN|ken> <#C0GENERAL|> <#C0RANDOM> <!subteam^S0ENG>"}
    assert text.mentioned_ids(message) == ["U0HANA", "C0GENERAL", "C0RANDOM"]
    blocks_only = {
        "text": "",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "user", "user_id": "U0KEN"},
                            {"type": "channel", "channel_id": "C0GENERAL"},
                        ],
                    }
                ],
            }
        ],
    }
    assert sorted(text.mentioned_ids(blocks_only)) == ["C0GENERAL", "U0KEN"]


def test_app_blocks_and_attachments() -> None:
    message = {
        "text": "",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "New form"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*From* <@U0HANA>"},
                "fields": [{"type": "mrkdwn", "text": "crash &amp; burn"}],
            },
            {
                "type": "context",
                "elements": [
                    {"type": "image", "image_url": "x", "alt_text": "y"},
                    {"type": "plain_text", "text": "via form"},
                ],
            },
            {"type": "actions", "elements": []},
        ],
        "attachments": [
            {"color": "good", "pretext": "Build", "title": "CI", "text": "failed"},
            {"from_url": "https://a.example/", "title": "preview", "text": "ignored"},
        ],
    }
    assert (
        text.message_text(message, NAMES)
        == "New form\n*From* @hana\ncrash & burn\nvia form\nBuild\nCI\nfailed"
    )


def test_command_text_keeps_link_targets() -> None:
    assert text.command_text("route <https://x.slack.com/archives/C1/p1?thread_ts=1&amp;cid=C1|link> cs") == (
        "route https://x.slack.com/archives/C1/p1?thread_ts=1&cid=C1 cs"
    )
    assert text.command_text("rules test &lt;b&gt; <@U1|hana> <!here>") == "rules test <b> @hana @here"
