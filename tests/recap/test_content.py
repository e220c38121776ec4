"""Recap and agenda contents from a seeded week, in Japanese and English (exact text)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.errors import KakehashiError
from bot.reports.agenda import agenda_reply, build_agenda
from bot.reports.recap import recap_reply
from storage.models import Item
from tests.recap.conftest import RULES_JA, WEEK, Msg, jst, rules_file, seed

PRODUCT_JA = """\
## 製品開発の週次まとめ（2026-11-16〜2026-11-22）

### 受信した投稿（前週比）
- バグ報告: 4件（+3）
- **合計: 4件（+3）**

### 目標
- バグには2営業日以内に対応: **2件中1件（50%）未達**

### 反響の大きかった投稿
- バグ報告・satoさん: ログインするとアプリが落ちます（投票3） [元の投稿](https://community.example.com/slack/community/b1)

### 対応状況
- この期間の投稿: 未対応 2件・完了 2件

### 対応待ちの長い投稿
- バグ報告・itoさん: 先週から検索でエラーが出るバグがあります（12日経過・未対応） [元の投稿](https://community.example.com/slack/community/p1)
- バグ報告・kimuraさん: CSV出力でバグがあります（2日経過・未対応） [元の投稿](https://community.example.com/slack/community/b2)
- バグ報告・nakamuraさん: 週末にアプリが落ちました（0日経過・未対応） [元の投稿](https://community.example.com/slack/community/b4)

### よく助けてくれたメンバー（エキスパート・事例・採用の候補）
- hiroさん: 2件の回答
- mikaさん: 1件の回答
"""

PRODUCT_EN = """\
## 製品開発 weekly recap (2026-11-16 – 2026-11-22)

### Items received (change vs the previous week)
- Bug report: 4 (+3)
- **Total: 4 (+3)**

### Goal
- バグには2営業日以内に対応: **1 of 2 (50%), not achieved**

### Most voted, reacted and discussed
- Bug report · sato: ログインするとアプリが落ちます (3 votes) [source](https://community.example.com/slack/community/b1)

### Open and done
- Items of this period: Open 2, Done 2

### Waiting longest
- Bug report · ito: 先週から検索でエラーが出るバグがあります (12 days, Open) [source](https://community.example.com/slack/community/p1)
- Bug report · kimura: CSV出力でバグがあります (2 days, Open) [source](https://community.example.com/slack/community/b2)
- Bug report · nakamura: 週末にアプリが落ちました (0 days, Open) [source](https://community.example.com/slack/community/b4)

### Members who helped others most (candidates for expert programmes, case studies, hiring)
- hiro: 2 answers
- mika: 1 answer
"""


async def test_product_recap_exact_text_ja(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    payload = await recap_reply(app, "product", "last-week")
    assert payload["markdown"] == PRODUCT_JA
    assert payload["locale"] == "ja"
    assert payload["title"] == "製品開発の週次まとめ（2026-11-16〜2026-11-22）"
    assert [s["heading"] for s in payload["sections"]][:2] == ["受信した投稿（前週比）", "目標"]
    assert payload["image"] is None and payload["late"] is False


async def test_product_recap_exact_text_en(make_app) -> None:
    app = await make_app(locale="en")
    await seed(app.store)
    payload = await recap_reply(app, "製品開発", "2026-11-16..2026-11-22")  # a label works as well as a name
    assert payload["markdown"] == PRODUCT_EN


async def test_unanswered_questions_and_helpers(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    sections = {s["heading"]: s["lines"] for s in (await recap_reply(app, "cs", "last-week"))["sections"]}
    # q1 got answers from others, q0 was answered this week; q2 only has its author's own reply
    assert sections["未回答の質問"] == [
        "質問・suzukiさん: APIの上限はありますか？（4日前） [元の投稿](https://community.example.com/slack/community/q2)"
    ]
    assert sections["よく助けてくれたメンバー（エキスパート・事例・採用の候補）"] == [
        "hiroさん: 2件の回答",
        "mikaさん: 1件の回答",
    ]
    assert sections["反響の大きかった投稿"][0].startswith(
        "質問・tanakaさん: CSVの文字コードは何ですか？（返信2）"
    )


async def test_testimonials_with_permission_status_en(make_app) -> None:
    app = await make_app(locale="en")
    await seed(app.store)
    sections = {
        s["heading"]: s["lines"] for s in (await recap_reply(app, "marketing", "last-week"))["sections"]
    }
    assert sections["Testimonials and reuse permission"] == [
        "Testimonial · yamada: kakehashiのおかげで本当に助かりました (Permission granted) "
        "[source](https://community.example.com/slack/community/t1)",
        "Testimonial · lee: We love this tool (Permission requested) [source](https://community.example.com/slack/community/t2)",
    ]
    assert sections["Goal"] == ["毎週2件のお客様の声: **2 (target 2), achieved**"]
    # only what its author allowed is offered for reuse (t2 was asked, not answered)
    assert sections["Voices you may reuse (permission granted)"] == [
        "Testimonial · yamada: kakehashiのおかげで本当に助かりました "
        "[source](https://community.example.com/slack/community/t1)",
    ]


async def test_an_anonymous_yes_is_offered_without_the_name_and_a_no_not_at_all(make_app) -> None:
    app = await make_app(locale="en")
    await seed(app.store)
    async with app.store.sessions() as session, session.begin():
        for item in (await session.scalars(select(Item).where(Item.department == "marketing"))).all():
            item.permission = {"granted": "anonymous", "requested": "declined"}[item.permission]
    sections = {
        s["heading"]: s["lines"] for s in (await recap_reply(app, "marketing", "last-week"))["sections"]
    }
    assert sections["Voices you may reuse (permission granted)"] == [
        "Testimonial · anonymous: kakehashiのおかげで本当に助かりました "
        "[source](https://community.example.com/slack/community/t1)",
    ]
    assert sections["Testimonials and reuse permission"][1].startswith(
        "Testimonial · lee: We love this tool (Permission declined)"
    )


async def test_overview_of_all_departments(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    payload = await recap_reply(app, None, "last-week")
    assert payload["title"] == "全部門のまとめ（2026-11-16〜2026-11-22）"
    sections = {s["heading"]: s["lines"] for s in payload["sections"]}
    assert sections["製品開発"] == [
        "受信4件（+3）: バグ報告 4件",
        "この期間の投稿: 未対応 2件・完了 2件",
        "バグには2営業日以内に対応: **2件中1件（50%）未達**",
    ]
    assert sections["カスタマーサクセス"] == ["受信2件（+1）: 質問 2件", "この期間の投稿: 未対応 2件"]


async def test_empty_period_says_so(make_app) -> None:
    app = await make_app(locale="en")
    payload = await recap_reply(app, "product", "2020-01-06..2020-01-12")
    assert payload["sections"][0] == {
        "heading": "Items received (change vs the previous week)",
        "lines": ["Nothing from the community in this period."],
    }


async def test_bad_department_and_period_are_explained_in_the_locale(make_app) -> None:
    app = await make_app()
    with pytest.raises(KakehashiError, match="部門「prodct」はありません。もしかして: product"):
        await recap_reply(app, "prodct", "last-week")
    with pytest.raises(KakehashiError, match="期間「next-year」は読み取れません"):
        await recap_reply(app, "product", "next-year")
    app_en = await make_app(locale="en", instance="en")
    with pytest.raises(
        KakehashiError, match=r"There is no department 'hr'\. Departments: product, cs, marketing"
    ):
        await recap_reply(app_en, "hr", None)


async def test_agenda_for_a_meeting(make_app) -> None:
    """The Thursday 17:00 agenda: new since last Thursday, carried over, ideas, decisions, goals."""
    meeting = jst(19, 17)
    app = await make_app(now=meeting)
    ids = await seed(app.store)
    await app.store.set_status(ids["q0"], "needs_decision", now=jst(13, 12))
    agenda = await build_agenda(app.store, app.rules.current, meeting=meeting, since=jst(12, 17), now=meeting)
    product, cs, marketing = agenda.departments
    assert [v.message.key for v in product.new] == [
        "b1",
        "b3",
    ]  # most voted first; p1 is before the last meeting
    assert [(a.view.message.key, a.days) for a in product.carried] == [("p1", 9)]
    assert [a.view.message.key for a in cs.decisions] == ["q0"]
    assert [v.message.key for v in marketing.new] == ["t1"]  # t2 comes after the meeting
    assert product.goal is not None and (product.goal.met, product.goal.total) == (1, 2)


async def test_agenda_reply_lists_quiet_departments_briefly(make_app) -> None:
    app = await make_app(now=jst(21, 12))  # Saturday: the next meeting is Thursday 11-26
    await seed(app.store, ())
    payload = await agenda_reply(app)
    assert payload["title"] == "定例会アジェンダ 2026-11-26（前回 2026-11-19 17:00 以降）"
    assert payload["sections"] == [
        {"heading": "製品開発", "lines": ["新着なし"]},
        {"heading": "カスタマーサクセス", "lines": ["新着なし"]},
        {"heading": "マーケティング", "lines": ["新着なし"]},
    ]


AGENDA_EN = """\
## Cross-team meeting agenda for 2026-11-19 (since 2026-11-12 17:00)

### 製品開発
- **New: 2** (Bug report 2)
- ↳ Bug report · sato: ログインするとアプリが落ちます [source](https://community.example.com/slack/community/b1)
- ↳ Bug report · kimura: 通知が来ないバグがあります [source](https://community.example.com/slack/community/b3)
- **Carried over: 1** (oldest 9 days)
- ↳ Bug report · ito: 先週から検索でエラーが出るバグがあります (9 days) [source](https://community.example.com/slack/community/p1)
- Goal “バグには2営業日以内に対応”: **1 of 2 (50%), not achieved**

### カスタマーサクセス
- **New: 2** (Question 2)
- ↳ Question · tanaka: CSVの文字コードは何ですか？ [source](https://community.example.com/slack/community/q1)
- ↳ Question · suzuki: APIの上限はありますか？ [source](https://community.example.com/slack/community/q2)
- **Needs a decision: 1**
- ↳ Question · ito: SSOの設定方法はありますか？ (7 days) [source](https://community.example.com/slack/community/q0)

### マーケティング
- **New: 1** (Testimonial 1)
- ↳ Testimonial · yamada: kakehashiのおかげで本当に助かりました [source](https://community.example.com/slack/community/t1)
- Goal “毎週2件のお客様の声”: **1 (target 2), not achieved**
"""


async def test_agenda_exact_text_en(make_app) -> None:
    app = await make_app(locale="en", now=jst(19, 16))  # an hour before Thursday's meeting
    ids = await seed(app.store)
    await app.store.set_status(ids["q0"], "needs_decision", now=jst(13, 12))
    assert (await agenda_reply(app))["markdown"] == AGENDA_EN


@pytest.mark.parametrize("extra", ["admins: [U-hiro]\n", "staff: [hiro]\n"], ids=["admin", "staff"])
async def test_staff_and_admins_are_not_counted_as_helpers(make_app, tmp_path, extra: str) -> None:
    from tests.recap.conftest import rules_file

    app = await make_app(rules_path=rules_file(tmp_path, extra=extra))
    await seed(app.store)
    sections = {s["heading"]: s["lines"] for s in (await recap_reply(app, "cs", "last-week"))["sections"]}
    assert sections["よく助けてくれたメンバー（エキスパート・事例・採用の候補）"] == ["mikaさん: 1件の回答"]


AGENDA_JA = """\
## 定例会アジェンダ 2026-11-19（前回 2026-11-12 17:00 以降）

### 製品開発
- **新着 2件**（バグ報告 2件）
- ↳ バグ報告・satoさん: ログインするとアプリが落ちます [元の投稿](https://community.example.com/slack/community/b1)
- ↳ バグ報告・kimuraさん: 通知が来ないバグがあります [元の投稿](https://community.example.com/slack/community/b3)
- **持ち越し 1件**（最長9日）
- ↳ バグ報告・itoさん: 先週から検索でエラーが出るバグがあります（9日） [元の投稿](https://community.example.com/slack/community/p1)
- 目標「バグには2営業日以内に対応」: **2件中1件（50%）未達**

### カスタマーサクセス
- **新着 2件**（質問 2件）
- ↳ 質問・tanakaさん: CSVの文字コードは何ですか？ [元の投稿](https://community.example.com/slack/community/q1)
- ↳ 質問・suzukiさん: APIの上限はありますか？ [元の投稿](https://community.example.com/slack/community/q2)
- **要判断 1件**
- ↳ 質問・itoさん: SSOの設定方法はありますか？（7日） [元の投稿](https://community.example.com/slack/community/q0)

### マーケティング
- **新着 1件**（お客様の声 1件）
- ↳ お客様の声・yamadaさん: kakehashiのおかげで本当に助かりました [元の投稿](https://community.example.com/slack/community/t1)
- 目標「毎週2件のお客様の声」: **1件（目標2件）未達**
"""


async def test_agenda_exact_text_ja(make_app) -> None:
    """The same meeting in Japanese: counts with 件, an item to decide listed once (not again as
    carried over), the goal's figure as 「13件中11件」 reads."""
    app = await make_app(now=jst(19, 16))
    ids = await seed(app.store)
    await app.store.set_status(ids["q0"], "needs_decision", now=jst(13, 12))
    assert (await agenda_reply(app))["markdown"] == AGENDA_JA


async def test_answered_within_goal_counts_a_reply_or_a_status_change(make_app, tmp_path) -> None:
    """``answered_within_days``: a bug is answered by a reply in its thread from anyone but its
    author, or by a status change, within 2 business days of the post (Asia/Tokyo, Mon-Fri)."""
    path = rules_file(tmp_path)
    text = path.read_text(encoding="utf-8").replace("done_within_days: 2", "answered_within_days: 2")
    path.write_text(text, encoding="utf-8")
    app = await make_app(rules_path=path)
    replies = (
        Msg("rb2a", "kimura", "補足です。Shift_JISだと起きます", jst(20, 12), thread="b2"),  # the author
        Msg("rb2b", "mika", "こちらでも再現しました。回避策は…", jst(20, 13), thread="b2"),
    )
    await seed(app.store, WEEK + replies)
    reply = await recap_reply(app, "product", "last-week")
    # b1 done on day 1; b2 answered by mika the same day (not yet due, counted as answered);
    # b3 done on Thursday, after its Wednesday deadline, with no reply; b4 is not due yet
    assert "バグには2営業日以内に対応: **3件中2件（67%）未達**" in reply["markdown"]

    done = await make_app(instance="done-within")  # the same week under done_within_days: 2
    assert (
        "バグには2営業日以内に対応: **2件中1件（50%）未達**"
        in (await recap_reply(done, "product", "last-week"))["markdown"]
    )


def test_a_goal_takes_one_kind() -> None:
    from rules.errors import RulesError
    from rules.ruleset import load_rules_text

    text = RULES_JA.read_text(encoding="utf-8").replace(
        "done_within_days: 2", "answered_within_days: 2, done_within_days: 2"
    )
    with pytest.raises(RulesError) as error:
        load_rules_text(text, "rules.yaml")
    assert "use only one of 'done_within_days', 'answered_within_days' or 'at_least', found" in str(
        error.value
    )
