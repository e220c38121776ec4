"""The ``intent`` condition: what each intent recognises in English and Japanese, negation, the
reason a match gives, and the error for an unknown intent name.

The sentences are written for these tests (not taken from any data set)."""

from __future__ import annotations

import pytest

from rules import RulesError
from rules.intents import INTENT_NAMES, INTENTS
from rules.normalize import normalize

from .support import message, ruleset


def shown(text: str) -> dict[str, str]:
    """Intent name -> the normalised words that showed it."""
    normal = normalize(text)
    return {
        name: normal[span[0] : span[1]]
        for name, detector in INTENTS.items()
        if (span := detector.find(normal)) is not None
    }


def test_the_documented_intents_exist() -> None:
    assert set(INTENT_NAMES) >= {"question", "problem", "request", "praise", "complaint", "purchase"}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # breakage in any tense, with and without the word "bug"
        ("The sync keeps freezing on my laptop", "problem"),
        ("my dashboard won't load since this morning", "problem"),
        ("I can't log in with my Google account", "problem"),
        ("we are unable to export the report", "problem"),
        ("Uploads failed twice yesterday", "problem"),
        ("検索画面で落ちる", "problem"),
        ("昨日から同期が落ちた", "problem"),
        ("起動するとすぐ落ちます", "problem"),
        ("ボタンを押しても動かない", "problem"),
        ("スマホ版だと動きません", "problem"),
        ("CSVの取り込みができない", "problem"),
        # questions without a question mark
        ("how do I move my workspace to another account", "question"),
        ("is there a way to change the due date for all tasks", "question"),
        ("請求書の宛名を変更する方法を教えてください", "question"),
        ("この設定はどこから変えられますか", "question"),
        ("管理者しか見られないのかな", "question"),
        ("エクスポートの上限はあるのでしょうか", "question"),
        # requests as imperatives and wishes
        ("Add an option to mute a channel for a week", "request"),
        ("Allow guests to comment on shared boards", "request"),
        ("It would be great if the calendar showed week numbers", "request"),
        ("タグで絞り込みできるようにしてほしい", "request"),
        ("週表示があったらいいな", "request"),
        ("一括編集に対応してほしいです", "request"),
        # praise, including colloquial and katakana spellings
        ("The new editor is fantastic, thank you", "praise"),
        ("Highly recommend it to any small team", "praise"),
        ("今回のアップデート、サイコーでした", "praise"),
        ("初心者にもおススメです", "praise"),
        ("説明がとても丁寧で素晴らしかったです", "praise"),
        # complaint and frustration
        ("Really disappointed with how long support takes", "complaint"),
        ("新しい画面はイマイチ", "complaint"),
        ("今回のリニューアルは残念です", "complaint"),
        ("期待していたのにがっかり", "complaint"),
        # purchase and pricing interest
        ("Do you have a discount for nonprofits?", "purchase"),
        ("How much is the team plan for 30 people", "purchase"),
        ("法人プランの見積もりをお願いできますか", "purchase"),
        ("年払いだといくらになりますか", "purchase"),
    ],
)
def test_intent_is_recognised(text: str, intent: str) -> None:
    assert intent in shown(text), shown(text)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("That's not a bug, the filter is on", "problem"),
        ("No problem at all, happy to help", "problem"),
        ("Works without any issues now", "problem"),
        ("問題ありません、ありがとうございます", "problem"),
        ("I can't wait for the next release", "problem"),
        ("落ち着いたら試してみます", "problem"),
        ("The food wasn't great", "praise"),
        ("あまり良くなかったです", "praise"),
        ("Best regards, Ken", "praise"),
        ("would be great if it also exported PDF", "praise"),
        ("どうしたらいいですか", "request"),
        ("かなり前から使ってます", "question"),
        ("なぜか今日は眠い", "question"),
        ("価格帯の割に部屋が広かった", "purchase"),
        ("コスパが良い", "purchase"),
        ("the price of bananas went up", "purchase"),
    ],
)
def test_negated_or_unrelated_words_do_not_count(text: str, intent: str) -> None:
    assert intent not in shown(text), shown(text)


def test_chatter_shows_no_routing_intent() -> None:
    for text in ("good morning everyone!", "おはようございます", "see you at the meetup", "今日は雨ですね"):
        assert not set(shown(text)) & {"problem", "request", "complaint", "purchase"}, (text, shown(text))


ROUTES = """
- name: broken
  when: {intent: problem}
  to: [product, cs]
  tag: bug
- name: asks
  when: {intent: [purchase, question]}
  to: cs
"""


def test_a_match_says_which_intent_and_which_words() -> None:
    rs = ruleset(ROUTES)
    text = "Since Tuesday it keeps freezing on export"
    [match] = rs.classify(message(text))
    assert (match.route, match.departments) == ("broken", ("product", "cs"))
    [reason] = match.reasons
    assert (reason.kind, reason.detail, reason.matched, reason.path) == (
        "intent",
        "problem",
        "keeps freezing",
        "routes[0].when.intent",
    )
    assert reason.span is not None and text[reason.span[0] : reason.span[1]] == "keeps freezing"
    assert match.reason_text == 'route "broken": intent "problem": "keeps freezing"'


def test_the_reason_quotes_the_original_text_not_the_normalised_one() -> None:
    [match] = ruleset(ROUTES).classify(message("ＡＰＰが固まりました"))
    assert match.reason_text == 'route "broken": intent "problem": "固まり"'


def test_the_first_listed_intent_that_shows_gives_the_reason() -> None:
    [match] = ruleset(ROUTES).classify(message("How much is the enterprise plan?"))
    assert match.reasons[0].detail == "purchase"


def test_intents_combine_with_not_and_keywords() -> None:
    rs = ruleset(
        """
        - name: app-question
          when: {intent: question, keyword: [app], not: {intent: problem}}
          to: cs
        """
    )
    assert [m.route for m in rs.classify(message("how do I rename the app"))] == ["app-question"]
    assert rs.classify(message("why does the app crash")) == ()
    assert rs.classify(message("how do I rename my cat")) == ()


def test_an_unknown_intent_says_where_and_what_was_meant() -> None:
    with pytest.raises(RulesError) as err:
        ruleset(
            """
            - name: bug
              when: {intent: [problem, questoin]}
              to: product
            """
        )
    assert str(err.value) == (
        "rules.yaml:14:30: routes[0].when.intent[1]: unknown intent 'questoin'; did you mean 'question'?"
    )


def test_an_intent_must_be_a_name_or_a_list_of_names() -> None:
    with pytest.raises(RulesError) as err:
        ruleset(
            """
            - name: bug
              when: {intent: {problem: true}}
              to: product
            """
        )
    assert "routes[0].when.intent: expected a string or a list of strings, got a mapping" in str(err.value)
