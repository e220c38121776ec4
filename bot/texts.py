"""Every user-facing string, one catalogue per language (ja, en).

``t(locale, key, **values)`` formats a string; a key missing in one language is a bug caught by
``tests/bot/test_texts.py`` (both catalogues must have the same keys).
"""

from __future__ import annotations

JA: dict[str, str] = {
    "tag.bug": "バグ報告",
    "tag.idea": "機能要望",
    "tag.question": "質問",
    "tag.frustration": "不満・解約リスク",
    "tag.testimonial": "お客様の声",
    "tag.use_case": "活用事例",
    "tag.pricing": "料金・購入検討",
    "tag.press": "イベント・メディア",
    "tag.contributor": "注目のコントリビューター",
    "tag.none": "その他",
    "status.open": "未対応",
    "status.in_progress": "対応中",
    "status.done": "完了",
    "status.wontfix": "対応しない",
    "status.needs_decision": "要判断",
    "status.forwarded": "転送済み",
    "status.deleted": "削除済み",
    "permission.none": "未確認",
    "permission.requested": "許諾依頼中",
    "permission.granted": "許諾済み",
    "permission.declined": "許諾なし",
    "repost.header": "{label}へ: {tag}",
    "repost.by": "{author} さん（{channel}）",
    "repost.why": "振り分け理由: {reason}",
    "repost.open_source": "元の投稿を開く",
    "repost.status": "状態: {status}",
    "repost.votes": "👍 {votes}",
    "repost.deleted": "（元の投稿は削除されました）",
    "repost.files": "添付: {files}",
    "action.done": "完了にする",
    "action.reopen": "未対応に戻す",
    "action.forward": "他部門へ送る",
    "action.ask_permission": "投稿者に利用許諾を依頼",
    "flag.reason": "@{user} さんが :{emoji}: でフラグ",
    "command.reason": "@{user} さんがコマンドで振り分け",
    "demo.title": "kakehashi デモ: サンプルコミュニティの{count}件を再生",
    "demo.replaying": "再生中",
    "demo.department": "{label}（{name}）: {count}件",
    "demo.col.tag": "種類",
    "demo.col.author": "投稿者",
    "demo.col.text": "投稿",
    "demo.col.reason": "理由",
    "demo.summary": "{messages}件を保存、{items}件を{departments}部門へ、投稿{posts}件（{skipped}件は対象外）",
    "demo.accuracy": "ルールの一致率（サンプルの期待値との比較）: {hit}/{total}（{pct}%）",
    "demo.outfile": "各部門への投稿: {path}",
}

EN: dict[str, str] = {
    "tag.bug": "Bug report",
    "tag.idea": "Feature idea",
    "tag.question": "Question",
    "tag.frustration": "Frustration / churn risk",
    "tag.testimonial": "Testimonial",
    "tag.use_case": "Use case",
    "tag.pricing": "Pricing / purchase interest",
    "tag.press": "Event / media",
    "tag.contributor": "Standout contributor",
    "tag.none": "Other",
    "status.open": "Open",
    "status.in_progress": "In progress",
    "status.done": "Done",
    "status.wontfix": "Won't fix",
    "status.needs_decision": "Needs a decision",
    "status.forwarded": "Forwarded",
    "status.deleted": "Deleted",
    "permission.none": "Not asked",
    "permission.requested": "Permission requested",
    "permission.granted": "Permission granted",
    "permission.declined": "Permission declined",
    "repost.header": "For {label}: {tag}",
    "repost.by": "{author} in {channel}",
    "repost.why": "Routed because: {reason}",
    "repost.open_source": "Open the original post",
    "repost.status": "Status: {status}",
    "repost.votes": "👍 {votes}",
    "repost.deleted": "(the original post was deleted)",
    "repost.files": "Attachments: {files}",
    "action.done": "Mark done",
    "action.reopen": "Reopen",
    "action.forward": "Send to another department",
    "action.ask_permission": "Ask the author for permission to reuse",
    "flag.reason": "flagged by @{user} with :{emoji}:",
    "command.reason": "routed by @{user} with a command",
    "demo.title": "kakehashi demo: replaying {count} messages of the sample community",
    "demo.replaying": "Replaying",
    "demo.department": "{label} ({name}): {count} items",
    "demo.col.tag": "Tag",
    "demo.col.author": "Author",
    "demo.col.text": "Post",
    "demo.col.reason": "Why",
    "demo.summary": "{messages} messages stored, {items} items for {departments} departments, "
    "{posts} posts ({skipped} not routed)",
    "demo.accuracy": "Rule agreement with the sample's expected departments: {hit}/{total} ({pct}%)",
    "demo.outfile": "Posts per department: {path}",
}

CATALOGUES = {"ja": JA, "en": EN}


def t(locale: str, key: str, **values: object) -> str:
    catalogue = CATALOGUES.get(locale, JA)
    template = catalogue.get(key) or EN.get(key) or key
    return template.format(**values) if values else template


def tag_label(locale: str, tag: str | None) -> str:
    key = f"tag.{tag or 'none'}"
    catalogue = CATALOGUES.get(locale, JA)
    return catalogue.get(key, tag or t(locale, "tag.none"))
