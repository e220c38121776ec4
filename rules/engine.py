"""Route evaluation: top-down, first match wins unless ``continue: true``; nested routes refine.

Inheritance (``to``, ``tag``, ``allow_private``) and the bot opt-in are resolved at load time, so
evaluation only walks compiled ``Route`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.domain import Classifiable
from rules.answers import ReplyOnClose
from rules.conditions import Condition, MessageContext
from rules.matcher import KeywordIndex
from rules.model import Match, Reason

__all__ = ["Engine", "Route"]


@dataclass(frozen=True, slots=True)
class Route:
    """A compiled route.  ``departments``/``tag``/``allow_private`` are effective (own or inherited).

    ``departments`` is None when neither the route nor an ancestor names any: such a route only
    groups its children.  ``accepts_bots`` is true when its own or an ancestor's ``when`` says
    ``bot: true`` (outside a ``not``).
    """

    name: str
    path: str
    when: Condition | None
    departments: tuple[str, ...] | None
    tag: str | None
    continue_: bool
    allow_private: bool
    accepts_bots: bool
    routes: tuple[Route, ...] = ()
    description: str | None = None
    reply_on_close: ReplyOnClose | None = None
    label: str | None = None  # what people read (reposts, ``rules test``); the name when None

    @property
    def display(self) -> str:
        return self.label or self.name

    def walk(self) -> tuple[Route, ...]:
        """This route and all its descendants, in file order."""
        return (self, *(r for child in self.routes for r in child.walk()))


class Engine:
    def __init__(self, routes: tuple[Route, ...], keywords: KeywordIndex) -> None:
        self.routes = routes
        self.keywords = keywords

    def classify(self, message: Classifiable) -> tuple[Match, ...]:
        ctx = MessageContext(message, self.keywords)
        matches: list[Match] = []
        _evaluate(self.routes, ctx, (), matches)
        return tuple(matches)


def _evaluate(
    routes: tuple[Route, ...], ctx: MessageContext, inherited: tuple[Reason, ...], out: list[Match]
) -> None:
    message = ctx.message
    for route in routes:
        if message.is_bot and not route.accepts_bots:
            continue
        if message.private and not route.allow_private:
            continue
        held = () if route.when is None else route.when.match(ctx)
        if held is None:
            continue
        reasons = inherited + held
        before = len(out)
        if route.routes:
            _evaluate(route.routes, ctx, reasons, out)
        if len(out) == before:
            if route.departments is None:
                continue  # a grouping route whose children all missed: not a match
            if not reasons:
                reasons = (Reason(route.name, route.path, "always", "no conditions"),)
            out.append(Match(route.name, route.departments, route.tag, reasons, route.label))
        if not route.continue_:
            return
