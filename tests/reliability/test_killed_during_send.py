"""kill -9 of a real server while Slack is still answering its send: nothing is lost after restart.

The server leases the three reposts and is killed while ``chat.postMessage`` is in flight (one
lane per destination: one to three of them); Slack then accepts those calls anyway (it got the
requests).  A new server on the same
database takes the rows over once their lease (1 s here) ran out and delivers every one of
them.  A post that was in flight is posted a second time: that is the at-least-once window
of any outbox (the platform accepted, the process died before recording it; Slack's
chat.postMessage has no idempotency key).  Everything else is posted exactly once.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.reliability.processes import Server, query, until
from tests.reliability.test_serve_replicas import body
from tests.slack.conftest import DEPT_CS, DEPT_MARKETING, DEPT_PRODUCT, FIXTURES

MESSAGES = [
    ("crash on save", DEPT_PRODUCT),
    ("I love the new editor", DEPT_MARKETING),
    ("how do I export my data?", DEPT_CS),
]


async def test_a_server_killed_during_a_send_loses_nothing(
    database: Database, slack_api: FakeSlack, tmp_path: Path
) -> None:
    def server() -> Server:
        return Server(
            database_url=database.url,
            fake=slack_api,
            rules=FIXTURES / "rules.yaml",
            KAKEHASHI_OUTBOX_LEASE_SECONDS="1",
        )

    slack_answers = slack_api.hold("chat.postMessage")
    first = server().start()
    try:
        await first.healthy()
        for i, (text, _) in enumerate(MESSAGES):
            assert await first.post_event(body(i, text)) == 200
        await slack_api.wait_for(lambda f: f.of("chat.postMessage"), timeout=20)
    finally:
        first.kill()
    in_flight = {c.args["channel"] for c in slack_api.of("chat.postMessage")}  # the process is gone
    slack_answers.set()  # Slack accepts the request the dead process sent
    states = await query(database.url, "SELECT status FROM outbox")
    assert sorted(states) == [("pending",)] * 3

    second = server().start()
    try:
        await second.healthy()

        async def all_sent() -> bool:
            return await query(database.url, "SELECT DISTINCT status FROM outbox") == [("sent",)]

        await until(all_sent, what="every row sent after the restart")
    finally:
        second.stop()

    for text, channel in MESSAGES:
        posted = sum(text in str(p) for p in slack_api.posts(channel))
        expected = 2 if channel in in_flight else 1
        assert posted == expected, (text, posted)
    assert await query(database.url, "SELECT attempts FROM outbox") == [(1,)] * 3
