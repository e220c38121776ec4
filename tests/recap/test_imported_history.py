"""Imported history in recaps, agendas, nudges, goals and stats.

A generated Slack export of the recap week (Mon 2026-11-16 .. Sun 2026-11-22, JST) is imported
through the CLI without ``--repost``: nobody in the departments saw those posts, so they are
``archived``, counted in what was received (tags, chart, helpers, stats) but never listed as
waiting work, carried over, nudged about or counted in goal figures.  A flag emoji or
``/kakehashi route`` makes one ordinary open work again, posted to the department.
"""

from __future__ import annotations

import asyncio
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from bot.chat.commands import CommandContext, run_command
from bot.cli.main import main
from bot.core.domain import ReactionEvent
from bot.reports.agenda import agenda_reply
from bot.reports.recap import department_payload, read_period, recap_reply
from bot.reports.scheduler import Scheduler
from storage.models import utcnow
from tests.conftest import Database
from tests.recap.conftest import FIRE, RULES_JA, deliver, jst

TEAM = "T0KAKE01"
WORKSPACE = "https://kake.slack.com"
USERS = [
    {
        "id": f"U0{name.upper()}",
        "team_id": TEAM,
        "name": name,
        "real_name": name,
        "profile": {"display_name": name},
    }
    for name in ("sato", "tanaka", "hiro", "suzuki", "yamada")
]
CHANNELS = [{"id": "C01COMM", "name": "community", "created": 1700000000, "members": []}]
NUDGE = '  - {name: nudge, kind: unanswered, cron: "0 10 * * mon-fri", departments: [cs], after_hours: 24}\n'


def ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def msg(at: datetime, user: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": f"U0{user.upper()}", "text": text, "ts": ts(at), "team": TEAM, **extra}


BUG, QUESTION, ANSWERED, PRAISE = jst(16, 10), jst(20, 14), jst(17, 9), jst(19, 11)
DAYS = {
    "community/2026-11-16.json": [msg(BUG, "sato", "ログインするとアプリが落ちます")],
    "community/2026-11-17.json": [
        msg(ANSWERED, "tanaka", "CSVの文字コードは何ですか？", thread_ts=ts(ANSWERED), reply_count=1),
        msg(jst(17, 9, 30), "hiro", "UTF-8です", thread_ts=ts(ANSWERED), parent_user_id="U0TANAKA"),
    ],
    "community/2026-11-19.json": [msg(PRAISE, "yamada", "kakehashiのおかげで本当に助かりました")],
    "community/2026-11-20.json": [msg(QUESTION, "suzuki", "APIの上限はありますか？")],
}


def permalink(at: datetime) -> str:
    return f"{WORKSPACE}/archives/C01COMM/p{ts(at).replace('.', '')}"


def export_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", json.dumps(USERS))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        for name, messages in DAYS.items():
            zf.writestr(name, json.dumps(messages, ensure_ascii=False))
    return path


def rules(tmp_path: Path, locale: str = "ja") -> Path:
    text = RULES_JA.read_text(encoding="utf-8").replace("locale: ja", f"locale: {locale}")
    text = text.replace("reactions:\n", "reactions:\n  - {emoji: bulb, to: product, tag: idea}\n") + NUDGE
    path = tmp_path / f"rules-{locale}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def cli(args: list[str], database: Database, rules_path: Path) -> Result:
    environ = {"DATABASE_URL": database.url, "KAKEHASHI_RULES": str(rules_path), "LOG_LEVEL": "WARNING"}
    result = await asyncio.to_thread(CliRunner().invoke, main, args, env=environ, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


async def imported(database: Database, tmp_path: Path, *extra: str, locale: str = "ja") -> Path:
    path = rules(tmp_path, locale)
    export = export_zip(tmp_path / "export.zip")
    result = await cli(
        ["import", "slack-export", str(export), "--workspace-url", WORKSPACE, *extra], database, path
    )
    # the command line speaks the rules' language
    assert ("保存 5件" if locale == "ja" else "stored 5") in result.output, result.output
    return path


ADMIN = CommandContext(
    platform="slack", user_id="U0ADMIN", user_name="admin", channel_id="C0X", is_admin=True
)


async def test_imported_history_is_counted_but_not_waiting_work(make_app, posts, database, tmp_path) -> None:
    path = await imported(database, tmp_path)
    app = await make_app(rules_path=path, now=FIRE + timedelta(seconds=30))

    product = (await recap_reply(app, "product", "2026-11-16..2026-11-22"))["markdown"]
    assert product == (  # received counts the imported bug; it is not waiting, nor due for the goal
        "## 製品開発の週次まとめ（2026-11-16〜2026-11-22）\n\n"
        "### 受信した投稿（前週比）\n- バグ報告: 1件（+1）\n- **合計: 1件（+1）**\n\n"
        "### 目標\n- バグには2営業日以内に対応: **対象の投稿はまだありません**\n\n"
        "### 対応状況\n- この期間の投稿: 過去分（取り込み） 1件\n\n"
        "### よく助けてくれたメンバー（エキスパート・事例・採用の候補）\n- hiroさん: 1件の回答\n"
    )

    cs = (await recap_reply(app, "cs", "2026-11-16..2026-11-22"))["markdown"]
    assert "質問: 2件（+2）" in cs
    assert "### 未回答の質問\n- 未回答の質問はありません。\n" in cs  # the imported one is not listed
    assert "APIの上限" not in cs
    assert "hiroさん: 1件の回答" in cs  # top helpers cover the past

    marketing = (await recap_reply(app, "marketing", "2026-11-16..2026-11-22"))["markdown"]
    assert "お客様の声: 1件（+1）" in marketing and "本当に助かりました" in marketing
    assert "毎週2件のお客様の声: **0件（目標2件）未達**" in marketing

    period = read_period(app.rules.current, "2026-11-16..2026-11-22", now=app.clock())
    chart = await department_payload(app, "cs", period, now=app.clock(), with_chart=True)
    assert chart["image"]["alt"].endswith("11/09 0・11/16 2")  # the trend chart counts the import

    agenda = (await agenda_reply(app))["markdown"]  # new since the last meeting: received, like the recap
    assert "### 製品開発\n- 新着なし\n\n" in agenda  # the imported bug is not carried over
    assert "### カスタマーサクセス\n- **新着 1件**（質問 1件）\n- ↳ 質問・suzukiさん: APIの上限" in agenda
    assert "持ち越し" not in agenda

    nudge = next(s for s in app.rules.current.schedules if s.name == "nudge")
    fired = await Scheduler(app).fire(nudge, jst(23, 10), now=jst(23, 10))
    assert (fired.claimed, fired.posted) == (True, 0)
    await deliver(app, clock=utcnow)  # nothing due, on the app's clock nor on the CLI's
    assert posts.all() == []  # no reposts, no nudge

    stats = json.loads((await cli(["stats", "--json"], database, path)).output)
    assert stats["departments"] == {
        "cs": {"archived": 2},
        "marketing": {"archived": 1},
        "product": {"archived": 1},
    }
    assert stats["tags"] == {"bug": 1, "question": 2, "testimonial": 1}
    table = (await cli(["stats"], database, path)).output
    # the store's tables in the rules' locale (ja): statuses by their names, nothing open
    store_part = table.split("コミュニティがもたらしたもの")[0]
    assert "部門ごとの項目" in store_part and "過去分" in store_part and "未対応" not in store_part
    chat = (await run_command(app, "stats", ADMIN)).markdown
    assert "（未対応 0件）" in chat and "**カスタマーサクセス**: 2 (過去分（取り込み） 2)" in chat


async def test_a_flag_or_route_makes_an_imported_item_open_work(make_app, posts, database, tmp_path) -> None:
    path = await imported(database, tmp_path, locale="en")
    app = await make_app(rules_path=path, now=FIRE + timedelta(seconds=30))
    bug_key = f"{TEAM}:C01COMM:{ts(BUG)}"

    outcome = await app.dispatcher.handle_reaction(
        ReactionEvent(
            platform="slack",
            message_key=bug_key,
            remote_id=bug_key,
            emoji_names=("bulb",),
            user_id="U0HIRO",
            user_name="hiro",
            added=True,
            stamp="1",
        )
    )
    assert outcome == "flagged:product"
    route = await run_command(app, f"route <{permalink(QUESTION)}> cs", ADMIN)
    assert route.title == "Routed to カスタマーサクセス."
    again = await run_command(app, f"route <{permalink(QUESTION)}> cs", ADMIN)
    assert again.title == "カスタマーサクセス already has this post."
    await deliver(app)
    [bug_post] = posts.to("slack:#dept-product")
    [question_post] = posts.to("slack:#dept-cs")
    assert len(posts.to("teams:CS/Community")) == 1
    assert (bug_post["payload"]["text"], bug_post["payload"]["status"]) == (
        "ログインするとアプリが落ちます",
        "open",
    )
    assert question_post["payload"]["link"] == permalink(QUESTION)

    product = (await recap_reply(app, "product", "2026-11-16..2026-11-22"))["markdown"]
    assert "- Items of this period: Open 1\n" in product
    assert (
        "### Waiting longest\n- Bug report · sato: ログインするとアプリが落ちます (6 days, Open)" in product
    )
    assert (
        "バグには2営業日以内に対応: **0 of 1 (0%), not achieved**" in product
    )  # now the department's work, overdue
    cs = (await recap_reply(app, "cs", "2026-11-16..2026-11-22"))["markdown"]
    assert "- Items of this period: Open 1, Archived (imported) 1\n" in cs
    assert "### Questions still unanswered\n- Question · suzuki: APIの上限はありますか？ (2 days ago)" in cs
    agenda = (await agenda_reply(app))["markdown"]
    assert (
        "- **Carried over: 1** (oldest 6 days)\n- ↳ Bug report · sato: ログインするとアプリが落ちます"
        in agenda
    )
    stats = json.loads((await cli(["stats", "--json"], database, path)).output)
    assert stats["departments"] == {
        "cs": {"archived": 1, "open": 1},
        "marketing": {"archived": 1},
        "product": {"open": 1},
    }


async def test_with_repost_imported_items_are_ordinary_open_work(make_app, posts, database, tmp_path) -> None:
    path = await imported(database, tmp_path, "--repost")
    app = await make_app(rules_path=path, now=FIRE + timedelta(seconds=30))
    await deliver(app, clock=utcnow)  # the CLI's import enqueued on the wall clock
    assert len(posts.to("slack:#dept-product")) == 1 and len(posts.to("slack:#dept-cs")) == 2
    product = (await recap_reply(app, "product", "2026-11-16..2026-11-22"))["markdown"]
    assert "### 対応待ちの長い投稿\n" in product and "6日経過・未対応" in product
    assert "バグには2営業日以内に対応: **1件中0件（0%）未達**" in product
    stats = json.loads((await cli(["stats", "--json"], database, path)).output)
    assert stats["departments"] == {"cs": {"open": 2}, "marketing": {"open": 1}, "product": {"open": 1}}
