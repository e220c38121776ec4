"""Fuzz every HTTP endpoint of a real ``kakehashi serve`` and count the answers by status.

Not part of the test suite (thousands of requests; the bounded property tests in
``tests/fuzz/`` run by default).  Starts the Slack Web API and Bot Connector stand-ins, one
``kakehashi serve`` with Slack (HTTP mode), Teams (``KAKEHASHI_ENV=dev``: no token, so bodies
reach the parsers), Discourse and the inbound webhook, and a second one with a Teams app id
(its forged and garbled ``Authorization`` headers must all get 401).  Then sends mutated copies
of the payload shapes in ``tests/fixtures/`` to each endpoint, signed (a valid signature over
the mutated body, so it reaches the parsers) and unsigned or badly signed, and prints a table of
statuses, the ERROR/traceback lines the servers logged, and whether ``/healthz`` is still ok.

    .venv/bin/python bench/fuzz_http.py                 # 3,000 per endpoint, SQLite
    .venv/bin/python bench/fuzz_http.py -n 500 --seed 7 --pg postgresql://postgres@127.0.0.1:5432/test

Exit status 1 when any answer was a 5xx (other than 503 with Retry-After, or botbuilder's 501 for an
unimplemented invoke) or /healthz failed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import copy
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.fakes.bot_connector import FakeBotConnector  # noqa: E402
from tests.fakes.slack_api import COMMUNITY, TEAM_ID, make_fake  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SLACK_SECRET = "fuzz-slack-signing-secret"
DISCOURSE_SECRET = "fuzz-discourse-secret"
INBOUND_SECRET = "fuzz-inbound-secret"
APP_ID = "0b6e4a3c-1111-4222-8333-444455556666"

RULES = """\
version: 1
locale: en
timezone: Asia/Tokyo
admins: [U0ADMIN]
sources:
  - {slack: "#community"}
  - {teams: "Community/General"}
  - {discourse: "*"}
  - {webhook: forum}
departments:
  product: {label: Product, post_to: [{slack: "#dept-product"}]}
  cs: {label: Customer Success, post_to: [{slack: "#dept-cs"}]}
routes:
  - name: bug
    when: {keyword: [bug, crash, バグ, 文字化け, 落ちる]}
    to: [product, cs]
    tag: bug
  - name: question
    when: {keyword: ["?", "？"]}
    to: [cs]
    tag: question
"""

# -- seeds: the payload shapes of tests/fixtures -------------------------------------------------

PLACEHOLDERS = {
    "channel": COMMUNITY,
    "channel_type": "channel",
    "user": "U0MEMBER1",
    "user_name": "hana",
    "text": "the export crashes, is this a bug?",
    "item_type": "message",
    "reaction": "bulb",
    "type": "message",
    "response_url": "https://hooks.slack.com/actions/T0/1/x",
    "shared": "false",
    "shared_text": "shared",
    "previous_text": "before",
}


def fill(text: str, n: int) -> str:
    for key, value in PLACEHOLDERS.items():
        text = text.replace("{{" + key + "}}", value)
    for key in ("ts", "event_ts", "message_ts", "deleted_ts", "edited_ts", "changed_ts", "thread_ts"):
        text = text.replace("{{" + key + "}}", f"17000{n:05d}.000100")
    return text.replace("{{event_id}}", f"FUZZ{n}")


def slack_event_seeds() -> list[Any]:
    seeds: list[Any] = []
    for path in sorted((FIXTURES / "slack").glob("*.json")):
        if path.name in ("block_actions.json", "message_subtypes.json"):
            continue
        seeds.append(json.loads(fill(path.read_text(encoding="utf-8"), len(seeds))))
    envelope = json.loads(fill((FIXTURES / "slack" / "message.json").read_text(encoding="utf-8"), 0))
    subtypes = json.loads((FIXTURES / "slack" / "message_subtypes.json").read_text(encoding="utf-8"))
    for name, event in subtypes.items():
        if isinstance(event, dict) and not name.startswith("_"):
            seeds.append({**envelope, "event": {**event, "channel": COMMUNITY}})
    return seeds


def slack_command_seed() -> dict[str, Any]:
    return {
        "token": "x",
        "team_id": TEAM_ID,
        "team_domain": "community",
        "channel_id": COMMUNITY,
        "channel_name": "community",
        "user_id": "U0MEMBER1",
        "user_name": "hana",
        "command": "/kakehashi",
        "text": "help",
        "api_app_id": "A0KAKEHASHI",
        "response_url": "https://hooks.slack.com/commands/T0/1/x",
        "trigger_id": "1.2.3",
    }


def slack_action_seed() -> dict[str, Any]:
    body = json.loads(fill((FIXTURES / "slack" / "block_actions.json").read_text(encoding="utf-8"), 1))
    body["actions"] = [
        {"type": "button", "action_id": "kakehashi:done", "block_id": "b", "value": "1", "action_ts": "1.2"}
    ]
    return dict(body)


def teams_seeds() -> list[Any]:
    return [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted((FIXTURES / "teams").glob("*.json"))
    ]


def discourse_seeds() -> list[tuple[str, Any]]:
    post = json.loads((FIXTURES / "discourse" / "post_created.json").read_text(encoding="utf-8"))
    topic = json.loads((FIXTURES / "discourse" / "topic_created.json").read_text(encoding="utf-8"))
    return [
        ("post_created", post),
        ("post_edited", post),
        ("post_destroyed", post),
        ("topic_created", topic),
        ("topic_destroyed", topic),
        ("ping", {"ping": "OK"}),
    ]


def inbound_seed() -> dict[str, Any]:
    return {
        "id": "c-981",
        "text": "the app crashes, a bug?",
        "author": "yamada",
        "channel": "general",
        "link": "https://community.example.org/c/981",
        "time": "2026-11-12T09:30:00+09:00",
        "author_id": "u-17",
        "thread_id": "c-900",
        "tags": ["mobile"],
    }


# -- mutation ------------------------------------------------------------------------------------


class Raw:
    """JSON text emitted verbatim (``1e400``, ``NaN``, deep nesting): json.dumps cannot write these."""

    def __init__(self, text: str) -> None:
        self.text = text


def odd_values(rng: random.Random) -> list[Any]:
    depth = rng.choice([50, 999, 1000, 1500, 5000])
    return [
        None,
        True,
        0,
        -1,
        2**70,
        10**400,
        1.5,
        Raw("1e400"),
        Raw("-1e400"),
        Raw("NaN"),
        Raw("Infinity"),
        Raw("1e-400"),
        "",
        " ",
        "x",
        "1e400",
        "nan",
        "-1",
        "9" * 40,
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "バグ" * 5,
        "😢" * 3,
        "U" * 300,
        "C" * 1000,
        "🐛" * 70_000,
        [],
        [1, 2, 3],
        ["x"],
        {},
        {"a": 1},
        Raw("[" * depth + "]" * depth),
        Raw('{"a":' * depth + "1" + "}" * depth),
    ]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def mutate_tree(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        where = rng.choice(paths(doc))
        if not where:
            doc = rng.choice(odd_values(rng))
            continue
        parent = doc
        try:
            for step in where[:-1]:
                parent = parent[step]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, dict | list):
            continue
        last = where[-1]
        if isinstance(parent, dict) and rng.random() < 0.2:
            parent.pop(last, None)
        else:
            try:
                parent[last] = rng.choice(odd_values(rng))
            except (IndexError, TypeError):
                continue
    return doc


def dumps(doc: Any) -> bytes:
    raws: dict[str, str] = {}

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            token = f"@@raw{len(raws)}@@"
            raws[token] = node.text
            return token
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(doc))  # ensure_ascii: lone surrogates travel as \ud800 escapes
    for token, raw in raws.items():
        text = text.replace(f'"{token}"', raw)
    return text.encode()


def mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(6)
    if choice == 0 and raw:
        return raw[: rng.randrange(len(raw))]
    if choice == 1:
        at = rng.randrange(len(raw) + 1)
        return raw[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x80\x80"]) + raw[at:]
    if choice == 2 and raw:
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice == 3:
        return rng.choice(
            [b"", b"[1,2,3]", b'"x"', b"null", b"1e400", b"{}", b"[", b"\xff\xfe", b"payload=[1]"]
        )
    if choice == 4:
        return raw.replace(b'"', b"'", 1)
    return raw + rng.choice([b"}", b"]", b",", b"\x00", b"garbage"])


def mutated_json(seed: Any, rng: random.Random) -> bytes:
    raw = dumps(mutate_tree(seed, rng)) if rng.random() < 0.8 else dumps(seed)
    return mutate_bytes(raw, rng) if rng.random() < 0.35 else raw


def odd_form_value(rng: random.Random) -> str:
    value = rng.choice(odd_values(rng))
    if isinstance(value, Raw):
        return value.text
    return value if isinstance(value, str) else json.dumps(value)


def mutated_form(fields: dict[str, str], rng: random.Random) -> bytes:
    pairs = list(fields.items())
    for _ in range(rng.choice([1, 1, 2])):
        at = rng.randrange(len(pairs))
        move = rng.randrange(4)
        if move == 0:
            pairs.pop(at)
        elif move == 1:
            pairs.append((pairs[at][0], odd_form_value(rng)))  # the field twice
        else:
            pairs[at] = (pairs[at][0], odd_form_value(rng))
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()
    if rng.random() < 0.2:
        body += rng.choice([b"&%ff=%fe", b"&text=%ED%A0%80", b"&%00=%00", b"&&==&", b"&payload"])
    return body


# -- signing -------------------------------------------------------------------------------------


def slack_headers(body: bytes, *, ts: str | None = None) -> dict[str, str]:
    ts = str(int(time.time())) if ts is None else ts
    mac = hmac.new(SLACK_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + mac.hexdigest()}


def bad_slack_headers(body: bytes, rng: random.Random) -> dict[str, str]:
    now = int(time.time())
    return rng.choice(
        [
            {},
            {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
            {"X-Slack-Request-Timestamp": "1e400", "X-Slack-Signature": "v0=00"},
            {"X-Slack-Request-Timestamp": "nan", "X-Slack-Signature": "v0=00"},
            {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
            {"X-Slack-Request-Timestamp": str(now)},
            {"X-Slack-Signature": "v0=abc"},
            {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "0" * 64},
            {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "garbage"},
            {"X-Slack-Request-Timestamp": "9" * 30, "X-Slack-Signature": "v0=00"},
            slack_headers(body, ts=str(now - 3600)),  # stale
            {**slack_headers(body), "X-Slack-Request-Timestamp": str(now + 1)},  # signature for another ts
        ]
    )


def discourse_headers(body: bytes) -> dict[str, str]:
    return {
        "X-Discourse-Event-Signature": "sha256="
        + hmac.new(DISCOURSE_SECRET.encode(), body, "sha256").hexdigest()
    }


def inbound_headers(body: bytes, ts: str | None = None) -> dict[str, str]:
    ts = str(int(time.time())) if ts is None else ts
    mac = hmac.new(INBOUND_SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256)
    return {"X-Kakehashi-Timestamp": ts, "X-Kakehashi-Signature": "sha256=" + mac.hexdigest()}


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_tokens(rng: random.Random) -> str:
    header = rng.choice(
        [{"alg": "none", "typ": "JWT"}, {"alg": "HS256", "kid": "x"}, {"alg": "RS256", "kid": "unknown"}, {}]
    )
    claims = {"aud": APP_ID, "iss": "https://api.botframework.com", "serviceurl": "https://x/", "exp": 2**40}
    return rng.choice(
        [
            "",
            "Bearer ",
            "Bearer",
            "Bearer  ",
            "Bearer x",
            "Bearer a.b.c",
            "Bearer ..",
            "Bearer " + b64(header) + "." + b64(claims) + ".",
            "Bearer " + b64(header) + "." + b64(claims) + "." + b64({"s": 1}),
            "Bearer " + b64(header) + ".%%%." + "zz",
            "Basic dXNlcjpwYXNz",
            "Bearer \x00",
            "bearer " + "A" * 5000,
        ]
    )


# -- the run -------------------------------------------------------------------------------------

Signer = Callable[[bytes], dict[str, str]]
# (label, path, body, headers, signer, garble): garble replaces one header's value with raw bytes
# after signing (bytes that are not UTF-8, other scripts, other scripts' digits).
Request = tuple[str, str, bytes, dict[str, str], Signer | None, tuple[str, bytes] | None]
# Signatures are made when a request is sent, not when it is planned: a plan takes minutes to send.

ODD_HEADER_VALUES = [
    b"\xff\xfe",
    b"\xed\xa0\x80",
    "バグ".encode(),
    "１７００００００００".encode(),  # full-width digits: int() and float() accept them
    "١٧٠٠٠٠٠٠٠٠".encode(),
    "sha256=ｆｆ".encode(),
    "v0=é".encode(),
    b"\x80" * 40,
]
GARBLED_HEADERS = {
    "/slack/events": ["X-Slack-Request-Timestamp", "X-Slack-Signature", "Content-Type", "X-Slack-Retry-Num"],
    "/api/messages": ["Content-Type", "Authorization"],
    "/discourse/webhook": [
        "X-Discourse-Event-Signature",
        "X-Discourse-Event",
        "X-Discourse-Instance",
        "X-Discourse-Event-Id",
    ],
    "/hooks/inbound/": ["X-Kakehashi-Timestamp", "X-Kakehashi-Signature", "Content-Type"],
}


def garbled(
    rng: random.Random, label: str, path: str, body: bytes, headers: dict[str, str], signer: Signer | None
) -> Request:
    """The request, with one header garbled one time in ten."""
    names = next((v for k, v in GARBLED_HEADERS.items() if path.startswith(k)), [])
    garble = (rng.choice(names), rng.choice(ODD_HEADER_VALUES)) if names and rng.random() < 0.1 else None
    return (label, path, body, headers, signer, garble)


def slack_requests(rng: random.Random, n: int) -> list[Request]:
    events, command, action = slack_event_seeds(), slack_command_seed(), slack_action_seed()
    out: list[Request] = []
    for i in range(n):
        signed = i % 3 != 2
        kind = rng.choice(["event", "event", "command", "action"])
        if kind == "event":
            body = mutated_json(rng.choice(events), rng)
            ctype = "application/json"
        elif kind == "command":
            body = mutated_form(command, rng)
            ctype = "application/x-www-form-urlencoded"
        else:
            if rng.random() < 0.3:
                body = rng.choice(
                    [b"payload=[1]", b"payload=x", b"payload=", b"payload=%ff", b"payload=1e400"]
                )
            else:
                inner = mutated_json(action, rng).decode("utf-8", errors="surrogateescape")
                body = urlencode({"payload": inner}, errors="surrogateescape").encode()
            ctype = "application/x-www-form-urlencoded"
        if rng.random() < 0.1:
            ctype = rng.choice(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])
        if signed:
            out.append(garbled(rng, "signed", "/slack/events", body, {"Content-Type": ctype}, slack_headers))
        else:
            bad = bad_slack_headers(body, rng)
            out.append(garbled(rng, "unsigned", "/slack/events", body, {"Content-Type": ctype, **bad}, None))
    return out


def teams_requests(rng: random.Random, n: int, connector_url: str) -> list[Request]:
    seeds = teams_seeds()
    for seed in seeds:
        seed["serviceUrl"] = connector_url
    out: list[Request] = []
    for _ in range(n):
        ctype = (
            "application/json"
            if rng.random() < 0.95
            else rng.choice(["text/plain", "", "application/json; charset=latin-1"])
        )
        body = mutated_json(rng.choice(seeds), rng)
        out.append(garbled(rng, "no auth (dev)", "/api/messages", body, {"Content-Type": ctype}, None))
    return out


def teams_auth_requests(rng: random.Random, n: int, connector_url: str) -> list[Request]:
    seeds = teams_seeds()
    out: list[Request] = []
    for _ in range(n):
        body = mutated_json(rng.choice(seeds), rng) if rng.random() < 0.3 else dumps(rng.choice(seeds))
        headers = {"Content-Type": "application/json", "Authorization": forged_tokens(rng)}
        if not headers["Authorization"]:
            del headers["Authorization"]
        out.append(garbled(rng, "forged token", "/api/messages", body, headers, None))
    return out


def discourse_requests(rng: random.Random, n: int) -> list[Request]:
    seeds = discourse_seeds()
    out: list[Request] = []
    for i in range(n):
        event, seed = rng.choice(seeds)
        body = mutated_json(seed, rng)
        signed = i % 4 != 3
        headers = {
            "Content-Type": "application/json",
            "X-Discourse-Event": event if rng.random() < 0.9 else odd_form_value(rng)[:200],
            "X-Discourse-Event-Type": "post",
            "X-Discourse-Event-Id": str(i),
            "X-Discourse-Instance": "https://forum.example.com"
            if rng.random() < 0.9
            else odd_form_value(rng)[:200],
        }
        if not signed:
            headers["X-Discourse-Event-Signature"] = rng.choice(
                ["", "sha256=", "sha256=zz", "md5=1", "x" * 500]
            )
        label = "signed" if signed else "unsigned"
        out.append(
            garbled(rng, label, "/discourse/webhook", body, headers, discourse_headers if signed else None)
        )
    return out


def inbound_requests(rng: random.Random, n: int) -> list[Request]:
    seed = inbound_seed()
    out: list[Request] = []
    for i in range(n):
        body = mutated_json(seed, rng)
        source = rng.choice(["forum", "forum", "forum", "other", "a" * 80, "%00", "..", "x%2Fy", "ü"])
        signed = i % 4 != 3
        headers = {"Content-Type": "application/json"}
        signer: Signer | None = inbound_headers if signed else None
        if not signed:
            ts = rng.choice(["nan", "inf", "-inf", "1e400", "abc", "", "NaN", str(int(time.time()) - 3600)])
            if rng.random() < 0.5:
                headers.update(inbound_headers(body, ts=ts))  # a valid HMAC over an odd timestamp
            else:
                headers.update({"X-Kakehashi-Timestamp": ts, "X-Kakehashi-Signature": "sha256=00"})
        out.append(
            garbled(
                rng, "signed" if signed else "unsigned", f"/hooks/inbound/{source}", body, headers, signer
            )
        )
    return out


def other_requests(rng: random.Random, n: int) -> list[Request]:
    paths_ = [
        "/healthz",
        "/metrics",
        "/",
        "/slack",
        "/api",
        "/hooks/inbound/",
        "/discourse/webhook/x",
        "/%ff",
    ]
    return [
        (
            "any",
            rng.choice(paths_),
            mutated_json({"a": 1}, rng),
            {"Content-Type": "application/json"},
            None,
            None,
        )
        for _ in range(n)
    ]


class Serve:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "PORT": str(self.port), "HOST": "127.0.0.1", **env}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )

    async def healthy(self, client: httpx.AsyncClient) -> None:
        assert self.proc is not None
        for _ in range(600):
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                if (await client.get(f"{self.url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise SystemExit(f"{self.name} did not become healthy")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def send_all(
    client: httpx.AsyncClient,
    base: str,
    requests: list[Request],
    concurrency: int,
    tally: Callable[..., None],
) -> None:
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)

    async def worker() -> None:
        while not queue.empty():
            label, path, body, headers, signer, garble = queue.get_nowait()
            if signer is not None:
                headers = {**headers, **signer(body)}
            raw_headers: dict[bytes, bytes] = {
                k.encode(): v.encode("utf-8", "replace").translate(None, b"\x00\r\n").strip()
                for k, v in headers.items()
            }
            if garble is not None:
                raw_headers = {
                    k: v for k, v in raw_headers.items() if k.lower() != garble[0].lower().encode()
                }
                raw_headers[garble[0].encode()] = garble[1]
                headers = {**headers, garble[0]: repr(garble[1])}
            try:
                response = await client.post(base + path, content=body, headers=raw_headers)
                status = str(response.status_code)
                if response.status_code == 503 and "Retry-After" in response.headers:
                    status = "503+Retry-After"
            except httpx.HTTPError as exc:
                status = f"client error {type(exc).__name__}"
            tally(path, label, status, body, headers)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def failed(status: str) -> bool:
    """A 5xx we owe an explanation for.  Not 503 with Retry-After (come back later), not 501:
    botbuilder's answer to an ``invoke`` activity whose name no handler implements."""
    return status.startswith("5") and status not in ("503+Retry-After", "501")


def endpoint_of(path: str) -> str:
    return "/hooks/inbound/{source}" if path.startswith("/hooks/inbound/") else path


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3000, help="requests per endpoint (default 3000)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--pg", help="a PostgreSQL URL (a fresh database is created on it)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--samples", type=int, default=3, help="5xx requests to print per endpoint")
    parser.add_argument(
        "--only",
        action="append",
        choices=["slack", "teams", "discourse", "inbound", "other"],
        help="repeatable",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    tmp = Path(tempfile.mkdtemp(prefix="kakehashi-fuzz-"))
    (tmp / "rules.yaml").write_text(RULES, encoding="utf-8")
    database_url, drop = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}", None
    if args.pg:
        import asyncpg

        name = f"kk_fuzz_{uuid.uuid4().hex[:8]}"
        admin = args.pg.replace("+asyncpg", "")
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        database_url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name

        async def drop_db() -> None:
            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        drop = drop_db

    fake = make_fake()
    await fake.start()
    connector = FakeBotConnector()
    connector.add_team(
        "19:Zk0MmNlOTU3NjE4NDc0ZmE1YjM3@thread.tacv2",
        "Community",
        {"19:Zk0MmNlOTU3NjE4NDc0ZmE1YjM3@thread.tacv2": None},
    )
    await connector.start()
    common = {
        "DATABASE_URL": database_url,
        "KAKEHASHI_RULES": str(tmp / "rules.yaml"),
        "LOG_LEVEL": "WARNING",
        "KAKEHASHI_OUTBOX_POLL_SECONDS": "0.5",
    }
    main_env = {
        **common,
        "SLACK_BOT_TOKEN": "xoxb-fuzz",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": fake.url,
        "KAKEHASHI_ENV": "dev",
        "MICROSOFT_APP_PASSWORD": "dev-only",
        "DISCOURSE_WEBHOOK_SECRET": DISCOURSE_SECRET,
        "KAKEHASHI_INBOUND_SECRET": INBOUND_SECRET,
    }
    auth_env = {
        **common,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'teams-auth.db'}",  # its own: no Slack sink here
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "secret",
        "MICROSOFT_APP_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    }
    servers = [Serve("main", main_env, tmp), Serve("teams-auth", auth_env, tmp)]
    counts: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    samples: dict[str, list[str]] = collections.defaultdict(list)

    def tally(path: str, label: str, status: str, body: bytes, headers: dict[str, str]) -> None:
        endpoint = endpoint_of(path)
        counts[(endpoint, label)][status] += 1
        # an unsigned request must never get further than 401 (404: no such route, 413: too large)
        let_in = label == "unsigned" and status not in ("401", "404", "413")
        if (failed(status) or let_in) and len(samples[endpoint]) < args.samples:
            samples[endpoint].append(f"{label} {status}: {body[:160]!r} {dict(list(headers.items())[-3:])}")

    healthy_after = {}
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            servers[0].start()
            await servers[0].healthy(client)
            servers[1].start()
            await servers[1].healthy(client)
            plan = [
                ("slack", servers[0], slack_requests(rng, args.n)),
                ("teams", servers[0], teams_requests(rng, args.n, connector.url)),
                ("teams", servers[1], teams_auth_requests(rng, max(args.n // 4, 50), connector.url)),
                ("discourse", servers[0], discourse_requests(rng, args.n)),
                ("inbound", servers[0], inbound_requests(rng, args.n)),
                ("other", servers[0], other_requests(rng, max(args.n // 20, 20))),
            ]
            plan = [step for step in plan if not args.only or step[0] in args.only]
            started = time.perf_counter()
            for _, server, requests in plan:
                await send_all(client, server.url, requests, args.concurrency, tally)
            elapsed = time.perf_counter() - started
            for server in servers:
                response = await client.get(f"{server.url}/healthz")
                healthy_after[server.name] = response.status_code
    finally:
        for server in servers:
            server.stop()
        await fake.close()
        await connector.close()
        if drop is not None:
            await drop()

    print(
        f"seed {args.seed}, {args.n} requests per endpoint, {'PostgreSQL' if args.pg else 'SQLite'}, {elapsed:.0f} s"
    )
    print(f"{'endpoint':28} {'requests':18} {'total':>6}  statuses")
    bad = 0
    for (endpoint, label), counter in sorted(counts.items()):
        total = sum(counter.values())
        fives = sum(v for k, v in counter.items() if failed(k))
        bad += fives + sum(v for k, v in counter.items() if k.startswith("client error"))
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(counter.items()))
        print(f"{endpoint:28} {label:18} {total:6}  {shown}" + (f"   <- {fives} x 5xx" if fives else ""))
    for server in servers:
        text = server.log.read_text(encoding="utf-8", errors="replace")
        print(
            f"server {server.name}: /healthz after: {healthy_after.get(server.name)}; "
            f"log lines with ERROR: {text.count(' ERROR ')}, tracebacks: {text.count('Traceback (most recent call last)')}"
        )
    for endpoint, lines in samples.items():
        print(f"\nsample 5xx on {endpoint}:")
        for line in lines:
            print("  " + line)
    print(f"\nserver logs: {tmp}")
    return 1 if bad or any(code != 200 for code in healthy_after.values()) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
