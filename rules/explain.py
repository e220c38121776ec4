"""Why a message went where it went, and why not elsewhere: ``RuleSet.explain(message)``.

It walks the routes as ``Engine.classify`` does (top-down, first match wins unless ``continue``,
nested routes refine their parent), but traces every route's conditions, also of routes the
walk never reached, so that ``kakehashi rules test`` can say which routes came closest and what
they lacked, and which route stopped the walk before the others were tried.  The hot path
(``classify``) never runs this.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.domain import Classifiable
from rules.conditions import Check, MessageContext
from rules.engine import Engine, Route
from rules.model import Match, Missing, Reason

__all__ = ["NEAREST", "Explanation", "RouteCheck", "Stop", "explain"]

NEAREST = 3  # missed routes an explanation lists, closest first


@dataclass(frozen=True, slots=True)
class Stop:
    """A route that matched and ended the walk (it has no ``continue: true``); ``departments`` is
    ``()`` for a route with ``to: []`` (it keeps messages from every route after it)."""

    route: str
    label: str | None
    departments: tuple[str, ...]

    @property
    def display(self) -> str:
        return self.label or self.route


@dataclass(frozen=True, slots=True)
class RouteCheck:
    """One route that sends somewhere, traced for one message.

    ``held`` and ``missing`` cover the route's own ``when`` and its ancestors' (a nested route
    needs both); ``satisfied`` of ``total`` conditions held.  ``stopped_by``: a route that matched
    before this one and ended the walk, so this one was never tried.
    """

    route: str
    label: str | None
    path: str
    departments: tuple[str, ...]
    held: tuple[Reason, ...]
    missing: tuple[Missing, ...]
    satisfied: int
    total: int
    stopped_by: Stop | None

    @property
    def display(self) -> str:
        return self.label or self.route

    @property
    def ratio(self) -> float:
        return self.satisfied / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class Explanation:
    """What ``classify`` decided and why nothing else: ``matches`` as ``classify`` returns them;
    ``stopped_by`` the route that ended the top-level walk (None: every route was tried);
    ``shadowed`` routes whose conditions held but that were never tried (see their
    ``stopped_by``); ``nearest`` the routes that missed, closest first (at most ``NEAREST``)."""

    matches: tuple[Match, ...]
    stopped_by: Stop | None
    shadowed: tuple[RouteCheck, ...]
    nearest: tuple[RouteCheck, ...]

    @property
    def routed(self) -> bool:
        """Whether any department gets the message."""
        return any(match.departments for match in self.matches)


@dataclass(frozen=True, slots=True)
class _Trail:
    """The conditions from the top down to a route: what held and what was missing on the way."""

    held: tuple[Reason, ...] = ()
    missing: tuple[Missing, ...] = ()
    satisfied: int = 0
    total: int = 0

    def plus(self, check: Check) -> _Trail:
        return _Trail(
            self.held + (check.held or ()),
            self.missing + check.missing,
            self.satisfied + check.satisfied,
            self.total + check.total,
        )


def explain(engine: Engine, message: Classifiable) -> Explanation:
    matches = engine.classify(message)
    ctx = MessageContext(message, engine.keywords)
    checks: list[RouteCheck] = []
    matched = {match.route for match in matches}
    stop = _walk(engine.routes, ctx, _Trail(), None, matched, checks)
    shadowed = tuple(c for c in checks if not c.missing and c.stopped_by is not None)
    missed = [c for c in checks if c.missing]
    order = {id(c): i for i, c in enumerate(missed)}
    missed.sort(key=lambda c: (-c.ratio, -c.satisfied, order[id(c)]))
    return Explanation(matches, stop, shadowed, tuple(missed[:NEAREST]))


def _gates(route: Route, message: Classifiable) -> Check:
    """Bot and private messages only reach routes that opt in: a missing opt-in is a missing condition."""
    missing = []
    if message.is_bot and not route.accepts_bots:
        missing.append(Missing(route.path, "bots"))
    if message.private and not route.allow_private:
        missing.append(Missing(route.path, "private"))
    return Check(None if missing else (), tuple(missing), 0, len(missing))


def _walk(
    routes: tuple[Route, ...],
    ctx: MessageContext,
    trail: _Trail,
    stopper: Stop | None,
    matched: set[str],
    out: list[RouteCheck],
) -> Stop | None:
    """Trace ``routes`` (one list of siblings) into ``out``; the route that ended this list, if any.

    Mirrors ``rules.engine._evaluate``: a route is tried when no sibling before it stopped the
    walk and its ancestors held; it stops the walk when it held, produced a match (its own or a
    nested route's) and does not ``continue``.
    """
    ended: Stop | None = None
    for route in routes:
        own = Check((), (), 0, 0) if route.when is None else route.when.trace(ctx)
        here = trail.plus(_gates(route, ctx.message)).plus(own)
        if route.routes:
            _walk(route.routes, ctx, here, stopper, matched, out)
        if route.departments:
            out.append(
                RouteCheck(
                    route=route.name,
                    label=route.label,
                    path=route.path,
                    departments=route.departments,
                    held=here.held,
                    missing=here.missing,
                    satisfied=here.satisfied,
                    total=here.total,
                    stopped_by=stopper,
                )
            )
        if stopper is None and not here.missing and not route.continue_:
            produced = route.departments is not None or any(r.name in matched for r in route.walk()[1:])
            if produced:
                stopper = ended = Stop(route.name, route.label, route.departments or ())
    return ended
