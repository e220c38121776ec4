"""What the command line says besides its reports: errors, hints, progress and summaries (merged
into ``bot.core.texts``; ``bot.cli.language.m`` picks the command line's language)."""

from __future__ import annotations

JA: dict[str, str] = {
    "cli.error": "エラー: {message}",
    "cli.try_help": "ヘルプは '{command} {option}' で表示できます。",
    "cli.exists": "{path} はもうあります: 上書きするなら --force を付けてください",
    "cli.demo.dead": "{count}件の投稿を配信できませんでした",
    "cli.serve.port": (
        "PORT={port}: {host}:{port} で待ち受けられません（{error}）。kakehashi（または別のプログラム）が"
        "すでにそこで動いていませんか？ 止めるか、別の PORT を設定してください"
    ),
    "cli.db.revision": "データベースはリビジョン {revision} です",
    "cli.outbox.col.id": "ID",
    "cli.outbox.col.kind": "種類",
    "cli.outbox.col.destination": "宛先",
    "cli.outbox.col.status": "状態",
    "cli.outbox.col.attempts": "試行",
    "cli.outbox.col.next": "次の試行（UTC）",
    "cli.outbox.col.error": "最後のエラー",
    "cli.outbox.need_ids": "行の ID か --all を指定してください",
    "cli.outbox.no_row": "行 {row}: outbox にそのような行はありません",
    "cli.outbox.not_dead": "行 {row}: 状態が {status} なので、再送の対象ではありません（対象は dead の行です）",
    "cli.outbox.queued": "{count}行を送信の列に戻しました",
    "cli.quarantine.title": "隔離したメッセージ: {count}件",
    "cli.quarantine.col.id": "ID",
    "cli.quarantine.col.received": "受信（UTC）",
    "cli.quarantine.col.platform": "プラットフォーム",
    "cli.quarantine.col.key": "キー",
    "cli.quarantine.col.reason": "理由",
    "cli.rules.init.exists": "{path} はもうあります: そのファイルを編集するか、別の PATH を指定してください",
    "cli.rules.init.wrote": (
        "{path} を書きました。sources・departments・admins と製品の用語を編集してから、"
        "{cmd} rules check {path} で確認してください"
    ),
    "cli.rules.test.need_text": "TEXT か --file MESSAGES.jsonl を指定してください",
    "cli.rules.test.bad_json": "{where}: JSON として読めません（{error}）",
    "cli.rules.test.no_text": "{where}: 'text' に文字列を持つ JSON オブジェクトを書いてください",
    "cli.rules.test.bad_platform": "{where}: プラットフォーム {platform!r} はありません（使えるもの: {platforms}）",
    "cli.rules.test.ignored": (
        "注意: {platform} の {channel} は{reason}なので、動いているボットはここのメッセージを無視します。"
        "ルールだけで判定すると次のとおりです:"
    ),
    "cli.ignored.posted in a department channel": "部門のチャンネル",
    "cli.ignored.not a source channel": "sources にないチャンネル",
    "cli.rules.test.nowhere": "（どの部門にも送りません）",
    "cli.rules.test.span": "（位置 {start}〜{end}）",
    "cli.eval.per.route": "ルートごとのメッセージ",
    "cli.eval.per.department": "部門ごとのメッセージ",
    "cli.eval.col.route": "ルート",
    "cli.eval.col.department": "部門",
    "cli.eval.col.count": "件数",
    "cli.eval.scores": "部門ごとの正誤（expected との比較）",
    "cli.eval.col.right": "正解",
    "cli.eval.col.noise": "余分 (fp)",
    "cli.eval.col.missed": "見逃し (fn)",
    "cli.eval.col.precision": "適合率",
    "cli.eval.col.recall": "再現率",
    "cli.eval.by_source": "ソースごと",
    "cli.eval.col.source": "ソース",
    "cli.eval.col.of": "件数",
    "cli.eval.col.accuracy": "正解率",
    "cli.eval.accuracy": (
        "正解率: {correct}/{labelled}（{pct}%）"
        "（部門の組み合わせが完全に一致したもの。must/ok の行は、must に届き、must と ok 以外には届かなかったもの）"
    ),
    "cli.eval.tags": "タグ: {correct}/{labelled}（{pct}%）が正解",
    "cli.eval.wrong": "  {line}行目: 期待 {expected}、結果 {got}: {text!r}",
    "cli.eval.more": "  …ほか {count}件（--json ですべての行を出力します）",
    "cli.recap.history": (
        "注意: {label}には、保存されているメッセージ（{count}件、{start}〜{end}）が1件も含まれません。"
        "--period {start}..{end} を試してください"
    ),
    "cli.recap.no_chart": "直近8期間に項目がないため、グラフは書きませんでした",
    "cli.recap.chart": "グラフを {path} に書きました",
    "cli.import.team_unknown": (
        "注意: エクスポートにワークスペース ID がありません（users.json に team_id がありません）。"
        "メッセージは {team} の下に保存します。Slack の実際のイベントやリアクションを取り込んだ履歴と"
        "結び付けるには、--team T… を指定してください"
    ),
    "cli.import.slack.done": "ファイル {files}件（取り込み済み {skipped}件）、メッセージ {seen}件: {parts}",
    "cli.import.outcome": "{what} {count}件",
    "cli.import.outcome.stored": "保存",
    "cli.import.outcome.duplicate": "重複",
    "cli.import.outcome.ignored": "対象外",
    "cli.import.outcome.quarantined": "隔離",
    "cli.import.nothing": "新しいものはありません",
    "cli.import.queued": "部門への投稿を送信の列に入れました。{cmd} serve が配信します",
    "cli.import.bad_date": "{value!r}: 2026-01-31 のような日付を指定してください",
    "cli.import.need_discourse": "DISCOURSE_URL が設定されていません（kakehashi import discourse に必要です）",
    "cli.import.discourse.progress": "Discourse（{date} 以降）",
    "cli.import.discourse.done": "{date} 以降の投稿 {seen}件: 保存 {stored}件、取り込み済みまたは対象外 {other}件",
    "cli.slack_manifest.bad_url": (
        "{url!r}: kakehashi serve の公開 https:// アドレスを指定してください"
        "（Slack は https にしか送りません）。例: https://kakehashi.example.com"
    ),
    "cli.slack_manifest.need_mode": "--url https://あなたのホスト（HTTP モード）か --socket-mode のどちらかを指定してください",
    "cli.slack_manifest.bad_command": "{slash!r}: /kakehashi のようなスラッシュコマンドを指定してください",
    "cli.slack_manifest.wrote": (
        "{path} を書きました。https://api.slack.com/apps → Create New App → From an app manifest "
        "に貼り付けてください"
    ),
    "cli.teams.bad_app_id": (
        "MICROSOFT_APP_ID={app_id!r}: ボットの Microsoft App ID（0b6e4a3c-1111-4222-8333-444455556666 "
        "のような GUID）を指定してください（Azure portal → Azure Bot → 構成）"
    ),
    "cli.teams.no_template": "マニフェストのテンプレートが見つかりません（探した場所: {paths}）",
    "cli.teams.no_app_id": "MICROSOFT_APP_ID が設定されていません: マニフェストにはボットのアプリ ID が必要です",
    "cli.teams.bad_version": "--version {version!r}: x.y.z の形で指定してください（例: 1.0.0）",
    "cli.teams.wrote": "{path} を書きました。Teams でアップロードしてください（アプリ → アプリを管理 → アプリをアップロード）",
}

EN: dict[str, str] = {
    "cli.error": "Error: {message}",
    "cli.try_help": "Try '{command} {option}' for help.",
    "cli.exists": "{path} already exists: --force to overwrite it",
    "cli.demo.dead": "{count} posts could not be delivered",
    "cli.serve.port": (
        "PORT={port}: cannot listen on {host}:{port}: {error}; is kakehashi (or something else) already "
        "running there? Stop it or set another PORT"
    ),
    "cli.db.revision": "database at revision {revision}",
    "cli.outbox.col.id": "id",
    "cli.outbox.col.kind": "kind",
    "cli.outbox.col.destination": "destination",
    "cli.outbox.col.status": "status",
    "cli.outbox.col.attempts": "attempts",
    "cli.outbox.col.next": "next attempt (UTC)",
    "cli.outbox.col.error": "last error",
    "cli.outbox.need_ids": "give row ids or --all",
    "cli.outbox.no_row": "row {row}: no such outbox row",
    "cli.outbox.not_dead": "row {row}: {status}, not dead-lettered",
    "cli.outbox.queued": "{count} rows queued again",
    "cli.outbox.queued.one": "1 row queued again",
    "cli.quarantine.title": "quarantine: {count} messages",
    "cli.quarantine.title.one": "quarantine: 1 message",
    "cli.quarantine.col.id": "id",
    "cli.quarantine.col.received": "received (UTC)",
    "cli.quarantine.col.platform": "platform",
    "cli.quarantine.col.key": "key",
    "cli.quarantine.col.reason": "reason",
    "cli.rules.init.exists": "{path} already exists: edit it, or give another PATH",
    "cli.rules.init.wrote": (
        "wrote {path}: edit sources, departments, admins and the product words, then `{cmd} rules check {path}`"
    ),
    "cli.rules.test.need_text": "give TEXT or --file MESSAGES.jsonl",
    "cli.rules.test.bad_json": "{where}: invalid JSON: {error}",
    "cli.rules.test.no_text": "{where}: expected a JSON object with a 'text' string",
    "cli.rules.test.bad_platform": "{where}: unknown platform {platform!r} (expected one of: {platforms})",
    "cli.rules.test.ignored": (
        "note: {platform} {channel}: {reason}, so the running bot ignores messages there; the rules alone would say:"
    ),
    "cli.ignored.posted in a department channel": "posted in a department channel",
    "cli.ignored.not a source channel": "not a source channel",
    "cli.rules.test.nowhere": "(nowhere)",
    "cli.rules.test.span": " at {start}-{end}",
    "cli.eval.per.route": "messages per route",
    "cli.eval.per.department": "messages per department",
    "cli.eval.col.route": "route",
    "cli.eval.col.department": "department",
    "cli.eval.col.count": "count",
    "cli.eval.scores": "per department (against 'expected')",
    "cli.eval.col.right": "right",
    "cli.eval.col.noise": "noise (fp)",
    "cli.eval.col.missed": "missed (fn)",
    "cli.eval.col.precision": "precision",
    "cli.eval.col.recall": "recall",
    "cli.eval.by_source": "per source",
    "cli.eval.col.source": "source",
    "cli.eval.col.of": "of",
    "cli.eval.col.accuracy": "accuracy",
    "cli.eval.accuracy": (
        "accuracy: {correct}/{labelled} ({pct}%) right "
        "(exact department sets; must/ok rows: must routed, nothing outside must + ok)"
    ),
    "cli.eval.tags": "tags: {correct}/{labelled} ({pct}%) right",
    "cli.eval.wrong": "  line {line}: expected {expected} got {got}: {text!r}",
    "cli.eval.more": "  … and {count} more (--json lists every line)",
    "cli.recap.history": (
        "note: {label} holds none of the {count} stored messages, which span {start} .. {end}; "
        "try --period {start}..{end}"
    ),
    "cli.recap.no_chart": "no items in the last 8 periods: no chart written",
    "cli.recap.chart": "chart written to {path}",
    "cli.import.team_unknown": (
        "note: the export names no workspace id (no team_id in users.json): messages are keyed under "
        "{team!r}; pass --team T… so that live Slack events and reactions match the imported history"
    ),
    "cli.import.slack.done": "{files} files ({skipped} already done), {seen} messages: {parts}",
    "cli.import.outcome": "{what} {count}",
    "cli.import.outcome.stored": "stored",
    "cli.import.outcome.duplicate": "duplicate",
    "cli.import.outcome.ignored": "ignored",
    "cli.import.outcome.quarantined": "quarantined",
    "cli.import.nothing": "nothing new",
    "cli.import.queued": "reposts are queued; `{cmd} serve` delivers them",
    "cli.import.bad_date": "{value!r}: expected a date such as 2026-01-31",
    "cli.import.need_discourse": "DISCOURSE_URL: required for `kakehashi import discourse`",
    "cli.import.discourse.progress": "Discourse since {date}",
    "cli.import.discourse.done": "{seen} posts since {date}: {stored} stored, {other} already known or ignored",
    "cli.slack_manifest.bad_url": (
        "{url!r}: expected the public https:// address of `kakehashi serve` (Slack only calls https), "
        "e.g. https://kakehashi.example.com"
    ),
    "cli.slack_manifest.need_mode": "give --url https://your-host (HTTP mode) or --socket-mode",
    "cli.slack_manifest.bad_command": "{slash!r}: expected a slash command such as /kakehashi",
    "cli.slack_manifest.wrote": (
        "wrote {path}: paste it at https://api.slack.com/apps → Create New App → From an app manifest"
    ),
    "cli.teams.bad_app_id": (
        "MICROSOFT_APP_ID={app_id!r}: expected the bot's Microsoft App ID, a GUID like "
        "0b6e4a3c-1111-4222-8333-444455556666 (Azure portal > your Azure Bot > Configuration)"
    ),
    "cli.teams.no_template": "manifest template not found (looked at {paths})",
    "cli.teams.no_app_id": "MICROSOFT_APP_ID is not set: the manifest needs the bot's app id",
    "cli.teams.bad_version": "--version {version!r}: expected x.y.z, e.g. 1.0.0",
    "cli.teams.wrote": "wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app)",
}
