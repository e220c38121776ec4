"""Scheduled recaps and agendas: APScheduler 3 jobs built from rules.yaml ``schedules``.

Every replica may run this plugin.  A firing works out its (schedule, period) from the cron in
the rules' timezone, claims that row with ``store.claim_run`` and only the claimant builds and
enqueues the posts (whose dedupe keys make even a double enqueue a no-op).  At start-up a
schedule whose latest firing was missed while no replica ran is posted once, marked late.  A run
whose claimant died before finishing it (kill -9 between claim and enqueue) or that failed is
resumed by whichever replica looks next (every ``RESUME_SECONDS``) once ``STALE_CLAIM`` passed.
Reloading rules.yaml reschedules (the file is watched by ``bot.pipeline.reload.RulesHolder``).

It is the plugin ``"scheduler"`` (``bot.reports.scheduler`` in ``bot.runtime.plugins.PLUGIN_MODULES``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.domain import Sink
from bot.reports.agenda import enqueue_agenda
from bot.reports.periods import last_fire_time, next_fire_time, previous_period
from bot.reports.recap import enqueue_recaps, late_note
from bot.reports.unanswered import enqueue_unanswered
from rules import RuleSet

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from rules.model import Schedule

log = logging.getLogger("kakehashi.scheduler")

LATE_AFTER = timedelta(minutes=15)  # a firing handled later than this after its time is "late"
STALE_CLAIM = timedelta(minutes=10)  # a claim not finished by then is taken over (the claimant died)
RESUME_SECONDS = 60.0
JOB_PREFIX = "schedule:"


@dataclass(frozen=True, slots=True)
class Firing:
    """What one firing did: the period it covered, whether this replica posted it, how many rows."""

    schedule: str
    period_key: str
    fire_time: datetime
    claimed: bool
    late: bool
    posted: int


def period_key(schedule: Schedule, fire_time: datetime, rules: RuleSet) -> str:
    """A recap covers the last complete period; an agenda or a nudge is keyed by its fire time (local)."""
    if schedule.kind == "recap":
        return previous_period(schedule.period, fire_time, rules.timezone).key
    return fire_time.astimezone(rules.timezone).strftime("%Y-%m-%dT%H:%M")


class Scheduler:
    name = "scheduler"

    def __init__(
        self,
        app: Services,
        *,
        resume_every: float | None = RESUME_SECONDS,
    ) -> None:
        self.app = app
        self.resume_every = resume_every
        self.aps: AsyncIOScheduler | None = None
        app.rules.on_reload(self._on_reload)

    # -- Plugin ---------------------------------------------------------------------------------

    def sinks(self) -> dict[str, Sink]:
        return {}

    def mount(self, web_app: web.Application) -> None:
        return None

    async def start(self) -> None:
        rules = self.app.rules.current
        self.aps = AsyncIOScheduler(timezone=rules.timezone)
        self._install(rules)
        if self.resume_every:

            async def resume() -> None:
                try:
                    await self.resume_unfinished()
                except Exception:
                    log.exception("resuming unfinished schedule runs failed; retrying")

            self.aps.add_job(
                resume,
                "interval",
                seconds=self.resume_every,
                id="resume-runs",
                coalesce=True,
                max_instances=1,
            )
        self.aps.start()
        try:
            await self.catch_up()
        except Exception:  # a database hiccup must not stop the server; the next firing retries
            log.exception("catch-up of missed schedules failed")

    async def stop(self) -> None:
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)
        self.aps = None

    # -- jobs -----------------------------------------------------------------------------------

    def _install(self, rules: RuleSet) -> None:
        assert self.aps is not None
        for job in self.aps.get_jobs():
            if job.id.startswith(JOB_PREFIX):
                job.remove()
        for schedule in rules.schedules:
            self.aps.add_job(
                self.run_job,
                trigger=schedule.trigger(rules.timezone),
                args=[schedule.name],
                id=JOB_PREFIX + schedule.name,
                name=f"{schedule.kind} {schedule.name} ({schedule.cron})",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,  # run however late; ``fire_due`` marks it late itself
            )
        log.info("scheduled %s", ", ".join(f"{s.name} ({s.cron})" for s in rules.schedules) or "nothing")

    def _on_reload(self, rules: RuleSet) -> None:
        if self.aps is not None:
            self._install(rules)

    def jobs(self) -> dict[str, datetime | None]:
        """Each schedule's next run time (UTC) as APScheduler holds it."""
        if self.aps is None:
            return {}
        return {
            job.id.removeprefix(JOB_PREFIX): getattr(job, "next_run_time", None)
            for job in self.aps.get_jobs()
            if job.id.startswith(JOB_PREFIX)
        }

    async def run_job(self, name: str) -> Firing | None:
        """What APScheduler calls: handle the schedule's firing that is due now."""
        schedule = next((s for s in self.app.rules.current.schedules if s.name == name), None)
        if schedule is None:
            return None
        try:
            return await self.fire_due(schedule, now=self.app.clock())
        except Exception:
            log.exception("schedule %s failed", name)
            return None

    # -- firing ---------------------------------------------------------------------------------

    def next_fire(self, schedule: Schedule, after: datetime) -> datetime | None:
        return next_fire_time(schedule.trigger(self.app.rules.current.timezone), after)

    async def fire_due(self, schedule: Schedule, *, now: datetime) -> Firing | None:
        """Handle the latest firing at or before ``now`` (late when it was due a while ago)."""
        fire_time = last_fire_time(schedule.trigger(self.app.rules.current.timezone), now)
        if fire_time is None:
            return None
        return await self.fire(schedule, fire_time, now=now, late=now - fire_time > LATE_AFTER)

    async def fire(
        self, schedule: Schedule, fire_time: datetime, *, now: datetime, late: bool = False
    ) -> Firing:
        """Claim (schedule, period) and, if this replica got it, enqueue the posts."""
        rules = self.app.rules.current
        store = self.app.store
        key = period_key(schedule, fire_time, rules)
        owner = self.app.settings.instance_id
        claimed = await store.claim_run(schedule.name, key, fire_time=fire_time, owner=owner, late=late)
        if not claimed:
            # Claims are stamped with the store's clock, so staleness is judged by it too.
            if not await store.take_over_run(
                schedule.name, key, owner=owner, stale_before=store.clock() - STALE_CLAIM
            ):
                return Firing(schedule.name, key, fire_time, claimed=False, late=late, posted=0)
            log.warning("schedule %s %s: took over a run that failed or never finished", schedule.name, key)
        try:
            posted = await self._post(schedule, fire_time, key, now=now, late=late)
        except Exception:
            await store.finish_run(schedule.name, key, "failed")
            raise
        await store.finish_run(schedule.name, key, "done")
        log.info("schedule %s %s: %d posts%s", schedule.name, key, posted, " (late)" if late else "")
        return Firing(schedule.name, key, fire_time, claimed=True, late=late, posted=posted)

    async def _post(
        self, schedule: Schedule, fire_time: datetime, key: str, *, now: datetime, late: bool
    ) -> int:
        rules = self.app.rules.current
        note = late_note(fire_time, rules) if late else ""
        if schedule.kind == "agenda":
            return await enqueue_agenda(
                self.app, schedule=schedule, meeting=fire_time, now=now, period_key=key, late_note=note
            )
        if schedule.kind == "unanswered":
            return await enqueue_unanswered(
                self.app, schedule=schedule, now=now, period_key=key, late_note=note
            )
        period = previous_period(schedule.period, fire_time, rules.timezone)
        return await enqueue_recaps(
            self.app,
            schedule=schedule.name,
            departments=schedule.departments,
            post_to=schedule.post_to,
            period=period,
            now=now,
            due=fire_time if late else None,
        )

    async def resume_unfinished(self, now: datetime | None = None) -> list[Firing]:
        """Post the runs that failed or whose claimant died (claimed over ``STALE_CLAIM`` ago).

        ``fire`` takes each over with one conditional UPDATE, so of several replicas looking at
        once only one posts it; the outbox dedupe keys make rows its claimant already enqueued
        no-ops.  Claims are stamped with the store's clock, so staleness is judged by it.
        """
        now = now or self.app.clock()
        schedules = {s.name: s for s in self.app.rules.current.schedules}
        done = []
        rules = self.app.rules.current
        stale = await self.app.store.unfinished_runs(
            list(schedules), stale_before=self.app.store.clock() - STALE_CLAIM
        )
        for run in stale:
            schedule = schedules[run.schedule]
            fire_time = run.fire_time if run.fire_time.tzinfo else run.fire_time.replace(tzinfo=UTC)
            if period_key(schedule, fire_time, rules) != run.period_key:  # cron or timezone edited since
                log.warning(
                    "schedule %s %s: not resumed, rules.yaml changed since", run.schedule, run.period_key
                )
                continue
            firing = await self.fire(schedule, fire_time, now=now, late=now - fire_time > LATE_AFTER)
            done.append(firing)
        return done

    async def catch_up(self, now: datetime | None = None) -> list[Firing]:
        """Post each schedule's latest firing if no replica did (late unless it is just due).

        A firing from before the schedule existed (new in rules.yaml, or a first installation)
        is not caught up: its first post is its next regular firing.  Downtime over a schedule's
        first firing is caught up like any other: the first start with it is remembered.
        """
        now = now or self.app.clock()
        done = []
        for schedule in self.app.rules.current.schedules:
            seen = await self.app.store.first_seen(schedule.name, now)
            fire_time = last_fire_time(schedule.trigger(self.app.rules.current.timezone), now)
            if fire_time is None:
                continue
            late = now - fire_time > LATE_AFTER
            if late and fire_time < seen and await self.app.store.last_run(schedule.name) is None:
                continue
            done.append(await self.fire(schedule, fire_time, now=now, late=late))
        return done


def plugin(app: Services) -> Scheduler:
    return Scheduler(app)


__all__ = ["Firing", "Scheduler", "period_key", "plugin"]
