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
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, KeysView, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.domain import InboundMessage  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.errors import RulesError  # noqa: E402
from rules.forms import stops_cleanly  # noqa: E402
from rules.loader import compose  # noqa: E402
from rules.matcher import KeywordIndex, link_spans  # noqa: E402
from rules.model import Match  # noqa: E402
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


def synthetic_rules(bundled: str, messages: Sequence[InboundMessage], routes: int, regexes: int) -> str:
    """The bundled rules' header (sources, departments, ...) with ``routes`` generated routes."""
    rng = random.Random(14)
    words = sorted({w for m in messages for w in re.findall(r"[a-z]{4,}", m.text.lower())})
    words += sorted(
        {m.text[i : i + 2] for m in messages for i in range(len(m.text) - 1) if m.text[i] > "\u3040"}
    )
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
            chosen = rng.sample(words, 3)
            lines.append(
                f"    when: {{keyword: [{', '.join(json.dumps(w, ensure_ascii=False) for w in chosen)}]}}"
            )
        lines.append(f"    to: [{departments[n % len(departments)]}]")
        lines.append(f"    tag: {tags[n % len(tags)]}")  # the departments' goals name these
        lines.append("    continue: true")
    return "\n".join(lines) + "\n"


def measure(
    classify: Callable[[InboundMessage], tuple[Match, ...]], messages: Sequence[InboundMessage]
) -> float:
    """Messages per second of CPU time used by this process: on a shared, busy machine wall-clock
    time also counts the time other processes held the core, CPU time does not."""
    for msg in messages[:200]:  # warm up
        classify(msg)
    start = time.process_time()
    for msg in messages:
        classify(msg)
    return len(messages) / (time.process_time() - start)


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
    args = parser.parse_args()

    text = args.rules.read_text(encoding="utf-8")
    messages = load_messages(args.messages, args.n)
    if args.routes:
        text = synthetic_rules(text, messages[:1000], args.routes, args.regexes)
    root, problems = compose(text, str(args.rules))
    compiled, more = compile_rules(root, str(args.rules))
    if problems or more:
        print(RulesError(problems + more), file=sys.stderr)
        return 2
    engine = Engine(compiled.routes, compiled.keywords)
    naive = Engine(compiled.routes, NaiveKeywordIndex(compiled.keywords), indexed_from=None)

    distinct = {m.key: m for m in messages}.values()
    mismatched = [m.text for m in distinct if engine.classify(m) != naive.classify(m)]
    if mismatched:
        print(f"results differ for {len(mismatched)} messages, e.g. {mismatched[0]!r}", file=sys.stderr)
        return 1

    routes = sum(len(r.walk()) for r in compiled.routes)
    mean = sum(len(m.text) for m in distinct) // len(distinct)
    print(
        f"rules: {args.rules.name} ({routes} routes, {len(compiled.keywords)} distinct keywords); "
        f"messages: {len(messages)} ({len(distinct)} distinct, mean {mean} chars)"
    )
    fast = measure(engine.classify, messages)
    slow = measure(naive.classify, messages)
    print(f"{'compiled (one Aho-Corasick scan + re2)':44} {fast:>12,.0f} msgs/sec of CPU time")
    print(f"{'naive (Python re search per keyword)':44} {slow:>12,.0f} msgs/sec of CPU time")
    print(f"{'speed-up':44} {fast / slow:>12.1f}x   (same matches for every message)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
