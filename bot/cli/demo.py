"""``kakehashi demo``: replay the bundled sample community through the real pipeline.

Nothing is faked inside: the sample goes through the dispatcher, the rule engine, the store and
the outbox worker; only the sinks are local (a JSON-lines file instead of Slack/Teams).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.local import JsonlSink
from bot.chat.rules_eval import label_of
from bot.cli.demo_summary import (
    Tally,
    print_all_items,
    print_departments,
    print_examples,
    print_tally,
    print_unmatched,
)
from bot.cli.invocation import command_prefix
from bot.cli.language import message_locale
from bot.core.domain import InboundMessage, ReactionEvent
from bot.core.texts import t
from bot.reports.periods import week_of
from bot.reports.recap import build_recap, recap_markdown
from bot.runtime.app import App
from bot.settings import Settings, bundled_sample_path
from storage.urls import normalise_url


def load_sample(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def sample_message(record: dict[str, Any]) -> InboundMessage:
    platform = record.get("platform", "slack")
    channel = record["channel"]
    key = record["id"]
    return InboundMessage(
        platform=platform,
        key=key,
        channel_id=channel,
        channel=channel,
        author_id=record.get("author_id") or record["author"],
        author=record["author"],
        text=record["text"],
        created_at=datetime.fromisoformat(record["ts"]).astimezone(UTC),
        thread_key=record.get("thread"),
        is_bot=bool(record.get("bot")),
        link=f"https://community.example.com/{platform}/{channel.strip('#')}/{key}",
        tags=tuple(record.get("tags", ())),
    )


async def run_demo(
    *,
    rules_path: Path,
    db_path: Path,
    out_dir: Path,
    console: Console,
    sample_path: Path | None = None,
    verbose: bool = False,
    locale: str | None = None,
) -> dict[str, int]:
    """``locale``: the language of the summary (None: the command line's, given these rules)."""
    sample = load_sample(sample_path or bundled_sample_path())
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    posts_file = out_dir / "demo-posts.jsonl"
    posts_file.unlink(missing_ok=True)
    settings = replace(
        Settings.from_env({}),
        rules_path=rules_path,
        database_url=normalise_url(f"sqlite:///{db_path}"),
        instance_id="demo",
    )
    sink = JsonlSink(posts_file)
    app = await App.build(settings, sinks={"slack": sink, "teams": sink, "console": sink}, plugins=[])
    try:
        locale = locale or message_locale(app.rules.current.locale)
        return await _replay(
            app, sample, console, posts_file, db_url=f"sqlite:///{db_path}", verbose=verbose, locale=locale
        )
    finally:
        await app.stop()


async def _replay(
    app: App,
    sample: list[dict[str, Any]],
    console: Console,
    posts_file: Path,
    *,
    db_url: str,
    verbose: bool,
    locale: str,
) -> dict[str, int]:
    rules = app.rules.current
    console.rule(t(locale, "demo.title", count=len(sample)))
    outcomes: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    stored_ids: list[int] = []
    agreement = Counter[str]()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    with progress:
        task = progress.add_task(t(locale, "demo.replaying"), total=len(sample))
        for record in sample:
            msg = sample_message(record)
            outcome = await app.dispatcher.handle_message(msg)
            outcomes[outcome.status] += 1
            if outcome.status == "ignored":
                ignored[outcome.reason] += 1
            elif outcome.status == "stored" and outcome.message_id is not None:
                stored_ids.append(outcome.message_id)
            label = label_of(record)
            if label is not None and outcome.status != "duplicate":
                got = {d for m in outcome.matches for d in m.departments}
                agreement["total"] += 1
                agreement["hit"] += label.right(got)
            progress.advance(task)
        delivered = await app.worker.drain(timeout=60)
        await _apply_reactions(app, sample)
        delivered_after = await app.worker.drain(timeout=60)
    for key, value in delivered_after.items():
        delivered[key] = delivered.get(key, 0) + value

    views = await app.store.department_items()
    routed = {view.message.id for view in views}
    messages = {m.id: m for m in await app.store.messages_by_id(stored_ids)}
    tally = Tally(
        replayed=len(sample),
        duplicates=outcomes["duplicate"],
        ignored=ignored,
        stored=len(stored_ids),
        routed_messages=sum(1 for i in stored_ids if i in routed),
        unmatched=tuple(messages[i] for i in stored_ids if i not in routed and i in messages),
    )
    last = max(sample_message(r).created_at for r in sample)
    period = week_of(last, rules.timezone)
    print_tally(console, locale, tally)
    console.print()
    print_departments(console, rules, views, locale)
    print_examples(console, rules, views, locale)
    print_unmatched(console, locale, tally.unmatched, verbose=verbose)
    if verbose:
        print_all_items(console, rules, views, locale)
        for name in rules.departments:
            recap = await build_recap(app.store, rules, name, period)
            if recap.by_tag:
                console.print(Markdown(recap_markdown(recap, locale)))
    console.rule()
    console.print(
        t(locale, "demo.summary", items=len(views), posts=delivered.get("sent", 0)), highlight=False
    )
    if agreement["total"]:
        pct = round(100 * agreement["hit"] / agreement["total"])
        console.print(t(locale, "demo.accuracy", hit=agreement["hit"], total=agreement["total"], pct=pct))
    console.print(t(locale, "demo.outfile", path=posts_file), highlight=False)
    # The other commands read DATABASE_URL (default ./kakehashi.db), not the demo's file, and the
    # sample's dates are fixed: say both, so `stats` and `recap` show the demo's community.
    explore = t(locale, "demo.explore", url=db_url, period=period.label, cmd=command_prefix())
    console.print(explore, highlight=False, soft_wrap=True)
    if not verbose:
        console.print(t(locale, "demo.verbose"), highlight=False)
    return {
        "messages": tally.stored,
        "items": len(views),
        "sent": delivered.get("sent", 0),
        "dead": delivered.get("dead", 0),
        "ignored": sum(ignored.values()),
        "unmatched": len(tally.unmatched),
    }


async def _apply_reactions(app: App, sample: list[dict[str, Any]]) -> None:
    """Staff reactions in the sample: flags on community posts, statuses/votes on our reposts."""
    for record in sample:
        platform = record.get("platform", "slack")
        for index, reaction in enumerate(record.get("reactions", ())):
            user = reaction.get("user", "staff")
            await app.dispatcher.handle_reaction(
                ReactionEvent(
                    platform=platform,
                    message_key=record["id"],
                    remote_id="",  # the sample reacts on community posts; routed ones count per item
                    emoji_names=(reaction["emoji"],),
                    user_id=user,
                    user_name=user,
                    added=True,
                    stamp=f"demo-{record['id']}-{index}",
                )
            )
