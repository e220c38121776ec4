"""bench/run_all.py's table, from canned figures shaped as the benchmarks' ``--json`` writes them
(nothing is run or timed here: the benchmarks themselves take minutes)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_all", ROOT / "bench" / "run_all.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def ingest_run(bolt: float, sqlite: float, p99: float) -> dict[str, Any]:
    keys = ("server", "concurrency", "rate", "p50_ms", "p99_ms", "statuses", "cpu_ms")
    rows = [
        ("bare slack-bolt (verify + ack)", 32, bolt, 20.0, 90.0, {"200": 300}, 0.7),
        ("kakehashi, SQLite", 32, sqlite, 80.0, p99, {"200": 299, "503": 1}, 2.6),
    ]
    return {"n": 300, "rows": [dict(zip(keys, row, strict=True)) for row in rows]}


def result(rate: float, allowed: float, refused: int) -> dict[str, float]:
    return {"rate": rate, "allowed": allowed, "refused": refused, "seconds": 20.0, "cpu": 0.02}


DELIVERY = {
    "n": 400,
    "channels": 20,
    "runs": 2,
    "cases": {
        "plain client": [result(19.9, 20, 0), result(19.7, 20, 1)],
        "kakehashi, SQLite": [result(19.2, 20, 0), result(19.4, 20, 0)],
        "plain client, one channel 3 s slow": [result(18.9, 19, 0), result(18.8, 19, 0)],
        "kakehashi, SQLite, one channel 3 s slow": [result(12.0, 19, 0), result(13.0, 19, 2)],
    },
}

REPORTS = {
    "messages": 1_000_000,
    "items": 150_000,
    "runs": 3,
    "rows": [
        {
            "what": "SQLite: recap, one department (in process, 9 statements)",
            "times": [0.5, 0.4, 0.6],
            "base": [0.44] * 3,
        },
        {
            "what": "SQLite: recap, all departments (in process, 47 statements)",
            "times": [3.2, 3.1, 3.5],
            "base": [2.9] * 3,
        },
        {"what": "SQLite: agenda (in process, 45 statements)", "times": [0.8, 0.7, 0.9], "base": [0.6] * 3},
        {"what": "SQLite: `kakehashi recap product` (process)", "times": [1.7, 1.8, 1.9], "base": None},
    ],
}


def rules(fast: float, slow: float, generated: int = 0, load: float = 0.1) -> dict[str, Any]:
    """bench_rules.py's figures: its arguments and the Run dataclass's fields."""
    figures = {"n": 20000, "rules": "rules.yaml", "generated": generated, "live": None}
    run = {"routes": 60, "keywords": 900, "matches": 1.0, "load": load, "libyaml": 0.05}
    return {**figures, **run, "fast": fast, "slow": slow}


SCALING = {
    "n": 5000,
    "scaling": [
        {**rules(20_000, 15_000, 10), "generated": 10, "live": None},
        {**rules(150, 5, 10_000, load=2.8), "generated": 10_000, "live": None},
        {**rules(20_000, 16_000, 10), "generated": 10, "live": 100},
        {**rules(5_400, 6, 10_000, load=0.9), "generated": 10_000, "live": 100},
    ],
}


def all_rows(run_all: ModuleType, pg_skipped: str) -> list[Any]:
    databases = {"SQLite": "", "PostgreSQL": pg_skipped}
    canned = json.loads(json.dumps([ingest_run(1400, 300, 250), ingest_run(1300, 700, 90)]))  # as read back
    return [
        *run_all.help_rows([0.25, 0.28, 0.31], [0.16, 0.17, 0.16], [0.03, 0.03, 0.04], [0.02, 0.02, 0.02]),
        *run_all.rule_rows([rules(12_000, 2_000), rules(11_000, 2_100)], [rules(3_400, 140, 1000)], SCALING),
        *run_all.ingest_rows(canned, databases),
        *run_all.delivery_rows(DELIVERY, databases),
        *run_all.report_rows(REPORTS, databases),
    ]


def test_rows_compare_each_figure_with_its_baseline_and_target(run_all: ModuleType) -> None:
    rows = {r.what: r for r in all_rows(run_all, "skipped: no answer from postgresql://x")}

    help_wall = rows["`kakehashi --help`: wall s"]
    assert (help_wall.median, help_wall.verdict) == (0.28, "met")

    bundled = rows["rules, bundled: msg/s per CPU-s"]
    assert (bundled.median, bundled.base_median, bundled.verdict) == (11_500, 2_050, "NOT MET")
    assert rows["rules, 1,000 routes + 50 regexes: msg/s per CPU-s"].verdict == "met"  # 24×
    live = rows["rules, cost 10 → 10,000 routes (100 routes live), ×"]
    assert (round(live.median, 2), live.ratio, live.verdict) == (3.7, None, "met")
    assert rows["rules, cost 10 → 10,000 routes (every route live), ×"].verdict == "NOT MET"
    assert rows["rules, load 10,000 routes (positions, checks, engine), CPU s"].verdict == "NOT MET"  # 2.8 s

    rate = rows["ingest, SQLite: events/s, 32 in flight"]
    assert (rate.median, rate.base_median, rate.verdict) == (500, 1350, "NOT MET")  # 0.37×
    assert rate.note == "answers: 200: 598, 503: 2"
    assert rows["ingest, SQLite: p99 ms, 32 in flight"].verdict == "NOT MET"  # median 170 ms
    assert rows["ingest, PostgreSQL: events/s, 32 in flight"].verdict == "skipped"

    posts = rows["delivery, SQLite: posts/s, 400 items to 20 channels"]
    assert (posts.median, posts.verdict) == (pytest.approx(19.3), "met")  # 96.5 % of 20/s
    assert rows["delivery, SQLite: 429s after the first second"].verdict == "met"
    slow = rows["delivery, SQLite: the other channels' posts/s, one channel 3 s slow"]
    assert (slow.target, slow.verdict) == ("≥ 95 % of 19/s", "NOT MET")
    assert rows["delivery, SQLite: 429s after the first second, one channel 3 s slow"].verdict == "NOT MET"
    assert rows["delivery, PostgreSQL: posts/s, 400 items to 20 channels"].verdict == "skipped"

    one = rows["reports, SQLite: recap, one department (in process, 9 statements), s"]
    assert (one.median, one.base_median, round(one.ratio, 2), one.verdict) == (0.5, 0.44, 1.14, "met")
    assert rows["reports, SQLite: recap, all departments (in process, 47 statements), s"].verdict == "NOT MET"
    process = rows["reports, SQLite: `kakehashi recap product` (process), s"]
    assert (process.target, process.verdict, process.ratio) == ("", "", None)
    assert rows["reports, PostgreSQL: agenda, s"].verdict == "skipped"


def test_markdown_table_with_machine_baselines_and_notes(run_all: ModuleType) -> None:
    rows = all_rows(run_all, "skipped: no answer from postgresql://x")
    machine = {"machine": "AMD EPYC, 2 cores, 24 GiB RAM", "date": "2026-12-03 18:00–18:30 UTC"}
    text = run_all.report(rows, machine, markdown=True)
    lines = text.splitlines()
    head = lines.index("| what | kakehashi (median) | min–max | baseline (median) | ratio | target | met |")
    table = lines[head : head + 2 + len(rows)]
    assert table[1] == "| --- | ---: | ---: | ---: | ---: | --- | --- |"
    assert all(line.count(" | ") == 6 for line in table)
    assert (
        "| rules, bundled: msg/s per CPU-s | 11,500 | 11,000–12,000 | 2,050 | 5.61× | ≥ 20,000 | NOT MET |"
        in table
    )
    assert "| `kakehashi --help`: wall s | 0.280 | 0.250–0.310 | 0.030 | 9.33× | < 0.3 s | met |" in table
    assert "- machine: AMD EPYC, 2 cores, 24 GiB RAM" in lines
    assert "- date: 2026-12-03 18:00–18:30 UTC" in lines
    assert (
        "- ingest: a bare slack-bolt AsyncApp that verifies the signature and acks (its own process)" in lines
    )
    skipped = "- ingest, PostgreSQL; delivery, PostgreSQL; reports, PostgreSQL: skipped: no answer from postgresql://x"
    assert skipped in lines  # once, for every row it applies to
    assert "- ingest, SQLite: answers: 200: 598, 503: 2" in lines


def test_plain_table_is_aligned_and_grouped(run_all: ModuleType) -> None:
    rows = all_rows(run_all, "")[:4]  # help and the first two rules rows
    text = run_all.table(rows, markdown=False)
    lines = text.splitlines()
    assert lines[0].startswith("what") and set(lines[1]) == {"-", " "}
    assert lines[4] == ""  # a blank line between the groups
    ratio_end = lines[0].index("ratio") + len("ratio")
    assert lines[2][:ratio_end].endswith("9.33×") and lines[5][:ratio_end].endswith("5.61×")


def test_a_failed_benchmark_is_a_row_that_says_so(run_all: ModuleType) -> None:
    databases = {"SQLite": "", "PostgreSQL": ""}
    rows = run_all.delivery_rows(None, databases, "failed: bench/bench_delivery.py exited with 1")
    rows += run_all.report_rows(None, databases, "failed: bench/bench_reports.py exited with 1")
    rows += run_all.rule_rows([], [], None) + run_all.ingest_rows([], databases)
    assert rows and {r.verdict for r in rows} == {"failed"}
    assert all(r.median is None and run_all.cells(r)[1] == "—" for r in rows)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (0, "0"),
        (3.0, "3"),
        (0.0421, "0.042"),
        (1.234, "1.23"),
        (12.34, "12.3"),
        (123.4, "123"),
        (12345.6, "12,346"),
    ],
)
def test_numbers(run_all: ModuleType, value: float | None, shown: str) -> None:
    assert run_all.number(value) == shown


def test_machine_facts_say_why_postgresql_is_missing(run_all: ModuleType) -> None:
    facts = run_all.machine_facts("", "skipped: no answer from postgresql://x (OSError: refused)")
    assert "cores" in facts["machine"] and "SQLite 3." in facts["software"]
    assert facts["software"].endswith(
        "PostgreSQL not measured (no answer from postgresql://x (OSError: refused))"
    )


def test_bench_reads_the_figures_and_stops_a_benchmark_that_hangs(
    run_all: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures come back through --json; a benchmark that hangs is stopped with the servers it
    started (its process group), and its rows say so instead of the run waiting forever."""
    (tmp_path / "writes.py").write_text(
        "import json, sys\nopen(sys.argv[sys.argv.index('--json') + 1], 'w').write(json.dumps({'ok': 1}))\n"
    )
    server_pid = tmp_path / "server.pid"
    (tmp_path / "hangs.py").write_text(
        "import subprocess, sys, time\n"
        "server = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(server_pid)!r}, 'w').write(str(server.pid))\n"
        "time.sleep(600)\n"
    )
    monkeypatch.setattr(run_all, "BENCH", tmp_path)
    assert run_all.bench("writes.py", [], tmp_path, timeout=60) == ({"ok": 1}, "")
    figures, why = run_all.bench("hangs.py", ["-n", "1"], tmp_path, timeout=5)
    assert figures is None and why == "failed: bench/hangs.py still ran after 5 s and was stopped"
    pid = int(server_pid.read_text())
    stat = Path(f"/proc/{pid}/stat")
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"  # gone (or a zombie)


def test_the_command_end_to_end_on_its_shortest_part(
    run_all: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--quick --only help --no-pg``: the real ``kakehashi --help`` processes, the machine facts
    and the table (the other parts take minutes; their figures are checked above from canned JSON)."""
    assert run_all.main(["--quick", "--only", "help", "--no-pg"]) == 0
    out = capsys.readouterr().out
    assert "software: CPython 3." in out and "PostgreSQL not measured (--no-pg)" in out
    assert "load average (1/5/15 min): " in out and " before, " in out
    assert "command: bench/run_all.py --quick --only help --no-pg" in out
    row = next(line for line in out.splitlines() if line.startswith("`kakehashi --help`: wall s"))
    assert row.split()[-1] in ("met", "MET")  # "met" or "NOT MET": a figure was measured
