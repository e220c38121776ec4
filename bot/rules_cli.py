"""``kakehashi rules check`` and ``kakehashi rules test``: explain what the rules decide."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from bot.domain import InboundMessage
from bot.settings import Settings
from rules import Match, RulesError, RuleSet, load_rules


def _rules_path(path: str | None) -> Path:
    return Path(path) if path else Settings.from_env().rules_path


def _load_or_exit(path: Path) -> RuleSet:
    try:
        return load_rules(path)
    except RulesError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def test_message(
    text: str, *, channel: str = "#community", platform: str = "slack", author: str = "someone",
    thread: str | None = None, bot: bool = False, tags: tuple[str, ...] = (),
) -> InboundMessage:
    return InboundMessage(
        platform=platform, key="rules-test", channel_id=channel, channel=channel, author_id=author,
        author=author, text=text, created_at=datetime.now(UTC), thread_key=thread, is_bot=bot, tags=tags,
    )


def match_json(match: Match) -> dict[str, Any]:
    return {
        "route": match.route,
        "departments": list(match.departments),
        "tag": match.tag,
        "reason": match.reason_text,
        "reasons": [
            {"path": r.path, "kind": r.kind, "detail": r.detail, "span": list(r.span) if r.span else None}
            for r in match.reasons
        ],
    }


@click.group("rules")
def rules_group() -> None:
    """Check and try out rules.yaml."""


@rules_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def check(path: str | None) -> None:
    """Validate PATH (default: $KAKEHASHI_RULES or ./rules.yaml); exit 2 with every problem."""
    rules_path = _rules_path(path)
    rs = _load_or_exit(rules_path)
    routes = sum(len(route.walk()) for route in rs.routes)
    click.echo(
        f"{rules_path}: OK — {len(rs.departments)} departments, {routes} routes, "
        f"{len(rs.reactions)} reactions, {len(rs.schedules)} schedules"
    )


@rules_group.command("test")
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False), help="JSON lines of messages.")
@click.option("--channel", default="#community", show_default=True)
@click.option("--platform", default="slack", show_default=True)
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="rules.yaml to use.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def test(
    text: str | None, file_: str | None, channel: str, platform: str, rules_path: str | None, as_json: bool
) -> None:
    """Show which routes, departments and tags TEXT (or each line of --file) gets, and why."""
    rs = _load_or_exit(_rules_path(rules_path))
    if file_:
        _test_file(rs, Path(file_), as_json=as_json)
        return
    if text is None:
        raise click.UsageError("give TEXT or --file MESSAGES.jsonl")
    matches = rs.classify(test_message(text, channel=channel, platform=platform))
    if as_json:
        click.echo(json.dumps({"text": text, "matches": [match_json(m) for m in matches]}, ensure_ascii=False))
        return
    console = Console()
    if not matches:
        console.print("no route matched — this message would be stored but not reposted")
        return
    for match in matches:
        console.print(
            f"[bold]{match.route}[/] → {', '.join(match.departments)}  tag={match.tag or '-'}", highlight=False
        )
        for reason in match.reasons:
            span = f" at {reason.span[0]}-{reason.span[1]}" if reason.span else ""
            console.print(f"    {reason.path}: {reason.kind} {reason.detail}{span}", highlight=False)


def _expected(record: dict[str, Any]) -> set[str] | None:
    value = record.get("expected", record.get("department"))
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _test_file(rs: RuleSet, path: Path, *, as_json: bool) -> None:
    by_route: Counter[str] = Counter()
    by_department: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    labelled = correct = 0
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise click.ClickException(f"{path}:{lineno}: expected a JSON object with 'text' ({exc})") from None
        msg = test_message(
            text,
            channel=record.get("channel", "#community"),
            platform=record.get("platform", "slack"),
            thread=record.get("thread"),
            bot=bool(record.get("bot", False)),
            tags=tuple(record.get("tags", ())),
        )
        matches = rs.classify(msg)
        departments = {d for m in matches for d in m.departments}
        for m in matches:
            by_route[m.route] += 1
        for d in departments:
            by_department[d] += 1
        if not matches:
            by_route["(none)"] += 1
        expected = _expected(record)
        ok = None
        if expected is not None:
            labelled += 1
            ok = departments == expected
            correct += ok
        results.append(
            {"line": lineno, "text": text, "departments": sorted(departments), "expected":
             sorted(expected) if expected is not None else None, "ok": ok,
             "matches": [match_json(m) for m in matches]}
        )
    summary: dict[str, Any] = {
        "messages": len(results),
        "by_route": dict(by_route.most_common()),
        "by_department": dict(by_department.most_common()),
    }
    if labelled:
        summary["accuracy"] = {"correct": correct, "labelled": labelled, "ratio": round(correct / labelled, 4)}
    if as_json:
        click.echo(json.dumps({"summary": summary, "results": results}, ensure_ascii=False))
        return
    console = Console()
    for title, counts in (("route", by_route), ("department", by_department)):
        table = Table(title=f"messages per {title}", title_justify="left")
        table.add_column(title)
        table.add_column("count", justify="right")
        for key, value in counts.most_common():
            table.add_row(key, str(value))
        console.print(table)
    if labelled:
        console.print(f"accuracy: {correct}/{labelled} ({100 * correct / labelled:.1f}%) exact department sets")
        misses = [r for r in results if r["ok"] is False][:15]
        for r in misses:
            console.print(
                f"  line {r['line']}: expected {r['expected']} got {r['departments']}: {r['text'][:70]!r}",
                highlight=False,
            )
