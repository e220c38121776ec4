"""SlackSink: deliver outbox posts with the Web API (chat.postMessage, chat.update, files_upload_v2).

Failures become ``TransientDeliveryError`` (429 with its Retry-After, 5xx, connection errors:
the outbox retries durably) or ``PermanentDeliveryError`` with a reason a community manager can
act on (``channel_not_found``, ``invalid_auth``, ...).  ``not_in_channel`` on a public channel
makes the bot join it and try once more.

Deleted community posts: the repost is *edited* (chat.update) into a redacted notice rather than
removed with chat.delete, so the department keeps its thread and status history while the
deleted text disappears.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.retry_after import header, retry_after_seconds
from adapters.slack import blocks as bk
from adapters.slack.convert import split_key
from adapters.slack.directory import TRANSIENT_ERRORS, SlackDirectory, api_error, looks_like_id
from bot.core.domain import DELIVERED, Post, Receipt
from bot.core.errors import PermanentDeliveryError, RateLimitedError, TransientDeliveryError
from bot.core.views import report_view, repost_view

log = logging.getLogger("kakehashi.slack")

# Errors that retrying cannot fix, with what to do about them.
HINTS: dict[str, str] = {
    "channel_not_found": "invite the bot to the channel or fix rules.yaml",
    "not_in_channel": "invite the bot to the channel (/invite @kakehashi)",
    "is_archived": "the channel is archived; unarchive it or fix rules.yaml",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid; reinstall the app and update the token",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "account_inactive": "the bot user was deactivated; reinstall the app",
    "token_revoked": "the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN",
    "token_expired": "the bot token expired; reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope; reinstall it from slack-manifest.yml",
    "no_permission": "the app may not post here",
    "restricted_action": "a workspace setting prevents the bot from posting here",
    "message_not_found": "the repost was deleted in Slack",
    "cant_update_message": "the repost can no longer be edited",
    "edit_window_closed": "the repost can no longer be edited",
    "invalid_blocks": "Slack rejected the message layout (a kakehashi bug: please report it)",
    "msg_too_long": "the message is too long for Slack",
    "user_not_found": "the post's author is no longer in the workspace",
    "user_disabled": "the post's author's account is deactivated",
    "cannot_dm_bot": "the post's author is a bot",
}
Departments = Callable[[], Sequence[tuple[str, str]]]
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")  # Slack user ids (U…, W… on Enterprise Grid)


def _retry_after(exc: SlackApiError) -> float | None:
    return retry_after_seconds(header(getattr(exc.response, "headers", None), "Retry-After"))


def delivery_error(exc: SlackApiError, where: str) -> TransientDeliveryError | PermanentDeliveryError:
    """Map a Web API failure to the outbox's error tree, with a reason that says what to do."""
    status = int(getattr(exc.response, "status_code", 200) or 200)
    error = api_error(exc) or f"http_{status}"
    if status == 429 or error == "ratelimited":
        return RateLimitedError(f"ratelimited: {where}", retry_after=_retry_after(exc) or 1.0)
    if status >= 500 or error in TRANSIENT_ERRORS:
        return TransientDeliveryError(f"{error}: {where} (Slack answered HTTP {status})")
    hint = HINTS.get(error)
    data = getattr(exc.response, "data", None)
    if error == "missing_scope" and isinstance(data, dict) and data.get("needed"):
        hint = f"the app needs the {data['needed']} scope; add it (slack-manifest.yml) and reinstall the app"
    return PermanentDeliveryError(f"{error}: {where}" + (f" — {hint}" if hint else ""))


class SlackSink:
    """Posts to Slack.  ``min_interval``: Slack allows about one message per second per channel."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        directory: SlackDirectory,
        *,
        departments: Departments = lambda: (),
        min_interval: float = 1.0,
    ) -> None:
        self.client = client
        self.directory = directory
        self.departments = departments
        self.min_interval = min_interval

    async def send(self, post: Post) -> Receipt:
        where = post.destination.channel
        progress: dict[str, Any] = dict(post.payload.get(DELIVERED) or {})
        try:
            if post.kind == "consent_request":
                return await self._direct(post)
            channel_id = await self._channel_id(where)
            if post.kind == "repost":
                return await self._post(channel_id, where, self._repost_args(post))
            if post.kind in ("update", "delete"):
                if not post.remote_id:
                    raise PermanentDeliveryError(f"{post.kind} without the repost's ts: {where}")
                try:
                    await self.client.chat_update(
                        channel=channel_id, ts=post.remote_id, **self._repost_args(post)
                    )
                except SlackApiError as exc:
                    if post.kind != "delete" or api_error(exc) != "message_not_found":
                        raise
                    # someone already deleted the repost in Slack: nothing is left to redact
                    log.info("redacting %s in %s: the repost is already gone", post.remote_id, where)
                return Receipt(remote_id=post.remote_id, remote_channel=channel_id)
            if post.kind in ("notice", "answer"):
                return await self._notice(channel_id, where, post)
            if post.kind.startswith("thread_reply"):
                return await self._thread_reply(channel_id, where, post)
            return await self._report(channel_id, where, post, progress)
        except SlackApiError as exc:
            error = delivery_error(exc, where)
            error.progress = progress or None
            log.warning("slack %s to %s failed: %s", post.kind, where, error.reason)
            raise error from None
        except (TimeoutError, aiohttp.ClientError, SlackClientError, OSError) as exc:
            reason = f"connection error: {where}: {exc.__class__.__name__}: {exc}"
            raise TransientDeliveryError(reason, progress=progress or None) from None
        except PermanentDeliveryError as exc:
            exc.progress = exc.progress or progress or None
            raise

    async def _channel_id(self, name: str) -> str:
        """The channel id for ``#name`` / ``name`` / an id.

        A name missing from ``conversations.list`` is passed to Slack as written (the Web API
        accepts names): Slack then answers ``channel_not_found`` with our hint, or posts and
        tells us the id, which is remembered for later updates.
        """
        if looks_like_id(name):
            return name
        channel = await self.directory.channel(name)
        if channel is not None:
            return channel.id
        return self.directory.learned(name) or name

    def _repost_args(self, post: Post) -> dict[str, Any]:
        return {
            "blocks": bk.repost_blocks(repost_view(post.payload), self.departments()),
            "text": bk.repost_text(repost_view(post.payload)),
        }

    async def _post(self, channel_id: str, where: str, args: dict[str, Any]) -> Receipt:
        """chat.postMessage; joins a public channel once on ``not_in_channel``."""
        try:
            response = await self.client.chat_postMessage(channel=channel_id, unfurl_links=False, **args)
        except SlackApiError as exc:
            if api_error(exc) != "not_in_channel":
                raise
            log.info("joining %s (%s) to post", where, channel_id)
            try:
                await self.client.conversations_join(channel=channel_id)
            except SlackApiError as join_exc:
                join_error = api_error(join_exc) or "unknown error"
                raise PermanentDeliveryError(
                    f"not_in_channel: {where} — the bot could not join ({join_error}); invite it with /invite"
                ) from None
            self.directory.remember_member(channel_id)
            response = await self.client.chat_postMessage(channel=channel_id, unfurl_links=False, **args)
        posted_in = str(response.get("channel") or channel_id)
        if posted_in != where:
            self.directory.learn(where, posted_in)
        return Receipt(remote_id=str(response["ts"]), remote_channel=posted_in)

    async def _thread_of(self, payload: dict[str, Any]) -> str | None:
        if payload.get("thread_ts"):
            return str(payload["thread_ts"])
        reply_to = payload.get("reply_to")
        if isinstance(reply_to, str):
            parts = split_key(reply_to)
            if parts:
                return parts[2]
        return None

    async def _notice(self, channel_id: str, where: str, post: Post) -> Receipt:
        payload = post.payload
        text = bk.mrkdwn(str(payload.get("markdown") or payload.get("title") or ""))
        mention = payload.get("mention") or {}
        if isinstance(mention, dict) and mention.get("id") and mention.get("platform", "slack") == "slack":
            text = f"<@{mention['id']}> {text}"
        args: dict[str, Any] = {"text": bk.cut(text, 3900)}
        blocks = bk.notice_blocks(text, payload)
        if blocks is not None:
            args["blocks"] = blocks
        thread_ts = await self._thread_of(payload)
        if thread_ts:
            args["thread_ts"] = thread_ts
        return await self._post(channel_id, where, args)

    async def _direct(self, post: Post) -> Receipt:
        """A reuse request to the author in private: ``conversations.open`` with their user id
        (the DM's channel id), then ``chat.postMessage`` there with the answer buttons."""
        user = str(post.payload.get("user_id") or "")
        if not USER_ID.fullmatch(user):
            raise PermanentDeliveryError(f"user_not_found: {user!r} is not a Slack user id")
        opened = await self.client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel:
            raise PermanentDeliveryError(f"conversations.open gave no channel for {user}")
        response = await self.client.chat_postMessage(
            channel=channel,
            unfurl_links=False,
            blocks=bk.consent_blocks(post.payload),
            text=bk.consent_text(post.payload),
        )
        return Receipt(remote_id=str(response["ts"]), remote_channel=str(response.get("channel") or channel))

    async def _thread_reply(self, channel_id: str, where: str, post: Post) -> Receipt:
        """A community reply mirrored into a repost's thread (``thread_ts`` = the repost's ts);
        its edit is ``chat.update`` and its deletion ``chat.delete`` of the mirrored message."""
        text = bk.thread_reply_text(post.payload)
        if post.kind == "thread_reply":
            return await self._post(channel_id, where, {"text": text, "thread_ts": post.payload["thread_ts"]})
        if not post.remote_id:
            raise PermanentDeliveryError(f"{post.kind} without the mirrored reply's ts: {where}")
        if post.kind == "thread_reply_update":
            await self.client.chat_update(channel=channel_id, ts=post.remote_id, text=text)
        else:
            try:
                await self.client.chat_delete(channel=channel_id, ts=post.remote_id)
            except SlackApiError as exc:
                if api_error(exc) != "message_not_found":
                    raise
        return Receipt(remote_id=post.remote_id, remote_channel=channel_id)

    async def _report(self, channel_id: str, where: str, post: Post, progress: dict[str, Any]) -> Receipt:
        """Recap / agenda: the first message, the rest (and the chart) in its thread.

        Several Web API calls: ``progress`` records the messages that went out (and the first
        one's ts), so a retry after a 429/500 half-way resumes where it stopped.
        """
        payload = post.payload
        thread_ts = await self._thread_of(payload) or payload.get("thread_root") or progress.get("thread_ts")
        messages = bk.report_messages(report_view(payload))
        first: Receipt | None = None
        if progress.get("first_ts"):
            first = Receipt(remote_id=str(progress["first_ts"]), remote_channel=progress.get("channel"))
        for index, blocks in enumerate(messages):
            if index < int(progress.get("messages", 0)):
                continue
            args: dict[str, Any] = {"blocks": blocks, "text": bk.report_text(report_view(payload))}
            if thread_ts:
                args["thread_ts"] = thread_ts
            receipt = await self._post(channel_id, where, args)
            if first is None:
                first = receipt
                thread_ts = thread_ts or receipt.remote_id
                progress.update(
                    first_ts=receipt.remote_id, channel=receipt.remote_channel, thread_ts=thread_ts
                )
            progress["messages"] = index + 1
        assert first is not None
        image = payload.get("image")
        if isinstance(image, dict) and image.get("png_base64"):
            try:
                content = base64.b64decode(str(image["png_base64"]), validate=True)
            except (binascii.Error, ValueError):
                log.warning("recap image for %s is not valid base64; skipped", where)
            else:
                await self._upload_chart(first.remote_channel or channel_id, where, thread_ts, image, content)
        return first

    async def _upload_chart(
        self, channel_id: str, where: str, thread_ts: str | None, image: dict[str, Any], content: bytes
    ) -> None:
        """The chart into the report's thread (files.getUploadURLExternal, the bytes, then
        files.completeUploadExternal: what ``files_upload_v2`` does; files.upload is retired).

        The report itself is delivered by now: a failure a retry can fix (429, 5xx) is raised
        so the outbox retries the upload alone; any other (``missing_scope`` when the app was
        installed without ``files:write``) is logged and the report counts as delivered.
        """
        try:
            await self.client.files_upload_v2(
                channel=channel_id,
                thread_ts=thread_ts,
                content=content,
                filename=str(image.get("filename") or "chart.png"),
                title=str(image.get("title") or image.get("alt") or "chart"),
                alt_txt=str(image.get("alt") or ""),
            )
        except SlackApiError as exc:
            error = delivery_error(exc, where)
            if isinstance(error, TransientDeliveryError):
                raise
            log.warning("recap chart for %s not uploaded (the recap was posted): %s", where, error.reason)
