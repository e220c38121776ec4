"""Benchmark: classify N messages with the compiled engine and with a naive baseline, side by side.

The compiled engine normalises each message once and finds every keyword of every route in ONE
Aho-Corasick scan.  The baseline is what one would write first: the same routes, but each keyword
condition runs a Python ``re`` search per keyword, every time a route asks.  Both produce the same
matches (checked), so the numbers compare only the matching strategy.

    python bench/bench_rules.py                 # 20,000 messages, bundled rules and sample
    python bench/bench_rules.py -n 100000 --rules rules.yaml --messages my.jsonl
    python bench/bench_rules.py --routes 1000 --regexes 50   # generated routes, see synthetic_rules

With ``--routes N`` the rules are generated: the bundled file's departments and N routes
(``continue: true``, so every route is considered for every message), each with three keywords
drawn from the messages' own words, and ``--regexes`` of them matching a regex instead.  The
baseline then walks every route for every message, as the engine did before it indexed routes.
``--live K``: only K of the generated routes take the messages' words, the others made-up ones
(see LIVE_ROUTES).  ``--scaling``: the table for 10, 1,000 and 10,000 routes both ways, with the
load time beside libyaml's alone and the 10 -> 10,000 ratios (the README's table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, KeysView, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.domain import InboundMessage  # noqa: E402
from rules.conditions import MAX_CLASSIFIED_CHARS  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.errors import RulesError  # noqa: E402
from rules.forms import stops_cleanly  # noqa: E402
from rules.intents import INTENT_SET  # noqa: E402
from rules.loader import compose  # noqa: E402
from rules.matcher import KeywordIndex, link_spans  # noqa: E402
from rules.model import Match  # noqa: E402
from rules.normalize import normalize  # noqa: E402
from rules.ruleset import load_rules_text  # noqa: E402
from rules.validate import compile_rules  # noqa: E402

FALLBACK_TEXTS = [
    "スマホアプリを開くとすぐ落ちます。iOS 17です",
    "ガントチャートで依存関係を設定できるようにしてほしいです",
    "SSOの設定方法を教えてください",
    "Enterpriseプランのお見積もりをお願いしたいです",
    "The Android app crashes when I open a project with 500+ tasks",
    "Love the new timeline view. Huge time saver for our PMs.",
    "We rolled it out to 200 engineers last quarter and replaced Jira for planning.",
    "おはようございます！今週もよろしくお願いします",
    "解決しました！ありがとうございます",
    "Is there a way to export all comments from a project?",
]


class _NaiveHits:
    """Answers each keyword lookup with fresh ``re.search``es over its forms: no shared scan."""

    def __init__(self, patterns: dict[int, list[tuple[re.Pattern[str], str]]], text: str) -> None:
        self.patterns = patterns
        for start, end in link_spans(text):  # same rule as the engine: no keyword hits inside links
            text = text[:start] + " " * (end - start) + text[end:]
        self.text = text

    def span(self, keyword_id: int) -> tuple[int, int] | None:
        """The engine's answer: the hit that ends first, widened to the longest form at its start."""
        hits = [
            found.span()
            for pattern, boundary in self.patterns[keyword_id]
            for found in pattern.finditer(self.text)
            if stops_cleanly(self.text, found.start(), found.end(), boundary)
        ]
        if not hits:
            return None
        start = min(hits, key=lambda span: span[1])[0]
        return (start, max(end for begin, end in hits if begin == start))

    def among(self, keyword_ids: KeysView[int]) -> Iterable[int]:
        return [k for k in keyword_ids if self.span(k) is not None]

    def any_of(self, keyword_ids: frozenset[int]) -> bool:
        return any(self.span(k) is not None for k in keyword_ids)


class NaiveKeywordIndex(KeywordIndex):
    """One compiled Python ``re`` per keyword form, each searched on its own."""

    def __init__(self, compiled: KeywordIndex) -> None:
        super().__init__()
        self.patterns: dict[int, list[tuple[re.Pattern[str], str]]] = {}
        for form, keyword_id, boundary in compiled.entries():
            self.patterns.setdefault(keyword_id, []).append((re.compile(re.escape(form)), boundary))

    def scan(self, text: str) -> _NaiveHits:  # type: ignore[override]
        return _NaiveHits(self.patterns, text)


def load_messages(path: Path | None, n: int) -> list[InboundMessage]:
    records: list[dict[str, object]] = []
    if path is not None and path.exists():
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not records:
        records = [{"text": t} for t in FALLBACK_TEXTS]
    now = datetime.now(UTC)
    base = [
        InboundMessage(
            platform=str(r.get("platform", "slack")),
            key=str(i),
            channel_id=str(r.get("channel", "#community")),
            channel=str(r.get("channel", "#community")),
            author_id=str(r.get("author_id", "U0")),
            author=str(r.get("author", "someone")),
            text=str(r["text"]),
            created_at=now,
            thread_key=str(r["thread"]) if r.get("thread") else None,
            is_bot=bool(r.get("bot", False)),
        )
        for i, r in enumerate(records)
    ]
    return [base[i % len(base)] for i in range(n)]


# ``--live``: how many generated routes draw their keywords from the messages' own words; the
# others get made-up words no message contains.  With every route drawing from the messages'
# ~4,000 words (the default), each message matches ~2.8 % of the routes: 280 at 10,000, every
# one of them reported (``continue: true``), so the work grows with the routes whatever the
# engine does.  A real rules file with 10,000 routes (products, customers, error codes) has a
# vocabulary that grows with it, and a message names a few of them.
LIVE_ROUTES = 100


def _made_up_words(rng: random.Random, count: int, texts: str) -> list[str]:
    """Words shaped like product names, katakana terms and error codes, none of them in ``texts``."""
    latin = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    kana = [chr(c) for c in range(0x30A2, 0x30F3) if chr(c) not in "ッャュョヮヰヱ"]
    found: set[str] = set()
    while len(found) < count:
        kind = rng.random()
        if kind < 0.6:
            word = "".join(rng.choice(latin) for _ in range(rng.randint(3, 4)))
        elif kind < 0.9:
            word = "".join(rng.choice(kana) for _ in range(rng.randint(3, 5)))
        else:
            word = f"e{rng.randint(10_000, 99_999)}"
        if word not in texts:
            found.add(word)
    return sorted(found)


def synthetic_rules(
    bundled: str, messages: Sequence[InboundMessage], routes: int, regexes: int, live: int | None = None
) -> str:
    """The bundled rules' header (sources, departments, ...) with ``routes`` generated routes;
    ``live``: only that many (spread evenly) take keywords from the messages, see LIVE_ROUTES."""
    rng = random.Random(14)
    words = sorted({w for m in messages for w in re.findall(r"[a-z]{4,}", m.text.lower())})
    words += sorted(
        {m.text[i : i + 2] for m in messages for i in range(len(m.text) - 1) if m.text[i] > "\u3040"}
    )
    dead = routes - min(live, routes) if live is not None else 0
    made_up = _made_up_words(rng, 3 * dead, "\n".join(m.text.lower() for m in messages)) if dead else []
    every = routes / (routes - dead) if routes > dead else 0.0
    live_at = {round(i * every) for i in range(routes - dead)}
    departments = ["product", "cs", "marketing", "sales", "pr", "hiring"]
    tags = ["bug", "frustration", "testimonial", "pricing", "press", "contributor"]
    header = bundled.split("\nroutes:", 1)[0]
    lines = [header, "routes:"]
    for n in range(routes):
        lines.append(f"  - name: r{n}")
        if regexes and n % max(routes // regexes, 1) == 0 and n // max(routes // regexes, 1) < regexes:
            a, b = rng.sample([w for w in words if w.isascii()], 2)
            lines.append(f'    when: {{regex: ["{a}.{{0,40}}{b}"]}}')
        else:
            chosen = (
                rng.sample(words, 3) if n in live_at or not made_up else [made_up.pop() for _ in range(3)]
            )
            lines.append(
                f"    when: {{keyword: [{', '.join(json.dumps(w, ensure_ascii=False) for w in chosen)}]}}"
            )
        lines.append(f"    to: [{departments[n % len(departments)]}]")
        lines.append(f"    tag: {tags[n % len(tags)]}")  # the departments' goals name these
        lines.append("    continue: true")
    return "\n".join(lines) + "\n"


def measure(
    classify: Callable[[InboundMessage], tuple[Match, ...]],
    messages: Sequence[InboundMessage],
    budget: float | None = None,
) -> float:
    """Messages per second of CPU time used by this process: on a shared, busy machine wall-clock
    time also counts the time other processes held the core, CPU time does not.  ``budget``: stop
    after this many CPU seconds (the naive loop at 10,000 routes does a few messages a second)."""
    for msg in messages[: 20 if budget else 200]:  # warm up
        classify(msg)
    start = time.process_time()
    done = 0
    for msg in messages:
        classify(msg)
        done += 1
        if budget and done % 10 == 0 and time.process_time() - start > budget:
            break
    return done / (time.process_time() - start)


def floor(engine: Engine) -> Callable[[InboundMessage], tuple[Match, ...]]:
    """What every message costs before any route is looked at: normalising the text, one
    Aho-Corasick pass over it (every hit walked, no boundary checks) and one match of the
    lexicon's intent set and of the rules' regex set; no routes, no reasons, no offsets."""
    automaton = engine.keywords._automaton
    intents = INTENT_SET._set
    regexes = engine.regexes._set if engine.regexes is not None else None

    def bare(message: InboundMessage) -> tuple[Match, ...]:
        text = normalize(message.text[:MAX_CLASSIFIED_CHARS])
        if automaton is not None:
            for _ in automaton.iter(text):
                pass
        data = text.encode()
        intents.Match(data)
        if regexes is not None:
            regexes.Match(data)
        return ()

    return bare


def load_seconds(text: str, name: str) -> tuple[float, float]:
    """CPU seconds to load ``text`` as the bot does (positions, validation, the engine), and to
    read it with libyaml alone (no positions, no checks): the median of three each."""
    ours, bare = [], []
    for _ in range(3):
        start = time.process_time()
        load_rules_text(text, name)
        ours.append(time.process_time() - start)
        start = time.process_time()
        yaml.load(text, Loader=yaml.CSafeLoader)
        bare.append(time.process_time() - start)
    return statistics.median(ours), statistics.median(bare)


@dataclass
class Run:
    routes: int
    keywords: int
    matches: float  # per distinct message
    load: float
    libyaml: float
    fast: float
    slow: float
    bare: float


def run(text: str, name: str, messages: Sequence[InboundMessage], check: int, budget: float | None) -> Run:
    """Load ``text``, check the engine against the naive loop on ``check`` distinct messages,
    and measure both; exits on a problem or a difference."""
    root, problems = compose(text, name)
    compiled, more = compile_rules(root, name)
    if problems or more:
        print(RulesError(problems + more), file=sys.stderr)
        raise SystemExit(2)
    engine = Engine(compiled.routes, compiled.keywords)
    naive = Engine(compiled.routes, NaiveKeywordIndex(compiled.keywords), indexed_from=None)
    distinct = list({m.key: m for m in messages}.values())
    mismatched = [m.text for m in distinct[:check] if engine.classify(m) != naive.classify(m)]
    if mismatched:
        print(f"results differ for {len(mismatched)} messages, e.g. {mismatched[0]!r}", file=sys.stderr)
        raise SystemExit(1)
    matches = sum(len(engine.classify(m)) for m in distinct) / len(distinct)
    load, libyaml = load_seconds(text, name)
    fast = measure(engine.classify, messages, budget)
    slow = measure(naive.classify, messages, budget)
    bare = measure(floor(engine), messages, budget)
    routes = sum(len(r.walk()) for r in compiled.routes)
    return Run(routes, len(compiled.keywords), matches, load, libyaml, fast, slow, bare)


def scaling(
    bundled: str, messages: Sequence[InboundMessage], regexes: int, budget: float
) -> dict[tuple[int, bool], Run]:
    """The table: 10, 1,000 and 10,000 generated routes, keywords from the messages' words (the
    default generator) and with LIVE_ROUTES routes drawing from them; the 10 -> 10,000 ratios."""
    print(
        f"{'routes':>7} {'keywords from':>22} {'matches/msg':>11} {'load s':>7} {'libyaml s':>9} "
        f"{'engine msg/s':>12} {'naive re msg/s':>14} {'speed-up':>8}"
    )
    runs: dict[tuple[int, bool], Run] = {}
    for live in (False, True):
        for routes in (10, 1000, 10_000):
            text = synthetic_rules(bundled, messages[:1000], routes, regexes, LIVE_ROUTES if live else None)
            r = runs[routes, live] = run(text, "rules.yaml", messages, 40, budget)
            source = f"{LIVE_ROUTES} routes: messages" if live else "messages"
            print(
                f"{routes:>7,} {source:>22} {r.matches:>11.1f} {r.load:>7.2f} {r.libyaml:>9.2f} "
                f"{r.fast:>12,.0f} {r.slow:>14,.1f} {r.fast / r.slow:>7.1f}x",
                flush=True,
            )
    for live in (False, True):
        small, large = runs[10, live], runs[10_000, live]
        what = (
            f"{LIVE_ROUTES} routes from the messages' words"
            if live
            else "every route from the messages' words"
        )
        print(
            f"cost 10 -> 10,000 routes, {what}: {small.fast / large.fast:.1f}x "
            f"(matches per message {small.matches:.1f} -> {large.matches:.1f}); "
            f"load {large.load / small.load:.0f}x ({small.load:.3f} s -> {large.load:.2f} s)"
        )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="messages to classify (default 20000)")
    parser.add_argument("--rules", type=Path, default=ROOT / "bot" / "data" / "rules.yaml")
    parser.add_argument(
        "--messages",
        type=Path,
        default=ROOT / "bot" / "data" / "sample_community.jsonl",
        help="JSON lines with a 'text' field (default: the bundled sample)",
    )
    parser.add_argument("--routes", type=int, default=0, help="generate this many routes instead")
    parser.add_argument("--regexes", type=int, default=50, help="of the generated routes, regex ones")
    parser.add_argument(
        "--live",
        type=int,
        default=None,
        help="of the generated routes, this many take keywords from the messages (default: all)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="the table for 10, 1,000 and 10,000 generated routes, both ways (a few minutes)",
    )
    parser.add_argument("--budget", type=float, default=None, help="CPU seconds per measurement at most")
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the figures here (bench/run_all.py)"
    )
    args = parser.parse_args()

    text = args.rules.read_text(encoding="utf-8")
    messages = load_messages(args.messages, args.n)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {date.today()}"
    )
    if args.scaling:
        runs = scaling(text, messages, args.regexes, args.budget or 3.0)
        if args.json:  # for bench/run_all.py
            scaled = [
                {"generated": n, "live": LIVE_ROUTES if live else None, **vars(r)}
                for (n, live), r in runs.items()
            ]
            args.json.write_text(json.dumps({"n": args.n, "scaling": scaled}, indent=1), encoding="utf-8")
        return 0
    if args.routes:
        text = synthetic_rules(text, messages[:1000], args.routes, args.regexes, args.live)
    r = run(text, str(args.rules), messages, len(messages), args.budget)
    distinct = {m.key: m for m in messages}.values()
    mean = sum(len(m.text) for m in distinct) // len(distinct)
    print(
        f"rules: {args.rules.name} ({r.routes} routes, {r.keywords} distinct keywords); "
        f"messages: {len(messages)} ({len(distinct)} distinct, mean {mean} chars, "
        f"{r.matches:.1f} matches each)"
    )
    print(f"{'compiled (one Aho-Corasick scan + re2)':44} {r.fast:>12,.0f} msgs/sec of CPU time")
    print(f"{'naive (Python re search per keyword)':44} {r.slow:>12,.0f} msgs/sec of CPU time")
    print(f"{'speed-up':44} {r.fast / r.slow:>12.1f}x   (same matches for every message)")
    print(
        f"{'floor: normalise, one scan, the two re2 sets':44} {r.bare:>12,.0f} msgs/sec of CPU time (no routes)"
    )
    print(f"{'load (positions, checks, engine)':44} {r.load:>12.3f} s of CPU time")
    print(f"{'libyaml alone (no positions, no checks)':44} {r.libyaml:>12.3f} s of CPU time")
    if args.json:  # for bench/run_all.py
        figures = {"n": args.n, "rules": str(args.rules), "generated": args.routes, "live": args.live}
        args.json.write_text(json.dumps({**figures, **vars(r)}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
