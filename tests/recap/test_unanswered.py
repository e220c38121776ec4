"""Schedule kind ``unanswered``: questions nobody answered get a nudge in the department channel, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports.scheduler import Scheduler
from rules import RulesError
from tests.recap.conftest import WEEK, Msg, deliver, jst, link, rules_file, seed
from tests.rules.support import ruleset

NUDGE = '  - {name: nudge, kind: unanswered, cron: "0 10 * * mon-fri", departments: [cs, product], after_hours: 24}\n'
FIRE_AT = jst(23, 1)  # Mon 2026-11-23 10:00 JST (01:00 UTC)
FRESH = Msg("q3", "ono", "請求書の宛名は変えられますか？", jst(23, 9), "cs", "question")  # one hour old


async def test_overdue_questions_are_listed_once_per_firing(make_app, posts, tmp_path) -> None:
    path = rules_file(tmp_path, extra=NUDGE)
    first = await make_app(rules_path=path, now=FIRE_AT, instance="replica-a")
    second = await make_app(rules_path=path, now=FIRE_AT, instance="replica-b")
    await seed(first.store, (*WEEK, FRESH))
    schedule = next(s for s in first.rules.current.schedules if s.name == "nudge")
    assert schedule.after_hours == 24
    fired = await Scheduler(first).fire(schedule, FIRE_AT, now=FIRE_AT)
    again = await Scheduler(second).fire(schedule, FIRE_AT, now=FIRE_AT)
    assert (fired.claimed, fired.posted, again.claimed, again.posted) == (True, 2, False, 0)
    await deliver(first)
    # q2 only has its asker's own reply; q0 and q1 were answered; q3 is too new; product has none
    [slack] = posts.to("slack:#dept-cs")
    [teams] = posts.to("teams:CS/Community")
    assert (
        slack["payload"]["markdown"]
        == teams["payload"]["markdown"]
        == (
            "## カスタマーサクセス: 24時間以上回答のない質問（1件）\n\n"
            "### スレッドで回答するか、対応済みにしてください\n"
            f"- 質問・suzukiさん: APIの上限はありますか？（4日経過） [元の投稿]({link('q2')})\n"
        )
    )
    assert posts.to("slack:#dept-product") == []


async def test_nothing_overdue_posts_nothing_and_english_counts_hours(make_app, posts, tmp_path) -> None:
    app = await make_app(rules_path=rules_file(tmp_path, locale="en", extra=NUDGE), now=FIRE_AT)
    await seed(
        app.store,
        (
            Msg(
                "q9", "ono", "Can I change the invoice name?", FIRE_AT - timedelta(hours=30), "cs", "question"
            ),
        ),
    )
    schedule = next(s for s in app.rules.current.schedules if s.name == "nudge")
    assert (await Scheduler(app).fire(schedule, FIRE_AT, now=FIRE_AT)).posted == 2
    await deliver(app)
    [post] = posts.to("slack:#dept-cs")
    assert post["payload"]["title"] == "カスタマーサクセス: questions waiting over 24 hours (1)"
    assert "Can I change the invoice name? (30 hours)" in post["payload"]["markdown"]
    later = FIRE_AT + timedelta(days=15)  # two weeks on, it is the weekly recap's business
    assert (await Scheduler(app).fire(schedule, later, now=later)).posted == 0


def test_after_hours_belongs_to_unanswered_schedules() -> None:
    extra = (
        "schedules:\n"
        '  - {kind: unanswered, cron: "0 10 * * mon-fri", after_hours: 0}\n'
        '  - {kind: recap, cron: "0 9 * * mon", after_hours: 24}\n'
    )
    with pytest.raises(RulesError) as info:
        ruleset('- {name: q, when: {keyword: "?"}, to: [cs], tag: question}', extra)
    assert str(info.value).splitlines() == [
        "rules.yaml:15:63: schedules[0].after_hours: expected an integer of at least 1, got 0",
        "rules.yaml:16:53: schedules[1].after_hours: after_hours is only for kind: unanswered",
    ]
