"""Issue 14's table in one command: every benchmark beside its baseline, in the same run.

    .venv/bin/python bench/run_all.py [--quick] [--pg URL | --no-pg] [--runs N] [--markdown] [--only NAME]

Runs, each as a process of its own that writes its figures with ``--json``:

- ingest (bench_ingest.py): signed Slack message events over HTTP to ``kakehashi serve`` on
  SQLite and PostgreSQL, 32 in flight; baseline: a bare slack-bolt app that verifies and acks;
- delivery (bench_delivery.py): a backlog to 20 channels through the outbox worker to the Slack
  stand-in (1 post/s per channel), also with one channel 3 s slow; baseline: a plain slack_sdk
  client posting once a second per channel;
- reports (bench_reports.py): recap of one department, of all, and the agenda over a generated
  year of 1,000,000 messages (cached: ~/.cache/kakehashi-bench and the PostgreSQL database
  ``kakehashi_bench_reports``); baseline: the same statements as raw SQL through the driver;
- rules (bench_rules.py): the bundled rules, 1,000 generated routes + 50 regexes, and 10 against
  10,000 routes; baseline: a Python ``re`` search per keyword form, every route evaluated;
- ``kakehashi --help`` as a process; baseline: ``python -c pass``.

Prints one table (medians of ``--runs``, min–max, the baseline's median, the ratio, the issue's
target and whether it is met) with the machine, the load average before and after, and the
UTC time.  ``--quick``: small sizes (100,000 messages, 300 events, 100 items, 1 run) to see it
work in a few minutes; the numbers are not the issue's.  Progress goes to stderr, the table to
stdout.  A PostgreSQL that does not answer skips its rows and says why.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BENCHMARKS = ("help", "rules", "ingest", "delivery", "reports")
BASELINES = {
    "ingest": "a bare slack-bolt AsyncApp that verifies the signature and acks (its own process)",
    "delivery": "a plain slack_sdk client posting to each channel once a second",
    "reports": "the statements the code path sent, replayed as raw SQL through the driver",
    "rules": "one Python `re` search per keyword form, every route evaluated",
    "help": "`python -c pass` (the interpreter alone)",
}


@dataclass(frozen=True)
class Sizes:
    events: int  # ingest: events per row
    concurrency: int
    items: int  # delivery: backlog
    channels: int
    messages: int  # reports
    report_items: int
    rule_messages: int  # rules: messages classified
    route_budget: float  # rules: CPU seconds per measurement with generated routes
    scaling_messages: int
    scaling_budget: float
    help_runs: int


FULL = Sizes(2000, 32, 400, 20, 1_000_000, 150_000, 20_000, 5.0, 5000, 3.0, 10)
QUICK = Sizes(300, 32, 100, 20, 100_000, 15_000, 3000, 1.0, 2000, 0.5, 5)


# -- rows -------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: kakehashi's figures beside the baseline's, against the issue's target.
    ``met`` is None for a row without a target; ``note`` says why a row has no figures."""

    group: str
    what: str
    values: list[float]
    base: list[float] | None = None
    target: str = ""
    met: bool | None = None
    ratio_shown: bool = True
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def base_median(self) -> float | None:
        return statistics.median(self.base) if self.base else None

    @property
    def ratio(self) -> float | None:
        med, base = self.median, self.base_median
        if not self.ratio_shown or med is None or not base:
            return None
        return med / base

    @property
    def verdict(self) -> str:
        if self.note and not self.values:
            return "failed" if self.note.startswith("failed") else "skipped"
        if self.met is None:
            return ""
        return "met" if self.met else "NOT MET"


def missing(group: str, what: str, target: str, note: str) -> Row:
    return Row(group, what, [], target=target, note=note)


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ingest_rows(runs: list[dict[str, Any]], databases: dict[str, str], failed: str = "") -> list[Row]:
    """``runs``: bench_ingest.py's JSON, one per run; ``databases``: label -> why it was skipped
    (empty when measured); ``failed``: why a run wrote nothing."""
    rows: list[Row] = []
    every = [r for run in runs for r in run["rows"]]
    c = max((r["concurrency"] for r in every), default=32)
    bolt = [r for r in every if r["server"].startswith("bare") and r["concurrency"] == c]
    for db, skipped in databases.items():
        ours = [r for r in every if r["server"] == f"kakehashi, {db}" and r["concurrency"] == c]
        head = f"ingest, {db}"
        if not ours:
            why = skipped or failed or "failed: no figures (see the output above)"
            rows.append(missing("ingest", f"{head}: events/s, {c} in flight", "≥ 500/s and ≥ 0.4×", why))
            rows.append(missing("ingest", f"{head}: p99 ms, {c} in flight", "< 100 ms", why))
            continue
        rates, base_rates = [r["rate"] for r in ours], [r["rate"] for r in bolt]
        p99, base_p99 = [r["p99_ms"] for r in ours], [r["p99_ms"] for r in bolt]
        ratio = _median(rates) / _median(base_rates) if base_rates else 0.0
        answers: dict[str, int] = {}
        for r in ours:
            for status, count in r["statuses"].items():
                answers[str(status)] = answers.get(str(status), 0) + count
        note = (
            ""
            if set(answers) == {"200"}
            else "answers: " + ", ".join(f"{k}: {v}" for k, v in answers.items())
        )
        rows.append(
            Row(
                "ingest",
                f"{head}: events/s, {c} in flight",
                rates,
                base_rates,
                "≥ 500/s and ≥ 0.4×",
                _median(rates) >= 500 and ratio >= 0.4,
                note=note,
            )
        )
        rows.append(
            Row("ingest", f"{head}: p99 ms, {c} in flight", p99, base_p99, "< 100 ms", _median(p99) < 100)
        )
        rows.append(
            Row(
                "ingest",
                f"{head}: server CPU ms/event, {c} in flight",
                [r["cpu_ms"] for r in ours],
                [r["cpu_ms"] for r in bolt],
            )
        )
    return rows


def delivery_rows(
    figures: dict[str, Any] | None, databases: dict[str, str], failed: str = "", sizes: Sizes = FULL
) -> list[Row]:
    """bench_delivery.py's JSON (every run of every case, by label); ``sizes``: what was asked for,
    should it have written nothing."""
    cases: dict[str, list[dict[str, Any]]] = figures["cases"] if figures else {}
    n, channels = (figures["n"], figures["channels"]) if figures else (sizes.items, sizes.channels)
    slow_suffix = next(
        (label[len("plain client") :] for label in cases if label.startswith("plain client,")), ""
    )
    rows: list[Row] = []
    for db, skipped in databases.items():
        head = f"delivery, {db}"
        for suffix in ["", slow_suffix] if slow_suffix else [""]:
            ours, plain = cases.get(f"kakehashi, {db}{suffix}"), cases.get(f"plain client{suffix}", [])
            allowed = ours[0]["allowed"] if ours else (channels - 1 if suffix else channels)
            what = (
                f"{head}: posts/s, {n} items to {channels} channels"
                if not suffix
                else (f"{head}: the other channels' posts/s{suffix}")
            )
            target = f"≥ 95 % of {allowed:.0f}/s"
            if not ours:
                why = skipped or failed or "failed: no figures"
                rows.append(missing("delivery", what, target, why))
                rows.append(missing("delivery", f"{head}: 429s after the first second{suffix}", "0", why))
                continue
            rates = [r["rate"] for r in ours]
            shares = [r["rate"] / r["allowed"] for r in ours]
            rows.append(
                Row("delivery", what, rates, [r["rate"] for r in plain], target, _median(shares) >= 0.95)
            )
            refused = [float(r["refused"]) for r in ours]
            rows.append(
                Row(
                    "delivery",
                    f"{head}: 429s after the first second{suffix}",
                    refused,
                    [float(r["refused"]) for r in plain],
                    "0",
                    max(refused) == 0,
                    ratio_shown=False,
                )
            )
            if not suffix:
                rows.append(
                    Row(
                        "delivery",
                        f"{head}: CPU ms per post (this process)",
                        [r["cpu"] * 1000 for r in ours],
                        [r["cpu"] * 1000 for r in plain],
                    )
                )
    return rows


REPORT_TARGETS = {"recap, one department": 1.0, "recap, all departments": 3.0, "agenda": 1.0}


def report_rows(figures: dict[str, Any] | None, databases: dict[str, str], failed: str = "") -> list[Row]:
    """bench_reports.py's JSON: each row's times (s) and, for the in-process ones, the raw SQL's."""
    rows: list[Row] = []
    measured = figures["rows"] if figures else []
    for db, skipped in databases.items():
        mine = [r for r in measured if r["what"].startswith(f"{db}: ")]
        if not mine:
            for what, bound in REPORT_TARGETS.items():
                why = skipped or failed or "failed: no figures"
                rows.append(missing("reports", f"reports, {db}: {what}, s", f"< {bound:g} s", why))
            continue
        for r in mine:
            what = r["what"].split(": ", 1)[1]
            limit = next((v for k, v in REPORT_TARGETS.items() if what.startswith(k + " (in process")), None)
            label = f"reports, {db}: {what}, s"
            target = f"< {limit:g} s" if limit is not None else ""
            met = _median(r["times"]) < limit if limit is not None else None
            rows.append(Row("reports", label, r["times"], r["base"], target, met))
    return rows


def rule_rows(
    bundled: list[dict[str, Any]],
    routes: list[dict[str, Any]],
    scaling: dict[str, Any] | None,
    failed: str = "",
) -> list[Row]:
    """bench_rules.py's JSON: runs with the bundled rules, runs with generated routes, one --scaling."""
    rows: list[Row] = []
    target = "≥ 20,000"
    if bundled:
        fast = [r["fast"] for r in bundled]
        rows.append(
            Row(
                "rules",
                "rules, bundled: msg/s per CPU-s",
                fast,
                [r["slow"] for r in bundled],
                target,
                _median(fast) >= 20_000,
            )
        )
    else:
        rows.append(
            missing("rules", "rules, bundled: msg/s per CPU-s", target, failed or "failed: no figures")
        )
    what = "rules, 1,000 routes + 50 regexes: msg/s per CPU-s"
    if routes:
        what = f"rules, {routes[0]['generated']:,} routes + 50 regexes: msg/s per CPU-s"
        fast, slow = [r["fast"] for r in routes], [r["slow"] for r in routes]
        rows.append(Row("rules", what, fast, slow, "≥ 10× the re loop", _median(fast) / _median(slow) >= 10))
    else:
        rows.append(missing("rules", what, "≥ 10× the re loop", failed or "failed: no figures"))
    runs = {(r["generated"], r["live"]): r for r in (scaling or {}).get("scaling", [])}
    for live, how in ((100, "100 routes live"), (None, "every route live")):
        small, large = runs.get((10, live)), runs.get((10_000, live))
        what = f"rules, cost 10 → 10,000 routes ({how}), ×"
        if small and large:
            cost = small["fast"] / large["fast"]
            naive = small["slow"] / large["slow"]
            rows.append(Row("rules", what, [cost], [naive], "≤ 4×", cost <= 4, ratio_shown=False))
        else:
            rows.append(missing("rules", what, "≤ 4×", failed or "failed: no figures"))
    large = runs.get((10_000, None)) or runs.get((10_000, 100))
    what = "rules, load 10,000 routes (positions, checks, engine), CPU s"
    if large:
        rows.append(Row("rules", what, [large["load"]], [large["libyaml"]], "< 1 s", large["load"] < 1))
    else:
        rows.append(missing("rules", what, "< 1 s", failed or "failed: no figures"))
    return rows


def help_rows(
    wall: list[float], cpu: list[float], base_wall: list[float], base_cpu: list[float]
) -> list[Row]:
    if not wall:
        return [missing("help", "`kakehashi --help`: wall s", "< 0.3 s", "failed: no figures")]
    return [
        Row("help", "`kakehashi --help`: wall s", wall, base_wall, "< 0.3 s", _median(wall) < 0.3),
        Row("help", "`kakehashi --help`: CPU s", cpu, base_cpu),
    ]


# -- the table --------------------------------------------------------------------------------------


def number(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "—"
    size = abs(x)
    if size >= 1000:
        return f"{x:,.0f}"
    if size >= 100 or (x == int(x) and size >= 1):
        return f"{x:.0f}"
    if size >= 10:
        return f"{x:.1f}"
    if size >= 1:
        return f"{x:.2f}"
    return "0" if x == 0 else f"{x:.3f}"


def cells(row: Row) -> list[str]:
    spread = f"{number(min(row.values))}–{number(max(row.values))}" if len(row.values) > 1 else ""
    ratio = row.ratio
    return [
        row.what,
        number(row.median),
        spread,
        number(row.base_median) if row.base else "",
        (f"{ratio:.2f}×" if ratio < 10 else f"{number(ratio)}×") if ratio is not None else "",
        row.target,
        row.verdict,
    ]


HEAD = ["what", "kakehashi (median)", "min–max", "baseline (median)", "ratio", "target", "met"]
RIGHT = {1, 2, 3, 4}  # right-aligned columns


def table(rows: Sequence[Row], markdown: bool) -> str:
    body = [cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(HEAD) + " |"]
        lines.append("| " + " | ".join("---:" if i in RIGHT else "---" for i in range(len(HEAD))) + " |")
        lines += ["| " + " | ".join(c) + " |" for c in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [HEAD, *body]) for i in range(len(HEAD))]

    def line(c: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in RIGHT else v.ljust(w) for i, (v, w) in enumerate(zip(c, widths, strict=True))
        ).rstrip()

    out = [line(HEAD), "  ".join("-" * w for w in widths)]
    previous = None
    for row, c in zip(rows, body, strict=True):
        if previous is not None and row.group != previous:
            out.append("")
        out.append(line(c))
        previous = row.group
    return "\n".join(out)


def report(rows: Sequence[Row], machine: dict[str, str], markdown: bool) -> str:
    """The whole printout: when and where, the table, the baselines, and every row's note."""
    facts = [f"{k}: {v}" for k, v in machine.items()]
    head = "\n".join((f"- {f}" if markdown else f"  {f}") for f in facts)
    groups = [g for g in BENCHMARKS if any(r.group == g for r in rows)]
    baselines = "\n".join(
        (f"- {g}: {BASELINES[g]}" if markdown else f"  {g}: {BASELINES[g]}") for g in groups
    )
    where: dict[str, list[str]] = {}  # each note once, with the rows' groups it applies to
    for r in rows:
        if r.note and (prefix := r.what.split(":", 1)[0]) not in where.setdefault(r.note, []):
            where[r.note].append(prefix)
    notes = [f"{'; '.join(prefixes)}: {note}" for note, prefixes in where.items()]
    tail = "\n".join((f"- {n}" if markdown else f"  {n}") for n in notes)
    parts = [
        "Issue 14's benchmarks (bench/run_all.py)" + (":" if not markdown else ""),
        head,
        table(rows, markdown),
        "Baselines (measured in the same run):\n" + baselines,
        "ratio = kakehashi ÷ baseline; min–max over the runs.",
    ]
    if tail:
        parts.append("Notes:\n" + tail)
    return "\n\n".join(parts) + "\n"


# -- running ----------------------------------------------------------------------------------------


def say(text: str) -> None:
    print(f"[run_all {datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def bench(script: str, args: list[str], work: Path, timeout: float) -> tuple[dict[str, Any] | None, str]:
    """Runs ``bench/<script>`` with ``--json``; (its figures, or None and why).  A run that
    outlasts ``timeout`` seconds is ended with its whole process group (the servers it started)."""
    out = work / f"{script}-{uuid.uuid4().hex[:8]}.json"
    command = [sys.executable, str(BENCH / script), *args, "--json", str(out)]
    say(" ".join(["python", f"bench/{script}", *args]))
    child = subprocess.Popen(command, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr, start_new_session=True)
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        return None, f"failed: bench/{script} still ran after {timeout:.0f} s and was stopped"
    except BaseException:  # ^C: the benchmark and its servers stop too
        os.killpg(child.pid, signal.SIGTERM)
        raise
    if code or not out.exists():
        return None, f"failed: bench/{script} exited with {code}"
    return json.loads(out.read_text(encoding="utf-8")), ""


def time_command(command: list[str]) -> tuple[float, float]:
    """(wall s, CPU s: user + system of the child) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(
            f"{' '.join(command)} exited with {done.returncode}: {done.stderr.decode()[-500:]}"
        )
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def help_figures(runs: int) -> list[Row]:
    kakehashi = Path(sys.executable).with_name("kakehashi")
    ours = (
        [str(kakehashi), "--help"] if kakehashi.exists() else [sys.executable, "-m", "bot.cli.main", "--help"]
    )
    bare = [sys.executable, "-c", "pass"]
    say(f"{' '.join(ours)} and {' '.join(bare)}, {runs} runs each, alternated")
    figures: dict[str, list[float]] = {"wall": [], "cpu": [], "base_wall": [], "base_cpu": []}
    try:
        time_command(ours)  # warm-up: the file system's caches
        for _ in range(runs):
            wall, cpu = time_command(ours)
            figures["wall"].append(wall)
            figures["cpu"].append(cpu)
            wall, cpu = time_command(bare)
            figures["base_wall"].append(wall)
            figures["base_cpu"].append(cpu)
    except RuntimeError as exc:
        return [missing("help", "`kakehashi --help`: wall s", "< 0.3 s", f"failed: {exc}")]
    return help_rows(figures["wall"], figures["cpu"], figures["base_wall"], figures["base_cpu"])


async def _pg(admin_url: str, create: str | None = None, drop: str | None = None) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""), timeout=5)
    try:
        if create:
            await conn.execute(f'CREATE DATABASE "{create}"')
        if drop:
            await conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def ingest_figures(
    admin_url: str | None, sizes: Sizes, runs: int, work: Path, databases: dict[str, str]
) -> list[Row]:
    """bench_ingest.py ``runs`` times; on PostgreSQL in a fresh database, dropped afterwards."""
    figures: list[dict[str, Any]] = []
    name, pg, why = f"kk_bench_ingest_{uuid.uuid4().hex[:8]}", [], ""
    if admin_url:
        try:
            asyncio.run(_pg(admin_url, create=name))
        except Exception as exc:  # the SQLite rows still run; the PostgreSQL ones say why not
            databases = {**databases, "PostgreSQL": f"skipped: could not create {name} ({exc})"}
            admin_url = None
        else:
            pg = ["--pg", database_url(admin_url, name)]
    try:
        for _ in range(runs):
            sized = ["-n", str(sizes.events), "-c", str(sizes.concurrency)]
            done, why = bench("bench_ingest.py", [*sized, *pg], work, timeout=900)
            figures += [done] if done else []
    finally:
        if admin_url:
            asyncio.run(_pg(admin_url, drop=name))
    return ingest_rows(figures, databases, why)


def postgres(admin_url: str | None) -> tuple[str, str]:
    """(server version, "") when PostgreSQL answers at ``admin_url``, else ("", why not)."""
    if not admin_url:
        return "", "skipped: --no-pg"
    try:
        return asyncio.run(_pg(admin_url)).split()[0], ""
    except Exception as exc:  # any failure to connect: the rows say why
        return "", f"skipped: no answer from {admin_url} ({type(exc).__name__}: {exc})"


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def machine_facts(pg_version: str, pg_skipped: str) -> dict[str, str]:
    model, ram = platform.processor() or platform.machine(), ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        model = next(
            line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")
        )
        kib = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f", {int(kib) / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "machine": f"{model}, {os.cpu_count()} cores{ram}, {platform.system()} {platform.release()}",
        "software": (
            f"{platform.python_implementation()} {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            + (
                f"PostgreSQL {pg_version}"
                if pg_version
                else f"PostgreSQL not measured ({pg_skipped.removeprefix('skipped: ')})"
            )
        ),
        "code": commit or "unknown",
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: argparse.Namespace) -> str:
    sizes = QUICK if args.quick else FULL
    runs = args.runs or (1 if args.quick else 3)
    only = set(args.only or BENCHMARKS)
    pg_version, pg_skipped = postgres(None if args.no_pg else args.pg)
    databases = {"SQLite": "", "PostgreSQL": pg_skipped}
    began, load_before = datetime.now(UTC), load_average()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kakehashi-run-all-") as tmp:
        work = Path(tmp)
        if "help" in only:
            rows += help_figures(sizes.help_runs)
        if "rules" in only:
            bundled, generated, failures = [], [], []
            for _ in range(runs):
                figures, why = bench("bench_rules.py", ["-n", str(sizes.rule_messages)], work, timeout=900)
                bundled += [figures] if figures else []
                routes = ["--routes", "1000", "--regexes", "50", "--budget", str(sizes.route_budget)]
                sized = ["-n", str(sizes.rule_messages), *routes]
                figures, why2 = bench("bench_rules.py", sized, work, timeout=900)
                generated += [figures] if figures else []
                failures += [w for w in (why, why2) if w]
            sized = ["--scaling", "-n", str(sizes.scaling_messages), "--budget", str(sizes.scaling_budget)]
            scaling, why = bench("bench_rules.py", sized, work, timeout=1800)
            rows += rule_rows(
                bundled, generated, scaling, "; ".join(dict.fromkeys([*failures, why] if why else failures))
            )
        if "ingest" in only:
            rows += ingest_figures(args.pg if pg_version else None, sizes, runs, work, databases)
        if "delivery" in only:
            pg = ["--pg", args.pg] if pg_version else []
            sized = ["-n", str(sizes.items), "--channels", str(sizes.channels), "--runs", str(runs)]
            worst = runs * 6 * (sizes.items / sizes.channels * 10 + 90)  # its own waits, every case
            figures, why = bench("bench_delivery.py", [*sized, *pg], work, timeout=worst)
            rows += delivery_rows(figures, databases, why, sizes)
        if "reports" in only:
            pg = ["--pg", args.pg] if pg_version else ["--no-pg"]
            sized = [
                "--messages",
                str(sizes.messages),
                "--items",
                str(sizes.report_items),
                "--runs",
                str(runs),
            ]
            figures, why = bench("bench_reports.py", [*sized, *pg], work, timeout=3 * 3600)
            rows += report_rows(figures, databases, why)
    ended = datetime.now(UTC)
    machine = machine_facts(pg_version, pg_skipped)
    machine["date"] = f"{began:%Y-%m-%d %H:%M}–{ended:%H:%M} UTC"
    machine["load average (1/5/15 min)"] = f"{load_before} before, {load_average()} after"
    machine["command"] = " ".join(["bench/run_all.py", *args.argv])
    machine["runs"] = f"{runs} per row (median, min–max)"
    if "rules" in only:
        machine["runs"] += "; the rules' scaling and load rows: one"
    if "help" in only:
        machine["runs"] += f"; --help: {sizes.help_runs}, alternated with the baseline"
    size_text = "; ".join(
        text
        for name, text in (
            ("ingest", f"ingest {sizes.events:,} events at {sizes.concurrency} in flight"),
            ("delivery", f"delivery {sizes.items} items to {sizes.channels} channels"),
            ("reports", f"reports {sizes.messages:,} messages, {sizes.report_items:,} items"),
            ("rules", f"rules {sizes.rule_messages:,} messages ({sizes.scaling_messages:,} for the scaling)"),
        )
        if name in only
    )
    if size_text:
        machine["sizes"] = size_text
    return report(rows, machine, args.markdown)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and 1 run: a few minutes")
    parser.add_argument("--runs", type=int, default=None, help="runs per row (default 3; --quick: 1)")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="PostgreSQL admin URL"
    )
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--markdown", action="store_true", help="the table as Markdown (for the README)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="just these benchmarks (repeat)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    print(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
