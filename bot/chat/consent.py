"""Reuse permission, asked of the author in private and answered by the author only.

``ask`` ("Ask permission" on a repost) stores the request with the exact words the author will
read and queues a ``consent_request`` through the outbox: a Slack DM (``conversations.open`` +
``chat.postMessage`` with buttons) or a Teams 1:1 chat (``POST /v3/conversations`` + an Adaptive
Card), so it is durable, retried and sent once.  ``answer`` records the author's button press
(``granted``, ``anonymous`` or ``declined``; anyone else gets a polite refusal), re-renders the
department's reposts (their permission label) and tells the department in the repost's thread.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.core.texts import t
from bot.pipeline.render import ASKABLE_PLATFORMS, truncate
from storage.consents import ANSWERS
from storage.models import Consent, utcnow

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from storage.items import ItemView

log = logging.getLogger("kakehashi.consent")

QUOTE_LIMIT = 1500  # characters of the post quoted in the request


def compose(intro: str, quote: str, outro: str) -> str:
    """The request as one text: what is stored as the words the author agreed to."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in quote.splitlines()) or ">"
    return f"{intro}\n\n{quoted}\n\n{outro}"


def request_payload(
    consent: Consent, *, intro: str, quote: str, outro: str, link: str | None
) -> dict[str, Any]:
    """What the sinks render: the parts of the text, the buttons and who is asked."""
    locale = consent.locale
    return {
        "item_id": consent.item_id,
        "consent_id": consent.id,
        "user_id": consent.author_id,
        "user_name": consent.author,
        "username": consent.author,  # Discourse: the private message's target_recipients
        "text": compose(intro, quote, outro),
        "locale": locale,
        "title": t(locale, "consent.title"),
        "intro": intro,
        "quote": quote,
        "outro": outro,
        "link": link,
        "labels": {"open_source": t(locale, "repost.open_source")},
        "buttons": [
            {"answer": answer, "label": t(locale, f"consent.{_button(answer)}")} for answer in ANSWERS
        ],
    }


def _button(answer: str) -> str:
    return {"granted": "grant", "anonymous": "anonymous", "declined": "decline"}[answer]


def parts(consent: Consent) -> tuple[str, str, str]:
    """The stored text split back into intro, quote and outro (for re-rendering an answered request)."""
    intro, _, rest = consent.text.partition("\n\n")
    quoted, _, outro = rest.rpartition("\n\n")
    quote = "\n".join(line[2:] if line.startswith("> ") else line.lstrip(">") for line in quoted.splitlines())
    return intro, quote, outro


async def ask(app: Services, *, view: ItemView, user_id: str, user_name: str) -> str:
    """Send the author the request in private; the confirmation for whoever clicked."""
    rules = app.rules.current
    locale = rules.locale
    item, message = view.item, view.message
    existing = await app.store.consent_for(item.id)
    if existing is not None:
        return t(
            locale,
            "consent.asked_already",
            author=message.author,
            answer=t(locale, f"permission.{item.permission}"),
        )
    if message.platform not in ASKABLE_PLATFORMS:
        return t(locale, "consent.no_dm", platform=message.platform)
    dept = rules.departments.get(item.department)
    if dept is None or not dept.asks_consent:  # only where rules.yaml says so (the button is not shown)
        return t(locale, "consent.not_asking", label=dept.label if dept else item.department)
    intro = t(
        locale,
        "consent.request",
        author=message.author,
        channel=message.channel,
        department=dept.label,
        use=t(locale, "consent.use"),
        user=user_name,
    )
    quote = truncate(message.text, QUOTE_LIMIT)
    by_reply = message.platform == "discourse"  # no buttons in a private message: a reply answers
    outro = t(locale, "consent.request_after_reply" if by_reply else "consent.request_after")
    destination = {
        "slack": f"slack:@{message.author_id}",
        "teams": f"teams:{message.channel_id}",
        "discourse": f"discourse:@{message.author}",
    }[message.platform]
    draft = Consent(item_id=item.id, author_id=message.author_id, author=message.author, locale=locale)
    consent = await app.store.ask_consent(
        item_id=item.id,
        platform=message.platform,
        author_id=message.author_id,
        author=message.author,
        asked_by=user_name,
        asked_by_id=user_id,
        locale=locale,
        text=compose(intro, quote, outro),
        destination=destination,
        payload=request_payload(draft, intro=intro, quote=quote, outro=outro, link=message.link),
    )
    if consent is None:  # a second click raced the first
        return t(
            locale, "consent.asked_already", author=message.author, answer=t(locale, "permission.requested")
        )
    await app.store.enqueue_refresh(item.id, f"consent:{consent.id}:asked")
    app.worker.wake()
    return t(locale, "action.ask_permission.ok", author=message.author)


async def answer(app: Services, *, item_id: int, choice: str, user_id: str, user_name: str) -> str:
    """Record the author's answer; the reply for whoever pressed the button (in the rules' locale)."""
    rules = app.rules.current
    locale = rules.locale
    consent = await app.store.consent_for(item_id)
    if consent is None or choice not in ANSWERS:
        return t(locale, "consent.unknown")
    if user_id != consent.author_id:
        log.info("consent for item %s: %s is not the author; refused", item_id, user_id)
        return t(locale, "consent.not_author", author=consent.author)
    if consent.answer == choice:
        return t(locale, "consent.same", answer=t(locale, f"consent.answer.{choice}"))
    now = app.clock()
    recorded = await app.store.answer_consent(item_id, choice, by_id=user_id, by_name=user_name, now=now)
    assert recorded is not None and recorded.answered_at is not None
    stamp = f"{recorded.answered_at.astimezone(UTC):%Y%m%dT%H%M%S%f}"
    await app.store.enqueue_refresh(item_id, f"consent:{consent.id}:{choice}:{stamp}")
    when = recorded.answered_at.astimezone(rules.timezone).strftime("%Y-%m-%d %H:%M")
    notice = t(locale, f"consent.notice.{choice}", author=consent.author, when=when)
    for repost in await app.store.sent_reposts(item_id):
        if not repost.remote_id:
            continue
        thread = {"thread_ts": repost.remote_id} if repost.destination.startswith("slack:") else {}
        if repost.destination.startswith("teams:"):
            thread = {"thread_root": repost.remote_id}
        await app.store.enqueue(
            kind="notice",
            destination=repost.destination,
            payload={
                "title": t(locale, "consent.notice.title"),
                "sections": [],
                "markdown": notice,
                "locale": locale,
                "image": None,
                **thread,
            },
            dedupe_key=f"consent:{consent.id}:{choice}:{stamp}:{repost.id}",
            item_id=item_id,
        )
    app.worker.wake()
    log.info("consent for item %s: %s by %s", item_id, choice, user_id)
    return t(locale, "consent.answered", answer=t(locale, f"consent.answer.{choice}"), when=when)


_DECLINE_WORDS = ("いいえ", "許可しない", "許可しません", "お断り", "だめ", "ダメ")
_DECLINE_TOKENS = frozenset({"no", "nope", "decline", "declined"})
_ANONYMOUS_WORDS = ("匿名", "without my name", "without name", "anonymous")
_GRANT_WORDS = ("はい", "許可", "どうぞ", "いいですよ", "大丈夫")
_GRANT_TOKENS = frozenset({"yes", "ok", "okay", "sure", "allow", "allowed"})


def parse_reply(text: str) -> str | None:
    """The answer a Discourse reply gives: ``declined``, ``anonymous``, ``granted`` or None.

    A no wins over anything else it says; then "without my name" / 匿名; then a yes.  English
    words count as whole words (``no`` is not in "anonymous")."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    tokens = set(re.findall(r"[a-z]+", plain))
    if tokens & _DECLINE_TOKENS or any(w in plain for w in _DECLINE_WORDS):
        return "declined"
    if any(w in plain for w in _ANONYMOUS_WORDS):
        return "anonymous"
    if tokens & _GRANT_TOKENS or any(w in plain for w in _GRANT_WORDS):
        return "granted"
    return None


async def answer_by_reply(
    app: Services, *, platform: str, topic: str, user_id: str, user_name: str, text: str, reply_key: str
) -> str | None:
    """A reply in the private message that asked for reuse (Discourse): the author's answer.

    None when ``topic`` is no reuse request (an ordinary private message).  Only the author's
    replies count; others (our own request coming back through the webhook) are ignored.  The
    author is answered in the private message (thanks, or how to answer when unclear)."""
    consent = await app.store.consent_for_request(platform, topic)
    if consent is None:
        return None
    if user_id != consent.author_id:
        return "consent:not the author"
    locale = app.rules.current.locale
    choice = parse_reply(text)
    if choice is None:
        reply = t(locale, "consent.reply_unclear")
    else:
        reply = await answer(
            app, item_id=consent.item_id, choice=choice, user_id=user_id, user_name=user_name
        )
    await app.store.enqueue(
        kind="answer",
        destination=f"{platform}:@{consent.author}",
        payload={"markdown": reply, "reply_to": reply_key, "locale": locale},
        dedupe_key=f"consent:{consent.id}:reply:{reply_key}",
        item_id=consent.item_id,
    )
    app.worker.wake()
    return f"consent:{choice or 'unclear'}"


async def answered_request(app: Services, item_id: int, user_id: str) -> dict[str, Any] | None:
    """The author's request as answered (their answer under the buttons), to show in place of the
    one they pressed; None unless ``user_id`` is the author and has answered."""
    consent = await app.store.consent_for(item_id)
    view = await app.store.item_view(item_id)
    if consent is None or view is None or consent.author_id != user_id or consent.answer == "pending":
        return None
    intro, quote, outro = parts(consent)
    payload = request_payload(consent, intro=intro, quote=quote, outro=outro, link=view.message.link)
    payload["answered"] = answered_line(consent, consent.locale, app.rules.current.timezone)
    return payload


def answered_line(consent: Consent, locale: str, timezone: Any) -> str:
    """``Thank you for your answer: yes (2026-12-03 21:15)`` for the answered request."""
    when = (consent.answered_at or utcnow()).astimezone(timezone).strftime("%Y-%m-%d %H:%M")
    return t(locale, "consent.answered", answer=t(locale, f"consent.answer.{consent.answer}"), when=when)
