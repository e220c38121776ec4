"""Scheduled recaps and agendas with a fixed clock: Tokyo weeks, exactly once, catch-up, reload."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.reports.scheduler import Scheduler
from storage.models import OutboxRow, ScheduleRun
from tests.recap.conftest import FIRE, JST, deliver, jst, rules_file, seed


async def outbox(app) -> list[OutboxRow]:
    async with app.store.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def runs(app) -> list[ScheduleRun]:
    async with app.store.sessions() as session:
        return list((await session.scalars(select(ScheduleRun).order_by(ScheduleRun.id))).all())


def aware(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


def weekly(app):
    return next(s for s in app.rules.current.schedules if s.name == "weekly")


async def test_weekly_recap_fires_monday_0900_tokyo_and_covers_the_tokyo_week(make_app, posts) -> None:
    clock = [FIRE - timedelta(minutes=1)]  # started at 08:59 JST: nothing due yet
    app = await make_app(clock=lambda: clock[0])
    await seed(app.store)
    scheduler = Scheduler(app)
    # Sunday 23:59 JST is still last week; the next firing is Monday 09:00 JST = 00:00 UTC
    assert scheduler.next_fire(weekly(app), jst(22, 23, 59)) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    await scheduler.start()
    try:
        jobs = scheduler.jobs()
        assert set(jobs) == {"weekly", "teirei"}
        local = aware(jobs["weekly"]).astimezone(JST)  # the real APScheduler job, from the real clock
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        assert aware(jobs["teirei"]).astimezone(JST).weekday() == 3
        assert await runs(app) == []  # the last firing (11-16) is old and this schedule never ran
        clock[0] = FIRE + timedelta(seconds=2)
        assert scheduler.aps is not None
        job = scheduler.aps.get_job("schedule:weekly")
        firing = await job.func(*job.args)  # what APScheduler runs at the firing time
    finally:
        await scheduler.stop()
    assert firing.claimed and not firing.late
    assert firing.period_key == "2026-11-16..2026-11-22"
    assert firing.posted == 4  # product, cs (Slack and Teams), marketing
    await deliver(app)
    [product] = posts.to("slack:#dept-product")
    assert product["kind"] == "recap"
    assert product["dedupe_key"] == "recap:weekly:2026-11-16..2026-11-22:product:slack:#dept-product"
    text = product["payload"]["markdown"]
    assert "週末にアプリが落ちました" in text  # Sunday 23:50 JST (Sunday 14:50 UTC): this week
    assert "月曜の朝もアプリが落ちます" not in text  # Monday 00:10 JST (still Sunday in UTC): next week
    assert product["payload"]["image"]["png_base64"]  # the weekly chart
    assert len(posts.to("teams:CS/Community")) == 1
    [run] = await runs(app)
    assert (run.schedule, run.status, run.late, run.claimed_by) == ("weekly", "done", False, "replica-a")


async def test_a_second_firing_of_the_same_period_posts_nothing(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    scheduler = Scheduler(app)
    first = await scheduler.fire_due(weekly(app), now=FIRE + timedelta(seconds=5))
    again = await scheduler.fire_due(weekly(app), now=FIRE + timedelta(minutes=3))
    assert first is not None and first.claimed and first.posted == 4
    assert again is not None and not again.claimed and again.posted == 0
    assert len(await outbox(app)) == 4


async def test_two_replicas_on_one_database_post_once(make_app) -> None:
    """Two apps (two engines, two instance ids) on the same database fire at the same moment."""
    a = await make_app(instance="replica-a")
    b = await make_app(instance="replica-b")
    await seed(a.store)
    sa, sb = Scheduler(a), Scheduler(b)
    now = FIRE + timedelta(seconds=1)
    results = await asyncio.gather(
        sa.fire_due(weekly(a), now=now),
        sb.fire_due(weekly(b), now=now),
        sa.fire_due(weekly(a), now=now),
        sb.fire_due(weekly(b), now=now),
    )
    assert sum(r.claimed for r in results if r) == 1
    rows = await outbox(a)
    assert sorted(r.destination for r in rows) == [
        "slack:#dept-cs",
        "slack:#dept-marketing",
        "slack:#dept-product",
        "teams:CS/Community",
    ]
    assert len(await runs(b)) == 1
    # start-up catch-up on both replicas afterwards changes nothing either
    await asyncio.gather(sa.catch_up(now + timedelta(minutes=1)), sb.catch_up(now + timedelta(minutes=1)))
    assert len(await outbox(b)) == 4


async def test_missed_period_is_posted_once_at_start_up_marked_late(make_app, posts) -> None:
    """Down from Sunday to Wednesday: Monday's recap is posted at start-up, once, as late."""
    wednesday = jst(25, 10)
    app = await make_app(now=wednesday)
    await seed(app.store)
    # the replica ran the week before (the 11-16 firing), then was down for the 11-23 firing
    await app.store.claim_run("weekly", "2026-11-09..2026-11-15", fire_time=jst(16, 9), owner="old")
    await app.store.finish_run("weekly", "2026-11-09..2026-11-15")
    scheduler = Scheduler(app)
    await scheduler.start()
    await scheduler.stop()
    await deliver(app)
    [product] = posts.to("slack:#dept-product")
    payload = product["payload"]
    assert payload["late"] is True
    assert (
        payload["title"]
        == "製品開発の週次まとめ（2026-11-16〜2026-11-22）（遅延配信: 本来の配信予定は2026-11-23 09:00）"
    )
    late = [r for r in await runs(app) if r.period_key == "2026-11-16..2026-11-22"]
    assert [(r.late, r.status) for r in late] == [(True, "done")]
    # the agenda never ran before: it is not caught up late, its first post is the next Thursday
    assert posts.to("slack:#cross-team-sync") == []
    # a restart (or another replica starting) posts nothing more
    again = Scheduler(app)
    await again.start()
    await again.stop()
    assert len(await outbox(app)) == 4


async def test_a_failed_run_is_taken_over(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    await app.store.claim_run("weekly", "2026-11-16..2026-11-22", fire_time=FIRE, owner="crashed")
    await app.store.finish_run("weekly", "2026-11-16..2026-11-22", "failed")
    firing = await Scheduler(app).fire_due(weekly(app), now=FIRE + timedelta(seconds=1))
    assert firing is not None and firing.claimed and firing.posted == 4
    [run] = await runs(app)
    assert (run.claimed_by, run.status) == ("replica-a", "done")


async def test_agenda_is_posted_before_the_meeting_to_its_channel(make_app, posts) -> None:
    app = await make_app(now=jst(19, 17, 0))
    await seed(app.store)
    scheduler = Scheduler(app)
    teirei = next(s for s in app.rules.current.schedules if s.kind == "agenda")
    firing = await scheduler.fire_due(teirei, now=jst(19, 17, 0))
    assert firing is not None and firing.period_key == "2026-11-19T17:00" and firing.posted == 1
    await deliver(app)
    [agenda] = posts.to("slack:#cross-team-sync")
    assert agenda["kind"] == "agenda"
    assert agenda["payload"]["title"] == "定例会アジェンダ 2026-11-19（前回 2026-11-12 17:00 以降）"


async def test_reloading_rules_reschedules(make_app, tmp_path: Path) -> None:
    path = rules_file(tmp_path)
    app = await make_app(rules_path=path)
    scheduler = Scheduler(app)
    await scheduler.start()
    try:
        assert set(scheduler.jobs()) == {"weekly", "teirei"}
        text = (
            path.read_text(encoding="utf-8")
            .replace(
                '{name: weekly, kind: recap, cron: "0 9 * * mon"',
                '{name: daily, kind: recap, cron: "30 8 * * mon-fri"',
            )
            .replace("period: week}", "period: day}")
        )
        path.write_text(text, encoding="utf-8")
        assert app.rules.reload()
        jobs = scheduler.jobs()
        assert set(jobs) == {"daily", "teirei"}
        local = aware(jobs["daily"]).astimezone(JST)
        assert (local.hour, local.minute) == (8, 30) and local.weekday() < 5
        # a broken file keeps the last good rules and the schedule
        path.write_text("schedules: [", encoding="utf-8")
        assert not app.rules.reload()
        assert set(scheduler.jobs()) == {"daily", "teirei"}
    finally:
        await scheduler.stop()


async def test_the_rules_file_is_polled_and_a_change_reschedules(make_app, tmp_path: Path) -> None:
    path = rules_file(tmp_path)
    app = await make_app(rules_path=path)
    scheduler = Scheduler(app)
    await scheduler.start()
    try:
        assert not await app.rules.check()  # unchanged: nothing to do
        path.write_text(
            path.read_text(encoding="utf-8").replace('cron: "0 17 * * thu"', 'cron: "0 16 * * wed"'),
            encoding="utf-8",
        )
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        assert await app.rules.check()  # what ``RulesHolder.watch`` does every few seconds
        local = aware(scheduler.jobs()["teirei"]).astimezone(JST)
        assert (local.weekday(), local.hour) == (2, 16)
    finally:
        await scheduler.stop()


async def test_monday_0800_tokyo_is_sunday_in_utc_and_covers_the_tokyo_week(make_app, tmp_path: Path) -> None:
    """``0 8 * * mon`` in Asia/Tokyo fires on Sunday 23:00 UTC: the weekday is Tokyo's, and the
    recap covers Tokyo's Monday-to-Sunday week that just ended."""
    path = rules_file(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace('cron: "0 9 * * mon"', 'cron: "0 8 * * mon"'),
        encoding="utf-8",
    )
    sunday_utc = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Mon 2026-11-23 08:00 JST
    app = await make_app(rules_path=path, now=sunday_utc + timedelta(seconds=1))
    await seed(app.store)
    scheduler = Scheduler(app)
    assert scheduler.next_fire(weekly(app), datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == sunday_utc
    assert scheduler.next_fire(weekly(app), sunday_utc) == sunday_utc + timedelta(days=7)
    firing = await scheduler.fire_due(weekly(app), now=sunday_utc + timedelta(seconds=1))
    assert firing is not None and firing.fire_time == sunday_utc and not firing.late
    assert firing.period_key == "2026-11-16..2026-11-22"


async def test_downtime_over_the_very_first_firing_is_caught_up(make_app, posts) -> None:
    """Installed on Tuesday, down from Sunday to Wednesday: the first Monday recap was missed by
    downtime, not by the schedule being new, so it is posted late at start-up."""
    clock = [jst(17, 10)]  # Tue 2026-11-17: first start; Monday's 11-16 firing predates it
    app = await make_app(clock=lambda: clock[0])
    await seed(app.store)
    first = Scheduler(app)
    await first.start()
    await first.stop()
    assert await runs(app) == []  # nothing caught up from before the installation
    clock[0] = jst(25, 10)  # Wed 2026-11-25: back after missing Monday 11-23 09:00
    again = Scheduler(app)
    await again.start()
    await again.stop()
    late = [(r.schedule, r.period_key, r.late) for r in await runs(app)]
    assert late == [("weekly", "2026-11-16..2026-11-22", True), ("teirei", "2026-11-19T17:00", True)]
    await deliver(app)
    [product] = posts.to("slack:#dept-product")
    assert product["payload"]["late"] is True


async def test_a_run_whose_claimant_died_is_resumed_once_by_another_replica(make_app) -> None:
    """kill -9 between claiming the period and enqueueing its posts: a live replica posts it."""
    a = await make_app(instance="replica-a", now=FIRE + timedelta(minutes=12))
    b = await make_app(instance="replica-b", now=FIRE + timedelta(minutes=12))
    await seed(a.store)
    await a.store.claim_run("weekly", "2026-11-16..2026-11-22", fire_time=FIRE, owner="killed")
    await a.store.claim_run("teams:command", "abc", fire_time=FIRE, owner="killed")  # not a schedule
    sa, sb = Scheduler(a), Scheduler(b)
    assert await sa.resume_unfinished() == []  # the claim is fresh: its claimant may still be working
    async with a.store.sessions() as session, session.begin():
        for run in (await session.scalars(select(ScheduleRun))).all():
            run.claimed_at = a.clock() - timedelta(minutes=11)  # ... and it never finished
    results = await asyncio.gather(sa.resume_unfinished(), sb.resume_unfinished(), sa.resume_unfinished())
    firings = [f for r in results for f in r]
    assert sum(f.claimed for f in firings) == 1
    assert sum(f.posted for f in firings) == 4
    assert len(await outbox(a)) == 4
    done = {(r.schedule, r.status) for r in await runs(a)}
    assert done == {("weekly", "done"), ("teams:command", "claimed")}
    assert await sb.resume_unfinished() == []  # done stays done


async def test_a_failed_run_is_retried_by_the_resume_job_once_stale(make_app) -> None:
    app = await make_app(now=FIRE + timedelta(minutes=30))
    await seed(app.store)
    await app.store.claim_run("weekly", "2026-11-16..2026-11-22", fire_time=FIRE, owner="replica-a")
    await app.store.finish_run("weekly", "2026-11-16..2026-11-22", "failed")  # e.g. the database hiccuped
    scheduler = Scheduler(app)
    assert await scheduler.resume_unfinished() == []  # not at once: at most every STALE_CLAIM
    async with app.store.sessions() as session, session.begin():
        (await session.scalars(select(ScheduleRun))).one().claimed_at = app.clock() - timedelta(minutes=11)
    [firing] = await scheduler.resume_unfinished()
    assert firing.claimed and firing.late and firing.posted == 4
