"""Recaps and agendas as data: numbers, ISO dates, items with ids and links (``--format json``);
the helpers once per recap set, one person counted once across ids and names (``identities:``)."""

from __future__ import annotations

from pathlib import Path

from bot.reports.data import agenda_json, recap_json
from bot.reports.scheduler import Scheduler
from tests.recap.conftest import FIRE, WEEK, Msg, deliver, jst, rules_file, seed

PERIOD = "2026-11-16..2026-11-22"
HELPERS = "よく助けてくれたメンバー（エキスパート・事例・採用の候補）"
# hiro answers once more from another platform account, under another display name
ALSO_HIRO = Msg("r4", "Hiro T.", "設定画面の右上です", jst(18, 10), thread="q1")


async def test_recap_json_is_numbers_dates_and_items(make_app) -> None:
    app = await make_app()
    ids = await seed(app.store)
    data = await recap_json(app, "product", PERIOD)
    assert data["kind"] == "recap" and data["locale"] == "ja"
    assert data["period"] == {
        "first_day": "2026-11-16",
        "last_day": "2026-11-22",
        "start": "2026-11-15T15:00:00+00:00",
        "end": "2026-11-22T15:00:00+00:00",
        "timezone": "Asia/Tokyo",
    }
    assert data["as_of"] == "2026-11-22T15:00:00+00:00"  # a past week is told as of its end
    [product] = data["departments"]
    assert (product["department"], product["label"]) == ("product", "製品開発")
    assert (product["total"], product["previous_total"], product["change"]) == (4, 1, 3)
    assert product["by_tag"] == [{"tag": "bug", "label": "バグ報告", "count": 4, "previous": 1}]
    assert product["by_status"] == {"done": 2, "open": 2}
    assert product["goal"] == {
        "text": "バグには2営業日以内に対応",
        "kind": "done_within",
        "tag": "bug",
        "days": 2,
        "target": 2,
        "actual": 1,
        "percent": 50,
        "achieved": False,
    }
    [top] = product["top"]
    assert top["id"] == ids["b1"] and top["votes"] == 3 and top["score"] == 3
    assert top["link"] == "https://community.example.com/slack/community/b1"
    assert (top["status"], top["department"], top["tag"]) == ("done", "product", "bug")
    assert top["created_at"] == "2026-11-16T01:00:00+00:00"
    assert [(w["id"], w["days_waiting"]) for w in product["waiting"]] == [
        (ids["p1"], 12),
        (ids["b2"], 2),
        (ids["b4"], 0),
    ]
    assert product["unanswered"] is None  # product takes no questions
    # kakehashi stats' figures count items by when they were routed: the seed routed them after
    # the week (at the app's clock), so this week's cohort is empty (see the test below)
    assert product["value"] is None
    assert data["helpers"] == [{"name": "hiro", "answers": 2}, {"name": "mika", "answers": 1}]
    assert not any(isinstance(v, str) and "**" in v for v in _strings(data))  # no rendered Markdown


async def test_recap_json_of_every_department_has_the_helpers_once(make_app) -> None:
    app = await make_app(locale="en")
    await seed(app.store)
    data = await recap_json(app, None, PERIOD)
    assert [d["department"] for d in data["departments"]] == ["product", "cs", "marketing"]
    cs = data["departments"][1]
    assert (
        cs["unanswered"]["total"] == 1 and cs["unanswered"]["items"][0]["text"] == "APIの上限はありますか？"
    )
    marketing = data["departments"][2]
    assert [(t["author"], t["permission"]) for t in marketing["testimonials"]] == [
        ("yamada", "granted"),
        ("lee", "requested"),
    ]
    assert marketing["goal"]["target"] == 2 and marketing["goal"]["achieved"] is True
    assert all("helpers" not in d for d in data["departments"])
    assert data["helpers"] == [{"name": "hiro", "answers": 2}, {"name": "mika", "answers": 1}]


async def test_agenda_json_for_a_period(make_app) -> None:
    app = await make_app()
    ids = await seed(app.store)
    await app.store.set_status(ids["q0"], "needs_decision", now=jst(13, 12))
    data = await agenda_json(app, PERIOD)
    assert data["kind"] == "agenda"
    assert data["window"]["first_day"] == "2026-11-16" and data["window"]["last_day"] == "2026-11-22"
    assert data["meeting"] == "2026-11-22T15:00:00+00:00"
    product, cs, _ = data["departments"]
    assert product["new_total"] == 4 and product["new"][0]["id"] == ids["b1"]
    assert [(i["id"], i["days_waiting"]) for i in product["carried"]] == [(ids["p1"], 12)]
    assert [(i["id"], i["status"]) for i in cs["decisions"]] == [(ids["q0"], "needs_decision")]
    assert product["goal"]["percent"] == 50


async def test_identities_count_one_person_once(make_app, tmp_path: Path) -> None:
    extra = 'identities:\n  hiro: [U-hiro, "Hiro T."]\n'
    app = await make_app(rules_path=rules_file(tmp_path, extra=extra))
    await seed(app.store, (*WEEK, ALSO_HIRO))
    data = await recap_json(app, "cs", PERIOD)
    assert data["helpers"] == [{"name": "hiro", "answers": 3}, {"name": "mika", "answers": 1}]


async def test_staff_is_left_out_under_any_of_their_identities(make_app, tmp_path: Path) -> None:
    extra = 'staff: [hiro]\nidentities:\n  hiro: [U-hiro, "Hiro T."]\n'
    app = await make_app(rules_path=rules_file(tmp_path, extra=extra))
    await seed(app.store, (*WEEK, ALSO_HIRO))
    data = await recap_json(app, "cs", PERIOD)
    assert data["helpers"] == [{"name": "mika", "answers": 1}]


async def test_scheduled_recap_set_carries_the_helpers_once(make_app, posts) -> None:
    app = await make_app()
    await seed(app.store)
    scheduler = Scheduler(app)
    schedule = next(s for s in app.rules.current.schedules if s.name == "weekly")
    firing = await scheduler.fire(schedule, FIRE, now=FIRE)
    assert firing.posted == 4
    await deliver(app)
    with_helpers = [
        p["destination"] for p in posts.all() if HELPERS in [s["heading"] for s in p["payload"]["sections"]]
    ]
    assert with_helpers == ["slack:#dept-product"]  # the set's first department, not all three


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


async def test_a_recap_says_how_the_period_was_handled(make_app) -> None:
    """The department recap carries kakehashi stats' figures for its period (issue 12: the same
    figures feed the recaps), in the rules' locale."""
    from bot.reports.recap import recap_reply

    app = await make_app(now=jst(22, 23))  # routed during the week: the figures' cohort
    await seed(app.store)
    data = await recap_json(app, "product", PERIOD)
    [product] = data["departments"]
    assert product["value"]["items"] == 6  # routed in the week: two of them were posted before it
    assert product["value"]["closed"] == {"done": 2, "declined": 0}
    reply = await recap_reply(app, "product", PERIOD)
    text = str(reply["markdown"])
    assert "対応の数字（kakehashi stats と同じ定義）" in text
    assert "完了 2件・見送り 0件" in text, text
