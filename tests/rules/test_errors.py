"""Exact error strings with positions, for every kind of problem a rules file can have."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import KakehashiError
from rules import Problem, RulesError, load_rules, load_rules_text

from .support import HEADER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

# fixture file -> str(RulesError), one problem per line, "{f}" standing for the path as given
EXPECTED = [
    (
        "bad_identities.yaml",
        [
            "{f}:4:11: identities.emily[0]: 'Emily_R' is already listed under 'emily.r' (line 3): an id or a name can belong to one person only",
            "{f}:5:8: identities.ken: expected a string or a list of strings, got a mapping",
        ],
    ),
    (
        "bad_locale.yaml",
        [
            "{f}:2:9: locale: unknown locale 'jp' (expected ja or en)",
        ],
    ),
    (
        "bad_regex.yaml",
        [
            "{f}:7:26: routes[0].when.regex: invalid regex: missing ), unterminated subpattern",
            "{f}:10:19: routes[1].when.regex: re2 cannot run this regex (no backreferences or lookaround, so it stays fast): invalid escape sequence: \\1",
            "{f}:14:15: routes[2].when.regex[0]: re2 cannot run this regex (no backreferences or lookaround, so it stays fast): invalid perl operator: (?!",
            "{f}:17:20: routes[3].when.regex: regexes run on normalised text, where 'Ａ' never appears (it becomes 'A'); write 'A' instead",
            "{f}:20:19: routes[4].when.regex: regex matches empty text, so it would match every message",
        ],
    ),
    (
        "bad_timezone.yaml",
        [
            "{f}:2:11: timezone: unknown timezone 'Asia/Tokio'; did you mean 'Asia/Tokyo'?",
        ],
    ),
    (
        "cron_invalid.yaml",
        [
            "{f}:7:25: schedules[0].cron: invalid cron expression '0 25 * * mon': Error validating expression '25': the last value (25) is higher than the maximum value (23)",
            "{f}:8:25: schedules[1].cron: invalid cron expression '0 9 * *': Wrong number of fields; got 4, expected 5",
            "{f}:9:25: schedules[2].cron: invalid cron expression '0 9 * * funday': Invalid weekday name \"funday\"",
            "{f}:10:5: schedules[3]: missing 'post_to': an agenda needs a channel to go to",
            "{f}:11:12: schedules[4].kind: unknown kind 'retro' (expected one of: recap, agenda, unanswered)",
            "{f}:11:49: schedules[4].period: unknown period 'fortnight' (expected one of: day, week, month)",
        ],
    ),
    (
        "cron_numeric.yaml",
        [
            "{f}:7:39: schedules[0].cron: use weekday names (mon-sun): APScheduler 3 counts 0 as Monday, cron counts 0 as Sunday",
            "{f}:8:41: schedules[1].cron: use weekday names (mon-sun): APScheduler 3 counts 0 as Monday, cron counts 0 as Sunday",
        ],
    ),
    (
        "duplicate_key.yaml",
        [
            "{f}:11:5: routes[0].to: duplicate key 'to' (first defined at line 9)",
            "{f}:12:1: departments: duplicate key 'departments' (first defined at line 3)",
        ],
    ),
    (
        "duplicate_route.yaml",
        [
            "{f}:12:15: routes[1].routes[0].name: duplicate route name 'bug' (first defined at line 6)",
        ],
    ),
    (
        "empty.yaml",
        [
            "{f}:1:1: the file is empty: expected a mapping with version, sources, departments and routes",
        ],
    ),
    (
        "empty_keyword.yaml",
        [
            "{f}:8:21: routes[0].when.keyword[1]: empty keyword",
            "{f}:8:25: routes[0].when.keyword[2]: empty keyword",
            "{f}:8:37: routes[0].when.keyword[3].word: empty keyword",
            "{f}:11:21: routes[1].when.keyword: expected at least one keyword, got an empty list",
        ],
    ),
    (
        "goals.yaml",
        [
            "{f}:6:35: departments.product.goal.tag: unknown tag 'bgu'; did you mean 'bug'? (no route or reaction sets it)",
            "{f}:9:34: departments.cs.goal.at_least: expected an integer of at least 1, got 0",
            "{f}:12:11: departments.marketing.goal: use only one of 'done_within_days', 'answered_within_days' or 'at_least', found 'done_within_days' and 'at_least'",
            "{f}:15:11: departments.sales.goal: missing required key 'text'",
            "{f}:15:11: departments.sales.goal: a goal needs 'done_within_days', 'answered_within_days' or 'at_least'",
            "{f}:15:17: departments.sales.goal.tag: unknown tag 'pricing' (expected one of: bug) (no route or reaction sets it)",
        ],
    ),
    (
        "missing_to.yaml",
        [
            "{f}:6:5: routes[0]: missing 'to': name the departments this route sends to (a nested route may inherit them from its parent)",
            "{f}:12:9: routes[1].routes[0]: missing 'to': name the departments this route sends to (a nested route may inherit them from its parent)",
            "{f}:14:5: routes[2]: missing required key 'name'",
        ],
    ),
    (
        "not_a_mapping.yaml",
        [
            "{f}:1:1: expected a mapping, got a list",
        ],
    ),
    (
        "reactions_and_sources.yaml",
        [
            "{f}:4:6: sources[1].slak: unknown key 'slak'; did you mean 'slack'?",
            "{f}:5:13: sources[2].teams: expected 'Team/Channel', got 'General'",
            "{f}:6:17: sources[3].discourse: expected \"*\" or {category: slug}, got 'everything'",
            '{f}:7:5: sources[4]: expected a mapping like {slack: "#channel"}, got a string',
            "{f}:8:5: sources[5]: duplicate source slack:#Community (first defined at line 3)",
            "{f}:11:23: departments.product.post_to[0]: slack:#dept-product is also a source; kakehashi ignores posts in department channels, so that source would go silent",
            "{f}:11:50: departments.product.post_to[1].discourse: discourse is a source, not a destination (departments post to slack, teams, console)",
            "{f}:12:3: departments.all: 'all' is reserved (schedules use 'departments: all')",
            "{f}:15:5: reactions[0]: missing 'to': a reaction on community posts routes them to a department",
            "{f}:16:5: reactions[1]: a reaction with 'on: routed' needs 'set_status' or 'vote: true'",
            "{f}:17:43: reactions[2].set_status: unknown status 'in-progress'; did you mean 'in_progress'?",
            "{f}:18:47: reactions[3].to: 'to' only applies to reactions on community posts (without 'on: routed')",
            "{f}:19:43: reactions[4].set_status: 'set_status' only applies to reactions with 'on: routed'",
            "{f}:21:13: reactions[6].emoji: duplicate reaction 'bulb' (first defined at line 20)",
            "{f}:22:20: reactions[7].on: unknown 'on' value 'later' (expected one of: post, routed)",
        ],
    ),
    (
        "syntax_error.yaml",
        [
            "{f}:5:1: invalid YAML: while parsing a flow mapping (line 4), expected ',' or '}', but got '<scalar>'",
        ],
    ),
    (
        "tab_indent.yaml",
        [
            "{f}:3:1: invalid YAML: while scanning for the next token, found character '\\t' that cannot start any token (YAML indents with spaces; replace the tab)",
        ],
    ),
    (
        "unknown_department.yaml",
        [
            "{f}:9:10: routes[0].to[0]: unknown department 'prodcut'; did you mean 'product'?",
            "{f}:9:19: routes[0].to[1]: unknown department 'cs' (expected one of: product, marketing)",
            "{f}:12:23: reactions[0].to: unknown department 'marketting'; did you mean 'marketing'?",
            "{f}:14:63: schedules[0].departments[1]: unknown department 'finance' (expected one of: product, marketing)",
        ],
    ),
    (
        "unknown_key.yaml",
        [
            "{f}:4:63: departments.product.goall: unknown key 'goall'; did you mean 'goal'?",
            "{f}:8:7: routes[0].when.keywrd: unknown key 'keywrd'; did you mean 'keyword'?",
            "{f}:10:5: routes[0].tagg: unknown key 'tagg'; did you mean 'tag'?",
            "{f}:12:12: routes[1].when.frobnicate: unknown key 'frobnicate' (expected one of: intent, keyword, regex, channel, author, platform, thread, bot, staff, min_length, tags, any, all, not)",
            "{f}:14:1: reaction: unknown key 'reaction'; did you mean 'reactions'?",
        ],
    ),
    (
        "wrong_type.yaml",
        [
            "{f}:1:10: version: expected an integer, got a string",
            "{f}:2:9: admins: expected a list of strings, got a mapping",
            '{f}:3:10: sources: expected a list of sources like {slack: "#community"}, got a mapping',
            '{f}:5:22: departments.product.post_to: expected a list of destinations like {slack: "#channel"}, got a string',
            "{f}:9:17: routes[0].when.keyword.text: unknown key 'text' (expected one of: word)",
            "{f}:10:17: routes[0].when.channel[0]: expected a string, got a list",
            "{f}:11:12: routes[0].when.bot: expected true or false, got a string",
            "{f}:12:19: routes[0].when.min_length: expected an integer, got a string",
            "{f}:13:15: routes[0].when.thread: unknown thread 'replies'; did you mean 'reply'?",
            "{f}:14:12: routes[0].when.any: expected a list of conditions, got a mapping",
            "{f}:15:12: routes[0].when.not: expected a mapping, got a list",
            "{f}:17:15: routes[0].continue: expected true or false, got a string",
            "{f}:18:5: routes[1]: expected a mapping, got a string",
        ],
    ),
]


@pytest.mark.parametrize(("name", "lines"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_broken_file(name: str, lines: list[str]) -> None:
    path = str(FIXTURES / name)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value).splitlines() == [line.replace("{f}", path) for line in lines]


def test_text_errors_name_the_given_filename() -> None:
    text = (FIXTURES / "bad_locale.yaml").read_text(encoding="utf-8")
    with pytest.raises(RulesError) as default:
        load_rules_text(text)
    with pytest.raises(RulesError) as named:
        load_rules_text(text, filename="config/team-rules.yaml")
    assert str(default.value) == "rules.yaml:2:9: locale: unknown locale 'jp' (expected ja or en)"
    assert str(named.value) == "config/team-rules.yaml:2:9: locale: unknown locale 'jp' (expected ja or en)"


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == sorted(e[0] for e in EXPECTED)


def test_contract_example() -> None:
    text = HEADER + "routes:\n  - name: bug\n    when:\n      keywrd: バグ\n    to: [product]\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert (
        str(caught.value)
        == "rules.yaml:15:7: routes[0].when.keywrd: unknown key 'keywrd'; did you mean 'keyword'?"
    )
    assert caught.value.problems == [
        Problem("rules.yaml", 15, 7, "routes[0].when.keywrd", "unknown key 'keywrd'; did you mean 'keyword'?")
    ]
    assert isinstance(caught.value, KakehashiError)


def test_problems_are_sorted_and_all_collected() -> None:
    text = HEADER + (
        "routes:\n"
        "  - {name: b, when: {regex: '('}, to: [x]}\n"
        "  - {name: a, when: {keyword: ''}, to: [product]}\n"
        "locale: fr\n"
    )
    with pytest.raises(RulesError) as caught:
        load_rules_text(text, filename="team/rules.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "team/rules.yaml:13:30: routes[0].when.regex: invalid regex: missing ), unterminated subpattern",
        "team/rules.yaml:13:40: routes[0].to[0]: unknown department 'x' (expected one of: product, cs, marketing, sales)",
        "team/rules.yaml:14:31: routes[1].when.keyword: empty keyword",
        "team/rules.yaml:15:9: locale: unknown locale 'fr' (expected ja or en)",
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        (
            "keyword: [{wrod: bug}]",
            "routes[0].when.keyword[0].wrod: unknown key 'wrod'; did you mean 'word'?",
        ),
        ("keyword: [{}]", 'routes[0].when.keyword[0]: expected {word: "..."}, got an empty mapping'),
        (
            "keyword: [[a]]",
            "routes[0].when.keyword[0]: expected a keyword (a string or {word: ...}), got a list",
        ),
        (
            "keyword: ~",
            "routes[0].when.keyword: expected a keyword (a string or {word: ...}) or a list of keywords, "
            "got null",
        ),
        (
            "{}",
            "routes[0].when: empty condition (expected one or more of: intent, keyword, regex, channel, author, "
            "platform, thread, bot, staff, min_length, tags, any, all, not)",
        ),
        ("any: []", "routes[0].when.any: expected at least one condition, got an empty list"),
        ("platform: slak", "routes[0].when.platform: unknown platform 'slak'; did you mean 'slack'?"),
        ("min_length: 0", "routes[0].when.min_length: expected an integer of at least 1, got 0"),
        ("channel: []", "routes[0].when.channel: expected at least one entry, got an empty list"),
        ("regex: '\\bbug\\b'", None),  # fine: ASCII \b is allowed where the author wants it
    ],
)
def test_condition_problems(snippet: str, message: str | None) -> None:
    when = snippet if snippet.startswith("{") else "{" + snippet + "}"
    text = HEADER + f"routes:\n  - name: r\n    when: {when}\n    to: [cs]\n"
    if message is None:
        load_rules_text(text)
        return
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    (problem,) = caught.value.problems
    assert f"{problem.path}: {problem.message}" == message


def test_missing_top_level_keys() -> None:
    with pytest.raises(RulesError) as caught:
        load_rules_text("locale: ja\n", filename="rules.yaml")
    assert str(caught.value).splitlines() == [
        "rules.yaml:1:1: missing required key 'version'",
        "rules.yaml:1:1: missing required key 'sources'",
        "rules.yaml:1:1: missing required key 'departments'",
        "rules.yaml:1:1: missing required key 'routes'",
    ]


def test_unsupported_version() -> None:
    with pytest.raises(RulesError) as caught:
        load_rules_text(HEADER.replace("version: 1", "version: 2") + "routes: []\n")
    assert (
        str(caught.value)
        == "rules.yaml:1:10: version: unsupported version 2 (this kakehashi reads version 1)"
    )


def test_merge_keys_and_recursive_aliases() -> None:
    text = HEADER + "routes:\n  - &r {name: a, to: [cs], <<: {tag: x}}\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value) == (
        "rules.yaml:13:28: routes[0]: merge keys ('<<') are not supported; write the keys out"
    )


def test_anchors_and_aliases_work() -> None:
    text = HEADER + (
        "routes:\n"
        "  - {name: a, when: {keyword: &words [バグ, 不具合]}, to: [product]}\n"
        "  - {name: b, when: {not: {keyword: *words}}, to: [cs]}\n"
    )
    assert [r.name for r in load_rules_text(text).routes] == ["a", "b"]


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(RulesError) as caught:
        load_rules(missing)
    assert str(caught.value) == f"{missing}: cannot read the file: No such file or directory"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sjis.yaml"
    path.write_bytes("version: 1\n# バグ\n".encode("shift_jis"))
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value) == f"{path}:2:3: not UTF-8 text: save the file as UTF-8"


def test_a_misspelt_required_key_is_one_problem_not_two() -> None:
    """The "did you mean" says it all; "missing required key" for the same key would repeat it."""
    text = HEADER.replace("departments:", "departements:") + (
        "routes: []\nreactions:\n  - {emoij: bulb, to: product}\nschedules:\n  - {kind: recap, crn: '0 9 * * mon'}\n"
    )
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value).splitlines() == [
        "rules.yaml:7:1: departements: unknown key 'departements'; did you mean 'departments'?",
        "rules.yaml:14:6: reactions[0].emoij: unknown key 'emoij'; did you mean 'emoji'?",
        "rules.yaml:16:19: schedules[0].crn: unknown key 'crn'; did you mean 'cron'?",
    ]


def test_all_inside_a_department_list_says_how_to_write_it() -> None:
    text = HEADER + "routes: []\nschedules:\n  - {kind: recap, cron: '0 9 * * mon', departments: [all]}\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value) == (
        "rules.yaml:14:53: schedules[0].departments: write 'departments: all' (not in a list) "
        "for every department, or list names"
    )


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_absurdly_deep_nesting_is_a_problem_not_a_crash(opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    text = "version: 1\nx: " + opening * 5000 + "1" + closing * 5000 + "\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value) == (
        "rules.yaml:1:1: invalid YAML: nested too deeply to read (a rules file needs a handful of levels)"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        # difflib alone offered 'MST' for JST and 'GMT+0' for GMT+9
        (
            "JST",
            "unknown timezone 'JST'; did you mean 'Asia/Tokyo'? (JST is an abbreviation, not a time zone)",
        ),
        (
            "pst",
            "unknown timezone 'pst'; did you mean 'America/Los_Angeles'? (pst is an abbreviation, not a time zone)",
        ),
        (
            "GMT+9",
            "unknown timezone 'GMT+9': a UTC offset is not a time zone; write a region such as 'Asia/Tokyo' "
            "(it knows daylight saving), or 'Etc/GMT-9' for a fixed offset",
        ),
        (
            "UTC-05:00",
            "unknown timezone 'UTC-05:00': a UTC offset is not a time zone; write a region such as "
            "'America/New_York' or 'Europe/Berlin' (it knows daylight saving), or 'Etc/GMT+5' for a fixed offset",
        ),
        ("asia/tokyo", "unknown timezone 'asia/tokyo'; did you mean 'Asia/Tokyo'?"),
    ],
)
def test_timezone_hints(written: str, message: str) -> None:
    text = HEADER.replace("version: 1\n", f'version: 1\ntimezone: "{written}"\n') + "routes: []\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value) == f"rules.yaml:2:11: timezone: {message}"


def test_a_misspelt_key_is_not_reported_again_as_what_it_leaves_missing() -> None:
    """`too:` is one problem ("did you mean 'to'?"), not also "missing 'to'"; other problems of the
    same entry (a misspelt department) are still reported."""
    text = HEADER + (
        "routes:\n"
        "  - {name: a, when: {keyword: x}, too: product}\n"
        "reactions:\n"
        "  - {emoji: white_check_mark, on: routed, set_stauts: done}\n"
        "  - {emoji: eyes, onn: routed, vote: true}\n"
        "  - {emoji: star, to: prodct, tagg: x}\n"
        "  - {emoji: bulb, t: product}\n"
    )
    with pytest.raises(RulesError) as caught:
        load_rules_text(text)
    assert str(caught.value).splitlines() == [
        "rules.yaml:13:35: routes[0].too: unknown key 'too'; did you mean 'to'?",
        "rules.yaml:15:43: reactions[0].set_stauts: unknown key 'set_stauts'; did you mean 'set_status'?",
        "rules.yaml:16:19: reactions[1].onn: unknown key 'onn'; did you mean 'on'?",
        "rules.yaml:17:23: reactions[2].to: unknown department 'prodct'; did you mean 'product'?",
        "rules.yaml:17:31: reactions[2].tagg: unknown key 'tagg'; did you mean 'tag'?",
        "rules.yaml:18:19: reactions[3].t: unknown key 't'; did you mean 'to'?",
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        (
            'admin_channel: "#ops"\n',
            'admin_channel: expected a list of destinations like {slack: "#channel"}, got a string',
        ),
        ("admin_channel: {slak: '#ops'}\n", None),
    ],
)
def test_admin_channel_problems_name_their_place(snippet: str, message: str | None) -> None:
    text = "version: 1\nsources: [{slack: '#c'}]\ndepartments: {cs: {post_to: [{slack: '#d'}]}}\nroutes: []\n"
    with pytest.raises(RulesError) as caught:
        load_rules_text(text + snippet)
    (problem,) = caught.value.problems
    assert problem.line == 5
    if message is not None:
        assert f"{problem.path}: {problem.message}" == message
    else:
        assert problem.path.startswith("admin_channel") and "slack" in problem.message


def test_an_admin_channel_is_never_routed_from() -> None:
    text = (
        "version: 1\nsources: [{slack: '#c'}]\ndepartments: {cs: {post_to: [{slack: '#d'}]}}\nroutes: []\n"
        "admin_channel: {slack: '#ops'}\n"
    )
    rs = load_rules_text(text)
    assert [str(d) for d in rs.admin_channel] == ["slack:#ops"]
    assert {str(d) for d in rs.department_destinations()} == {"slack:#d", "slack:#ops"}
