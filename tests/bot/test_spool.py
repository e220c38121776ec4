"""The spool file of acked events (``bot.pipeline.spool``): what a crash, a second process or a
dead replica leaves behind is read back right, and nothing a live process holds is taken."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.pipeline.after_ack import AfterAck
from bot.pipeline.health import Health
from bot.pipeline.metrics import Metrics
from bot.pipeline.spool import Spool, read_entries

EVENT = {"body": {"team_id": "T1"}, "event": {"text": "NUL \x00 and a lone \ud800 surrogate"}}


def test_entries_survive_a_reopen_and_done_ones_are_gone(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    first, second = spool.add("message", EVENT), spool.add("reaction", {"n": 2})
    spool.add("message", {"n": 3})
    spool.done(second.id)
    spool.fail(first.id, "PayloadError: event.channel: missing")
    spool.close()  # as a killed process leaves it (everything was fsync'ed already)

    again = Spool(tmp_path)
    entries = again.open()
    assert [(e.kind, e.data, e.failed) for e in entries] == [
        ("message", EVENT, "PayloadError: event.channel: missing"),
        ("message", {"n": 3}, None),
    ]
    for entry in entries:
        again.done(entry.id)
    assert again.path is not None and again.path.read_bytes() == b""  # emptied once nothing waits
    again.close()
    assert Spool(tmp_path).open() == []


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.add("message", {"n": 1})
    assert spool.path is not None
    path = spool.path
    spool.close()
    with open(path, "ab") as out:
        out.write(b'{"add":2,"kind":"mess')  # the event whose ack was never sent
    assert [e.data for e in read_entries(path).values()] == [{"n": 1}]
    assert [e.data for e in Spool(tmp_path).open()] == [{"n": 1}]


def test_a_live_process_keeps_its_file_and_a_dead_ones_is_taken_over(tmp_path: Path) -> None:
    """Two spools in one folder write two files; a second process's open() takes neither while
    both are held, and the files of processes that went away once they are not."""
    first, second = Spool(tmp_path), Spool(tmp_path)
    first.add("message", {"n": 1})
    second.add("message", {"n": 2})
    assert first.path != second.path
    other = textwrap.dedent(
        f"""
        from pathlib import Path
        from bot.pipeline.spool import Spool
        print(len(Spool(Path({str(tmp_path)!r})).open()))
        """
    )
    run = [sys.executable, "-c", other]
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run(run, capture_output=True, text=True, cwd=root, check=True).stdout.strip() == "0"
    first.close()
    second.close()
    taken = Spool(tmp_path)
    assert sorted(e.data["n"] for e in taken.open()) == [1, 2]
    assert taken.path is not None and len(read_entries(taken.path)) == 2
    assert [p.name for p in sorted(tmp_path.glob("*.jsonl"))] == [taken.path.name]


async def test_work_that_fails_after_the_ack_is_kept_reported_and_replayed_at_the_next_start(
    tmp_path: Path,
) -> None:
    """Not an outage and not a bad payload (our own bug, say): not retried in a loop, not dropped;
    ``/healthz`` degraded and the metric say so, and the next start tries again."""
    handled: list[dict[str, Any]] = []
    broken = [True]

    async def handler(data: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)  # past the budget below: acked first
        if broken[0]:
            raise RuntimeError("a bug")
        handled.append(data)

    def after_ack(health: Health, metrics: Metrics) -> AfterAck:
        return AfterAck(
            platform="slack",
            label="Slack",
            spool=Spool(tmp_path),
            handlers={"message": handler},
            transient=lambda exc: False,
            health=health,
            metrics=metrics,
            clock=lambda: datetime(2026, 1, 5, tzinfo=UTC),
            on_done=lambda: None,
            budget=0.0,
        )

    health, metrics = Health(), Metrics()
    first = after_ack(health, metrics)
    await first.start()
    await first.within_budget("message", {"n": 1}, "message 1")
    assert await first.finish_pending(timeout=10)
    assert await first.replay() == {}  # failed ones wait for the next start
    [problem] = health.problems()
    assert problem.startswith("Slack: 1 acked event(s) failed (see the ERROR log), kept in ")
    assert 'kakehashi_after_ack_events{platform="slack",state="failed"} 1.0' in metrics.render().decode()
    await first.stop(grace=1)

    broken[0] = False  # the fixed version starts
    health = Health()
    second = after_ack(health, Metrics())
    await second.start()
    for _ in range(100):
        if handled:
            break
        await asyncio.sleep(0.05)
    assert handled == [{"n": 1}]
    await second.stop(grace=1)
    assert health.problems() == []
    assert Spool(tmp_path).open() == []
