"""kakehashi's rule language: load rules.yaml, validate all of it, classify messages.

::

    from rules import load_rules, RulesError
    try:
        rs = load_rules("rules.yaml")
    except RulesError as err:          # every problem, "file:line:col: path: message"
        print(err)
    for match in rs.classify(message):  # tuple[Match, ...] in route order
        print(match.route, match.departments, match.tag, match.reason_text)

Modules: ``normalize`` (text folding), ``loader`` (YAML with positions), ``validate`` (nodes to
compiled values: the top level, handing each section to ``places`` / ``routing`` / ``reactions`` /
``schedules``, all built on ``checker``), ``conditions`` / ``matcher`` (what a ``when`` compiles
to), ``engine`` (route evaluation), ``explain`` (why a message was not routed), ``model`` (the values), ``ruleset`` (``RuleSet`` and loading),
``calendar`` (business days), ``errors``.
The language itself is described in README.md, "rules.yaml reference".
"""

from rules.engine import Route
from rules.errors import Problem, RulesError
from rules.explain import Explanation, RouteCheck, Stop
from rules.model import STATUSES, Department, Goal, Match, Missing, ReactionRule, Reason, Schedule, Source
from rules.normalize import normalize
from rules.ruleset import RuleSet, load_rules, load_rules_text

__all__ = [
    "STATUSES",
    "Department",
    "Explanation",
    "Goal",
    "Match",
    "Missing",
    "Problem",
    "ReactionRule",
    "Reason",
    "Route",
    "RouteCheck",
    "RuleSet",
    "RulesError",
    "Schedule",
    "Source",
    "Stop",
    "load_rules",
    "load_rules_text",
    "normalize",
]
