"""The RuleSet API the bot relies on: sources, departments, reactions, schedules, identity."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.domain import Destination
from rules import Department, Goal, ReactionRule, RuleSet, Schedule, Source, load_rules, load_rules_text

from .support import HEADER, message, ruleset

EXTRA = """
admins: [U0KAKEADMIN, "@sato"]
reactions:
  - {emoji: bulb, to: product, tag: idea}
  - {emoji: ":star:", to: marketing}
  - {emoji: white_check_mark, on: routed, set_status: done}
  - {emoji: +1, on: routed, vote: true}
  - {emoji: like, on: routed, vote: true}
  - {emoji: bulb, on: routed, set_status: needs_decision}
schedules:
  - {kind: recap, cron: "0 9 * * mon", departments: all}
  - {name: teirei, kind: agenda, cron: "0  17 * * thu", post_to: [{slack: "#cross-team-sync"}, {teams: "Leads/Sync"}]}
  - {name: sales-daily, kind: recap, cron: "30 8 * * mon-fri", departments: sales, period: day}
"""


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return ruleset("- {name: idea, when: {keyword: ほしい}, to: [product], tag: idea}", EXTRA)


def test_identity_and_defaults(rs: RuleSet) -> None:
    assert (rs.version, rs.locale, rs.timezone, rs.path) == (1, "ja", ZoneInfo("Asia/Tokyo"), "rules.yaml")
    assert rs.admins == ("U0KAKEADMIN", "@sato")
    text = HEADER + "routes: []\nlocale: en\ntimezone: Europe/Berlin\n"
    other = load_rules_text(text, filename="x.yaml")
    assert (other.locale, other.timezone, other.path) == ("en", ZoneInfo("Europe/Berlin"), "x.yaml")
    assert other.digest == hashlib.sha256(text.encode()).hexdigest()


def test_load_rules_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    text = HEADER + "routes: []\n"
    path.write_text(text, encoding="utf-8")
    loaded = load_rules(path)
    assert loaded.path == str(path)
    assert loaded.digest == load_rules_text(text).digest


def test_sources(rs: RuleSet) -> None:
    assert rs.sources == (
        Source("slack", "#community"),
        Source("slack", "C0QUESTIONS"),
        Source("teams", "Community/General"),
        Source("discourse", "discourse:feedback"),
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"channel": "#community"}, True),
        ({"channel": "community"}, True),
        ({"channel": "#Community"}, True),
        ({"channel": "questions", "channel_id": "C0QUESTIONS"}, True),
        ({"channel": "questions", "channel_id": "c0questions"}, True),
        ({"channel": "#random", "channel_id": "C0RANDOM"}, False),
        ({"channel": "#dept-product"}, False),
        ({"platform": "teams", "channel": "Community/General", "channel_id": "19:abc@thread.tacv2"}, True),
        ({"platform": "teams", "channel": "#community"}, False),
        ({"platform": "discourse", "channel": "discourse:feedback", "channel_id": "7"}, True),
        ({"platform": "discourse", "channel": "discourse:howto", "channel_id": "8"}, False),
    ],
)
def test_is_source(rs: RuleSet, fields: dict[str, str], expected: bool) -> None:
    assert rs.is_source(message(**fields)) is expected  # type: ignore[arg-type]


def test_source_globs() -> None:
    rs = load_rules_text(
        """\
version: 1
sources:
  - {discourse: "*"}
  - {slack: "#community-*"}
  - {webhook: typeform}
  - {discourse: {category: "help-*"}}
departments: {cs: {post_to: [{slack: "#dept-cs"}]}}
routes: []
"""
    )
    assert rs.sources[0] == Source("discourse", "*")
    assert rs.sources[3] == Source("discourse", "discourse:help-*")
    assert rs.is_source(message(platform="discourse", channel="discourse:anything", channel_id="3"))
    assert rs.is_source(message(channel="#community-ja", channel_id="C1"))
    assert not rs.is_source(message(channel="#random", channel_id="C2"))
    assert rs.is_source(message(platform="webhook", channel="typeform", channel_id="typeform"))


def test_departments_and_destinations(rs: RuleSet) -> None:
    assert list(rs.departments) == ["product", "cs", "marketing", "sales"]
    assert rs.departments["cs"] == Department(
        name="cs",
        label="カスタマーサクセス",
        post_to=(Destination("slack", "#dept-cs"), Destination("teams", "CS/Community")),
        goal=None,
    )
    assert rs.department_destinations() == frozenset(
        {
            Destination("slack", "#dept-product"),
            Destination("slack", "#dept-cs"),
            Destination("teams", "CS/Community"),
            Destination("slack", "#dept-marketing"),
            Destination("slack", "#dept-sales"),
        }
    )
    with pytest.raises(TypeError):
        rs.departments["hr"] = rs.departments["cs"]  # type: ignore[index]


def test_goals_and_labels() -> None:
    rs = load_rules_text(
        """\
version: 1
sources: [{slack: "#community"}]
departments:
  product:
    post_to: [{slack: "#dept-product"}]
    goal: {text: "バグには2営業日以内に回答", tag: bug, done_within_days: 2}
  marketing:
    label: マーケティング
    post_to: [{slack: "#dept-marketing"}]
    goal: {text: "毎週3件の声をマーケへ", tag: testimonial, at_least: 3}
routes:
  - {name: bug, when: {keyword: バグ}, to: product, tag: bug}
reactions:
  - {emoji: star, to: marketing, tag: testimonial}
"""
    )
    assert rs.departments["product"].label == "product"
    assert rs.departments["product"].goal == Goal("バグには2営業日以内に回答", "bug", "done_within", days=2)
    assert rs.departments["marketing"].goal == Goal(
        "毎週3件の声をマーケへ", "testimonial", "at_least", count=3
    )


@pytest.mark.parametrize(
    ("emoji", "on_routed", "expected"),
    [
        ("bulb", False, ReactionRule("bulb", to="product", tag="idea")),
        (":bulb:", False, ReactionRule("bulb", to="product", tag="idea")),
        ("bulb", True, ReactionRule("bulb", set_status="needs_decision", on_routed=True)),
        ("star", False, ReactionRule("star", to="marketing")),
        ("white_check_mark", True, ReactionRule("white_check_mark", set_status="done", on_routed=True)),
        ("white_check_mark", False, None),
        ("+1", True, ReactionRule("+1", vote=True, on_routed=True)),
        ("+1::skin-tone-3", True, ReactionRule("+1", vote=True, on_routed=True)),
        ("like", True, ReactionRule("like", vote=True, on_routed=True)),
        ("heart", True, None),
    ],
)
def test_reaction_for(rs: RuleSet, emoji: str, on_routed: bool, expected: ReactionRule | None) -> None:
    assert rs.reaction_for(emoji, on_routed=on_routed) == expected


def test_schedules(rs: RuleSet) -> None:
    recap, agenda, daily = rs.schedules
    assert recap == Schedule(
        name="recap-0",
        kind="recap",
        cron="0 9 * * mon",
        departments=("product", "cs", "marketing", "sales"),
        post_to=(),
        period="week",
    )
    assert agenda == Schedule(
        name="teirei",
        kind="agenda",
        cron="0 17 * * thu",
        departments=("product", "cs", "marketing", "sales"),
        post_to=(Destination("slack", "#cross-team-sync"), Destination("teams", "Leads/Sync")),
        period="week",
    )
    assert (daily.departments, daily.period) == (("sales",), "day")


def test_schedule_trigger_uses_weekday_names_in_the_rules_timezone(rs: RuleSet) -> None:
    tokyo = rs.timezone
    trigger = rs.schedules[0].trigger(tokyo)
    # Wednesday 2026-11-11 → the next Monday 09:00 in Tokyo
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 11, 12, 0, tzinfo=tokyo))
    assert fire == datetime(2026, 11, 16, 9, 0, tzinfo=tokyo)
    assert fire is not None and fire.strftime("%a") == "Mon"


def test_values_are_frozen(rs: RuleSet) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.locale = "en"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.schedules[0].cron = "* * * * *"  # type: ignore[misc]


def test_identities_give_the_team_all_their_ids() -> None:
    """``staff: [emily.r]`` with ``identities: {emily.r: [emily_r, U0EMILY]}``: her posts under
    any of them are the team's (``staff: true``), and others' are not."""
    from tests.rules.support import message, ruleset

    rs = ruleset(
        """
        - {name: team, when: {staff: true}, to: []}
        - {name: bug, when: {keyword: [crash]}, to: [product]}
        """,
        "staff: [emily.r]\nidentities:\n  emily.r: [emily_r, U0EMILY]\n",
    )
    assert rs.identities.person("U0EMILY", "Emily R")[1] == "emily.r"
    for author, author_id in (("emily_r", "U0OTHERID"), ("Emily R", "U0EMILY"), ("emily.r", "U1")):
        [stop] = rs.classify(message("it crashes", author=author, author_id=author_id))
        assert stop.route == "team", author
    [member] = rs.classify(message("it crashes", author="ken", author_id="U0KEN"))
    assert member.route == "bug"
