"""A small httpx client for the Discourse API: categories, topics, the latest posts.

Rate limits: Discourse allows 60 requests a minute per admin API key by default
(``DISCOURSE_MAX_ADMIN_API_REQS_PER_MINUTE``) and answers 429 with ``Retry-After`` beyond that.
The client spaces requests ``min_interval`` seconds apart (1 s: 60/min) and honours 429 by
sleeping ``Retry-After`` (or the body's ``extras.wait_seconds``) before retrying, or, past
``max_retry_after``, by raising with ``retry_after`` so the poller skips runs until then -- httpx has no
built-in for that, so it is done here with tenacity.  httpx's transport ``retries`` only covers
connection errors.  5xx answers are retried a few times with exponential backoff, then raised
as ``DiscourseApiError`` so the poller backs off between runs.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from adapters.discourse import Category, TopicInfo, parse_categories, parse_category, parse_topic
from adapters.retry_after import retry_after_seconds as parse_retry_after
from bot.core.errors import KakehashiError

log = logging.getLogger("kakehashi.discourse")

Sleep = Callable[[float], Awaitable[None]]


class DiscourseApiError(KakehashiError):
    """The API could not be reached or kept failing; ``transient`` when worth retrying later."""

    def __init__(
        self, reason: str, *, transient: bool = True, status: int | None = None, retry_after: float = 0.0
    ) -> None:
        super().__init__(reason)
        self.transient = transient
        self.status = status
        self.retry_after = retry_after  # seconds the forum asked us to wait before the next request


_DENIED_HINT = (
    "the API key or DISCOURSE_API_USERNAME is not allowed to read this; use a read-only key, or a "
    "granular key with the 'global: read' scope (or leave DISCOURSE_API_KEY unset on a public forum)"
)


def _error_detail(response: httpx.Response) -> str:
    """Discourse explains refusals as ``{"errors": [...], "error_type": "invalid_access"}``."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
    kind = body.get("error_type")
    return f" ({kind}: {text})" if kind and text else (f" ({text})" if text else "")


def wait_seconds(response: httpx.Response, default: float) -> float:
    """``Retry-After`` as seconds or as an HTTP date (RFC 9110 allows both), else the body's
    ``extras.wait_seconds``, else ``default``."""
    seconds = parse_retry_after(response.headers.get("Retry-After"))
    if seconds is not None:
        return seconds
    try:
        wait = response.json().get("extras", {}).get("wait_seconds")
        if isinstance(wait, int | float):
            return max(float(wait), 0.0)
    except (ValueError, AttributeError):
        pass
    return default


class _TryAgain(Exception):
    """A 429 or 5xx answer within its budget: try again after ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"try again in {wait:.1f} s")
        self.wait = wait


def _asked_wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    return error.wait if isinstance(error, _TryAgain) else 0.0


class DiscourseClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None = None,
        api_username: str | None = None,
        min_interval: float = 1.0,
        max_429_waits: int = 3,
        max_5xx_retries: int = 2,
        max_retry_after: float = 120.0,
        timeout: float = 10.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "kakehashi"}
        if api_key:
            headers["Api-Key"] = api_key
            headers["Api-Username"] = api_username or "system"
        self.base_url = base_url.rstrip("/")
        self.min_interval = min_interval
        self.max_429_waits = max_429_waits
        self.max_5xx_retries = max_5xx_retries
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self._lock = asyncio.Lock()
        self._next_at = 0.0
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=httpx.AsyncHTTPTransport(retries=2),  # connection errors only
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _pace(self) -> None:
        async with self._lock:
            wait = self._next_at - time.monotonic()
            if wait > 0:
                await self.sleep(wait)
            self._next_at = time.monotonic() + self.min_interval

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON answer; 429 and 5xx answers are tried again (tenacity) within their budgets."""
        answered = {"429": 0, "5xx": 0}
        again = AsyncRetrying(
            retry=retry_if_exception_type(_TryAgain),
            wait=_asked_wait,
            sleep=self.sleep,
            reraise=True,
        )
        async for attempt in again:
            with attempt:
                return await self._get_once(path, params, answered)
        raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover

    async def _get_once(self, path: str, params: dict[str, Any] | None, answered: dict[str, int]) -> Any:
        await self._pace()
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise DiscourseApiError(f"GET {path}: {exc.__class__.__name__}: {exc}") from exc
        status = response.status_code
        if status == 429:
            answered["429"] += 1
            if answered["429"] > self.max_429_waits:
                raise DiscourseApiError(
                    f"GET {path}: still rate limited (429) after {self.max_429_waits} waits"
                )
            wait = wait_seconds(response, 10.0)
            if wait > self.max_retry_after:
                # Not worth holding a run (or a webhook answer) that long: the caller waits.
                raise DiscourseApiError(
                    f"GET {path}: rate limited (429), Retry-After {wait:.0f} s", status=429, retry_after=wait
                )
            log.warning("discourse rate limited on %s: waiting %.1f s (Retry-After)", path, wait)
            raise _TryAgain(wait)
        if status >= 500:
            answered["5xx"] += 1
            if answered["5xx"] > self.max_5xx_retries:
                raise DiscourseApiError(f"GET {path}: HTTP {status} after {self.max_5xx_retries} retries")
            raise _TryAgain(random.uniform(0, min(30.0, 1.0 * 2 ** answered["5xx"])))
        if status >= 400:
            hint = f"; {_DENIED_HINT}" if status in (401, 403) else ""
            raise DiscourseApiError(
                f"GET {path}: HTTP {status}{_error_detail(response)}{hint}", transient=False, status=status
            )
        try:
            return response.json()
        except ValueError:
            raise DiscourseApiError(f"GET {path}: answer is not JSON") from None

    async def categories(self) -> dict[int, Category]:
        """``/site.json`` (every category the caller may see, flat, with ``read_restricted``).

        A granular API key scoped to ``categories: list`` may read ``/categories.json`` but not
        ``/site.json``: on a refusal the category list is read there instead (with
        ``include_subcategories`` so subcategories are listed too).  A server that has neither
        (404) lists nothing here, and ``category`` reads categories one at a time.
        """
        try:
            return parse_categories(await self.get_json("/site.json"))
        except DiscourseApiError as exc:
            if exc.status not in (401, 403, 404):
                raise
            log.warning("discourse: %s; reading /categories.json instead", exc)
        try:
            return parse_categories(
                await self.get_json("/categories.json", params={"include_subcategories": "true"})
            )
        except DiscourseApiError as exc:
            if exc.status != 404:
                raise
            log.warning("discourse: %s; categories are looked up one by one (/c/{id}/show.json)", exc)
        return {}

    async def category(self, category_id: int) -> Category | None:
        """``/c/{id}/show.json``: one category, or None when the caller may not see it."""
        try:
            data = await self.get_json(f"/c/{category_id}/show.json")
        except DiscourseApiError as exc:
            if exc.transient:
                raise
            return None
        return parse_category(data.get("category") if isinstance(data, dict) else None)

    async def topic(self, topic_id: int) -> TopicInfo | None:
        return parse_topic(await self.get_json(f"/t/{topic_id}.json"))

    async def latest_posts(self, before: int | None = None) -> list[dict[str, Any]]:
        """One page of ``/posts.json`` (newest first); ``before`` pages back to older posts."""
        params = {"before": before} if before is not None else None
        data = await self.get_json("/posts.json", params=params)
        posts = data.get("latest_posts") if isinstance(data, dict) else None
        if posts is not None and not isinstance(posts, list):
            raise DiscourseApiError("GET /posts.json: latest_posts is not a list", transient=False)
        return [p for p in posts or () if isinstance(p, dict) and isinstance(p.get("id"), int)]
