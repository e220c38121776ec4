"""A bad setting and a bad rules file, told in the command line's language (ja or en).

``kakehashi`` is run as a user runs it (a subprocess, LANG or the rules' ``locale:`` choosing);
the place of a rules problem (``file:line:col: path``) stays as it is, the sentence after it is
in the language, and the logs' English (``str()``) does not change with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.text import Text

from bot.core import rules_texts, settings_texts, usage_texts
from bot.core.errors import SettingsError
from bot.settings import Settings
from rules import RulesError, load_rules
from tests.bot.test_cli_language import kakehashi

ROOT = Path(__file__).resolve().parents[2]

BROKEN = """\
version: 1
timezone: JST
sources:
  - slack: "#community"
departments:
  product:
    label: Product
    post_to: {slack: "#dept-product"}
routes:
  - name: bugs
    when: {keywrd: [bug]}
    to: prodcut
  - name: bugs
    when: {keyword: [crash]}
    to: [product]
    notify: yes
"""


def test_every_new_text_in_both_languages() -> None:
    for module in (usage_texts, settings_texts, rules_texts):
        assert {k for k in module.JA if not k.endswith(".one")} == {
            k for k in module.EN if not k.endswith(".one")
        }, module.__name__


def test_every_problem_key_the_rules_use_is_in_the_table() -> None:
    used = set()
    for source in (ROOT / "rules").glob("*.py"):
        used |= set(re.findall(r'said\(\s*"([^"]+)"', source.read_text(encoding="utf-8")))
    assert used
    missing = sorted(key for key in used if f"rules.{key}" not in rules_texts.EN)
    assert not missing


def fits(text: str) -> bool:
    return not [line for line in text.splitlines() if Text(line).cell_len > 80]


def test_a_bad_setting_in_each_language(tmp_path: Path) -> None:
    ja = kakehashi(tmp_path, "outbox", "list", LANG="ja_JP.UTF-8", PORT="abc")
    assert (ja.returncode, ja.stdout) == (1, "")
    assert ja.stderr == "エラー: PORT='abc': 整数で指定してください（例: PORT=3000）\n"
    en = kakehashi(tmp_path, "outbox", "list", LANG="en_US.UTF-8", PORT="abc")
    assert (en.returncode, en.stderr) == (1, "Error: PORT='abc': expected a whole number, e.g. PORT=3000\n")

    ja = kakehashi(tmp_path, "outbox", "list", LANG="ja_JP.UTF-8", DATABASE_URL="mysql://db/kakehashi")
    assert ja.returncode == 1
    assert ja.stderr == (
        "エラー: DATABASE_URL: 'mysql' には対応していません。postgresql:// か sqlite://\n  を使ってください\n"
    )
    assert fits(ja.stderr)
    en = kakehashi(tmp_path, "outbox", "list", KAKEHASHI_LOCALE="en", DATABASE_URL="mysql://db/kakehashi")
    assert en.stderr == "Error: DATABASE_URL: unsupported database 'mysql'; use postgresql:// or sqlite://\n"

    (tmp_path / ".env").write_text("KAKEHASHI_RULES=nowhere.yaml\n", encoding="utf-8")
    ja = kakehashi(tmp_path, "rules", "check", LANG="ja_JP.UTF-8")
    assert ja.returncode == 2
    assert ja.stderr == (
        "KAKEHASHI_RULES='nowhere.yaml': そのファイルはありません。rules.yaml のパスを指\n"
        "  定してください（kakehashi rules init で作れます）\n"
    )


def test_a_settings_error_stays_english_for_the_logs() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"KAKEHASHI_OUTBOX_POLL_SECONDS": "0"})
    assert str(caught.value) == (
        "KAKEHASHI_OUTBOX_POLL_SECONDS='0': expected a number of seconds above 0, "
        "e.g. KAKEHASHI_OUTBOX_POLL_SECONDS=1.0"
    )
    assert caught.value.text("ja") == (
        "KAKEHASHI_OUTBOX_POLL_SECONDS='0': 0 より大きい秒数で指定してください"
        "（例: KAKEHASHI_OUTBOX_POLL_SECONDS=1.0）"
    )


def test_rules_check_in_each_language_keeps_the_place(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(BROKEN, encoding="utf-8")
    ja = kakehashi(tmp_path, "rules", "check", LANG="ja_JP.UTF-8")
    assert ja.returncode == 2  # as before: rules check exits 2 on a broken file
    assert ja.stderr == (
        "rules.yaml:2:11: timezone: タイムゾーン 'JST' はありません。'Asia/Tokyo' のつも\n"
        "  りですか？（JST は略称で、タイムゾーンの名前ではありません）\n"
        "rules.yaml:11:12: routes[0].when.keywrd: キー 'keywrd' はありません。'keyword'\n"
        "  のつもりですか？\n"
        "rules.yaml:12:9: routes[0].to: 部門 'prodcut' はありません。'product' のつもりで\n"
        "  すか？\n"
        "rules.yaml:13:11: routes[1].name: ルート名 'bugs' が重複しています（最初は 10 行\n"
        "  目）\n"
        "rules.yaml:16:5: routes[1].notify: キー 'notify' はありません（使えるもの: name,\n"
        "  label, when, to, tag, continue, routes, allow_private, description,\n"
        "  reply_on_close）\n"
    )
    assert fits(ja.stderr)
    en = kakehashi(tmp_path, "rules", "check", LANG="ja_JP.UTF-8", KAKEHASHI_LOCALE="en")
    assert en.returncode == 2
    assert en.stderr.splitlines() == [
        "rules.yaml:2:11: timezone: unknown timezone 'JST'; did you mean 'Asia/Tokyo'? "
        "(JST is an abbreviation, not a time zone)",
        "rules.yaml:11:12: routes[0].when.keywrd: unknown key 'keywrd'; did you mean 'keyword'?",
        "rules.yaml:12:9: routes[0].to: unknown department 'prodcut'; did you mean 'product'?",
        "rules.yaml:13:11: routes[1].name: duplicate route name 'bugs' (first defined at line 10)",
        "rules.yaml:16:5: routes[1].notify: unknown key 'notify' (expected one of: name, label, when, to, "
        "tag, continue, routes, allow_private, description, reply_on_close)",
    ]
    with pytest.raises(RulesError) as caught:  # what the logs and the reload notice say: English
        load_rules(tmp_path / "rules.yaml")
    assert str(caught.value) == "\n".join(
        line.replace("rules.yaml", str(tmp_path / "rules.yaml")) for line in en.stderr.splitlines()
    )


def test_the_rules_own_locale_chooses_when_nothing_else_does(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(BROKEN.replace("version: 1\n", "version: 1\nlocale: ja\n"), "utf-8")
    shown = kakehashi(tmp_path, "recap", LANG="en_US.UTF-8")  # the rules say ja, over LANG
    assert shown.returncode == 1
    assert shown.stderr.startswith("エラー: rules.yaml:3:11: timezone: タイムゾーン 'JST' はありません。")
    assert fits(shown.stderr)


def test_a_rules_file_that_is_not_there(tmp_path: Path) -> None:
    ja = kakehashi(tmp_path, "rules", "check", "nowhere.yaml", LANG="ja_JP.UTF-8")
    assert (ja.returncode, ja.stderr) == (2, "nowhere.yaml: ファイルがありません（パスを確かめてください）\n")
    en = kakehashi(tmp_path, "rules", "check", "nowhere.yaml", LANG="en_US.UTF-8")
    assert (en.returncode, en.stderr) == (
        2,
        "nowhere.yaml: cannot read the file: No such file or directory\n",
    )


def test_a_bad_line_of_messages_for_rules_test(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text('{"text": "ok"}\n{"text": "バグ", "platform": "slak"}\n', "utf-8")
    rules = str(ROOT / "tests" / "fixtures" / "bot" / "rules.yaml")
    args = ("rules", "test", "--rules", rules, "--file", "m.jsonl")
    ja = kakehashi(tmp_path, *args, LANG="ja_JP.UTF-8")
    assert ja.returncode == 1
    assert ja.stderr.startswith("エラー: m.jsonl:2: プラットフォーム 'slak' はありません（使えるもの: slack,")
    assert fits(ja.stderr)
    en = kakehashi(tmp_path, *args, LANG="en_US.UTF-8")
    assert en.returncode == 1
    assert en.stderr.startswith("Error: m.jsonl:2: unknown platform 'slak' (expected one of: slack, teams,")
