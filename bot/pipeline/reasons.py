"""Routing decisions in words people read, in the rules' locale (ja | en), not in rule syntax.

``match_reason`` says why a route matched (what a repost shows: 「バグ報告」ルール: キーワード「落ちる」 /
route "bug": keyword "crash"); ``why_not`` says why a message was not routed, from a
``rules.Explanation``: the route that stopped the walk, routes that would have matched after it,
and the nearest routes with what each lacked.  The values come typed from ``rules``; only this
module turns them into sentences, with the templates of ``bot.core.texts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.texts import intent_label, t
from rules import Explanation, Match, Missing, Reason, RouteCheck

__all__ = ["WhyNot", "match_reason", "reason_text", "why_not"]

LIST_SHOWN = 8  # values of one condition listed before "… N more"
# kinds whose reason reads "<kind> ... <detail>" with a template that takes the value as written
_DETAIL_KINDS = frozenset({"keyword", "channel", "author", "platform", "min_length", "tags", "not"})


def _evidence(reason: Reason, text: str) -> str | None:
    if reason.matched:
        return reason.matched
    if reason.span is None:
        return None
    start, end = reason.span
    found = text[start:end].strip()
    return found or None


def reason_text(reason: Reason, text: str, locale: str) -> str:
    """One condition that held, e.g. キーワード「落ちる」, intent "problem" ("keeps freezing").

    ``text`` is the message's original text: spans point into it (what a regex or an intent
    matched is shown as the words the author wrote, not as the pattern).
    """
    kind, detail = reason.kind, reason.detail
    if kind == "always":
        return t(locale, "reason.always")
    if kind in ("thread", "bot", "staff"):
        return t(locale, f"reason.{kind}.{detail}")
    evidence = _evidence(reason, text)
    if kind == "intent":
        name = intent_label(locale, detail)
        if evidence is None:
            return t(locale, "reason.intent.bare", detail=name)
        return t(locale, "reason.intent", detail=name, evidence=evidence)
    if kind == "regex":
        if evidence is None:
            return t(locale, "reason.regex.bare", detail=detail)
        return t(locale, "reason.regex", evidence=evidence)
    if kind == "keyword" and reason.matched and reason.matched != detail:  # another form of it
        return t(locale, "reason.keyword.form", detail=detail, evidence=reason.matched)
    if kind in _DETAIL_KINDS:
        return t(locale, f"reason.{kind}", detail=detail)
    return t(locale, "reason.other", kind=kind, detail=detail)


def match_reason(match: Match, text: str, locale: str) -> str:
    """Why ``match`` matched, short: the route's label (else its name) and what held.

    What held, not what was absent: ``not`` reasons are left out unless there is nothing else.
    """
    held = [r for r in match.reasons if r.kind != "not"] or list(match.reasons)
    parts = list(dict.fromkeys(reason_text(r, text, locale) for r in held)) or [t(locale, "reason.always")]
    return t(
        locale, "reason.route", route=match.label or match.route, parts=t(locale, "reason.join").join(parts)
    )


# -- why not ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhyNot:
    """Why a message went nowhere (or not also elsewhere), as sentences.

    ``stopped``: the ``to: []`` route that matched first and kept it from every route after it;
    ``shadowed``: routes that would have matched but were never tried; ``nearest``: routes that
    missed, closest first, each with what it lacked.
    """

    stopped: str | None
    shadowed: tuple[str, ...]
    nearest: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return ((self.stopped,) if self.stopped else ()) + self.shadowed


def why_not(explanation: Explanation, text: str, locale: str) -> WhyNot:
    """Sentences for ``explanation``; ``nearest`` only when no department gets the message."""
    stop = explanation.stopped_by
    stopped = None
    if stop is not None and not stop.departments and not explanation.routed:
        stopped = t(locale, "explain.stopped", route=stop.display)
    shadowed = tuple(
        t(locale, "explain.shadowed", route=check.display, stopper=check.stopped_by.display)
        for check in explanation.shadowed
        if check.stopped_by is not None
    )
    nearest = () if explanation.routed else tuple(_route_line(c, text, locale) for c in explanation.nearest)
    return WhyNot(stopped, shadowed, nearest)


def _route_line(check: RouteCheck, text: str, locale: str) -> str:
    clauses = t(locale, "explain.clauses").join(_clause(m, text, locale) for m in check.missing)
    return t(
        locale,
        "explain.route",
        route=check.display,
        clauses=clauses,
        satisfied=check.satisfied,
        total=check.total,
    )


def _clause(missing: Missing, text: str, locale: str) -> str:
    need = _need(missing, text, locale)
    found = _found(missing, text, locale)
    if found is None:
        return t(locale, "explain.clause.bare", need=need)
    return t(locale, "explain.clause", need=need, found=found)


def _listed(values: Sequence[str], locale: str) -> str:
    shown = t(locale, "explain.values").join(values[:LIST_SHOWN])
    if len(values) > LIST_SHOWN:
        return t(locale, "explain.list_more", values=shown, more=len(values) - LIST_SHOWN)
    return t(locale, "explain.list", values=shown)


def _either(values: Sequence[str], locale: str) -> str:
    return t(locale, "explain.or").join(values)


def _quoted(values: Sequence[str], locale: str) -> str:
    return t(locale, "explain.values").join(t(locale, "explain.quoted", value=v) for v in values)


def _need(missing: Missing, text: str, locale: str) -> str:
    kind, wanted = missing.kind, missing.wanted
    if kind in ("keyword", "regex", "tags"):
        return t(locale, f"explain.need.{kind}", values=_listed(wanted, locale))
    if kind == "intent":
        names = [t(locale, "explain.intent", value=intent_label(locale, w)) for w in wanted]
        return t(locale, "explain.need.intent", values=_either(names, locale))
    if kind in ("channel", "author", "platform"):
        return t(locale, f"explain.need.{kind}", values=_either(wanted, locale))
    if kind in ("thread", "bot", "staff"):
        return t(locale, f"explain.need.{kind}.{wanted[0]}")
    if kind == "min_length":
        return t(locale, "explain.need.min_length", values=wanted[0])
    if kind == "not":
        forbidden = [reason_text(r, text, locale) for r in missing.forbidden]
        return t(locale, "explain.need.not", values=t(locale, "explain.values").join(forbidden))
    if kind in ("bots", "private"):
        return t(locale, f"explain.need.{kind}")
    if kind in ("any", "all"):
        needs = [_need(option, text, locale) for option in missing.options]
        return t(locale, "explain.or" if kind == "any" else "explain.and").join(needs)
    return t(locale, "explain.need.other", kind=kind, values=_listed(wanted, locale))


_FOUND_NOTHING = frozenset({"keyword", "regex", "intent", "tags"})


def _found(missing: Missing, text: str, locale: str) -> str | None:
    """What the message had instead; None where the need says it all (an opt-in, an ``all``)."""
    kind, found = missing.kind, missing.found
    if kind == "keyword" and found:
        return t(locale, "explain.found.inside", values=_quoted(found, locale))
    if kind in _FOUND_NOTHING and not found:
        return t(locale, "explain.found.none")
    if kind == "any":
        inside = [o for o in missing.options if o.kind == "keyword" and o.found]
        if inside:
            return t(
                locale, "explain.found.inside", values=_quoted([f for o in inside for f in o.found], locale)
            )
        if all(option.kind in _FOUND_NOTHING for option in missing.options):
            return t(locale, "explain.found.none")
        return None
    if kind in ("channel", "author", "platform", "tags"):
        return t(locale, "explain.found.value", values=_either(found, locale))
    if kind in ("thread", "bot", "staff"):
        return t(locale, "explain.found.is", values=t(locale, f"explain.need.{kind}.{found[0]}"))
    if kind == "min_length":
        return t(locale, "explain.found.length", values=found[0])
    if kind == "not":
        forbidden = [reason_text(r, text, locale) for r in missing.forbidden]
        return t(locale, "explain.found.forbidden", values=t(locale, "explain.values").join(forbidden))
    return None
