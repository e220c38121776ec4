"""Score rules.yaml against labelled messages: what ``kakehashi rules test --file`` reports.

A labelled file is JSON lines (or one JSON array) of objects with ``text`` and optionally
``expected`` (a department or a list of them; ``[]`` means "route nowhere"), ``expected_tag``,
``channel``, ``platform``, ``thread`` (a parent key: the message is a reply), ``bot``, ``tags``,
``author`` and ``author_id`` (for ``author`` and ``staff`` conditions).  A row that names its
``channel`` is scored as the running bot treats it: nothing is routed from a channel that is not
a source or that a department posts to.

Rows may instead say ``must`` (the one department that has to get it; ``"none"`` means "route
nowhere") and ``ok`` (departments that may also get it): such a row is right when ``must`` is routed
and every routed department is in ``{must} + ok`` (with ``none``: when nothing is routed). A
``source`` key groups rows, and accuracy is reported per source as well as overall.
Besides exact-set accuracy it gives per-department precision and recall, which is what a
community manager tunes by: "marketing gets too much noise" is low precision, "product misses
bugs" is low recall.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from bot.core.domain import InboundMessage, Platform
from bot.core.errors import KakehashiError
from bot.pipeline.dispatcher import channel_ignore_reason
from bot.pipeline.reasons import WhyNot
from rules import Explanation, Match, Missing, Reason, RouteCheck, RuleSet, Stop

__all__ = [
    "Evaluation",
    "Label",
    "Scores",
    "Tally",
    "evaluate",
    "explanation_json",
    "label_of",
    "match_json",
    "probe_message",
    "read_records",
]

TEXT_KEYS = ("text", "message", "body", "content")


def probe_message(
    text: str,
    *,
    channel: str = "#community",
    platform: str = "slack",
    author: str = "someone",
    author_id: str | None = None,
    thread: str | None = None,
    bot: bool = False,
    tags: tuple[str, ...] = (),
) -> InboundMessage:
    channel_id = channel
    if platform == "webhook":  # as adapters.inbound_webhook says it: id SOURCE, name "webhook:SOURCE"
        channel_id = channel.removeprefix("webhook:")
        channel = f"webhook:{channel_id}"
    return InboundMessage(
        platform=platform,
        key="rules-test",
        channel_id=channel_id,
        channel=channel,
        author_id=author_id or author,
        author=author,
        text=text,
        created_at=datetime.now(UTC),
        thread_key=thread,
        is_bot=bot,
        tags=tags,
    )


def _reason_json(r: Reason) -> dict[str, Any]:
    return {
        "path": r.path,
        "kind": r.kind,
        "detail": r.detail,
        "span": list(r.span) if r.span else None,
        "matched": r.matched,
    }


def match_json(match: Match) -> dict[str, Any]:
    return {
        "route": match.route,
        "label": match.label,
        "departments": list(match.departments),
        "tag": match.tag,
        "reason": match.reason_text,
        "reasons": [_reason_json(r) for r in match.reasons],
    }


def _missing_json(m: Missing) -> dict[str, Any]:
    out: dict[str, Any] = {"path": m.path, "kind": m.kind, "wanted": list(m.wanted), "found": list(m.found)}
    if m.options:
        out["options"] = [_missing_json(o) for o in m.options]
    if m.forbidden:
        out["forbidden"] = [_reason_json(r) for r in m.forbidden]
    return out


def _stop_json(stop: Stop | None) -> dict[str, Any] | None:
    if stop is None:
        return None
    return {"route": stop.route, "label": stop.label, "departments": list(stop.departments)}


def _check_json(check: RouteCheck) -> dict[str, Any]:
    return {
        "route": check.route,
        "label": check.label,
        "path": check.path,
        "departments": list(check.departments),
        "satisfied": check.satisfied,
        "total": check.total,
        "held": [_reason_json(r) for r in check.held],
        "missing": [_missing_json(m) for m in check.missing],
        "stopped_by": _stop_json(check.stopped_by),
    }


def explanation_json(explanation: Explanation, why: WhyNot) -> dict[str, Any]:
    """``rules test --json``: why not, as data (``nearest`` only when no department gets it) and
    as the sentences the text output shows (``says``, in the rules' locale)."""
    return {
        "routed": explanation.routed,
        "stopped_by": _stop_json(explanation.stopped_by),
        "shadowed": [_check_json(c) for c in explanation.shadowed],
        "nearest": [] if explanation.routed else [_check_json(c) for c in explanation.nearest],
        "says": {"stopped": why.stopped, "shadowed": list(why.shadowed), "nearest": list(why.nearest)},
    }


@dataclass(slots=True)
class Scores:
    """One department: true positives, false positives (noise it got), false negatives (misses)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def as_json(self) -> dict[str, Any]:
        rounded = {
            k: None if v is None else round(v, 4)
            for k, v in (("precision", self.precision), ("recall", self.recall))
        }
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, **rounded}


@dataclass(slots=True)
class Tally:
    """Right out of labelled, for one ``source`` (or for the whole file)."""

    correct: int = 0
    labelled: int = 0

    @property
    def ratio(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"correct": self.correct, "labelled": self.labelled, "ratio": round(self.ratio, 4)}


@dataclass(frozen=True, slots=True)
class Label:
    """What a row expects: ``must`` (None: nothing may be routed) plus what else is ``allowed``."""

    must: str | None
    allowed: frozenset[str]

    def needed(self) -> set[str]:
        """Departments a miss counts against (recall)."""
        return set() if self.must is None else {self.must}

    def right(self, got: set[str]) -> bool:
        if self.must is None:
            return not got
        return self.must in got and got <= self.allowed

    def as_json(self) -> list[str]:
        return sorted(self.allowed) if self.must is None else [self.must, *sorted(self.allowed - {self.must})]


@dataclass(slots=True)
class Evaluation:
    results: list[dict[str, Any]] = field(default_factory=list)
    by_route: Counter[str] = field(default_factory=Counter)
    by_department: Counter[str] = field(default_factory=Counter)
    scores: dict[str, Scores] = field(default_factory=dict)
    labelled: int = 0
    correct: int = 0
    tag_labelled: int = 0
    tag_correct: int = 0
    by_source: dict[str, Tally] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "messages": len(self.results),
            "by_route": dict(self.by_route.most_common()),
            "by_department": dict(self.by_department.most_common()),
        }
        if self.labelled:
            out["accuracy"] = {
                "correct": self.correct,
                "labelled": self.labelled,
                "ratio": round(self.correct / self.labelled, 4),
            }
            out["departments"] = {name: s.as_json() for name, s in sorted(self.scores.items())}
        if self.by_source:
            out["sources"] = {name: t.as_json() for name, t in sorted(self.by_source.items())}
        if self.tag_labelled:
            out["tag_accuracy"] = {
                "correct": self.tag_correct,
                "labelled": self.tag_labelled,
                "ratio": round(self.tag_correct / self.tag_labelled, 4),
            }
        return out


def _expected(record: dict[str, Any]) -> set[str] | None:
    value = record.get("expected", record.get("department", record.get("departments")))
    if value is None:
        return None
    return {value} if isinstance(value, str) else {str(v) for v in value}


def label_of(record: dict[str, Any]) -> Label | None:
    """The row's label: ``must``/``ok`` if it has them, else ``expected`` as an exact set."""
    must = record.get("must")
    if isinstance(must, str) and must:
        ok = record.get("ok") or []
        others = {ok} if isinstance(ok, str) else {str(v) for v in ok}
        if must == "none":
            return Label(None, frozenset())
        return Label(must, frozenset({must} | others))
    expected = _expected(record)
    if expected is None:
        return None
    if not expected:
        return Label(None, frozenset())
    return _ExactLabel(next(iter(sorted(expected))), frozenset(expected))


@dataclass(frozen=True, slots=True)
class _ExactLabel(Label):
    """``expected``: exactly this set of departments."""

    def needed(self) -> set[str]:
        return set(self.allowed)

    def right(self, got: set[str]) -> bool:
        return got == self.allowed

    def as_json(self) -> list[str]:
        return sorted(self.allowed)


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line, record) pairs from JSON lines or a JSON array; a bad line names its number."""
    content = path.read_text(encoding="utf-8-sig")
    if content.lstrip().startswith("["):
        try:
            items = json.loads(content)
        except json.JSONDecodeError as exc:
            where = f"{path}:{exc.lineno}:{exc.colno}"
            raise KakehashiError.of("cli.rules.test.bad_json", where=where, error=exc.msg) from None
        pairs = list(enumerate(items, 1))
    else:
        pairs = []
        for lineno, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            try:
                pairs.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                where = f"{path}:{lineno}:{exc.colno}"
                raise KakehashiError.of("cli.rules.test.bad_json", where=where, error=exc.msg) from None
    platforms = get_args(Platform)
    for lineno, record in pairs:
        if not isinstance(record, dict) or not any(isinstance(record.get(k), str) for k in TEXT_KEYS):
            raise KakehashiError.of("cli.rules.test.no_text", where=f"{path}:{lineno}")
        if record.get("platform") and record["platform"] not in platforms:
            raise KakehashiError.of(
                "cli.rules.test.bad_platform",
                where=f"{path}:{lineno}",
                platform=record["platform"],
                platforms=", ".join(platforms),
            )
    return pairs


def evaluate(
    rs: RuleSet,
    records: list[tuple[int, dict[str, Any]]],
    *,
    channel: str = "#community",
    platform: str = "slack",
) -> Evaluation:
    ev = Evaluation()
    for lineno, record in records:
        text = next(record[k] for k in TEXT_KEYS if isinstance(record.get(k), str))
        msg = probe_message(
            text,
            channel=str(record.get("channel") or channel),
            platform=str(record.get("platform") or platform),
            author=str(record.get("author") or record.get("author_id") or "someone"),
            author_id=str(record.get("author_id") or "") or None,
            thread=record.get("thread"),
            bot=bool(record.get("bot", False)),
            tags=tuple(record.get("tags") or ()),
        )
        # a row that says where it was posted is scored as the running bot treats it: a message in
        # a channel that is not a source, or in a department channel, is never classified
        ignored = channel_ignore_reason(rs, msg) if record.get("channel") else None
        matches = () if ignored else rs.classify(msg)
        got = {d for m in matches for d in m.departments}
        tags = {m.tag for m in matches if m.tag}
        ev.by_route.update(m.route for m in matches)
        ev.by_department.update(got)
        if not matches:
            ev.by_route["(none)"] += 1
        label = label_of(record)
        ok = None
        if label is not None:
            ev.labelled += 1
            ok = label.right(got)
            ev.correct += ok
            source = record.get("source")
            if isinstance(source, str) and source:
                tally = ev.by_source.setdefault(source, Tally())
                tally.labelled += 1
                tally.correct += ok
            needed = label.needed()
            for name in got | needed:
                scores = ev.scores.setdefault(name, Scores())
                scores.tp += name in got and name in label.allowed
                scores.fp += name in got and name not in label.allowed
                scores.fn += name in needed and name not in got
        want_tag = record.get("expected_tag")
        tag_ok = None
        if "expected_tag" in record:
            ev.tag_labelled += 1
            tag_ok = want_tag in tags if want_tag else not tags
            ev.tag_correct += tag_ok
        ev.results.append(
            {
                "line": lineno,
                "text": text,
                "departments": sorted(got),
                "expected": label.as_json() if label is not None else None,
                "source": record.get("source"),
                "ok": ok,
                "tags": sorted(tags),
                "expected_tag": want_tag,
                "tag_ok": tag_ok,
                "matches": [match_json(m) for m in matches],
                "ignored": ignored,
            }
        )
    return ev
