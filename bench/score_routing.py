"""Score rules.yaml on the shared routing development set: accuracy overall and per source.

The development set (``../shared/data/routing-dev.jsonl`` next to the repository, described in its
README) holds real messages that nobody on the project wrote, labelled with ``must`` / ``ok`` /
``source``. It is NOT part of the repository and must never be copied into it; this script only
reads it, and skips with a message when it is absent.

    python bench/score_routing.py                       # bundled rules, ../shared/data/routing-dev.jsonl
    python bench/score_routing.py --rules my.yaml --file other.jsonl --json

The same numbers come from ``kakehashi rules test --rules R --file F`` (which also lists misses).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.chat.rules_eval import evaluate, read_records  # noqa: E402
from rules import load_rules  # noqa: E402

# ../shared/data next to the checkout (or next to the folder of worktrees it sits in)
CANDIDATES = [base / "shared" / "data" / "routing-dev.jsonl" for base in (ROOT.parent, ROOT.parent.parent)]
DEV_SET = next((path for path in CANDIDATES if path.exists()), CANDIDATES[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "bot" / "data" / "rules.yaml")
    parser.add_argument("--file", type=Path, default=DEV_SET)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not args.file.exists():
        print(f"skipped: {args.file} does not exist (the shared development set is not in the repository)")
        return 0
    ev = evaluate(load_rules(args.rules), read_records(args.file))
    summary = ev.summary()
    if args.json:
        print(json.dumps({"rules": str(args.rules), "file": str(args.file), **summary}, ensure_ascii=False))
        return 0
    print(f"{args.rules} on {args.file}")
    for name, tally in sorted(ev.by_source.items()):
        print(f"  {name:<20} {tally.correct:>4}/{tally.labelled:<4} {100 * tally.ratio:5.1f}%")
    print(
        f"  {'overall':<20} {ev.correct:>4}/{ev.labelled:<4} {100 * ev.correct / max(ev.labelled, 1):5.1f}%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
