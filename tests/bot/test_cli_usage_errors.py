"""click's own parser errors in the command line's language, exit code 2 as click gives them.

Each class of usage error is typed as a user would, in Japanese and in English, through the real
``kakehashi`` group (click's CliRunner), and a few whole outputs through a subprocess.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.text import Text

from bot.cli.main import main
from tests.bot.test_cli_language import NO_LOCALE, kakehashi


def invoke(args: list[str], locale: str) -> Result:
    return CliRunner().invoke(
        main, args, env={**NO_LOCALE, "KAKEHASHI_LOCALE": locale}, prog_name="kakehashi"
    )


CASES = [
    (
        ["--foo"],
        "エラー: オプション '--foo' はありません。",
        "Error: No such option '--foo'.",
    ),
    (
        ["outbox", "list", "--staus", "dead"],
        "エラー: オプション '--staus' はありません。'--status' のつもりですか？",
        "Error: No such option '--staus'. Did you mean '--status'?",
    ),
    (
        ["reacp"],
        "エラー: コマンド 'reacp' はありません。'recap' のつもりですか？",
        "Error: No such command 'reacp'. Did you mean 'recap'?",
    ),
    (
        ["rules", "chek"],
        "エラー: コマンド 'chek' はありません。'check' のつもりですか？",
        "Error: No such command 'chek'. Did you mean 'check'?",
    ),
    (
        ["import", "discourse"],
        "エラー: オプション '--since' を指定してください。",
        "Error: Missing option '--since'.",
    ),
    (
        ["import", "slack-export"],
        "エラー: 引数 'PATH' を指定してください。",
        "Error: Missing argument 'PATH'.",
    ),
    (
        ["recap", "--as-of", "2026-13-01"],
        "エラー: '--as-of' の値が正しくありません: '2026-13-01' は日付として読めません。\n"
        "  2026-01-31 の形で指定してください。",
        "Error: Invalid value for '--as-of': '2026-13-01': expected a date such as 2026-01-31.",
    ),
    (
        ["recap", "--format", "xml"],
        "エラー: '--format' の値が正しくありません: 'xml' は選べません。'text',\n"
        "  'markdown', 'json' のどれかを指定してください。",
        "Error: Invalid value for '--format': 'xml' is not one of 'text', 'markdown', 'json'.",
    ),
    (
        ["outbox", "list", "--limit", "many"],
        "エラー: '--limit' の値が正しくありません: 'many' は整数ではありません。",
        "Error: Invalid value for '--limit': 'many' is not a valid integer.",
    ),
    (
        ["rules", "test", "--file", "nowhere.jsonl", "hello"],
        "エラー: '--file' の値が正しくありません: ファイル 'nowhere.jsonl' がありません。",
        "Error: Invalid value for '--file': File 'nowhere.jsonl' does not exist.",
    ),
    (
        ["db", "upgrade", "now"],
        "エラー: 余分な引数があります: now",
        "Error: Got unexpected extra argument (now)",
    ),
    (
        ["db", "upgrade", "now", "please"],
        "エラー: 余分な引数があります: now please",
        "Error: Got unexpected extra arguments (now please)",
    ),
    (
        ["recap", "--as-of"],
        "エラー: オプション '--as-of' には値を付けてください。",
        "Error: Option '--as-of' requires an argument.",
    ),
    (
        ["demo", "--verbose=yes"],
        "エラー: オプション '--verbose' は値を取りません（'--verbose' だけを書きます）。",
        "Error: Option '--verbose' does not take a value.",
    ),
]


@pytest.mark.parametrize(("args", "ja", "en"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_each_usage_error_in_japanese_and_in_english(
    args: list[str], ja: str, en: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for locale, expected in (("ja", ja), ("en", en)):
        result = invoke(args, locale)
        assert result.exit_code == 2, result.output  # click's code for a usage error, kept
        assert result.output.endswith(expected + "\n"), result.output
    japanese = invoke(args, "ja").output
    assert not [line for line in japanese.splitlines() if Text(line).cell_len > 80]  # English: as click
    assert "Error:" not in japanese


def test_a_usage_error_as_typed_in_each_language(tmp_path: Path) -> None:
    ja = kakehashi(tmp_path, "reacp", LANG="ja_JP.UTF-8")
    assert (ja.returncode, ja.stdout) == (2, "")
    assert ja.stderr == (
        "使い方: kakehashi [OPTIONS] COMMAND [ARGS]...\n"
        "ヘルプは 'kakehashi --help' で表示できます。\n"
        "\n"
        "エラー: コマンド 'reacp' はありません。'recap' のつもりですか？\n"
    )
    en = kakehashi(tmp_path, "reacp", LANG="en_US.UTF-8")
    assert (en.returncode, en.stdout) == (2, "")
    assert en.stderr == (
        "Usage: kakehashi [OPTIONS] COMMAND [ARGS]...\n"
        "Try 'kakehashi --help' for help.\n"
        "\n"
        "Error: No such command 'reacp'. Did you mean 'recap'?\n"
    )
    ja = kakehashi(tmp_path, "outbox", "list", "--status", "lost", LANG="ja_JP.UTF-8")
    assert ja.returncode == 2
    assert ja.stderr == (
        "使い方: kakehashi outbox list [OPTIONS]\n"
        "ヘルプは 'kakehashi outbox list --help' で表示できます。\n"
        "\n"
        "エラー: '--status' の値が正しくありません: 'lost' は選べません。'pending',\n"
        "  'sent', 'dead', 'cancelled' のどれかを指定してください。\n"
    )


def test_a_group_without_its_command_still_shows_its_help(tmp_path: Path) -> None:
    shown = kakehashi(tmp_path, "rules", LANG="ja_JP.UTF-8")
    assert shown.returncode == 2
    assert shown.stderr.startswith("使い方: kakehashi rules [OPTIONS] COMMAND [ARGS]...")


def test_a_refused_answer_and_an_abort_at_a_question(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kakehashi init` asks; a wrong answer is refused in the language, the end of input aborts."""
    monkeypatch.chdir(tmp_path)
    for locale, refused, aborted in (
        (
            "ja",
            "エラー: 'x' は選べません。'slack', 'teams' のどれかを指定してください。\n",
            "中止しました。\n",
        ),
        ("en", "Error: 'x' is not one of 'slack', 'teams'.\n", "Aborted!\n"),
    ):
        result = CliRunner().invoke(
            main, ["init"], input="x\n", env={**NO_LOCALE, "KAKEHASHI_LOCALE": locale}, prog_name="kakehashi"
        )
        assert result.exit_code == 1
        assert result.stderr == refused + aborted
        assert not (tmp_path / ".env").exists()  # nothing written


def test_the_version_line_in_each_language(tmp_path: Path) -> None:
    ja = kakehashi(tmp_path, "--version", LANG="ja_JP.UTF-8")
    assert ja.returncode == 0 and ja.stdout.startswith("kakehashi バージョン ")
    en = kakehashi(tmp_path, "--version", LANG="en_US.UTF-8")
    assert en.returncode == 0 and en.stdout.startswith("kakehashi, version ")
