"""The command line as a user runs it: the demo end to end, rules check and rules test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.text import Text

from bot.cli.main import main
from bot.settings import bundled_rules_path
from tests.conftest import FIXTURES

BROKEN = """\
version: 1
locale: ja
sources:
  - {slack: "#community"}
departments:
  product: {label: 製品, post_to: [{slack: "#dept-product"}]}
routes:
  - name: bug
    when: {keywrd: [バグ]}
    to: [prodcut]
"""


def test_demo_end_to_end(tmp_path: Path) -> None:
    """The first README command's last step, in a fresh directory, as a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "COLUMNS": "80"}
    env["PATH"] = "/usr/bin:/bin"  # as right after `pip install` into a venv: kakehashi is not on PATH
    env.pop("KAKEHASHI_RULES", None)
    for name in ("KAKEHASHI_LOCALE", "LC_ALL", "LC_MESSAGES"):  # a Japanese desktop: LANG says ja
        env.pop(name, None)
    env["LANG"] = "ja_JP.UTF-8"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    posts = [
        json.loads(line) for line in (tmp_path / "kakehashi-out" / "demo-posts.jsonl").open(encoding="utf-8")
    ]
    destinations = {p["destination"] for p in posts}
    assert {"slack:#dept-product", "slack:#dept-cs", "slack:#dept-marketing"} <= destinations
    assert all(p["payload"]["reason"] for p in posts if p["kind"] == "repost")
    assert not any(
        p["payload"]["channel"] in ("#random", "#dept-product") for p in posts if p["kind"] == "repost"
    )
    assert "製品開発" in result.stdout or "product" in result.stdout
    assert (tmp_path / "kakehashi-demo.db").exists()
    # The demo says how to look at its data: the next command a user copies reads the demo's file
    # (not the default ./kakehashi.db) and the recap period is the sample's last week.
    venv_script = Path(sys.executable).parent / "kakehashi"
    command = str(venv_script) if venv_script.exists() else "kakehashi"
    assert f"DATABASE_URL=sqlite:///kakehashi-demo.db {command} stats" in result.stdout
    assert f"{command} recap --period 2026-11-16..2026-11-22" in result.stdout
    stats = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "stats", "--json"],
        cwd=tmp_path,
        env={**env, "DATABASE_URL": "sqlite:///kakehashi-demo.db"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    stored = json.loads(stats.stdout)["messages"]
    assert stored > 200
    # One screen that fits 80 columns: every line but the copyable commands is at most 80 cells,
    # and reasons wrap rather than being cut ("route \"bug-repor…").
    lines = result.stdout.splitlines()
    assert len(lines) < 60, len(lines)
    too_wide = [line for line in lines if Text(line).cell_len > 80 and "DATABASE_URL=" not in line]
    assert not too_wide, too_wide
    assert not any(line.rstrip().endswith("…") for line in lines if "理由:" in line)
    assert result.stdout.count("理由: 「") == 3  # three examples with their reasons, in Japanese (locale: ja)
    # Every stored message is accounted for: routed + matched nothing = stored, and the unmatched
    # are shown grouped (new posts and thread replies, with their channels).
    routed = int(re.search(r"(\d+)件を部門へ振り分け", result.stdout)[1])  # type: ignore[index]
    unmatched = int(re.search(r"(\d+)件はどのルートにも該当せず", result.stdout)[1])  # type: ignore[index]
    assert routed + unmatched == stored and f"{stored}件を保存" in result.stdout
    posts = int(re.search(r"新しい投稿 (\d+)件", result.stdout)[1])  # type: ignore[index]
    replies = int(re.search(r"スレッドの返信 (\d+)件", result.stdout)[1])  # type: ignore[index]
    assert posts + replies == unmatched


def test_rules_check_reports_positions_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert (
        f"{path}:9:12: routes[0].when.keywrd: unknown key 'keywrd'; did you mean 'keyword'?" in result.output
    )
    assert f"{path}:10:10: routes[0].to[0]: " in result.output and "did you mean 'product'?" in result.output


def test_rules_init_writes_the_bundled_rules_once(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    result = CliRunner().invoke(main, ["rules", "init", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == bundled_rules_path().read_text(encoding="utf-8")
    checked = CliRunner().invoke(main, ["rules", "check", str(target)])
    assert checked.exit_code == 0 and "OK" in checked.output
    target.write_text("version: 1  # mine\n", encoding="utf-8")
    again = CliRunner().invoke(main, ["rules", "init", str(target)])
    assert again.exit_code == 1 and str(target) in again.output  # "already exists" / "はもうあります"
    assert target.read_text(encoding="utf-8") == "version: 1  # mine\n"


def test_rules_check_ok() -> None:
    result = CliRunner().invoke(main, ["rules", "check", str(FIXTURES / "bot" / "rules.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_rules_test_explains_in_json() -> None:
    result = CliRunner().invoke(
        main,
        ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--json", "ＡＰＰが落ちるバグ"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [match] = data["matches"]
    assert match["route"] == "bug" and match["departments"] == ["product", "cs"] and match["tag"] == "bug"
    assert match["reasons"][0]["kind"] == "keyword"


@pytest.mark.parametrize("as_json", [False, True])
def test_rules_test_file_counts_and_accuracy(tmp_path: Path, as_json: bool) -> None:
    lines = [
        {"text": "落ちる", "expected": ["product", "cs"]},
        {"text": "I love it", "expected": "marketing"},
        {"text": "hello", "expected": []},
        {"text": "crash", "expected": ["product"]},
    ]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path)]
    result = CliRunner().invoke(main, [*args, "--json"] if as_json else args)
    assert result.exit_code == 0, result.output
    if as_json:
        summary = json.loads(result.output)["summary"]
        assert summary["accuracy"] == {"correct": 3, "labelled": 4, "ratio": 0.75}
        assert summary["by_route"] == {"bug": 2, "praise": 1, "(none)": 1}
        # "crash" also went to cs: noise for cs, product still right
        assert summary["departments"]["cs"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0}
        assert summary["departments"]["product"] == {
            "tp": 2,
            "fp": 0,
            "fn": 0,
            "precision": 1.0,
            "recall": 1.0,
        }
    else:
        assert "accuracy: 3/4 (75.0%)" in result.output
        assert "per department" in result.output


@pytest.mark.parametrize("as_json", [False, True])
def test_rules_test_file_scores_must_ok_rows_per_source(tmp_path: Path, as_json: bool) -> None:
    """Rows shaped like the shared development set: `must` routed, nothing outside must + ok."""
    lines = [
        {"text": "crash on start", "must": "product", "ok": ["cs"], "source": "bugs"},  # product+cs: right
        {"text": "crash again", "must": "cs", "source": "bugs"},  # product is not allowed: wrong
        {"text": "I love it", "must": "product", "ok": ["marketing"], "source": "bugs"},  # no product: wrong
        {"text": "hello there", "must": "none", "source": "chatter"},  # nothing routed: right
        {"text": "love it, crash", "must": "none", "source": "chatter"},  # routed: wrong
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path)]
    result = CliRunner().invoke(main, [*args, "--json"] if as_json else args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    if as_json:
        data = json.loads(result.output)
        assert data["summary"]["accuracy"] == {"correct": 2, "labelled": 5, "ratio": 0.4}
        assert data["summary"]["sources"] == {
            "bugs": {"correct": 1, "labelled": 3, "ratio": 0.3333},
            "chatter": {"correct": 1, "labelled": 2, "ratio": 0.5},
        }
        assert [r["expected"] for r in data["results"][:2]] == [["product", "cs"], ["cs"]]
        assert data["summary"]["departments"]["product"] == {
            "tp": 1,
            "fp": 2,
            "fn": 1,
            "precision": 0.3333,
            "recall": 0.5,
        }
    else:
        assert "per source" in result.output
        assert re.search(r"bugs\s+│\s+1\s+│\s+3\s+│\s+33%", result.output), result.output
        assert re.search(r"chatter\s+│\s+1\s+│\s+2\s+│\s+50%", result.output), result.output
        assert "accuracy: 2/5 (40.0%) right" in result.output


def test_rules_test_file_scores_a_line_as_the_running_bot_treats_it(tmp_path: Path) -> None:
    """A line that names its channel is not routed from a channel the bot does not listen to (or
    that a department posts to); `author_id` reaches `staff` conditions (fixture: admin U0ADMIN)."""
    rules = FIXTURES / "bot" / "rules.yaml"
    team = rules.read_text(encoding="utf-8").replace(
        "routes:\n", "routes:\n  - {name: team, when: {staff: true}, to: []}\n", 1
    )
    (tmp_path / "rules.yaml").write_text(team, encoding="utf-8")
    lines = [
        {"text": "crash on start", "channel": "#community", "must": "product", "ok": ["cs"]},
        {"text": "crash on start", "channel": "#random", "must": "none"},  # not a source
        {"text": "crash on start", "channel": "#dept-product", "must": "none"},  # a department's own
        {"text": "crash on start", "author_id": "U0ADMIN", "must": "none"},  # the team's answer
        {"text": "crash on start", "must": "product", "ok": ["cs"]},  # no channel: the --channel default
    ]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    args = ["rules", "test", "--rules", str(tmp_path / "rules.yaml"), "--file", str(path), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["accuracy"] == {"correct": 5, "labelled": 5, "ratio": 1.0}
    assert [r["ignored"] for r in data["results"]] == [
        None,
        "not a source channel",
        "posted in a department channel",
        None,
        None,
    ]
    assert [m["route"] for m in data["results"][3]["matches"]] == ["team"]
    alone = CliRunner().invoke(
        main, ["rules", "test", "--rules", str(tmp_path / "rules.yaml"), "--author", "U0ADMIN", "crash"]
    )
    assert alone.exit_code == 0 and "team" in alone.output, alone.output


def test_rules_test_file_says_how_many_misses_it_did_not_list(tmp_path: Path) -> None:
    lines = [{"text": f"hello {n}", "expected": ["product"]} for n in range(20)]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path)]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "accuracy: 0/20 (0.0%)" in result.output
    assert result.output.count("expected ['product'] got []") == 15
    assert "… and 5 more (--json lists every line)" in result.output


def test_rules_test_file_takes_a_json_array_with_tags_and_default_channel(tmp_path: Path) -> None:
    records = [
        {"message": "アプリが落ちる", "expected": ["product", "cs"], "expected_tag": "bug"},
        {"text": "hello", "expected_tag": None},
        {"text": "I love it", "expected_tag": "bug"},
    ]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["tag_accuracy"] == {"correct": 2, "labelled": 3, "ratio": 0.6667}
    assert [r["tag_ok"] for r in data["results"]] == [True, True, False]


def test_rules_test_file_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "broken"\n{"txt": "no text"}\n', encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"{path}:2:18: invalid JSON: Expecting ',' delimiter" in result.output


def test_rules_test_file_names_a_line_with_an_unknown_platform(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "バグ", "platform": "slak"}\n', encoding="utf-8")
    args = ["rules", "test", "--rules", str(FIXTURES / "bot" / "rules.yaml"), "--file", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"{path}:2: unknown platform 'slak' (expected one of: slack, teams," in result.output


def test_rules_test_text_explains_with_positions_in_the_original_text() -> None:
    """Full-width ＣＲＡＳＨ and half-width ﾊﾞｸﾞ match crash / バグ; spans point into what was typed."""
    rules = str(FIXTURES / "bot" / "rules.yaml")
    result = CliRunner().invoke(main, ["rules", "test", "--rules", rules, "ｱﾌﾟﾘのﾊﾞｸﾞでＣＲＡＳＨ"])
    assert result.exit_code == 0, result.output
    assert "bug → product, cs  tag=bug" in result.output
    assert 'routes[0].when.keyword[0]: keyword "バグ" at 5-9' in result.output
    assert 'routes[0].when.keyword[2]: keyword "crash" at 10-15' in result.output
    quiet = CliRunner().invoke(main, ["rules", "test", "--rules", rules, "こんにちは"])
    assert quiet.exit_code == 0 and "no route matched" in quiet.output


def test_rules_test_explains_a_miss_in_text_and_json() -> None:
    rules = str(FIXTURES / "bot" / "rules.yaml")
    result = CliRunner().invoke(main, ["rules", "test", "--rules", rules, "the app froze twice"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "no route matched — this message would be stored but not reposted",
        "Nearest routes and what they lacked:",
        "  - route `bug` needs a keyword from [バグ, 落ちる, crash]; found none (0/1 conditions held)",
        "  - route `praise` needs a keyword from [助かりました, love it]; found none (0/1 conditions held)",
    ]
    data = json.loads(CliRunner().invoke(main, ["rules", "test", "--rules", rules, "--json", "hi"]).output)
    explanation = data["explanation"]
    assert (explanation["routed"], explanation["stopped_by"], explanation["shadowed"]) == (False, None, [])
    assert explanation["nearest"][0] == {
        "route": "bug",
        "label": None,
        "path": "routes[0]",
        "departments": ["product", "cs"],
        "satisfied": 0,
        "total": 1,
        "held": [],
        "missing": [
            {
                "path": "routes[0].when.keyword",
                "kind": "keyword",
                "wanted": ["バグ", "落ちる", "crash"],
                "found": [],
            }
        ],
        "stopped_by": None,
    }
    assert explanation["says"]["nearest"][0] == (
        "route `bug` needs a keyword from [バグ, 落ちる, crash]; found none (0/1 conditions held)"
    )


def test_rules_test_refuses_an_unknown_platform() -> None:
    rules = str(FIXTURES / "bot" / "rules.yaml")
    result = CliRunner().invoke(main, ["rules", "test", "--rules", rules, "--platform", "slak", "バグ"])
    assert result.exit_code == 2
    assert "Invalid value for '--platform': 'slak' is not one of 'slack', 'teams'" in result.output


def test_bad_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "PORT='eighty': expected a whole number" in result.output


def test_rules_commands_only_read_the_rules_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad PORT stops the server, not `rules check` (it used to end in a SettingsError traceback)."""
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("KAKEHASHI_RULES", str(FIXTURES / "bot" / "rules.yaml"))
    checked = CliRunner().invoke(main, ["rules", "check"])
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output
    tested = CliRunner().invoke(main, ["rules", "test", "--json", "バグ"])
    assert tested.exit_code == 0 and json.loads(tested.output)["matches"], tested.output


def test_a_rules_setting_that_points_nowhere_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.yaml"
    monkeypatch.setenv("KAKEHASHI_RULES", str(missing))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    expected = f"KAKEHASHI_RULES='{missing}': does not exist; expected the path of a rules.yaml"
    for args, code in ((["rules", "check"], 2), (["rules", "test", "x"], 2), (["serve"], 1)):
        result = CliRunner().invoke(main, args)
        assert (result.exit_code, expected in result.output) == (code, True), (args, result.output)
    # commands that never read the rules still work
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0


@pytest.mark.parametrize(
    ("channel", "ignored"),
    [
        ("#community", None),
        ("#random", "not a source channel"),
        ("#dept-product", "posted in a department channel"),
    ],
)
def test_rules_test_says_when_the_bot_would_ignore_the_channel(channel: str, ignored: str | None) -> None:
    rules = str(FIXTURES / "bot" / "rules.yaml")
    args = ["rules", "test", "--rules", rules, "--channel", channel, "アプリが落ちるバグ"]
    as_json = CliRunner().invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["ignored"] == ignored and data["matches"][0]["route"] == "bug"
    text = CliRunner().invoke(main, args, env={"COLUMNS": "200"})
    note = f"note: slack {channel}: {ignored}, so the running bot ignores messages there"
    assert (note in text.output) == (ignored is not None), text.output


def test_serve_on_a_port_in_use_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A second `kakehashi serve` on the same PORT names the setting instead of an OSError traceback."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("HOST", "127.0.0.1")
        monkeypatch.setenv("PORT", str(port))
        monkeypatch.setenv("KAKEHASHI_RULES", str(FIXTURES / "bot" / "rules.yaml"))
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
        result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1, result.output
    assert f"PORT={port}: cannot listen on 127.0.0.1:{port}: address already in use;" in result.output
    assert "set another PORT" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("channel", ["webhook:forum", "forum"])
def test_rules_test_names_a_webhook_source_as_the_live_webhook_does(tmp_path: Path, channel: str) -> None:
    """docs/forums.md: webhook messages have channel "webhook:<source>"; either spelling is the source."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        (FIXTURES / "bot" / "rules.yaml")
        .read_text(encoding="utf-8")
        .replace("sources:\n", "sources:\n  - {webhook: forum}\n", 1),
        encoding="utf-8",
    )
    args = ["rules", "test", "--rules", str(rules), "--platform", "webhook", "--channel", channel]
    result = CliRunner().invoke(main, [*args, "--json", "アプリが落ちるバグ"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ignored"] is None and data["matches"][0]["route"] == "bug", data
    other = CliRunner().invoke(main, [*args[:-1], "webhook:typeform", "--json", "アプリが落ちるバグ"])
    assert json.loads(other.output)["ignored"] == "not a source channel"


def test_every_help_lists_its_commands_without_cutting_them_off() -> None:
    """`kakehashi --help` (and each group's) on an 80-column terminal: whole sentences, no '...'."""
    import click

    def groups(command: click.Command, path: list[str]) -> list[list[str]]:
        found = [path]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                if isinstance(sub, click.Group):
                    found += groups(sub, [*path, name])
        return found

    paths = groups(main, [])
    assert ["rules"] in paths and ["import"] in paths
    for path in paths:
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
        assert result.exit_code == 0, result.output
        listed = re.split(r"^(?:Commands|コマンド):$", result.output, maxsplit=1, flags=re.M)[1].splitlines()
        assert listed and not [line for line in listed if line.rstrip().endswith("...")], (
            path,
            result.output,
        )


def test_serve_logging_leaves_out_the_libraries_per_request_lines() -> None:
    """README: while Slack cannot be reached, one `Failed to connect` line per retry; the Discourse
    poller's every httpx request is not an INFO line either.  LOG_LEVEL=DEBUG shows them all."""
    import logging

    from bot.cli.main import _logging

    names = ("httpx", "slack_sdk")
    before = {name: logging.getLogger(name).level for name in (*names, "")}
    try:
        logging.getLogger().setLevel(logging.INFO)  # as basicConfig(level=INFO) leaves the root
        _logging("INFO")
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert not logging.getLogger("slack_sdk.web.async_base_client").isEnabledFor(logging.INFO)
        assert logging.getLogger("slack_sdk").isEnabledFor(logging.WARNING)
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_every_option_says_what_it_is_for() -> None:
    import click

    def bare(command: click.Command, path: list[str]) -> list[str]:
        if isinstance(command, click.Group):
            return [b for name, sub in command.commands.items() for b in bare(sub, [*path, name])]
        return [
            f"{' '.join(path)} --{p.name}"
            for p in command.params
            if isinstance(p, click.Option) and not p.help
        ]

    assert bare(main, []) == []


def test_rules_check_speaks_the_rules_locale(tmp_path: Path) -> None:
    """CLI messages follow the rules' ``locale`` (issue 16): the bundled starter is Japanese."""
    ja = CliRunner().invoke(main, ["rules", "check", str(bundled_rules_path())])
    assert ja.exit_code == 0 and "OK — 部門 6・ルート" in ja.output, ja.output
    en = CliRunner().invoke(main, ["rules", "check", str(FIXTURES / "bot" / "rules.yaml")])
    assert en.exit_code == 0 and "OK — 3 departments, 2 routes" in en.output, en.output
