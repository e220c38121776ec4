"""click's own parser errors in the command line's language (merged into ``bot.core.texts``).

click words them in English through gettext; ``bot.cli.usage`` renders them again from the
pieces its exceptions carry (the option, the command, the close names, the parameter), and the
parameter types of ``bot.cli.params`` word what they refuse.  The English mirrors click's.
"""

from __future__ import annotations

JA: dict[str, str] = {
    "usage.aborted": "中止しました。",
    "usage.no_such_option": "オプション '{name}' はありません。",
    "usage.no_such_command": "コマンド '{name}' はありません。",
    "usage.did_you_mean": "{name} のつもりですか？",
    "usage.did_you_mean_any": "（近いもの: {names}）",
    "usage.missing_command": "コマンドを指定してください。",
    "usage.missing.argument": "引数 {hint} を指定してください。",
    "usage.missing.option": "オプション {hint} を指定してください。",
    "usage.missing.parameter": "{hint} を指定してください。",
    "usage.invalid_for": "{hint} の値が正しくありません: {message}",
    "usage.invalid": "値が正しくありません: {message}",
    "usage.needs_value": "オプション '{name}' には値を付けてください。",
    "usage.takes_no_value": "オプション '{name}' は値を取りません（'{name}' だけを書きます）。",
    "usage.extra": "余分な引数があります: {args}",
    "usage.choice": "{value!r} は選べません。{choices} のどれかを指定してください。",
    "usage.choose_from": "{choices} のどれかです。",
    "usage.integer": "{value!r} は整数ではありません。",
    "usage.date": "{value!r} は日付として読めません。2026-01-31 の形で指定してください。",
    "usage.no_file": "ファイル {path!r} がありません。",
    "usage.is_folder": "{path!r} はフォルダです。ファイルを指定してください。",
}

EN: dict[str, str] = {
    "usage.aborted": "Aborted!",
    "usage.no_such_option": "No such option '{name}'.",
    "usage.no_such_command": "No such command '{name}'.",
    "usage.did_you_mean": " Did you mean {name}?",
    "usage.did_you_mean_any": " (Did you mean one of: {names}?)",
    "usage.missing_command": "Missing command.",
    "usage.missing.argument": "Missing argument {hint}.",
    "usage.missing.option": "Missing option {hint}.",
    "usage.missing.parameter": "Missing parameter {hint}.",
    "usage.invalid_for": "Invalid value for {hint}: {message}",
    "usage.invalid": "Invalid value: {message}",
    "usage.needs_value": "Option '{name}' requires an argument.",
    "usage.takes_no_value": "Option '{name}' does not take a value.",
    "usage.extra": "Got unexpected extra arguments ({args})",
    "usage.extra.one": "Got unexpected extra argument ({args})",
    "usage.choice": "{value!r} is not one of {choices}.",
    "usage.choose_from": "Choose from {choices}.",
    "usage.integer": "{value!r} is not a valid integer.",
    "usage.date": "{value!r}: expected a date such as 2026-01-31.",
    "usage.no_file": "File {path!r} does not exist.",
    "usage.is_folder": "{path!r} is a folder: expected a file.",
}
