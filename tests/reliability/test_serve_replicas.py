"""Two real ``kakehashi serve`` processes on one database, one Slack Web API stand-in.

Both start together on a fresh database (they migrate it one after the other), both run the
outbox and the scheduler.  Every signed event reaches both (a Slack retry landing on the other
replica), all at once: each (message, department) is posted once, and the recap whose firing
is due at start-up is posted once per department.  Runs on SQLite (WAL, one file) and on
PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.models import utcnow
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.reliability.processes import Server, query, until
from tests.slack.conftest import COMMUNITY, DEPT_CS, DEPT_MARKETING, DEPT_PRODUCT, FIXTURES, event_body

MESSAGES = [
    ("crash on save, take 1", DEPT_PRODUCT),
    ("I love the new editor", DEPT_MARKETING),
    ("crash on save, take 2", DEPT_PRODUCT),
    ("how do I export my data?", DEPT_CS),
    ("crash when I log in", DEPT_PRODUCT),
    ("love it, thanks", DEPT_MARKETING),
]


def rules_with_a_recap_due_now(tmp_path: Path) -> Path:
    """The Slack test rules plus a daily recap whose latest firing was a minute ago (Tokyo)."""
    fired = (utcnow() - timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Tokyo"))
    schedule = (
        "schedules:\n"
        f'  - {{name: daily, kind: recap, cron: "{fired.minute} {fired.hour} * * *", '
        "departments: [product, marketing], period: day}\n"
    )
    path = tmp_path / "rules.yaml"
    path.write_text((FIXTURES / "rules.yaml").read_text(encoding="utf-8") + schedule, encoding="utf-8")
    return path


def body(index: int, text: str) -> str:
    return event_body(
        "message.json",
        text=text,
        user="U0MEMBER1",
        ts=f"1763700000.{index:06d}",
        channel=COMMUNITY,
        channel_type="channel",
        event_id=f"Ev0REPLICA{index}",
    )


async def test_two_serve_processes_post_each_message_and_recap_once(
    database: Database, slack_api: FakeSlack, tmp_path: Path
) -> None:
    rules = rules_with_a_recap_due_now(tmp_path)
    a = Server(database_url=database.url, fake=slack_api, rules=rules, KAKEHASHI_INSTANCE_ID="replica-a")
    b = Server(database_url=database.url, fake=slack_api, rules=rules, KAKEHASHI_INSTANCE_ID="replica-b")
    try:
        a.start(), b.start()
        await asyncio.gather(a.healthy(), b.healthy())
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        statuses = await asyncio.gather(
            *(a.post_event(body(i, text)) for i, (text, _) in enumerate(MESSAGES)),
            *(b.post_event(body(i, text), retry) for i, (text, _) in enumerate(MESSAGES)),
        )
        assert statuses == [200] * 2 * len(MESSAGES)

        async def all_sent() -> bool:
            rows = await query(database.url, "SELECT status, lease_owner FROM outbox")
            return len(rows) == len(MESSAGES) + 2 and all(r == ("sent", None) for r in rows)

        await until(all_sent, what="every outbox row sent")
    finally:
        a.stop()
        b.stop()

    assert await query(database.url, "SELECT count(*) FROM messages") == [(len(MESSAGES),)]
    runs = await query(database.url, "SELECT schedule, status FROM schedule_runs")
    assert runs == [("daily", "done")]
    for text, channel in MESSAGES:
        assert sum(text in str(p) for p in slack_api.posts(channel)) == 1, (text, channel)
    recaps = await query(database.url, "SELECT destination, attempts FROM outbox WHERE kind = 'recap'")
    assert sorted(recaps) == [("slack:#dept-marketing", 1), ("slack:#dept-product", 1)]
    # one accepted chat.postMessage per sent row: nothing was posted twice
    assert len(slack_api.posts()) == len(MESSAGES) + 2, [p.get("text") for p in slack_api.posts()]


async def test_a_second_serve_on_the_same_port_says_so(tmp_path: Path, slack_api: FakeSlack) -> None:
    """Two ``kakehashi serve`` started by mistake on one machine: the second one names the problem."""
    url = f"sqlite:///{tmp_path / 'kakehashi.db'}"
    first = Server(database_url=url, fake=slack_api, rules=FIXTURES / "rules.yaml").start()
    try:
        await first.healthy()
        second = Server(database_url=url, fake=slack_api, rules=FIXTURES / "rules.yaml", PORT=str(first.port))
        second.start()
        assert second.proc is not None
        returncode = await asyncio.to_thread(second.proc.wait, 30)
        lines = second.stderr().strip().splitlines()
        assert returncode == 1
        assert lines[-1] == (
            f"Error: PORT={first.port}: cannot listen on 127.0.0.1:{first.port}: address already in use; "
            "is kakehashi (or something else) already running there? Stop it or set another PORT"
        )
        assert "Traceback" not in "\n".join(lines)
        await first.healthy()  # the first one is unharmed
    finally:
        first.stop()
