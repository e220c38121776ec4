"""A recap set's facts read once for every department (grouped SQL) say what reading each item's
replies, reactions and first answer one by one says, on the cases where the two could part:
items with no replies, replies outside the period, the asker's own and a bot's replies, a deleted
reply and a deleted post, an archived item, first answers by a member, by staff and by a
status change, reactions beside votes, and ties."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from bot.reports.period_facts import PeriodFacts
from bot.reports.periods import previous_period
from bot.reports.recap import department_facts, goal_figure, highlights
from tests.recap.conftest import FIRE, WEEK, Msg, inbound, jst, rules_file, seed

CS_GOAL = '    goal: {text: "質問には1営業日以内に回答", tag: question, answered_within_days: 1}\n'

EDGES: tuple[Msg, ...] = (
    # answered by a member after the period ended: a reply all the same, the goal's answer is late
    Msg("e1", "aoki", "Webhookの再送はありますか？", jst(18, 9), "cs", "question"),
    Msg("e1r", "mika", "あります", jst(24, 10), thread="e1"),
    # answered by staff (hiro is staff) within the day
    Msg("e2", "baba", "請求書の宛名は変えられますか？", jst(19, 10), "cs", "question"),
    Msg("e2r", "hiro", "設定画面から変更できます", jst(19, 11), thread="e2"),
    # only the asker's own reply: no answer, one reply
    Msg("e3", "chiba", "ログの保存期間は？", jst(20, 9), "cs", "question"),
    Msg("e3r", "chiba", "90日以上だと助かります", jst(20, 9, 30), thread="e3"),
    # answered by a status change (in progress) and a reply before the post (imported, out of order)
    Msg(
        "e4",
        "doi",
        "SAMLに対応していますか？",
        jst(21, 9),
        "cs",
        "question",
        status=("in_progress", jst(21, 12)),
    ),
    Msg("e4r", "eto", "前にも聞かれていました", jst(15, 9), thread="e4"),
    # no replies at all, posted on Sunday: not due at the fire time (Monday the 23rd is a holiday)
    Msg("e5", "fujii", "モバイル版はありますか？", jst(22, 9), "cs", "question"),
    # a reply that was deleted, and a bot's reply: neither counts
    Msg("e6", "goto", "APIキーはどこですか？", jst(17, 15), "cs", "question", votes=1),
    Msg("e6d", "mika", "（削除）", jst(17, 16), thread="e6"),
    Msg("e6b", "kakehashi-bot", "担当に送りました", jst(17, 16), thread="e6"),
    # a deleted post, and an archived one
    Msg("e7", "hara", "この質問は消えます？", jst(18, 10), "cs", "question", votes=2),
    Msg("e8", "iida", "古い質問？", jst(18, 11), "cs", "question", status=("archived", jst(18, 12))),
    # ties: the same score, told apart by votes, then time, then id
    Msg("e9", "jo", "UIのバグがあります", jst(19, 9), "product", "bug", votes=1),
    Msg("e9r", "kato", "再現しました", jst(19, 10), thread="e9"),
    Msg("e10", "jo", "別のバグがあります", jst(19, 9), "product", "bug", votes=2),
    # more testimonials than a department with a goal needs, one of them archived
    Msg("e11", "lee", "love it", jst(20, 12), "marketing", "testimonial", status=("archived", jst(20, 13))),
)


def summary(facts: PeriodFacts) -> tuple[object, ...]:
    return (
        facts.by_tag,
        facts.previous_by_tag,
        facts.status_counts,
        [(h.view.item.id, h.votes, h.reactions, h.replies) for h in facts.top],
        [v.item.id for v in facts.testimonials],
        [v.item.id for v in facts.recent],
        facts.goal and (facts.goal.met, facts.goal.total),
    )


async def seeded(make_app, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = rules_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '    post_to: [{slack: "#dept-cs"}, {teams: "CS/Community"}]\n',
        '    post_to: [{slack: "#dept-cs"}, {teams: "CS/Community"}]\n' + CS_GOAL,
    )
    path.write_text(text + "\nstaff: [hiro]\n", encoding="utf-8")
    app = await make_app(rules_path=path)
    messages = tuple(m for m in (*WEEK, *EDGES) if m.key not in ("e6b",))
    ids = await seed(app.store, messages)
    bot_reply = replace(inbound(next(m for m in EDGES if m.key == "e6b")), is_bot=True)
    await app.store.record_inbound(bot_reply, [], {})
    assert await app.store.record_delete("slack", "e6d")
    assert await app.store.record_delete("slack", "e7")
    await app.store.add_reaction(  # a reaction that is not a vote, beside e6's vote
        platform="slack", target="e6", emoji="eyes", user_id="U-x", item_id=ids["e6"]
    )
    return app, ids


async def test_set_facts_match_the_per_item_path(make_app, tmp_path: Path) -> None:
    app, _ = await seeded(make_app, tmp_path)
    rules = app.rules.current
    period = previous_period("week", FIRE, rules.timezone)
    names = list(rules.departments)
    facts = await department_facts(app.store, rules, names, period, now=FIRE)
    for name in names:
        items = await app.store.items_between(period.start, period.end, department=name)
        got = facts[name]
        assert got.by_tag == dict(Counter(v.item.tag or "none" for v in items)), name
        assert got.status_counts == dict(Counter(v.item.status for v in items)), name
        previous = period.previous()
        assert got.previous_by_tag == await app.store.tag_counts(
            previous.start, previous.end, department=name
        )
        expected = await highlights(app.store, items)
        assert [(h.view.item.id, h.votes, h.reactions, h.replies) for h in got.top] == [
            (h.view.item.id, h.votes, h.reactions, h.replies) for h in expected
        ], name
        assert [v.item.id for v in got.testimonials] == [
            v.item.id for v in items if v.item.tag == "testimonial"
        ][:20]
        assert [v.item.id for v in got.recent] == [
            v.item.id for v in reversed(items) if v.item.status != "archived"
        ][:10]
        goal = await goal_figure(app.store, rules, name, period, now=FIRE, items=items)
        assert (got.goal and (got.goal.met, got.goal.total)) == (goal and (goal.met, goal.total)), name
        alone = await department_facts(app.store, rules, [name], period, now=FIRE)
        assert summary(alone[name]) == summary(got), name

    # and what they are, so both paths are not wrong together
    cs = facts["cs"]
    # answered in time: q1 (member), e2 (staff), e4 (status change); late: e1 (reply next week);
    # due and unanswered: q2 (own reply), e6 (deleted and bot replies); not due yet: e3, e5
    assert (cs.goal.met, cs.goal.total) == (3, 6)  # type: ignore[union-attr]
    # e6: a vote and a reaction, its deleted and bot replies not counted; e1's reply came after the
    # period, q2's is its author's own: replies all the same; e5 (nothing) and e7 (deleted) not at all
    assert [(h.view.message.key, h.votes, h.reactions, h.replies) for h in cs.top] == [
        ("e6", 1, 1, 0),
        ("q1", 0, 0, 2),
        ("e1", 0, 0, 1),
        ("q2", 0, 0, 1),
        ("e2", 0, 0, 1),
    ]
    assert cs.by_tag == {"question": 9} and cs.status_counts.get("archived") == 1
    product = [h.view.message.key for h in facts["product"].top]
    assert product.index("e10") < product.index("e9")  # 2 votes before 1 vote and 1 reply
    assert [v.message.key for v in facts["marketing"].testimonials] == ["t1", "e11", "t2"]
    assert "e11" not in [v.message.key for v in facts["marketing"].recent]
    assert (facts["marketing"].goal.met, facts["marketing"].goal.total) == (2, 2)  # type: ignore[union-attr]
