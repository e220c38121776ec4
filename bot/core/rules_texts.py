"""What is wrong with a rules file, in each language (merged into ``bot.core.texts``).

``rules/`` reports each problem as a key of this table and its values (``rules.errors.Said``);
the English here is the problem's own text (``str(problem)``, what the logs and the reload
notice say), the Japanese what ``kakehashi rules check`` says when the command line speaks it.
The place (``file:line:col: path``) is never translated.
"""

from __future__ import annotations

JA: dict[str, str] = {
    "rules.kind.mapping": "マッピング（キー: 値）",
    "rules.kind.list": "リスト",
    "rules.kind.null": "空の値",
    "rules.kind.boolean": "true/false",
    "rules.kind.integer": "整数",
    "rules.kind.number": "数値",
    "rules.kind.date": "日付",
    "rules.kind.string": "文字列",
    "rules.what.key": "キー",
    "rules.what.department": "部門",
    "rules.what.tag": "タグ",
    "rules.what.platform": "プラットフォーム",
    "rules.what.intent": "意図（intent）",
    "rules.what.placeholder": "差し込み",
    "rules.what.thread": "thread の値",
    "rules.what.on": "on の値",
    "rules.what.status": "状態",
    "rules.what.kind": "kind の値",
    "rules.what.period": "period の値",
    "rules.unknown.close": "{what} '{word}' はありません。'{close}' のつもりですか？",
    "rules.unknown.none": "{what} '{word}' はありません（まだ1つも定義されていません）",
    "rules.unknown.options": "{what} '{word}' はありません（使えるもの: {options}）",
    "rules.either": "{names}、{last} のどれか",
    "rules.both": "{names} と {last}",
    "rules.expected.mapping": "マッピング（キー: 値）を書いてください（いまは{found}）",
    "rules.expected.string": "文字列を書いてください（いまは{found}）",
    "rules.expected.text": "空にはできません。文字列を書いてください",
    "rules.expected.strings_or_one": "文字列か、文字列のリストを書いてください（いまは{found}）",
    "rules.expected.strings": "文字列のリストを書いてください（いまは{found}）",
    "rules.expected.entries": "リストが空です。1つ以上書いてください",
    "rules.expected.boolean": "true か false を書いてください（いまは{found}）",
    "rules.expected.at_least": "{minimum} 以上の整数を書いてください（いまは {value}）",
    "rules.expected.integer": "整数を書いてください（いまは{found}）",
    "rules.expected.departments": "部門の名前をキーにしたマッピングを書いてください（いまは{found}）",
    "rules.expected.a_department": "部門が1つもありません。少なくとも1つ書いてください",
    "rules.expected.destinations": '{{slack: "#channel"}} のような投稿先のリストを書いてください（いまは{found}）',
    "rules.expected.a_destination": "投稿先のリストが空です。1つ以上書いてください",
    "rules.expected.place": '{{slack: "#channel"}} のようなマッピングを書いてください（いまは{found}）',
    "rules.expected.one_platform": "プラットフォームは1つだけ書きます（いまは{count}個: {keys}）",
    "rules.expected.team_channel": "'チーム名/チャンネル名' の形で書いてください（いまは '{channel}'）",
    "rules.expected.category": "\"*\" か {{category: スラッグ}} を書いてください（いまは '{text}'）",
    "rules.expected.sources": '{{slack: "#community"}} のようなソースのリストを書いてください（いまは{found}）',
    "rules.expected.routes": "ルートのリストを書いてください（いまは{found}）",
    "rules.expected.a_nested_route": "入れ子のルートのリストが空です。1つ以上書いてください",
    "rules.expected.conditions": "条件のリストを書いてください（いまは{found}）",
    "rules.expected.a_condition": "条件のリストが空です。1つ以上書いてください",
    "rules.expected.a_keyword": "キーワードのリストが空です。1つ以上書いてください",
    "rules.expected.word": '{word: "…"} の中身が空です',  # no values: not formatted, braces single
    "rules.expected.keyword": "キーワード（文字列か {{word: …}}）を書いてください（いまは{found}）",
    "rules.expected.keywords": (
        "キーワード（文字列か {{word: …}}）か、そのリストを書いてください（いまは{found}）"
    ),
    "rules.expected.reactions": "リアクションのリストを書いてください（いまは{found}）",
    "rules.expected.emoji": "bulb や :bulb: のような絵文字の名前を書いてください（いまは '{text}'）",
    "rules.expected.schedules": "スケジュールのリストを書いてください（いまは{found}）",
    "rules.expected.identities": "人の名前をキーに、その ID を値にしたマッピングを書いてください（いまは{found}）",
    "rules.expected.name": "名前が空です",
    "rules.duplicate_key": "キー '{name}' が重複しています（最初は {line} 行目）",
    "rules.duplicate_source": "ソース {source} が重複しています（最初は {line} 行目）",
    "rules.duplicate_route": "ルート名 '{name}' が重複しています（最初は {line} 行目）",
    "rules.duplicate_reaction": "リアクション '{emoji}' が重複しています（最初は {line} 行目）",
    "rules.duplicate_schedule": "スケジュール名 '{name}' が重複しています（最初は {line} 行目）",
    "rules.missing_key": "必須のキー '{name}' がありません",
    "rules.empty_file": "ファイルが空です。version・sources・departments・routes を書いてください",
    "rules.version": "version {version} には対応していません（この kakehashi が読めるのは version 1 です）",
    "rules.locale": "locale '{locale}' には対応していません（ja か en を書いてください）",
    "rules.country": "国 '{code}' はありません（JP・US・GB のような ISO 3166 の国コードを書いてください）",
    "rules.closed_day": "'{text}': {error}",
    "rules.closed.not_month_day": "'{text}' は MM-DD の形ではありません",
    "rules.closed.no_such_day": "'{text}' という日はありません",
    "rules.closed.backwards": "期間の終わり（{end}）が始まり（{start}）より前です",
    "rules.closed.form": "YYYY-MM-DD、YYYY-MM-DD..YYYY-MM-DD、MM-DD、MM-DD..MM-DD のどれかの形で書いてください",
    "rules.timezone.abbreviation": (
        "タイムゾーン '{name}' はありません。'{region}' のつもりですか？（{text} は略称で、"
        "タイムゾーンの名前ではありません）"
    ),
    "rules.timezone.offset": (
        "タイムゾーン '{name}' はありません: UTC からの時差はタイムゾーンではありません。"
        "{example} のような地域の名前を書いてください（夏時間も扱えます）{fixed}"
    ),
    "rules.timezone.example.tokyo": "'Asia/Tokyo'",
    "rules.timezone.example.others": "'America/New_York' や 'Europe/Berlin'",
    "rules.timezone.fixed": "。時差を固定するなら '{zone}' です",
    "rules.timezone.close": "タイムゾーン '{name}' はありません。'{close}' のつもりですか？",
    "rules.timezone.unknown": (
        "タイムゾーン '{name}' はありません（Asia/Tokyo や UTC のような IANA の名前を書いてください）"
    ),
    "rules.all_reserved": "'all' は予約語です（スケジュールが 'departments: all' に使います）",
    "rules.source_only": "{platform} はソースにしかなりません。投稿先には使えません（部門の投稿先: {platforms}）",
    "rules.goal.one_kind": "{kinds} は1つだけ書きます（いまは {found}）",
    "rules.goal.no_kind": "目標には {kinds} が必要です",
    "rules.goal.tag": "{unknown}（そのタグを付けるルートもリアクションもありません）",
    "rules.loop": (
        "{destination} はソースでもあります。kakehashi は部門のチャンネルの投稿を無視するので、"
        "そのソースからは何も届かなくなります"
    ),
    "rules.route.missing_to": (
        "'to' がありません: このルートが送る部門を書いてください（入れ子のルートは親の部門を引き継げます）"
    ),
    "rules.empty_condition": "条件が空です（{keys} のどれかを書いてください）",
    "rules.empty_keyword": "キーワードが空です",
    "rules.reaction.routed_only": "'{key}' は 'on: routed' のリアクションにだけ書けます",
    "rules.reaction.post_only": "'{key}' はコミュニティの投稿へのリアクション（'on: routed' なし）にだけ書けます",
    "rules.reaction.missing_to": "'to' がありません: コミュニティの投稿へのリアクションは、投稿を部門へ振り分けます",
    "rules.reaction.both": "'set_status' と 'vote: true' は、どちらか一方だけにしてください",
    "rules.reaction.neither": "'on: routed' のリアクションには 'set_status' か 'vote: true' が必要です",
    "rules.schedule.all_in_list": (
        "すべての部門なら 'departments: all' と（リストにせず）書きます。そうでなければ部門名を並べてください"
    ),
    "rules.schedule.missing_post_to": "'post_to' がありません: アジェンダを投稿するチャンネルが必要です",
    "rules.schedule.after_hours": "after_hours は kind: unanswered にだけ書けます",
    "rules.cron.weekdays": (
        "曜日は名前（mon〜sun）で書いてください: 0 は APScheduler 3 では月曜、cron では日曜と、数え方が違います"
    ),
    "rules.cron.invalid": "cron の式 '{text}' が正しくありません: {error}",
    "rules.reply.empty": "'done' か 'declined' のテンプレートを書いてください（いまは空のマッピング）",
    "rules.reply.broken": "テンプレートが壊れています: {error}（波かっこそのものは {{{{ と }}}} と書きます）",
    "rules.reply.format": "'{field}' には書式や変換を付けずに書いてください",
    "rules.identity.taken": (
        "'{text}' はもう '{other}' の下にあります（{line} 行目）: ID や名前は1人にしか結び付けられません"
    ),
    "rules.regex.form": (
        "正規表現は正規化したテキストに対して動くので、{char!r} は現れません（{form!r} になります）。"
        "{form!r} と書いてください"
    ),
    "rules.regex.invalid": "正規表現が正しくありません: {error}",
    "rules.regex.re2": "re2 で動かせない正規表現です（速さを保つため、後方参照や先読み・後読みは使えません）: {reason}",
    "rules.regex.too_big": (
        "正規表現が複雑すぎます: re2 の命令 {size} 個になり、上限は {limit} です（{{1000}} のような"
        "大きな繰り返し回数は大きさを何倍にもします。回数を減らすか、キーワードを使ってください）"
    ),
    "rules.regex.empty": "空のテキストにも一致する正規表現なので、すべてのメッセージに一致してしまいます",
    "rules.yaml.recursive_alias": "エイリアスが自分自身を含んでいます",
    "rules.yaml.merge_key": "マージキー（'<<'）には対応していません。キーをそのまま書いてください",
    "rules.yaml.complex_key": "キーには単純な値を書きます（いまはマッピングかリスト）",
    "rules.yaml.invalid": "YAML として読めません: {what}",
    "rules.yaml.invalid_tab": "YAML として読めません: {what}（YAML の字下げは空白です。タブを空白に置き換えてください）",
    "rules.yaml.character": "YAML として読めません: 文字 #x{code}: {reason}",
    "rules.yaml.too_deep": "YAML として読めません: 入れ子が深すぎます（ルールファイルの入れ子は数段で足ります）",
    "rules.file.unreadable": "ファイルを読めません: {error}",
    "rules.file.missing": "ファイルがありません（パスを確かめてください）",
    "rules.file.forbidden": "ファイルを読む権限がありません",
    "rules.file.too_big": "ファイルが {limit} MiB を超えています。ルールファイルの上限です（正しいファイルですか？）",
    "rules.file.not_utf8": "UTF-8 のテキストではありません。UTF-8 で保存してください",
}

EN: dict[str, str] = {
    "rules.kind.mapping": "a mapping",
    "rules.kind.list": "a list",
    "rules.kind.null": "null",
    "rules.kind.boolean": "a boolean",
    "rules.kind.integer": "an integer",
    "rules.kind.number": "a number",
    "rules.kind.date": "a date",
    "rules.kind.string": "a string",
    "rules.what.key": "key",
    "rules.what.department": "department",
    "rules.what.tag": "tag",
    "rules.what.platform": "platform",
    "rules.what.intent": "intent",
    "rules.what.placeholder": "placeholder",
    "rules.what.thread": "thread",
    "rules.what.on": "'on' value",
    "rules.what.status": "status",
    "rules.what.kind": "kind",
    "rules.what.period": "period",
    "rules.unknown.close": "unknown {what} '{word}'; did you mean '{close}'?",
    "rules.unknown.none": "unknown {what} '{word}' (none are defined)",
    "rules.unknown.options": "unknown {what} '{word}' (expected one of: {options})",
    "rules.either": "{names} or {last}",
    "rules.both": "{names} and {last}",
    "rules.expected.mapping": "expected a mapping, got {found}",
    "rules.expected.string": "expected a string, got {found}",
    "rules.expected.text": "expected a non-empty string",
    "rules.expected.strings_or_one": "expected a string or a list of strings, got {found}",
    "rules.expected.strings": "expected a list of strings, got {found}",
    "rules.expected.entries": "expected at least one entry, got an empty list",
    "rules.expected.boolean": "expected true or false, got {found}",
    "rules.expected.at_least": "expected an integer of at least {minimum}, got {value}",
    "rules.expected.integer": "expected an integer, got {found}",
    "rules.expected.departments": "expected a mapping of department names, got {found}",
    "rules.expected.a_department": "expected at least one department, got an empty mapping",
    "rules.expected.destinations": 'expected a list of destinations like {{slack: "#channel"}}, got {found}',
    "rules.expected.a_destination": "expected at least one destination, got an empty list",
    "rules.expected.place": 'expected a mapping like {{slack: "#channel"}}, got {found}',
    "rules.expected.one_platform": "expected exactly one platform, got {count}: {keys}",
    "rules.expected.team_channel": "expected 'Team/Channel', got '{channel}'",
    "rules.expected.category": "expected \"*\" or {{category: slug}}, got '{text}'",
    "rules.expected.sources": 'expected a list of sources like {{slack: "#community"}}, got {found}',
    "rules.expected.routes": "expected a list of routes, got {found}",
    "rules.expected.a_nested_route": "expected at least one nested route, got an empty list",
    "rules.expected.conditions": "expected a list of conditions, got {found}",
    "rules.expected.a_condition": "expected at least one condition, got an empty list",
    "rules.expected.a_keyword": "expected at least one keyword, got an empty list",
    "rules.expected.word": 'expected {word: "..."}, got an empty mapping',
    "rules.expected.keyword": "expected a keyword (a string or {{word: ...}}), got {found}",
    "rules.expected.keywords": "expected a keyword (a string or {{word: ...}}) or a list of keywords, got {found}",
    "rules.expected.reactions": "expected a list of reactions, got {found}",
    "rules.expected.emoji": "expected an emoji name like bulb or :bulb:, got '{text}'",
    "rules.expected.schedules": "expected a list of schedules, got {found}",
    "rules.expected.identities": "expected a mapping of names to their ids, got {found}",
    "rules.expected.name": "expected a non-empty name",
    "rules.duplicate_key": "duplicate key '{name}' (first defined at line {line})",
    "rules.duplicate_source": "duplicate source {source} (first defined at line {line})",
    "rules.duplicate_route": "duplicate route name '{name}' (first defined at line {line})",
    "rules.duplicate_reaction": "duplicate reaction '{emoji}' (first defined at line {line})",
    "rules.duplicate_schedule": "duplicate schedule name '{name}' (first defined at line {line})",
    "rules.missing_key": "missing required key '{name}'",
    "rules.empty_file": "the file is empty: expected a mapping with version, sources, departments and routes",
    "rules.version": "unsupported version {version} (this kakehashi reads version 1)",
    "rules.locale": "unknown locale '{locale}' (expected ja or en)",
    "rules.country": "unknown country '{code}' (expected an ISO 3166 country code such as JP, US or GB)",
    "rules.closed_day": "'{text}': {error}",
    "rules.closed.not_month_day": "'{text}' is not MM-DD",
    "rules.closed.no_such_day": "'{text}' is not a day of the calendar",
    "rules.closed.backwards": "the range ends ({end}) before it starts ({start})",
    "rules.closed.form": "expected YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD, MM-DD or MM-DD..MM-DD",
    "rules.timezone.abbreviation": (
        "unknown timezone '{name}'; did you mean '{region}'? ({text} is an abbreviation, not a time zone)"
    ),
    "rules.timezone.offset": (
        "unknown timezone '{name}': a UTC offset is not a time zone; write a region such as {example} "
        "(it knows daylight saving){fixed}"
    ),
    "rules.timezone.example.tokyo": "'Asia/Tokyo'",
    "rules.timezone.example.others": "'America/New_York' or 'Europe/Berlin'",
    "rules.timezone.fixed": ", or '{zone}' for a fixed offset",
    "rules.timezone.close": "unknown timezone '{name}'; did you mean '{close}'?",
    "rules.timezone.unknown": "unknown timezone '{name}' (expected an IANA name such as Asia/Tokyo or UTC)",
    "rules.all_reserved": "'all' is reserved (schedules use 'departments: all')",
    "rules.source_only": "{platform} is a source, not a destination (departments post to {platforms})",
    "rules.goal.one_kind": "use only one of {kinds}, found {found}",
    "rules.goal.no_kind": "a goal needs {kinds}",
    "rules.goal.tag": "{unknown} (no route or reaction sets it)",
    "rules.loop": (
        "{destination} is also a source; kakehashi ignores posts in department channels, "
        "so that source would go silent"
    ),
    "rules.route.missing_to": (
        "missing 'to': name the departments this route sends to "
        "(a nested route may inherit them from its parent)"
    ),
    "rules.empty_condition": "empty condition (expected one or more of: {keys})",
    "rules.empty_keyword": "empty keyword",
    "rules.reaction.routed_only": "'{key}' only applies to reactions with 'on: routed'",
    "rules.reaction.post_only": "'{key}' only applies to reactions on community posts (without 'on: routed')",
    "rules.reaction.missing_to": "missing 'to': a reaction on community posts routes them to a department",
    "rules.reaction.both": "use either 'set_status' or 'vote: true', not both",
    "rules.reaction.neither": "a reaction with 'on: routed' needs 'set_status' or 'vote: true'",
    "rules.schedule.all_in_list": "write 'departments: all' (not in a list) for every department, or list names",
    "rules.schedule.missing_post_to": "missing 'post_to': an agenda needs a channel to go to",
    "rules.schedule.after_hours": "after_hours is only for kind: unanswered",
    "rules.cron.weekdays": (
        "use weekday names (mon-sun): APScheduler 3 counts 0 as Monday, cron counts 0 as Sunday"
    ),
    "rules.cron.invalid": "invalid cron expression '{text}': {error}",
    "rules.reply.empty": "expected 'done' and/or 'declined' templates, got an empty mapping",
    "rules.reply.broken": "broken template: {error} (write {{{{ and }}}} for literal braces)",
    "rules.reply.format": "write '{field}' without a format or conversion",
    "rules.identity.taken": (
        "'{text}' is already listed under '{other}' (line {line}): "
        "an id or a name can belong to one person only"
    ),
    "rules.regex.form": (
        "regexes run on normalised text, where {char!r} never appears (it becomes {form!r}); "
        "write {form!r} instead"
    ),
    "rules.regex.invalid": "invalid regex: {error}",
    "rules.regex.re2": "re2 cannot run this regex (no backreferences or lookaround, so it stays fast): {reason}",
    "rules.regex.too_big": (
        "regex too complex: it compiles to {size} re2 instructions, the limit is {limit} (large repetition "
        "counts such as {{1000}} multiply its size; use a smaller count or a keyword)"
    ),
    "rules.regex.empty": "regex matches empty text, so it would match every message",
    "rules.yaml.recursive_alias": "recursive alias: a node cannot contain itself",
    "rules.yaml.merge_key": "merge keys ('<<') are not supported; write the keys out",
    "rules.yaml.complex_key": "expected a plain key, got a mapping or a list",
    "rules.yaml.invalid": "invalid YAML: {what}",
    "rules.yaml.invalid_tab": "invalid YAML: {what} (YAML indents with spaces; replace the tab)",
    "rules.yaml.character": "invalid YAML: character #x{code}: {reason}",
    "rules.yaml.too_deep": "invalid YAML: nested too deeply to read (a rules file needs a handful of levels)",
    "rules.file.unreadable": "cannot read the file: {error}",
    "rules.file.missing": "cannot read the file: {error}",
    "rules.file.forbidden": "cannot read the file: {error}",
    "rules.file.too_big": "the file is larger than {limit} MiB, the most a rules file may be (is it the right file?)",
    "rules.file.not_utf8": "not UTF-8 text: save the file as UTF-8",
}
