"""The command line speaks ja or en: which one (bot.cli.language), and what it then says.

The choice is read from the environment, the rules file and LANG, in that order; the outputs are
the real CLI's, through click's CliRunner or a subprocess as `kakehashi` is run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.text import Text

from bot.cli.language import cli_locale
from bot.cli.main import main
from bot.core import cli_texts, help_texts
from bot.settings import bundled_rules_path
from rules.ruleset import load_rules

ROOT = Path(__file__).resolve().parents[2]
RUN = "import sys; from bot.cli.main import main; main(sys.argv[1:], prog_name='kakehashi')"
NO_LOCALE = {"KAKEHASHI_LOCALE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}


def rules_file(folder: Path, locale: str) -> Path:
    path = folder / "rules.yaml"
    path.write_text(f"version: 1\nlocale: {locale}\nsources: []\ndepartments: {{}}\nroutes: []\n", "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # ./rules.yaml and ./.env are read from here
    return tmp_path


def test_kakehashi_locale_wins_then_the_rules_then_lang(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli_locale(NO_LOCALE) == "en"
    assert cli_locale({**NO_LOCALE, "LANG": "ja_JP.UTF-8"}) == "ja"
    assert cli_locale({**NO_LOCALE, "LANG": "C.UTF-8"}) == "en"
    # LC_ALL, then LC_MESSAGES, then LANG: the first one set decides
    assert cli_locale({**NO_LOCALE, "LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}) == "en"
    assert cli_locale({**NO_LOCALE, "LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_GB.UTF-8"}) == "ja"
    rules_file(folder, "ja")  # ./rules.yaml says ja: over LANG
    assert cli_locale({**NO_LOCALE, "LANG": "en_US.UTF-8"}) == "ja"
    (folder / "other").mkdir()
    elsewhere = rules_file(folder / "other", "en")  # KAKEHASHI_RULES: that file's locale
    assert cli_locale({**NO_LOCALE, "KAKEHASHI_RULES": str(elsewhere), "LANG": "ja_JP.UTF-8"}) == "en"
    assert cli_locale({**NO_LOCALE, "KAKEHASHI_LOCALE": "en"}) == "en"  # over the rules
    assert cli_locale({**NO_LOCALE, "KAKEHASHI_LOCALE": "fr", "LANG": "en_US.UTF-8"}) == "ja"  # ignored
    (folder / ".env").write_text("KAKEHASHI_LOCALE=en\n", encoding="utf-8")  # ./.env is read too
    monkeypatch.delenv("KAKEHASHI_LOCALE", raising=False)
    assert cli_locale() == "en"


def test_the_starter_as_shipped_is_nobodys_choice(folder: Path) -> None:
    """A fresh clone's ./rules.yaml links to the bundled starter (locale: ja): LANG decides."""
    assert load_rules(bundled_rules_path()).locale == "ja"
    (folder / "rules.yaml").symlink_to(bundled_rules_path())
    assert cli_locale({**NO_LOCALE, "LANG": "en_US.UTF-8"}) == "en"
    (folder / "rules.yaml").unlink()
    (folder / "rules.yaml").write_text(bundled_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert cli_locale({**NO_LOCALE, "LANG": "en_US.UTF-8"}) == "en"  # a copy of it, too


def test_both_languages_have_every_text() -> None:
    for module in (cli_texts, help_texts):
        assert {k for k in module.JA if not k.endswith(".one")} == {
            k for k in module.EN if not k.endswith(".one")
        }


def kakehashi(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **NO_LOCALE, "PYTHONPATH": str(ROOT), "COLUMNS": "80", **env}
    environ.pop("KAKEHASHI_RULES", None)
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_in_japanese_fits_80_columns(tmp_path: Path) -> None:
    for args in (("--help",), ("init", "--help"), ("rules", "test", "--help"), ("doctor", "--help")):
        shown = kakehashi(tmp_path, *args, LANG="ja_JP.UTF-8")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith("使い方: kakehashi"), shown.stdout
        assert "オプション:" in shown.stdout and "このヘルプを表示して終了します。" in shown.stdout
        too_wide = [line for line in shown.stdout.splitlines() if Text(line).cell_len > 80]
        assert not too_wide, too_wide
        assert not [
            line for line in shown.stdout.splitlines() if line.lstrip().startswith(("、", "。", "）"))
        ]
    top = kakehashi(tmp_path, "--help", LANG="ja_JP.UTF-8").stdout
    assert "  doctor          設定・認証情報・チャンネル・ルール・データベースを確認しま" in top
    english = kakehashi(tmp_path, "--help", LANG="ja_JP.UTF-8", KAKEHASHI_LOCALE="en").stdout
    assert english.startswith("Usage: kakehashi") and "Check settings, credentials, channels" in english


def test_errors_and_hints_in_each_language(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    first = kakehashi(tmp_path, "rules", "init", LANG="ja_JP.UTF-8")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(
        "rules.yaml を書きました。sources・departments・admins と製品の用語を編集してから"
    )
    assert target.is_file()
    again = kakehashi(tmp_path, "rules", "init", LANG="ja_JP.UTF-8")
    assert again.returncode == 1
    assert again.stderr == (  # 86 cells: wrapped at 80, the rest under the text
        "エラー: rules.yaml はもうあります: そのファイルを編集するか、別の PATH を指定し\n  てください\n"
    )
    check = kakehashi(tmp_path, "rules", "check", KAKEHASHI_LOCALE="en")
    assert check.stdout.startswith("rules.yaml: OK — ")  # KAKEHASHI_LOCALE over the file's locale: ja


def invoke(args: list[str], **env: str) -> Result:
    return CliRunner().invoke(main, args, env={**NO_LOCALE, **env}, prog_name="kakehashi")


def test_usage_errors_say_where_help_is_in_the_same_language() -> None:
    ja = invoke(["outbox", "retry"], KAKEHASHI_LOCALE="ja")
    assert ja.exit_code == 2
    assert "ヘルプは 'kakehashi outbox retry --help' で表示できます。" in ja.output
    assert ja.output.endswith("エラー: 行の ID か --all を指定してください\n")
    en = invoke(["slack-manifest", "--url", "http://example.com"], KAKEHASHI_LOCALE="en")
    assert en.exit_code == 2
    assert "Try 'kakehashi slack-manifest --help' for help." in en.output
    assert "Error: --url: 'http://example.com': expected the public https:// address" in en.output
    ja = invoke(["slack-manifest", "--url", "http://example.com"], LANG="ja_JP.UTF-8")
    assert (
        "エラー: --url: 'http://example.com': kakehashi serve の公開 https:// アドレスを\n  指定してください"
        in ja.output
    )


def test_doctor_names_a_locale_it_cannot_speak(tmp_path: Path) -> None:
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = invoke(["doctor"], KAKEHASHI_LOCALE="fr", DATABASE_URL="sqlite:///x.db", LANG="en_US.UTF-8")
    assert result.exit_code == 1
    assert "✗ KAKEHASHI_LOCALE='fr': expected one of ja, en" in result.output
    assert "kakehashi doctor: checking the set-up" in result.output  # and speaks LANG meanwhile


def test_init_in_a_fresh_clone_replaces_the_link_to_the_starter_and_speaks_lang(tmp_path: Path) -> None:
    """README: `kakehashi init` in a clone, where ./rules.yaml links to the package's starter."""
    starter = bundled_rules_path().read_bytes()
    (tmp_path / "rules.yaml").symlink_to(bundled_rules_path())
    args = ("init", "--platform", "slack", "--source", "#community", "--no-input")
    result = kakehashi(tmp_path, *args, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote rules.yaml\nwrote .env\nNext: ")
    assert not (tmp_path / "rules.yaml").is_symlink()
    written = load_rules(tmp_path / "rules.yaml")
    assert written.locale == "en"  # the language it was asked in, and the starter's words in it
    assert written.departments["product"].label == "Product"
    texts = [d.label for d in written.departments.values()]
    texts += [d.goal.text for d in written.departments.values() if d.goal]
    texts += [
        t
        for r in written.routes
        if r.reply_on_close
        for t in (r.reply_on_close.done, r.reply_on_close.declined)
    ]
    assert texts and not [t for t in texts if t and Text(t).cell_len != len(t)], texts  # no Japanese left
    assert bundled_rules_path().read_bytes() == starter  # never written through the link
    again = kakehashi(tmp_path, *args, LANG="en_US.UTF-8")  # now it is the user's: kept
    assert (
        again.returncode == 1
        and again.stderr == "Error: rules.yaml already exists: --force to overwrite it\n"
    )


def test_doctor_in_japanese_wraps_at_80_columns_between_characters(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "sqlite:///nothing-yet.db", "SLACK_BOT_TOKEM": "xoxb-typo", "COLUMNS": "80"}
    result = kakehashi(tmp_path, "doctor", LANG="ja_JP.UTF-8", **env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "kakehashi doctor: 設定の診断"
    at = lines.index("✗ SLACK_BOT_TOKEM: kakehashi はこの変数を読みません。SLACK_BOT_TOKEN のつもりで")
    assert lines[at + 1] == "  すか？"  # 83 cells: the rest under the text, not a whole sentence moved down
    assert not [line for line in lines if Text(line).cell_len > 80]
    assert not [line for line in lines if line.lstrip().startswith(("、", "。", "）"))]
    assert not [line for line in lines if line != line.rstrip()]  # no padding to the terminal's width
