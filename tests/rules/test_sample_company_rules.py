"""The long worked example (bot/data/examples/sample-company.yaml, the sample company Tsumiki's
900-line rules, the bundled default until the short intent-based starter replaced it): it loads,
it says what the brief said, and it routes real-sounding posts as it was tuned to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.domain import Destination
from rules import RuleSet, load_rules, load_rules_text

from .support import message

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "bot" / "data" / "examples" / "sample-company.yaml"


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return load_rules(EXAMPLE)


def test_what_the_brief_asks_for(rs: RuleSet) -> None:
    assert (rs.locale, str(rs.timezone), rs.admins) == ("ja", "Asia/Tokyo", ("U0KAKEADMIN",))
    assert {name: d.label for name, d in rs.departments.items()} == {
        "product": "製品開発",
        "cs": "カスタマーサクセス",
        "marketing": "マーケティング",
        "sales": "営業",
        "pr": "広報",
        "hiring": "採用",
    }
    for name, dept in rs.departments.items():
        assert dept.post_to == (Destination("slack", f"#dept-{name}"),)
        assert dept.goal is not None
    assert [str(s) for s in rs.sources] == [
        "slack:#community",
        "slack:#questions",
        "slack:#feedback",
        "slack:#show-and-tell",
        "slack:#events",
        "teams:Community/General",
        "discourse:*",
    ]
    tags = {r.tag for route in rs.routes for r in route.walk()} - {None}
    assert tags == {
        "bug",
        "idea",
        "question",
        "frustration",
        "testimonial",
        "use_case",
        "pricing",
        "press",
        "contributor",
    }
    recap, agenda, nudge = rs.schedules
    assert (recap.kind, recap.cron, recap.departments, recap.period) == (
        "recap",
        "0 9 * * mon",
        tuple(rs.departments),
        "week",
    )
    assert (agenda.kind, agenda.cron, agenda.post_to) == (
        "agenda",
        "0 17 * * thu",
        (Destination("slack", "#cross-team-sync"),),
    )
    assert (nudge.kind, nudge.departments, nudge.after_hours) == ("unanswered", ("cs",), 24)
    assert rs.calendar.country == "JP" and "U0CS01" in rs.team


@pytest.mark.parametrize(
    ("emoji", "on_routed", "expected"),
    [
        ("bulb", False, ("product", "idea")),
        ("bug", False, ("product", "bug")),
        ("sos", False, ("cs", "question")),
        ("question", False, ("cs", "question")),
        ("star", False, ("marketing", "testimonial")),
        ("heart_eyes", False, ("marketing", "testimonial")),
        ("moneybag", False, ("sales", "pricing")),
        ("mega", False, ("pr", "press")),
        ("trophy", False, ("hiring", "contributor")),
        ("eyes", True, "in_progress"),
        ("white_check_mark", True, "done"),
        ("no_entry_sign", True, "wontfix"),
        ("scales", True, "needs_decision"),
        ("+1", True, "vote"),
        ("thumbsup", True, "vote"),
        ("like", True, "vote"),
    ],
)
def test_default_reactions(rs: RuleSet, emoji: str, on_routed: bool, expected: object) -> None:
    rule = rs.reaction_for(emoji, on_routed=on_routed)
    assert rule is not None
    got = (rule.to, rule.tag) if not on_routed else ("vote" if rule.vote else rule.set_status)
    assert got == expected


T, R = False, True  # top-level post, reply

CASES = [
    # text, channel, reply, expected departments
    # bugs → product (the README: "bugs and ideas to product"; a frustrated report also reaches cs,
    # below); "bug" inside "debug" is not a bug
    ("スマホアプリを開くとすぐ落ちます。iOS 17です", "#feedback", T, {"product"}),
    ("昨日のアップデート後からカレンダー同期ができなくなりました…", "#community", T, {"product"}),
    ("ＣＳＶエクスポートすると文字化けします", "#questions", T, {"product"}),
    ("APIで502が返ってくることがあります", "#questions", T, {"product"}),
    ("ﾀｽｸが保存できません", "#questions", T, {"product"}),
    ("The Android app crashes when I open a project with 500+ tasks", "#feedback", T, {"product"}),
    ("Sync with Google Calendar doesn't work since the update", "#community", T, {"product"}),
    ("The rate limit docs say 100/min but I get 429 after 50 requests", "#questions", T, {"product"}),
    (
        "I was debugging my webhook integration and the payload docs were clear, thanks!",
        "#community",
        T,
        set(),
    ),
    ("同じ現象がこちらでも起きています。Androidです", "#feedback", R, {"product"}),
    ("ありがとうございます。ただ、まだエラーが出ます", "#questions", R, {"product"}),
    # ideas → product
    ("ガントチャートで依存関係を設定できるようにしてほしいです", "#feedback", T, {"product"}),
    ("ダークモードがあると嬉しいです！", "#feedback", T, {"product"}),
    ("It would be great if we could set recurring tasks on weekdays only.", "#feedback", T, {"product"}),
    ("Feature request: bulk edit for due dates", "#feedback", T, {"product"}),
    ("I wish there were keyboard shortcuts for moving cards", "#feedback", T, {"product"}),
    (
        "通知が多すぎて大事なものを見逃してしまう。もう少し細かく設定できるといいのですが",
        "#feedback",
        T,
        {"product"},
    ),
    # questions → cs
    ("タスクの一括削除ってどうやるんでしょうか？", "#questions", T, {"cs"}),
    ("SSOの設定方法を教えてください", "#questions", T, {"cs"}),
    ("Is there a way to export all comments from a project?", "#questions", T, {"cs"}),
    ("How do I debug webhook deliveries?", "#questions", T, {"cs"}),
    ("ゲストユーザーの権限設定で困っています", "#community", T, {"cs"}),
    ("ＡＰＩのレート制限はいくつですか？", "#questions", T, {"cs"}),
    # frustration → cs, and the bug in it too
    ("解約を検討しています。サポートからの返信がないので", "#community", T, {"cs"}),
    (
        "正直つらいです。毎週同期が止まって、他のツールにしようという声が出ています",
        "#feedback",
        T,
        {"cs", "product"},
    ),
    (
        "We're evaluating alternatives because of the constant sync issues. Pretty frustrated.",
        "#community",
        T,
        {"cs", "product"},
    ),
    ("We're thinking about cancelling our subscription at renewal.", "#community", T, {"cs", "sales"}),
    # testimonials → marketing
    ("Tsumiki最高です！チームのタスク管理が劇的に楽になりました", "#community", T, {"marketing"}),
    ("新しいボード表示、めちゃくちゃ使いやすいです。ありがとうございます！", "#feedback", T, {"marketing"}),
    ("Love the new timeline view. Huge time saver for our PMs.", "#community", T, {"marketing"}),
    ("Shoutout to the Tsumiki team, the mobile app update is amazing", "#community", T, {"marketing"}),
    ("Tsumiki入れてから朝会が15分→5分になりました", "#community", T, {"marketing"}),
    # use cases → marketing + sales
    (
        "弊社では開発チーム50名で導入しました。スプリント管理とSlack連携で運用しています",
        "#show-and-tell",
        T,
        {"marketing", "sales"},
    ),
    (
        "We rolled it out to 200 engineers last quarter and replaced Jira for planning.",
        "#show-and-tell",
        T,
        {"marketing", "sales"},
    ),
    # pricing → sales
    ("Enterpriseプランのお見積もりをお願いしたいです", "#community", T, {"sales"}),
    ("請求書払いには対応していますか？", "#questions", T, {"sales"}),
    ("How much is the Business plan for 80 seats?", "#questions", T, {"sales"}),
    ("Do you offer a nonprofit discount?", "#questions", T, {"sales"}),
    (
        "タスクに見積もり時間を入れられるようにしてほしい",
        "#feedback",
        T,
        {"product"},
    ),  # an estimate, not a quote
    # press → pr + marketing
    (
        "来月のカンファレンスで、Tsumikiを使った開発フローについて登壇します！",
        "#events",
        T,
        {"pr", "marketing"},
    ),
    ("Anyone going to the Tokyo meetup next week?", "#events", T, {"pr", "marketing"}),
    ("ITmediaの記事でTsumikiが紹介されてますね！", "#community", T, {"pr", "marketing"}),
    # contributors → hiring (+ marketing for what they built)
    (
        "Tsumiki用のRaycast拡張機能を作ってみました！GitHubで公開しています",
        "#show-and-tell",
        T,
        {"hiring", "marketing"},
    ),
    ("@yamada さん、いつも丁寧な回答ありがとうございます！本当に助かっています", "#community", T, {"hiring"}),
    ("Big thanks to @mike for answering all my API questions this week", "#community", T, {"hiring"}),
    ("Tsumikiってエンジニア募集してたりしますか？", "#community", T, {"hiring"}),
    # nothing: chit-chat, thanks, answers, announcements
    ("おはようございます！今週もよろしくお願いします", "#community", T, set()),
    ("週末は雨でしたね", "#community", T, set()),
    ("👍", "#community", R, set()),
    ("解決しました！ありがとうございます", "#questions", R, set()),
    ("Thanks, that worked!", "#questions", R, set()),
    ("設定画面の「連携」タブから追加できますよ。手順はヘルプの記事にあります", "#questions", R, set()),
    ("ご不便をおかけして申し訳ございません。現在調査中です", "#feedback", R, set()),
    (
        "Hi Jenny! It's per seat, but guests are free on the Team plan. Happy to help with a quote.",
        "#questions",
        R,
        set(),
    ),
    ("【お知らせ】v3.12 をリリースしました！Androidで落ちる問題を修正しています", "#community", T, set()),
    ("新機能のリリースおめでとうございます🎉", "#community", T, set()),
]


@pytest.mark.parametrize(("text", "channel", "reply", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_default_routing(rs: RuleSet, text: str, channel: str, reply: bool, expected: set[str]) -> None:
    msg = message(text, channel=channel, channel_id=channel, reply=reply)
    assert rs.is_source(msg)
    got = {d for m in rs.classify(msg) for d in m.departments}
    assert got == expected, [m.reason_text for m in rs.classify(msg)]


def test_default_rules_never_route_bots_or_private_posts(rs: RuleSet) -> None:
    for text, channel, _, _ in CASES:
        assert rs.classify(message(text, channel=channel, bot=True)) == ()
        assert rs.classify(message(text, channel=channel, private=True)) == ()


def test_department_channels_are_not_sources(rs: RuleSet) -> None:
    for dest in rs.department_destinations():
        assert not rs.is_source(
            message(platform=dest.platform, channel=dest.channel, channel_id=dest.channel)
        )


# Patterns generalised from the misses on heldout3.jsonl, written here in other words, and the traps
# each new pattern must not fall into (ものすごい is not praise, 10 kb is not "0 kb", a moderator
# permission is not a job application, switching *to* us is a sale, not churn).
GENERALISED = [
    ("The build exited with code 1 after the upgrade, nothing else in the log", {"product"}),
    ("The migration lost all of my custom fields", {"product"}),
    ("Filtering by tag returns nothing, even for tags I can see on cards", {"product"}),
    ("Changes to the template aren't being saved when I hit publish", {"product"}),
    ("New members get the same welcome email three times", {"product"}),
    ("リマインドメールが3回ずつ送られてきます", {"product"}),
    ("同期が途中から進まなくなりました", {"product"}),
    ("書き出したファイルの中身が空っぽです", {"product"}),
    ("サポートに何度問い合わせても同じ回答しか返ってこない", {"cs"}),
    ("Not happy that the API changed without any notice.", {"cs"}),
    ("メールで問い合わせましたが、1週間たっても返信がありません", {"cs"}),
    ("Opened a ticket last Monday with no response so far.", {"cs"}),
    ("前のツールとは段違いに速いです", {"marketing"}),
    ("The new editor is so smooth now.", {"marketing"}),
    ("毎日使うのが楽しくなりました！", {"marketing"}),
    ("Congrats on the Series A! Saw it on TechCrunch", {"pr", "marketing"}),
    (
        "Built a GitHub Action that posts your board summary to PRs: https://github.com/x/y",
        {"hiring", "marketing"},
    ),
    ("Could you add a 'paid' status to invoices?", {"product"}),
    ("来期に全社展開したいので、プランの相談をさせてください", {"sales"}),
    # a second, fresh probe written after the first round of tuning
    ("After the latest release the dashboard charts render with no data for last month", {"product"}),
    ("エクスポートしたCSVの日付が全部1970年になってます", {"product"}),
    ("I saved our settings but they were gone after a reload", {"product"}),
    ("I can't find where to change the billing email", {"cs"}),
    ("Support closed my ticket without fixing anything. Again.", {"cs"}),
    ("三ヶ月待っても何も変わらないので、正直もう諦めかけてます", {"cs"}),
    ("This tool saved our onboarding. New hires are productive on day one.", {"marketing"}),
    ("UIが本当にきれいで、触ってて気持ちいいです", {"marketing"}),
    ("I'll be talking about our design system migration at Config next month", {"pr", "marketing"}),
    # a probe of chatter: the weather, weekdays, one's own wifi or code are not about the product
    ("The weather in Tokyo is amazing today", set()),
    ("I love Fridays", set()),
    ("my internet is so slow today ugh", set()),
    ("This error in my own code took me 3 hours lol, unrelated to your product", set()),
    ("How's everyone doing?", set()),
    # praise inside thanks to a member is a contributor signal (what they made is content too);
    # praise addressed to the company's account stays a testimonial. Slack's raw mention is <@U…>.
    ("@tanaka さん、昨日のスクリプト最高でした、ありがとう！", {"hiring", "marketing"}),
    ("<@U0ABC12> thanks for the help yesterday, your script is amazing", {"hiring", "marketing"}),
    ("@tsumiki_team さん、新機能最高です！", {"marketing"}),
    # traps
    ("見やすい設定はありますか？", {"cs"}),
    ("How do I upgrade to the Business plan?", {"sales"}),
    ("全部の項目を必須にする方法はありますか", {"cs"}),
    ("ものすごい遅いです、何とかなりませんか", {"cs"}),
    ("Our logo is only 10 kb, looks great", set()),
    ("モデレーター権限の付け方を教えてください", {"cs"}),
    ("A社から御社への乗り換えを検討中です。50名分の見積もりをお願いできますか", {"sales"}),
    ("Can you add 5 more seats to our Business plan?", {"sales"}),
    ("So quick question: how do I archive a board?", {"cs"}),
    ("直感的じゃないので迷います", set()),
    ("the counter resets every month, right?", {"cs"}),
]


@pytest.mark.parametrize(("text", "expected"), GENERALISED, ids=[c[0][:40] for c in GENERALISED])
def test_generalised_patterns_and_their_traps(rs: RuleSet, text: str, expected: set[str]) -> None:
    msg = message(text, channel="#community", channel_id="#community")
    got = {d for m in rs.classify(msg) for d in m.departments}
    assert got == expected, [m.reason_text for m in rs.classify(msg)]


# Patterns generalised from the misses on heldout4.jsonl (games, payments, stores, LLM APIs, smart home,
# education, 会計 / 勤怠, a CMS), written here in other words, with the traps each must not fall into.
GENERALISED_4 = [
    # how bug reports are put together: after a patch, after troubleshooting, 「〜てないのに」, 「〜てしまいます」
    ("パッチ当ててから音が出なくなった", {"product"}),
    ("ファームウェア更新後、センサーが反応しない時がある", {"product"}),
    ("キャッシュをクリアしても古いロゴのまま表示されます", {"product"}),
    ("再起動しても直らないです、Mac版", {"product"}),
    ("何も設定してないのに毎朝アラームが鳴る", {"product"}),
    ("並び替えると日付がめちゃくちゃになってしまいます", {"product"}),
    ("Bluetoothイヤホンを認識しない…", {"product"}),
    ("Cleared my cache and tried another browser, the save button is still greyed out", {"product"}),
    ("The invoice total shows 0 instead of the discounted amount", {"product"}),
    ("app says 'payment failed' but the charge went through on my card", {"product"}),
    ("the user field comes back as null for invited members", {"product"}),
    ("checkout returns insufficient_funds_error for a card with plenty of balance", {"product"}),
    ("the sensor randomly disconnects at night", {"product"}),
    ("search 500s whenever the query has an emoji", {"product"}),
    ("The submit button doesnt do anything on Firefox", {"product"}),
    ("The status is not update after I approve", {"product"}),
    ("Since yesterday's patch my replays won't play", {"product"}),
    ("the last firmware update bricked my doorbell. not happy", {"product", "cs"}),
    # no reply yet, renewal on hold, time lost, poor value, leaving
    ("先週問い合わせたのに、まだ回答ないです", {"cs"}),
    ("契約更新は見送ることになりそうです。現場で使われていないので", {"cs"}),
    (
        "Spent my whole morning on the SSO setup and it still makes no sense. This shouldn't be this hard",
        {"cs"},
    ),
    ("値段のわりにできることが少ないので、他のツールに乗り換えたい", {"cs"}),
    ("we're about to switch, your price went up again and nothing improved", {"cs"}),
    # pain that explains a wish is an idea, not frustration; asking to hear back is not an idea
    ("CSVで一括登録できるようにしてほしいです。1件ずつはしんどい", {"product"}),
    ("Would love bulk edit for tags, doing it one by one is painful", {"product"}),
    ("It would be nice if admins can lock a template", {"product"}),
    ("+1 on SAML support, our IT team keeps asking", {"product"}),
    ("We'd love to hear from anyone who migrated from v1", set()),
    # keigo, intensifiers, slang and superlatives in praise
    ("いつも便利に使わせていただいております。特にレポート機能に助けられております", {"marketing"}),
    ("毎朝の打刻がめちゃくちゃ楽で快適です", {"marketing"}),
    ("the new dashboard is goated", {"marketing"}),
    ("Easiest payments integration we've ever worked with", {"marketing"}),
    # sizes and relative results of a rollout
    ("We run 12 schools on it now and cut report-card time in half", {"marketing", "sales"}),
    ("Our support volume is down 25% since we put your chatbot on the help center", {"marketing", "sales"}),
    ("Excelからこちらに切り替えて、月末の締めが3日早くなりました", {"marketing", "sales"}),
    # built and shared: hiring + marketing
    ("Wrote a short walkthrough on setting up webhooks with Go, it's on my site", {"hiring", "marketing"}),
    ("Stream Deck用のプラグイン作ったので配布します", {"hiring", "marketing"}),
    # payments words as the product's domain, not purchase interest
    ("Do you support paying annually by bank transfer?", {"sales"}),
    ("How do I set up a payment link for a one-off invoice in the dashboard?", {"cs"}),
    ("決済方法はクレジットカード以外にありますか", {"sales"}),
    # a fresh probe (travel, fitness, VPN apps) written after the heldout4 tuning: 23 of 30 before these
    ("ホテルの検索結果、価格順にしても順番おかしくない？", {"product"}),
    ("This app got me through marathon training, thank you!!", {"marketing"}),
    ("Saw your app on the Nikkei app ranking, nice!", {"pr", "marketing"}),
    (
        "I'm writing a story for Wired about VPN privacy, can I ask your team a few questions?",
        {"pr", "marketing"},
    ),
    ("週末キャンプ行く人〜？", set()),
    ("Three weeks now and I've heard nothing back about my refund request", {"cs"}),
    # traps for the new patterns
    ("We managed to get it working, thanks!", set()),
    ("we run into this every time we deploy, any idea why?", {"cs"}),
    ("I randomly found this tool last week and I love it", {"marketing"}),
    ("It saves me an hour instead of doing it by hand", {"marketing"}),
    ("すっかりファンになってしまいました！", {"marketing"}),
    ("毎日つい開いてしまいます、最高", {"marketing"}),
    ("After the upgrade to the Business plan, how do I add more seats?", {"sales"}),
    ("先日問い合わせしたのですが、その後どうなりましたか？", {"cs"}),
    ("anyone watching the keynote stream tonight?", {"pr", "marketing"}),
    ("what are you all up to this weekend? 🎉", set()),
    ("Heads up: replies may be slower during Golden Week", set()),
]


@pytest.mark.parametrize(("text", "expected"), GENERALISED_4, ids=[c[0][:40] for c in GENERALISED_4])
def test_patterns_generalised_from_heldout4(rs: RuleSet, text: str, expected: set[str]) -> None:
    msg = message(text, channel="#community", channel_id="#community")
    got = {d for m in rs.classify(msg) for d in m.departments}
    assert got == expected, [m.reason_text for m in rs.classify(msg)]


def test_recaps_doc_configure_block_is_valid_with_sources_and_routes() -> None:
    """docs/recaps.md shows departments, schedules and holidays; with the sources and routes it
    leaves out (routes setting its goals' tags) it is a file that loads (its nudge names cs)."""
    text = (ROOT / "docs" / "recaps.md").read_text(encoding="utf-8")
    block = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)[0]
    head = (
        'version: 1\nsources: [{slack: "#community"}]\nroutes:\n'
        "  - {name: bug, when: {keyword: bug}, to: product, tag: bug}\n"
        "  - {name: praise, when: {keyword: love}, to: marketing, tag: testimonial}\n"
    )
    rules = load_rules_text(head + block, filename="docs/recaps.md")
    assert {s.name for s in rules.schedules} == {"weekly-recap", "teirei", "nudge"}
