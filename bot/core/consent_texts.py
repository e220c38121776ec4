"""User-facing texts of reuse permission asked of authors, and of flags that count (merged into
``bot.core.texts``)."""

from __future__ import annotations

JA: dict[str, str] = {
    "permission.anonymous": "許諾済み（匿名）",
    "consent.title": "投稿の利用許諾のお願い",
    "consent.request": (
        "{author} さん、{channel} でのあなたの投稿を、{department}が{use}として紹介させていただけないでしょうか？"
        "（{user} さんからのお願いです）"
    ),
    "consent.request_after": "下のボタンでお答えください。あとから答えを変えることもできます。",
    "consent.request_after_reply": "このメッセージに「はい」「匿名ならはい」「いいえ」のいずれかで返信してください。あとから答えを変えることもできます。",
    "consent.reply_unclear": "お答えを読み取れませんでした。「はい」「匿名ならはい」「いいえ」のいずれかで返信してください。",
    "consent.use": "お客様の声・事例",
    "consent.grant": "許可する",
    "consent.anonymous": "匿名なら許可する",
    "consent.decline": "許可しない",
    "consent.answered": "ご回答ありがとうございます: {answer}（{when}）",
    "consent.answer.granted": "許可",
    "consent.answer.anonymous": "匿名なら許可",
    "consent.answer.declined": "許可しない",
    "consent.not_author": "この依頼には投稿者の {author} さんだけが答えられます。",
    "consent.unknown": "この依頼は見つかりませんでした。",
    "consent.same": "すでに「{answer}」とお答えいただいています。",
    "consent.notice.title": "利用許諾の回答",
    "consent.notice.granted": "{author} さんがこの投稿の利用を許可しました（{when}）。",
    "consent.notice.anonymous": "{author} さんがこの投稿の利用を匿名でなら許可しました（{when}）。名前を出さずに使ってください。",
    "consent.notice.declined": "{author} さんはこの投稿の利用を許可しませんでした（{when}）。使わないでください。",
    "consent.asked_already": "{author} さんにはすでにお願いしています（{answer}）。",
    "consent.no_dm": "{platform} の投稿者には個別にお願いできません。",
    "consent.not_asking": "{label}は投稿者に利用許諾を依頼しない設定です（rules.yaml の asks_consent）。",
    "recap.reusable": "利用してよいお客様の声（許諾済み）",
    "recap.anonymous_author": "匿名",
    "repost.flaggers": "フラグ {count}人: {names}",
}

EN: dict[str, str] = {
    "permission.anonymous": "Permission granted (anonymously)",
    "consent.title": "May we reuse your post?",
    "consent.request": (
        "Hi {author}, {department} would like to share your post in {channel} as a {use}. ({user} is asking.)"
    ),
    "consent.request_after": "Please answer with the buttons below. You can change your answer later.",
    "consent.request_after_reply": "Please reply to this message with “yes”, “yes, without my name” or “no”. You can change your answer later.",
    "consent.reply_unclear": "Sorry, I could not read an answer there. Please reply with “yes”, “yes, without my name” or “no”.",
    "consent.use": "customer story or testimonial",
    "consent.grant": "Yes, you may",
    "consent.anonymous": "Yes, without my name",
    "consent.decline": "No",
    "consent.answered": "Thank you for your answer: {answer} ({when})",
    "consent.answer.granted": "yes",
    "consent.answer.anonymous": "yes, without my name",
    "consent.answer.declined": "no",
    "consent.not_author": "Only the post's author, {author}, can answer this request.",
    "consent.unknown": "This request could not be found.",
    "consent.same": "You already answered “{answer}”.",
    "consent.notice.title": "Reuse permission answered",
    "consent.notice.granted": "{author} allowed reuse of this post ({when}).",
    "consent.notice.anonymous": "{author} allowed reuse of this post without their name ({when}). Please leave the name out.",
    "consent.notice.declined": "{author} declined reuse of this post ({when}). Please do not use it.",
    "consent.asked_already": "{author} has been asked already ({answer}).",
    "consent.no_dm": "Authors on {platform} cannot be asked in private.",
    "consent.not_asking": "{label} does not ask authors for reuse permission (rules.yaml: asks_consent).",
    "recap.reusable": "Voices you may reuse (permission granted)",
    "recap.anonymous_author": "anonymous",
    "repost.flaggers": "Flagged by {count}: {names}",
}
