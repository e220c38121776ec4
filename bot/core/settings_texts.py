"""A missing or malformed setting (``SettingsError``), in each language (merged into
``bot.core.texts``).  The English is the error's own text (``str(error)``, what the logs say);
a person at the command line reads it in its language (``KakehashiError.text``)."""

from __future__ import annotations

JA: dict[str, str] = {
    "settings.alias_conflict": "{alias} と {name} に別々の値が設定されています。どちらか一方だけにしてください",
    "settings.env_unreadable": "{path}: ファイルを読めません（{error}）",
    "settings.env_line": "{path}:{line}: NAME=値 の形ではありません（{text!r}）",
    "settings.rules_missing": (
        "KAKEHASHI_RULES={raw!r}: そのファイルはありません。rules.yaml のパスを指定してください"
        "（kakehashi rules init で作れます）"
    ),
    "settings.rules_folder": (
        "KAKEHASHI_RULES={raw!r}: フォルダです。rules.yaml のパスを指定してください"
        "（kakehashi rules init で作れます）"
    ),
    "settings.whole_number": "{name}={raw!r}: 整数で指定してください（例: {name}={default}）",
    "settings.range": "{name}={raw!r}: {low}〜{high} の数で指定してください",
    "settings.seconds": "{name}={raw!r}: 秒数で指定してください（例: {name}={default}）",
    "settings.seconds_zero_ok": "{name}={raw!r}: 0 以上の秒数で指定してください（例: {name}={default}）",
    "settings.seconds_above_zero": "{name}={raw!r}: 0 より大きい秒数で指定してください（例: {name}={default}）",
    "settings.choice": "{name}={raw!r}: {choices} のどれかを指定してください",
    "settings.url": "{name}={raw!r}: http(s) の URL を指定してください（例: https://example.com/）",
    "settings.slash_command": "SLACK_COMMAND={command!r}: /kakehashi のようなスラッシュコマンドを指定してください",
    "settings.tenant_required": (
        "MICROSOFT_APP_TENANT_ID を設定してください: MICROSOFT_APP_TYPE=SingleTenant（既定）では"
        "テナント ID が必要です（Azure では 2025-07-31 以降、マルチテナントのボットは新しく作れません）。"
        "テナント ID は Entra ID の概要に表示されています"
    ),
    "settings.app_token": "SLACK_APP_TOKEN: xapp- で始まるアプリレベルトークンを指定してください",
    "settings.dashboard_token": (
        "DASHBOARD_TOKEN: {minimum}文字以上にしてください（いまは{length}文字）。作り方: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"
    ),
    "settings.db_parse": (
        "DATABASE_URL: {url!r} を読めません。postgresql://user@host:5432/db や "
        "sqlite:///./kakehashi.db の形で指定してください"
    ),
    "settings.db_backend": "DATABASE_URL: {backend!r} には対応していません。postgresql:// か sqlite:// を使ってください",
    "settings.db_unreachable": "DATABASE_URL: {where} を開けません（{reason}）",
    "settings.db_unreachable_sqlite": (
        "DATABASE_URL: {where} を開けません（{reason}）。フォルダはありますか？ kakehashi が"
        "そこに書き込めますか？"
    ),
    "settings.db_no_folder": "DATABASE_URL: {where} を開けません: フォルダ {folder} がありません",
    "settings.db_read_only": "DATABASE_URL: {where} を開けません: kakehashi は {folder} にファイルを作れません",
    "settings.health_port": (
        "KAKEHASHI_HEALTH_PORT={port}: {host}:{port} で待ち受けられません（{error}）。"
        "別のポートを設定してください"
    ),
    "settings.slack_mode": (
        "SLACK_SIGNING_SECRET: HTTP モードでは必要です（Socket Mode なら SLACK_APP_TOKEN を設定してください）"
    ),
    "settings.slack_socket_refused": (
        "SLACK_APP_TOKEN: Slack が Socket Mode の接続を拒否しました（{error}）。connections:write の"
        "付いたアプリレベルトークン（xapp-…）を使い、アプリの設定で Socket Mode をオンにしてください"
    ),
    "settings.teams_no_app_id": (
        "MICROSOFT_APP_ID が空なので、Bot Framework の認証がオフになります。MICROSOFT_APP_ID"
        "（と MICROSOFT_APP_PASSWORD）を設定するか、認証なしで動かすつもりなら KAKEHASHI_ENV=dev に"
        "してください"
    ),
}

EN: dict[str, str] = {
    "settings.alias_conflict": "{alias} and {name} are both set, to different values: keep one",
    "settings.env_unreadable": "{path}: cannot read the file: {error}",
    "settings.env_line": "{path}:{line}: expected NAME=value, got {text!r}",
    "settings.rules_missing": (
        "KAKEHASHI_RULES={raw!r}: does not exist; expected the path of a rules.yaml "
        "(`kakehashi rules init` writes one)"
    ),
    "settings.rules_folder": (
        "KAKEHASHI_RULES={raw!r}: is a folder; expected the path of a rules.yaml "
        "(`kakehashi rules init` writes one)"
    ),
    "settings.whole_number": "{name}={raw!r}: expected a whole number, e.g. {name}={default}",
    "settings.range": "{name}={raw!r}: expected a number between {low} and {high}",
    "settings.seconds": "{name}={raw!r}: expected a number of seconds, e.g. {name}={default}",
    "settings.seconds_zero_ok": "{name}={raw!r}: expected a number >= 0, e.g. {name}={default}",
    "settings.seconds_above_zero": "{name}={raw!r}: expected a number of seconds above 0, e.g. {name}={default}",
    "settings.choice": "{name}={raw!r}: expected one of {choices}",
    "settings.url": "{name}={raw!r}: expected an http(s) URL, e.g. https://example.com/",
    "settings.slash_command": "SLACK_COMMAND={command!r}: expected a slash command such as /kakehashi",
    "settings.tenant_required": (
        "MICROSOFT_APP_TENANT_ID: required with MICROSOFT_APP_TYPE=SingleTenant (the default: Azure "
        "creates no new multi-tenant bots since 2025-07-31); the tenant id is on the Entra ID overview"
    ),
    "settings.app_token": "SLACK_APP_TOKEN: expected an app-level token starting with xapp-",
    "settings.dashboard_token": (
        "DASHBOARD_TOKEN: expected at least {minimum} characters, got {length} "
        "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
    ),
    "settings.db_parse": (
        "DATABASE_URL: cannot parse {url!r}; expected e.g. "
        "postgresql://user@host:5432/db or sqlite:///./kakehashi.db"
    ),
    "settings.db_backend": "DATABASE_URL: unsupported database {backend!r}; use postgresql:// or sqlite://",
    "settings.db_unreachable": "DATABASE_URL: cannot open {where}: {reason}",
    "settings.db_unreachable_sqlite": (
        "DATABASE_URL: cannot open {where}: {reason} (does its folder exist, and may kakehashi write there?)"
    ),
    "settings.db_no_folder": "DATABASE_URL: cannot open {where}: the folder {folder} does not exist",
    "settings.db_read_only": "DATABASE_URL: cannot open {where}: kakehashi may not create files in {folder}",
    "settings.health_port": (
        "KAKEHASHI_HEALTH_PORT={port}: cannot listen on {host}:{port}: {error}; set another port"
    ),
    "settings.slack_mode": "SLACK_SIGNING_SECRET: required for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
    "settings.slack_socket_refused": (
        "SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection ({error}): use the app-level "
        "token (xapp-...) with the connections:write scope, and turn Socket Mode on in the app's settings"
    ),
    "settings.teams_no_app_id": (
        "MICROSOFT_APP_ID is empty: that turns Bot Framework authentication off. Set MICROSOFT_APP_ID "
        "(and MICROSOFT_APP_PASSWORD), or set KAKEHASHI_ENV=dev to run unauthenticated on purpose"
    ),
}
