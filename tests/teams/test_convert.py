"""Pure conversions: Teams HTML and mentions to text, ids and keys, cards and their size limit, the manifest."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from adapters.teams import cards, convert
from adapters.teams.cards import MAX_BYTES, card_size, fit_repost, fit_summary
from adapters.teams.html import html_to_text
from bot.cli.teams import build_package
from bot.core.errors import KakehashiError, PayloadError
from tests.teams.conftest import COMMUNITY, load


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>こんにちは&nbsp;世界</p>", "こんにちは 世界"),
        ("<div>one<br>two</div><p>three</p>", "one\ntwo\nthree"),
        ('<p>see <a href="https://x.example/a">the docs</a></p>', "see the docs (https://x.example/a)"),
        ('<p><a href="https://x.example/a">https://x.example/a</a></p>', "https://x.example/a"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ('<p>ok <img alt="👍" src="x.png"></p>', "ok 👍"),
        ("&lt;script&gt; &amp; more", "<script> & more"),
        ('<p>ok <emoji id="smile" alt="😄" title="Smile"></emoji></p>', "ok 😄"),
        (
            '<blockquote itemscope="" itemtype="http://schema.skype.com/Reply" itemid="1"><strong itemprop="mri">A</strong>'
            '<p itemprop="preview">quoted <a href="https://x.example">bug</a></p></blockquote><p>mine</p>',
            "mine",
        ),
        ("<blockquote><p>a plain quote stays</p></blockquote>", "a plain quote stays"),
        (
            '<p>log:</p><codeblock class="Python"><code>a = 1\nraise Bug</code></codeblock>',
            "log:\na = 1\nraise Bug",
        ),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_plain_text_decodes_entities_without_tags() -> None:
    activity = load("channel_reply.json")
    activity["text"] = "Q&amp;A: 5 &lt; 6"
    assert convert.plain_text(activity) == "Q&A: 5 < 6"
    activity["text"] = "R&D and AT&T"
    assert convert.plain_text(activity) == "R&D and AT&T"


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("like", "+1"),
        ("heart", "heart"),
        ("surprised", "open_mouth"),
        ("launch", "rocket"),
        ("1f440_eyes", "eyes"),
        ("2705_whiteheavycheckmark", "white_check_mark"),
        ("1f44d_thumbsup-tone3", "+1"),
        ("1f600_grinningface", "1f600_grinningface"),
        ("somethingnew", "somethingnew"),
    ],
)
def test_reaction_names(kind: str, first: str) -> None:
    names = convert.reaction_names(kind)
    assert names[0] == first and kind in names


def test_reaction_names_offer_the_emoji_character() -> None:
    assert "😀" in convert.reaction_names("1f600_grinningface")
    assert convert.reaction_names("1f44d_thumbsup-tone3")[-1] == "👍"


def test_mentions_are_stripped_for_the_bot_and_kept_as_names_for_people() -> None:
    activity = load("mention_command.json")
    activity["text"] = "<at>kakehashi</at> rules test <at>Ken Ito</at> says the app crashes"
    activity["entities"].append(
        {"type": "mention", "text": "<at>Ken Ito</at>", "mentioned": {"id": "29:ken"}}
    )
    assert convert.mentions_bot(activity)
    assert convert.plain_text(activity) == "rules test Ken Ito says the app crashes"


def test_keys_threads_and_links() -> None:
    reply = load("channel_reply.json")
    where = convert.place(reply).with_names("Community", None)
    msg = convert.to_inbound(reply, where, channel="Community/General")
    assert msg.key == f"{COMMUNITY}:1731830460000"
    assert msg.thread_key == f"{COMMUNITY}:1731830400000" and msg.is_reply
    assert msg.link and "parentMessageId=1731830400000" in msg.link and "teamName=Community" in msg.link
    root = convert.to_inbound(load("channel_message.json"), where, channel="Community/General")
    assert root.thread_key is None and not root.is_reply
    assert convert.split_remote_id(convert.remote_id(f"{COMMUNITY};messageid=5", "9")) == (COMMUNITY, "9")
    personal = convert.place(load("personal_command.json"))
    assert personal.conversation_type == "personal" and personal.private and not personal.is_channel


def test_place_and_required_fields() -> None:
    where = convert.place(load("installation_update_add.json"))
    assert where.name == "Community/General" and where.aad_group_id == "3f1c2e4d-1111-4222-8333-444455556666"
    broken = load("channel_message.json")
    del broken["conversation"]
    with pytest.raises(PayloadError, match=r"conversation\.id"):
        convert.place(broken)
    private = load("channel_message.json")
    private["channelData"]["channel"]["membershipType"] = "private"
    assert convert.place(private).private


def test_card_actions_from_submit_and_execute() -> None:
    submit = load("card_submit.json", REPOST_ID="1700000000002")
    submit["value"] = {"kakehashi": "forward", "item_id": "7", "department": "sales"}
    assert convert.card_action(submit) == convert.CardAction("forward", 7, "sales", "1700000000002")
    invoke = {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {"action": {"type": "Action.Execute", "data": {"kakehashi": "done", "item_id": 3}}},
    }
    assert convert.card_action(invoke) == convert.CardAction("done", 3, None, None)
    assert convert.card_action({"type": "message", "value": {"other": "card"}}) is None
    with pytest.raises(PayloadError):
        convert.card_action({"type": "message", "value": {"kakehashi": "done", "item_id": "x"}})


def _payload(text: str) -> dict[str, object]:
    return {
        "item_id": 1,
        "department": "cs",
        "text": text,
        "link": "https://teams.microsoft.com/l/message/a/b",
        "actions": ["done", "forward"],
        "deleted": False,
        "files": [],
        "labels": {
            "header": "カスタマーサクセスへ: バグ報告",
            "by": "佐藤 さん（Community/General）",
            "why": "理由",
            "status": "状態: 未対応",
            "votes": "👍 0",
            "open_source": "元の投稿を開く",
            "action.done": "完了にする",
            "action.forward": "他部門へ送る",
        },
    }


def test_long_japanese_text_is_cut_to_fit_teams_size_limit() -> None:
    card = fit_repost(_payload("バグ" * 20000), [("product", "製品開発"), ("cs", "CS")])
    assert card_size(card) <= MAX_BYTES
    assert "…" in json.dumps(card, ensure_ascii=False)
    small = fit_repost(_payload("短い"), [("product", "製品開発")])
    assert "短い" in json.dumps(small, ensure_ascii=False)


def test_the_quote_keeps_its_lines_apart_without_markdown_that_teams_cannot_render() -> None:
    card = fit_repost(_payload("1行目\n\n\n2行目\n  3行目  "), [("product", "製品開発")])
    (quote,) = next(b for b in card["body"] if b["type"] == "Container")["items"]
    assert quote["text"] == "1行目\n\n2行目\n\n3行目"  # no ">" (Teams shows it literally), \n\n breaks


def test_summary_card_drops_a_big_image_first() -> None:
    payload = {
        "title": "週次まとめ",
        "sections": [{"heading": "製品開発", "lines": ["**3件** [link](https://x)"]}],
        "markdown": "",
        "locale": "ja",
        "image": {"png_base64": "A" * 40000, "alt": "chart", "filename": "c.png"},
    }
    card = fit_summary(payload)
    assert card_size(card) <= MAX_BYTES and not [b for b in card["body"] if b["type"] == "Image"]
    assert "**3件** [link](https://x)" in json.dumps(card, ensure_ascii=False)


def test_manifest_package() -> None:
    template = (Path(__file__).parents[2] / "teams" / "manifest.json").read_text(encoding="utf-8")
    data = build_package(template, app_id="0b6e4a3c-1111-4222-8333-444455556666", version="1.2.3")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert manifest["id"] == manifest["bots"][0]["botId"] == "0b6e4a3c-1111-4222-8333-444455556666"
    assert manifest["version"] == "1.2.3"
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in rsc
    assert color.size == (192, 192) and outline.size == (32, 32)
    pixels: list[tuple[int, int, int, int]] = list(outline.convert("RGBA").getdata())  # type: ignore[arg-type]
    assert {px[:3] for px in pixels if px[3]} == {(255, 255, 255)}
    with pytest.raises(KakehashiError, match="GUID"):
        build_package(template, app_id="not-a-guid", version="1.0.0")


def test_the_bundled_manifest_template_is_the_repositorys() -> None:
    """``kakehashi teams-manifest`` outside this repository uses the copy in the package."""
    root = Path(__file__).parents[2]
    assert (root / "bot" / "data" / "teams-manifest.json").read_text(encoding="utf-8") == (
        root / "teams" / "manifest.json"
    ).read_text(encoding="utf-8")


def test_a_notice_with_a_retry_button_submits_the_row_to_the_bot() -> None:
    """A dead-letter notice in the admin channel: Retry is an Action.Submit whose data the bot's
    ``card_action`` reads like any repost button (``{"kakehashi": action, "item_id": n}``)."""
    card = cards.summary_card(
        {
            "title": "A post could not be delivered",
            "sections": [{"heading": "", "lines": ["outbox row 7 (repost) → teams:CS/Community"]}],
            "buttons": [{"action": "retry_dead", "value": "7", "label": "Retry"}],
        }
    )
    [action] = card["actions"]
    assert action == {
        "type": "Action.Submit",
        "title": "Retry",
        "data": {"kakehashi": "retry_dead", "item_id": 7},
    }
    submit = {"type": "message", "value": action["data"], "replyToId": "1"}
    parsed = convert.card_action(submit)
    assert parsed is not None and (parsed.action, parsed.item_id) == ("retry_dead", 7)
