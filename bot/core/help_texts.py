"""The ``--help`` texts of the command line, one per command and option (merged into
``bot.core.texts``; ``bot.cli.language.h`` picks the command line's language)."""

from __future__ import annotations

JA: dict[str, str] = {
    # click's own words, through bot.cli.help_format
    "help.usage": "使い方:",
    "help.heading.Options": "オプション",
    "help.heading.Commands": "コマンド",
    "help.heading.Arguments": "引数",
    "help.default": "既定値",
    "help.required": "必須",
    "help.option.help": "このヘルプを表示して終了します。",
    "help.option.version": "バージョンを表示して終了します。",
    "help.version": "%(prog)s バージョン %(version)s",
    "help.main": (
        "kakehashi（架け橋）: コミュニティの声を、それを必要とする部門へ届けます。\n\n"
        "表示の言語: KAKEHASHI_LOCALE（ja / en）、なければ rules.yaml の locale:、"
        "なければ LANG（ja で始まれば日本語）。"
    ),
    "help.demo.short": "同梱のサンプルコミュニティを再生し、結果をローカルのファイルに書きます。",
    "help.demo": (
        "同梱のサンプルコミュニティを本番と同じ処理に通します"
        "（投稿先は Slack や Teams ではなくローカルのファイルです）。"
    ),
    "help.demo.rules": "使う rules.yaml（既定: サンプルコミュニティの期待値に合わせたサンプル企業のルール）。",
    "help.demo.db": "SQLite のファイル（作り直します）。",
    "help.demo.out": "投稿を書き出すフォルダー。",
    "help.demo.verbose": "すべての項目、どのルートにも該当しなかったすべてのメッセージ、各部門のまとめも表示します。",
    "help.serve.short": "HTTP サーバーを起動します（/healthz、/metrics、各プラットフォーム）。",
    "help.serve": "HTTP サーバーを起動します（/healthz、/metrics と、設定したすべてのプラットフォームの受け口）。",
    "help.db": "データベースの保守。",
    "help.db.upgrade": "マイグレーションを適用します（起動時にも自動で行います）。",
    "help.outbox": "送信待ちの投稿や配信できなかった投稿を確認し、再送します。",
    "help.outbox.list": "outbox の行を新しい順に、それぞれ最後のエラーとともに表示します。",
    "help.outbox.status": "この状態の行だけ（dead: 配信できなかったものとその理由）。",
    "help.limit": "表示する行数の上限。",
    "help.outbox.retry": "配信できなかった行（IDS、または --all ですべて）を送信の列に戻します。",
    "help.outbox.all": "配信できなかった行をすべて再送します。",
    "help.quarantine.short": "データベースが受け付けなかったメッセージを一覧します（失わずに隔離しています）。",
    "help.quarantine": (
        "整えてもデータベースが受け付けなかったメッセージを、新しい順に理由とともに表示します。\n\n"
        "各行はメッセージ全体（payload、JSON）を保管しているので、直して送り直せます。"
    ),
    "help.recap.short": "部門のまとめ（省略するとすべての部門）を表示します。",
    "help.recap": "DEPARTMENT の期間のまとめを表示します（省略するとすべての部門）。",
    "help.recap.period": (
        "last-week、this-week、today、yesterday、this-month、last-month、7d、"
        "または YYYY-MM-DD..YYYY-MM-DD（rules のタイムゾーン）。"
    ),
    "help.recap.format": "text は端末向け、markdown は貼り付け用、json はスクリプト用です。",
    "help.recap.chart": "グラフの PNG もこのファイルに書きます。",
    "help.as_of": (
        "この日（YYYY-MM-DD、rules のタイムゾーン）の終わりの時点として作ります。"
        "last-week などの期間や、未対応の項目の経過日数はこの時点から数えます。"
    ),
    "help.agenda.short": "次の部門横断の定例会のアジェンダを表示します。",
    "help.agenda": "次の部門横断の定例会のアジェンダ、または指定した期間のアジェンダを表示します。",
    "help.agenda.period": (
        "前回の定例会からの期間の代わりに使う期間: week（今週）、month、last-week、last-month、"
        "または YYYY-MM-DD..YYYY-MM-DD（rules のタイムゾーン）。"
    ),
    "help.agenda.format": "markdown は議事録への貼り付け用、text は端末向け、json はスクリプト用です。",
    "help.rules": "rules.yaml を検査し、試します。",
    "help.rules.init.short": "出発点になる短い rules.yaml（意図ベース）を書きます。",
    "help.rules.init": (
        "同梱の初期ルールを PATH（既定 ./rules.yaml）に書きます。短くコメント付きで、"
        "意図と製品の用語リストで振り分けます（長い実例は bot/data/examples/sample-company.yaml にあります）。"
    ),
    "help.rules.check.short": "rules.yaml を検査します。問題があればすべて挙げ、終了コード 2 で終わります。",
    "help.rules.check": (
        "PATH（既定: $KAKEHASHI_RULES または ./rules.yaml）を検査します。"
        "問題があればすべて挙げ、終了コード 2 で終わります。"
    ),
    "help.rules.test.short": "メッセージがどのルート・部門・タグに振り分けられるかを、理由とともに示します。",
    "help.rules.test": (
        "TEXT（または --file の各行）がどのルート・部門・タグに振り分けられるかを、理由とともに示します。\n\n"
        '--file は {"text": ..., "expected": [部門], "expected_tag": ..., "channel": ..., '
        '"platform": ..., "author": ...} または {"text": ..., "must": 部門か "none", '
        '"ok": [ほかに許す部門], "source": ...} の JSON Lines（または JSON の配列）です。'
        "期待値のある行からは正解率（ソースごとにも）と、部門ごとの適合率・再現率を出します。"
        "--channel と --platform は、行に書かれていないときの既定値です。"
    ),
    "help.rules.test.file": "メッセージの JSON Lines ファイル。",
    "help.rules.test.channel": "メッセージが投稿される場所（#名前、チーム/チャンネル、discourse:カテゴリ、webhook:ソース）。",
    "help.rules.test.platform": "投稿元のプラットフォーム。",
    "help.rules.test.author": "投稿者（名前または ID。author と staff の条件に使います）。",
    "help.rules.test.rules": "使う rules.yaml。",
    "help.rules.test.json": "機械で読める形式（JSON）で出力します。",
    "help.stats.short": "部門・ルートごとの数字と、保存されているデータの内訳を表示します。",
    "help.stats": (
        "期間内にコミュニティが各部門にもたらしたもの（ルール・絵文字フラグ・コマンドで振り分けた項目、"
        "初回対応と完了までの時間の中央値と p90、完了と見送り、コミュニティへの回答、staff より先に"
        "コミュニティが答えた質問、許諾を得たお客様の声、絵文字ごとのフラグ）と、ルートごとの精度を表示します。"
        "部門・タグ・状態・取り込み元ごとの合計も出します。各数字の定義も一緒に表示します。"
    ),
    "help.stats.period": "week、month、last-week、last-month、7d、YYYY-MM-DD..YYYY-MM-DD、または all（既定: all）。",
    "help.stats.department": "1つの部門（名前またはラベル）。既定ではすべての部門。",
    "help.stats.format": "表、または JSON のデータ（数値、ISO 8601 の時刻、測れなかったところは null）。",
    "help.stats.json": "--format json と同じです。",
    "help.teams.short": "MICROSOFT_APP_ID の Teams アプリパッケージ（zip）を書きます。",
    "help.teams": "MICROSOFT_APP_ID の Teams アプリパッケージ（マニフェストとアイコン）を書きます。Teams でアップロードしてください。",
    "help.teams.out": "書き出す zip ファイル。",
    "help.teams.template": "マニフェストのテンプレート（既定: ./teams/manifest.json があればそれ、なければ同梱のもの）。",
    "help.teams.version": "アプリパッケージのバージョン（x.y.z）。",
    "help.doctor.short": "設定・認証情報・チャンネル・ルール・データベースを確認します。",
    "help.doctor": (
        "すべての設定、各プラットフォームの認証情報とスコープ、rules.yaml の各チャンネルにボットが"
        "参加しているか、ルール、データベースを確認します。問題があれば終了コード 1 で終わります。"
    ),
    "help.init.short": "コミュニティ用の .env と rules.yaml を書きます（質問するか、オプションで受け取ります）。",
    "help.init": "初期ルール（kakehashi rules init が書くもの）をもとに、.env と短い rules.yaml を書きます。",
    "help.init.platform": "コミュニティと部門があるプラットフォーム。",
    "help.init.source": "見守るコミュニティのチャンネル（繰り返し指定できます）。",
    "help.init.department": "部門の投稿先を NAME=CHANNEL の形で（繰り返し指定できます）。",
    "help.init.agenda": "定例会のアジェンダを投稿するチャンネル。",
    "help.init.admin": "管理者のユーザー ID（繰り返し指定できます）。",
    "help.init.slack_token": "Bot User OAuth Token（xoxb-…）。チャンネルの一覧に使い、.env に書きます。",
    "help.init.slack_secret": "Signing Secret（HTTP モード）。",
    "help.init.slack_app_token": "App-Level Token（xapp-…、Socket Mode）。",
    "help.init.app_id": "Azure Bot のアプリ ID。",
    "help.init.app_password": "そのクライアントシークレットの値。",
    "help.init.tenant": "テナント ID（シングルテナントのボット）。",
    "help.init.locale": "まとめ・返信・この質問の言語（既定: いまの表示の言語）。",
    "help.init.rules": "書き出すルールファイル。",
    "help.init.env": "書き出す設定ファイル。",
    "help.init.no_input": "何も質問しません（オプションと初期ルールの既定値だけを使います）。",
    "help.init.force": "既存のファイルを上書きします。",
    "help.slack_manifest.short": "サーバーの URL を埋めた Slack アプリのマニフェストを書きます。",
    "help.slack_manifest": (
        "api.slack.com/apps → Create New App → From an app manifest に貼り付けるマニフェストを"
        "表示します（--out を付けるとファイルに書きます）。"
    ),
    "help.slack_manifest.url": "kakehashi serve の公開 https:// アドレス（HTTP モード）。",
    "help.slack_manifest.socket": "Socket Mode 用のマニフェスト（公開アドレスは不要です）。",
    "help.slack_manifest.command": "スラッシュコマンド（SLACK_COMMAND）。",
    "help.slack_manifest.out": "標準出力の代わりにこのファイルに書きます。",
    "help.slack_manifest.force": "--out のファイルがあれば上書きします。",
    "help.consent.short": "投稿者への利用許諾: その証跡を書き出します。",
    "help.consent": "投稿者に個別に依頼した利用許諾と、その回答。",
    "help.consent.export.short": "回答のあった利用許諾の依頼をすべて、CSV か JSON で書き出します。",
    "help.consent.export": (
        "許可・不許可の回答があった依頼ごとに、項目、投稿者、同意した文面そのもの、回答、日時、"
        "依頼した場所を出力します。reusable が true になるのは、はっきり許可された場合だけです。"
    ),
    "help.consent.format": "出力の形式。",
    "help.consent.period": (
        "この期間に回答されたものだけ（last-week、this-month、YYYY-MM-DD..YYYY-MM-DD など。"
        "rules のタイムゾーン）。既定ではすべて。"
    ),
    "help.consent.reusable": "投稿者が許可した投稿だけ（マーケティングサイト用）。匿名での許可はそう明記します。",
    "help.import.short": "コミュニティの過去の履歴を取り込みます（Slack のエクスポート、Discourse）。",
    "help.import": "コミュニティの履歴を取り込みます（保存して分類します。部門へ投稿するのは --repost のときだけです）。",
    "help.import.slack.short": "Slack ワークスペースのエクスポート zip を取り込みます（途中から再開できます）。",
    "help.import.slack": (
        "Slack ワークスペースのエクスポート zip（PATH）を読み込んで保存します。"
        "途中から再開でき、何度実行しても同じ結果になります。"
    ),
    "help.import.repost": "部門への投稿も送信の列に入れます（既定: 保存のみ）。",
    "help.import.team": "ワークスペース ID（T…）。users.json に書かれていないときに指定します。",
    "help.import.workspace_url": "元のメッセージへのリンクに使うアドレス（例: https://example.slack.com）。",
    "help.import.discourse.short": "Discourse フォーラムの DATE 以降の投稿を API で取り込みます。",
    "help.import.discourse": (
        "フォーラムの公開投稿のうち DATE 以降のものを API で読み込みます（DISCOURSE_URL、DISCOURSE_API_KEY）。"
    ),
    "help.import.since": "この日付（UTC）以降に作られた投稿を取り込みます。",
}

EN: dict[str, str] = {
    "help.usage": "Usage:",
    "help.heading.Options": "Options",
    "help.heading.Commands": "Commands",
    "help.heading.Arguments": "Arguments",
    "help.default": "default",
    "help.required": "required",
    "help.option.help": "Show this message and exit.",
    "help.option.version": "Show the version and exit.",
    "help.version": "%(prog)s, version %(version)s",
    "help.main": (
        "kakehashi (架け橋): carry your community's voice to the teams that need it.\n\n"
        "Language: KAKEHASHI_LOCALE (ja / en), else locale: in rules.yaml, else LANG "
        "(Japanese when it starts with ja)."
    ),
    "help.demo.short": "Replay the bundled sample community into local files.",
    "help.demo": "Replay the bundled sample community through the real pipeline, with local sinks.",
    "help.demo.rules": "rules.yaml to use (default: the sample company's, which the sample community is labelled for).",
    "help.demo.db": "SQLite file (recreated).",
    "help.demo.out": "Where posts are written.",
    "help.demo.verbose": "Every item, every unmatched message and the recaps.",
    "help.serve.short": "Run the HTTP server (/healthz, /metrics, every platform).",
    "help.serve": "Run the HTTP server (/healthz, /metrics and every configured platform endpoint).",
    "help.db": "Database maintenance.",
    "help.db.upgrade": "Apply the migrations (also done automatically on start).",
    "help.outbox": "Inspect and retry pending or dead-lettered posts.",
    "help.outbox.list": "Show outbox rows, newest first, with the last error of each.",
    "help.outbox.status": "Only rows with this status (dead: what could not be delivered, and why).",
    "help.limit": "At most this many rows.",
    "help.outbox.retry": "Put dead-lettered rows (IDS, or --all) back in the queue.",
    "help.outbox.all": "Retry every dead-lettered row.",
    "help.quarantine.short": "List messages the database refused (kept in quarantine, not lost).",
    "help.quarantine": (
        "Messages the database refused even after cleaning, newest first, with the reason.\n\n"
        "Each row keeps the whole message (payload, as JSON) so it can be repaired and sent again."
    ),
    "help.recap.short": "Print the recap of a department, or of every department.",
    "help.recap": "Print the recap of DEPARTMENT (every department when omitted) for a period.",
    "help.recap.period": (
        "last-week, this-week, today, yesterday, this-month, last-month, 7d or YYYY-MM-DD..YYYY-MM-DD "
        "(in the rules' timezone)."
    ),
    "help.recap.format": "text for a terminal, markdown to paste, json for scripts.",
    "help.recap.chart": "Also write the chart PNG here.",
    "help.as_of": (
        "Tell it as at the end of this day (YYYY-MM-DD, the rules' timezone): periods like last-week "
        "and the ages of waiting items count from there."
    ),
    "help.agenda.short": "Print the next cross-department meeting's agenda (定例会).",
    "help.agenda": "Print the agenda of the next regular cross-department meeting (定例会), or of a period.",
    "help.agenda.period": (
        "The meeting's window instead of the time since the last meeting: week (this week), month, "
        "last-week, last-month or YYYY-MM-DD..YYYY-MM-DD (in the rules' timezone)."
    ),
    "help.agenda.format": "markdown to paste into the meeting notes, text, or json for scripts.",
    "help.rules": "Check and try out rules.yaml.",
    "help.rules.init.short": "Write the short starter rules.yaml (intent-based) to start from.",
    "help.rules.init": (
        "Write the bundled starter rules to PATH (default ./rules.yaml) to start from: short, commented, "
        "routed on intents plus a list of product words (a long worked example is in "
        "bot/data/examples/sample-company.yaml)."
    ),
    "help.rules.check.short": "Validate rules.yaml; exit 2 listing every problem.",
    "help.rules.check": "Validate PATH (default: $KAKEHASHI_RULES or ./rules.yaml); exit 2 with every problem.",
    "help.rules.test.short": "Which routes, departments and tags a message gets, and why.",
    "help.rules.test": (
        "Show which routes, departments and tags TEXT (or each line of --file) gets, and why.\n\n"
        '--file takes JSON lines (or a JSON array) of {"text": ..., "expected": [departments], '
        '"expected_tag": ..., "channel": ..., "platform": ..., "author": ...}, or of {"text": ..., '
        '"must": department or "none", "ok": [departments also allowed], "source": ...}; labelled '
        "lines give accuracy (per source too) and per-department precision and recall.  --channel / "
        "--platform are the defaults for lines that do not say."
    ),
    "help.rules.test.file": "JSON lines of messages.",
    "help.rules.test.channel": "Where the message is posted (#name, Team/Channel, discourse:CATEGORY, webhook:SOURCE).",
    "help.rules.test.platform": "The platform it comes from.",
    "help.rules.test.author": "Who wrote it (name or id; for `author` and `staff` conditions).",
    "help.rules.test.rules": "rules.yaml to use.",
    "help.rules.test.json": "Machine-readable output.",
    "help.stats.short": "Figures per department and route, and what the store holds.",
    "help.stats": (
        "What the community brought each department in a period (items routed by rules, flags and "
        "commands; first response and close times, median and p90; done and declined; answers back; "
        "questions the community answered before staff; testimonials with permission; flags per emoji) "
        "and each route's precision, plus totals per department, tag, status and source platform. "
        "The output says how each figure is defined."
    ),
    "help.stats.period": "week, month, last-week, last-month, 7d, YYYY-MM-DD..YYYY-MM-DD or all (default: all).",
    "help.stats.department": "One department (name or label); default: every one.",
    "help.stats.format": "Tables, or JSON data (numbers, ISO 8601 times, null where nothing was measured).",
    "help.stats.json": "The same as --format json.",
    "help.teams.short": "Write the Teams app package (zip) for MICROSOFT_APP_ID.",
    "help.teams": "Write the Teams app package (manifest + icons) for MICROSOFT_APP_ID; upload it in Teams.",
    "help.teams.out": "The zip to write.",
    "help.teams.template": "Manifest template (default: ./teams/manifest.json if present, else the bundled one).",
    "help.teams.version": "App package version (x.y.z).",
    "help.doctor.short": "Check settings, credentials, channels, rules and database.",
    "help.doctor": (
        "Check every setting, each platform's credentials and scopes, that the bot is in each channel "
        "of rules.yaml, the rules and the database.  Exit code 1 when anything is wrong."
    ),
    "help.init.short": "Write .env and a rules.yaml for your community (asks, or takes flags).",
    "help.init": "Write .env and a short rules.yaml built on the starter rules (`kakehashi rules init`).",
    "help.init.platform": "Where the community and departments are.",
    "help.init.source": "A community channel to listen to (repeat).",
    "help.init.department": "NAME=CHANNEL for a department (repeat).",
    "help.init.agenda": "Where the cross-team meeting agenda is posted.",
    "help.init.admin": "An admin's user id (repeat).",
    "help.init.slack_token": "Bot User OAuth Token (xoxb-…): lists the channels, goes into .env.",
    "help.init.slack_secret": "Signing Secret (HTTP mode).",
    "help.init.slack_app_token": "App-Level Token (xapp-…, Socket Mode).",
    "help.init.app_id": "The Azure Bot's app id.",
    "help.init.app_password": "Its client secret's value.",
    "help.init.tenant": "Your tenant id (single-tenant bots).",
    "help.init.locale": "Language of recaps, replies and these questions (default: the command line's).",
    "help.init.rules": "The rules file to write.",
    "help.init.env": "The settings file.",
    "help.init.no_input": "Ask nothing: flags and the starter's defaults only.",
    "help.init.force": "Overwrite existing files.",
    "help.slack_manifest.short": "Write the Slack app manifest with your server's URLs.",
    "help.slack_manifest": (
        "Print (or --out) the manifest to paste at api.slack.com/apps → Create New App → From an app manifest."
    ),
    "help.slack_manifest.url": "Public https:// address of `kakehashi serve` (HTTP mode).",
    "help.slack_manifest.socket": "A manifest for Socket Mode (no public address).",
    "help.slack_manifest.command": "The slash command (SLACK_COMMAND).",
    "help.slack_manifest.out": "Write here instead of standard output.",
    "help.slack_manifest.force": "Overwrite --out if it exists.",
    "help.consent.short": "Reuse permissions asked of authors: export the proof.",
    "help.consent": "Reuse permissions asked of post authors in private, and their answers.",
    "help.consent.export.short": "Every answered reuse request, as CSV or JSON.",
    "help.consent.export": (
        "Each granted or declined request: item, author, the exact text they agreed to, the answer, "
        "when, and where it was asked.  reusable is true only for an explicit yes."
    ),
    "help.consent.format": "Output format.",
    "help.consent.period": (
        "Only answers given in this period (last-week, this-month, YYYY-MM-DD..YYYY-MM-DD, ...; "
        "the rules' timezone). Default: all."
    ),
    "help.consent.reusable": "Only the posts whose author said yes (for the marketing site); anonymous ones say so.",
    "help.import.short": "Store past community history (Slack export, Discourse).",
    "help.import": "Import community history (stored and classified; reposted only with --repost).",
    "help.import.slack.short": "Import a Slack workspace export zip (resumable).",
    "help.import.slack": "Read a Slack workspace export zip (PATH) into the store; resumable and idempotent.",
    "help.import.repost": "Also queue reposts to the departments (default: store only).",
    "help.import.team": "Workspace id (T...) when users.json does not tell.",
    "help.import.workspace_url": "e.g. https://example.slack.com, for links back to messages.",
    "help.import.discourse.short": "Import a Discourse forum's posts since DATE (its API).",
    "help.import.discourse": (
        "Read the forum's public posts since DATE through the API (DISCOURSE_URL, DISCOURSE_API_KEY)."
    ),
    "help.import.since": "Import posts created on or after this date (UTC).",
}
