"""A local HTTP server that plays the Discourse API and records what it was asked.

Serves ``/site.json`` (categories; anonymous callers only see public ones, as on a real forum),
``/t/{id}.json`` (topic with ``post_stream.stream`` and ``tags``) and ``/posts.json?before=``
(``latest_posts``, newest first, ``posts.id < before`` as documented -- "Load posts with an id
lower than this value" -- and as ``LatestPostsQuery#public_posts`` does; ``before_inclusive``
plays Discourse 3.x's ``posts.id <= before``).  ``/categories.json`` lists ``category_list``;
``deny`` answers 403 like a key without the scope for a path, ``missing`` 404 as a server
without that endpoint would.  ``/c/{id}/show.json`` answers ``{"category": ...}``
(``CategoriesController#show``; 404 for a restricted category asked anonymously).
``fail(path, status, headers)`` queues forced answers (429 with Retry-After, 500, ...).
``GET /posts/{id}.json`` answers one post (``PostsController#show``: ``id``, ``topic_id``,
``post_number``, ...); ``POST /posts.json`` creates a reply (``PostsController#create`` with
``topic_id``, ``raw``, ``reply_to_post_number``; answers the new post), recorded in ``created``;
with ``archetype: private_message`` it needs ``title``, ``raw`` and ``target_recipients`` (comma
separated usernames) and starts a new private-message topic (post number 1).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeDiscourse:
    categories: list[dict[str, Any]] = field(default_factory=list)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 50
    before_inclusive: bool = False
    deny: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)  # bodies of POST /posts.json
    api_key: str = "forum-key"  # the key /session/current.json accepts (any other: 403)
    _failures: dict[str, deque[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    server: TestServer | None = None

    def fail(self, path: str, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        for _ in range(times):
            self._failures[path].append((status, headers or {}))

    def add_post(self, post: dict[str, Any]) -> None:
        self.posts[post["id"]] = post

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def _forced(self, request: web.Request) -> web.Response | None:
        queue = self._failures.get(request.path)
        if queue:
            status, headers = queue.popleft()
            body: dict[str, Any] = {
                "errors": ["forced"],
                "error_type": "rate_limit" if status == 429 else "server_error",
            }
            retry_after = headers.get("Retry-After", "1")
            if status == 429 and retry_after.isdigit():  # a proxy may send an HTTP date instead
                body["extras"] = {"wait_seconds": int(retry_after)}
            return web.json_response(body, status=status, headers=headers)
        return None

    async def _record(self, request: web.Request) -> web.Response | None:
        self.requests.append(Request(request.path, dict(request.query), dict(request.headers)))
        if request.path in self.missing:
            return web.json_response({"errors": ["not found"], "error_type": "not_found"}, status=404)
        if request.path in self.deny:
            return web.json_response(
                {
                    "errors": [
                        "You are not permitted to view the requested resource. The API username or key is invalid."
                    ],
                    "error_type": "invalid_access",
                },
                status=403,
            )
        return self._forced(request)

    async def site(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        authed = "Api-Key" in request.headers
        cats = [c for c in self.categories if authed or not c.get("read_restricted")]
        return web.json_response({"categories": cats, "can_tag_topics": True})

    async def topic(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        topic_id = int(request.match_info["id"].removesuffix(".json"))
        topic = self.topics.get(topic_id)
        if topic is None:
            return web.json_response({"errors": ["not found"]}, status=404)
        stream = sorted(p["id"] for p in self.posts.values() if p["topic_id"] == topic_id)
        return web.json_response({**topic, "post_stream": {"stream": stream, "posts": []}})

    async def latest(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        before = int(request.query.get("before", "0") or 0)
        ids = sorted(
            (i for i in self.posts if before <= 0 or i < before or (self.before_inclusive and i == before)),
            reverse=True,
        )
        page = [self.posts[i] for i in ids[: self.page_size]]
        return web.json_response({"latest_posts": page})

    async def category_list(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        authed = "Api-Key" in request.headers
        cats = [c for c in self.categories if authed or not c.get("read_restricted")]
        return web.json_response({"category_list": {"can_create_category": False, "categories": cats}})

    async def category(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        authed = "Api-Key" in request.headers
        wanted = int(request.match_info["id"])
        for cat in self.categories:
            if cat["id"] == wanted and (authed or not cat.get("read_restricted")):
                return web.json_response({"category": cat})
        return web.json_response({"errors": ["not found"], "error_type": "not_found"}, status=404)

    async def show_post(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        post = self.posts.get(int(request.match_info["id"]))
        if post is None:
            return web.json_response({"errors": ["not found"], "error_type": "not_found"}, status=404)
        return web.json_response(post)

    async def create_post(self, request: web.Request) -> web.Response:
        if (forced := await self._record(request)) is not None:
            return forced
        if "Api-Key" not in request.headers:
            return web.json_response({"errors": ["not logged in"], "error_type": "not_logged_in"}, status=403)
        body = await request.json()
        if body.get("archetype") == "private_message":  # a new private message: a new topic
            if not body.get("title") or not body.get("raw") or not body.get("target_recipients"):
                return web.json_response(
                    {"errors": ["title, raw and target_recipients are required"]}, status=422
                )
            self.created.append(body)
            topic_id = max([p.get("topic_id", 0) for p in self.posts.values()] or [0]) + 1000
            new_id = max([*self.posts, 9000]) + 1
            post = {
                "id": new_id,
                "topic_id": topic_id,
                "post_number": 1,
                "raw": body["raw"],
                "username": request.headers.get("Api-Username", "system"),
                "user_id": -1,
                "topic_slug": "t",
                "topic_archetype": "private_message",
                "post_type": 1,
            }
            self.posts[new_id] = post
            return web.json_response(post)
        topic_id = body.get("topic_id")
        if not isinstance(topic_id, int) or not body.get("raw"):
            return web.json_response({"errors": ["topic_id and raw are required"]}, status=422)
        self.created.append(body)
        in_topic = [p for p in self.posts.values() if p.get("topic_id") == topic_id]
        new_id = max([*self.posts, 9000]) + 1
        post = {
            "id": new_id,
            "topic_id": topic_id,
            "post_number": max([p.get("post_number", 0) for p in in_topic] or [0]) + 1,
            "raw": body["raw"],
            "reply_to_post_number": body.get("reply_to_post_number"),
            "username": request.headers.get("Api-Username", "system"),
            "user_id": -1,
            "topic_slug": "t",
            "post_type": 1,
        }
        self.posts[new_id] = post
        return web.json_response(post)

    async def current_session(self, request: web.Request) -> web.Response:
        """``GET /session/current.json``: the API user (``SessionController#current``); 404 for an
        anonymous caller, 403 ``invalid_access`` for a wrong key (``Auth::DefaultCurrentUserProvider``)."""
        if (forced := await self._record(request)) is not None:
            return forced
        key = request.headers.get("Api-Key")
        if key is None:
            return web.json_response(
                {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"},
                status=404,
            )
        if key != self.api_key:
            return web.json_response(
                {
                    "errors": [
                        "You are not permitted to view the requested resource. The API username or key is invalid."
                    ],
                    "error_type": "invalid_access",
                },
                status=403,
            )
        username = request.headers.get("Api-Username", "system")
        return web.json_response({"current_user": {"id": -1, "username": username, "admin": True}})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/session/current.json", self.current_session)
        app.router.add_get("/site.json", self.site)
        app.router.add_get("/categories.json", self.category_list)
        app.router.add_get("/posts.json", self.latest)
        app.router.add_post("/posts.json", self.create_post)
        app.router.add_get("/posts/{id:\\d+}.json", self.show_post)
        app.router.add_get("/t/{id}", self.topic)
        app.router.add_get("/c/{id:\\d+}/show.json", self.category)
        return app

    async def start(self) -> FakeDiscourse:
        self.server = TestServer(self.app())
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
