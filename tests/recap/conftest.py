"""A small seeded community week (Asia/Tokyo), apps with a fixed clock and local sinks.

The week under test is Mon 2026-11-16 .. Sun 2026-11-22 (JST); the recap fires Mon 2026-11-23
09:00 JST, which is 2026-11-23 00:00 UTC.  Messages go through ``store.record_inbound`` with
explicit routings (what the dispatcher stores), statuses/votes/permissions through the store API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.local import JsonlSink
from bot.core.domain import Destination, InboundMessage, Sink
from bot.runtime.app import App
from bot.settings import Settings
from storage.inbound import Routing
from storage.store import Store
from tests.conftest import Database

HERE = Path(__file__).parent
RULES_JA = HERE / "rules_ja.yaml"
JST = ZoneInfo("Asia/Tokyo")
FIRE = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Mon 2026-11-23 09:00 JST


def jst(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JST).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Msg:
    key: str
    author: str
    text: str
    at: datetime
    department: str | None = None
    tag: str | None = None
    thread: str | None = None
    status: tuple[str, datetime] | None = None
    votes: int = 0
    permission: str | None = None


COMMUNITY_URL = "https://community.example.com"


def link(key: str, base: str = COMMUNITY_URL) -> str:
    return f"{base}/slack/community/{key}"


WEEK: tuple[Msg, ...] = (
    # the week before: one bug still open, one question answered this week
    Msg("p1", "ito", "先週から検索でエラーが出るバグがあります", jst(10, 10), "product", "bug"),
    Msg("q0", "ito", "SSOの設定方法はありますか？", jst(12, 15), "cs", "question"),
    # the week
    Msg(
        "b1",
        "sato",
        "ログインするとアプリが落ちます",
        jst(16, 10),
        "product",
        "bug",
        status=("done", jst(17, 15)),
        votes=3,
    ),
    Msg(
        "b3",
        "kimura",
        "通知が来ないバグがあります",
        jst(16, 12),
        "product",
        "bug",
        status=("done", jst(19, 10)),
    ),
    Msg("r0", "hiro", "管理画面のSSOタブから設定できます", jst(16, 8), thread="q0"),
    Msg("q1", "tanaka", "CSVの文字コードは何ですか？", jst(17, 9), "cs", "question"),
    Msg("r1", "hiro", "UTF-8です", jst(17, 9, 30), thread="q1"),
    Msg("r2", "mika", "BOM付きでも大丈夫です", jst(17, 10), thread="q1"),
    Msg("q2", "suzuki", "APIの上限はありますか？", jst(18, 14), "cs", "question"),
    Msg("r3", "suzuki", "（自己レス）ドキュメントも探しています", jst(18, 15), thread="q2"),
    Msg(
        "t1",
        "yamada",
        "kakehashiのおかげで本当に助かりました",
        jst(19, 11),
        "marketing",
        "testimonial",
        permission="granted",
    ),
    Msg("b2", "kimura", "CSV出力でバグがあります", jst(20, 10), "product", "bug"),
    Msg("t2", "lee", "We love this tool", jst(21, 16), "marketing", "testimonial", permission="requested"),
    # the week boundary in Tokyo: Sunday 23:50 JST is in, Monday 00:10 JST is the next week
    Msg("b4", "nakamura", "週末にアプリが落ちました", jst(22, 23, 50), "product", "bug"),
    Msg("b5", "nakamura", "月曜の朝もアプリが落ちます", jst(23, 0, 10), "product", "bug"),
)


def inbound(m: Msg, base: str = COMMUNITY_URL) -> InboundMessage:
    return InboundMessage(
        platform="slack",
        key=m.key,
        channel_id="C0COMMUNITY",
        channel="#community",
        author_id=f"U-{m.author}",
        author=m.author,
        text=m.text,
        created_at=m.at,
        thread_key=m.thread,
        link=link(m.key, base),
    )


async def seed(
    store: Store, messages: tuple[Msg, ...] = WEEK, *, base: str = COMMUNITY_URL
) -> dict[str, int]:
    """Store ``messages`` (linking to pages under ``base``); returns item ids by message key."""
    items: dict[str, int] = {}
    for m in messages:
        routings = [Routing(m.department, m.tag, m.tag or "", f'route "{m.tag}"')] if m.department else []
        result = await store.record_inbound(inbound(m, base), routings, {})  # live items, no channels
        if not result.item_ids:
            continue
        item_id = items[m.key] = result.item_ids[0]
        if m.status:
            await store.set_status(item_id, m.status[0], by="staff", now=m.status[1])
        for n in range(m.votes):
            await store.add_reaction(
                platform="slack",
                target=f"repost-{m.key}",
                emoji="+1",
                user_id=f"U-staff{n}",
                item_id=item_id,
                vote=True,
            )
        if m.permission:
            await store.set_permission(item_id, m.permission)
    return items


def rules_file(tmp_path: Path, *, locale: str = "ja", extra: str = "") -> Path:
    text = RULES_JA.read_text(encoding="utf-8").replace("locale: ja", f"locale: {locale}") + extra
    path = tmp_path / f"rules-{locale}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class Posts:
    """What the local sinks received (the JSON-lines files of ``adapters.local.JsonlSink``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()]

    def to(self, destination: str) -> list[dict[str, Any]]:
        return [p for p in self.all() if p["destination"] == destination]


AppMaker = Callable[..., Any]


@pytest.fixture
async def make_app(database: Database, tmp_path: Path) -> AsyncIterator[AppMaker]:
    """Build apps on the test database: ``await make_app(now=..., locale=..., instance=...)``."""
    apps: list[App] = []

    async def make(
        *,
        now: datetime = FIRE + timedelta(seconds=30),
        locale: str = "ja",
        instance: str = "replica-a",
        rules_path: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> App:
        path = rules_path or rules_file(tmp_path, locale=locale)
        settings = Settings(rules_path=path, database_url=database.url, instance_id=instance)
        out = tmp_path / "posts.jsonl"
        sinks: dict[str, Sink] = {
            "slack": JsonlSink(out, platform="slack"),
            "teams": JsonlSink(out, platform="teams"),
        }
        app = await App.build(settings, sinks=sinks, plugins=[], clock=clock or (lambda: now))
        apps.append(app)
        return app

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()


@pytest.fixture
def posts(tmp_path: Path) -> Posts:
    return Posts(tmp_path / "posts.jsonl")


def dest(text: str) -> Destination:
    return Destination.parse(text)


async def deliver(app: App, *, clock: Callable[[], datetime] | None = None) -> dict[str, int]:
    """Run the outbox worker on the app's clock, which stamped the rows it enqueued; rows another
    process enqueued (``kakehashi import`` through the CLI) were stamped with ``clock``."""
    if clock is not None:
        app.worker.clock = clock
    return await app.worker.drain(timeout=10)
