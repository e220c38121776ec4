"""``reply_on_close`` in rules.yaml: what is accepted, and the exact errors (file:line:col)."""

from __future__ import annotations

import pytest

from rules import load_rules_text
from rules.errors import RulesError

HEAD = """version: 1
sources: [{slack: "#community"}]
departments: {cs: {label: CS, post_to: [{slack: "#dept-cs"}]}}
routes:
  - name: question
    when: {keyword: "?"}
    to: [cs]
"""


def problems(tail: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_rules_text(HEAD + tail)
    return [str(p) for p in caught.value.problems]


def test_templates_render_with_the_closer_department_and_author() -> None:
    rules = load_rules_text(
        HEAD
        + '    reply_on_close: {done: "{author}: {department} answered ({closer}) {{ok}}"}\n'
        + "    routes:\n"
        + "      - {name: how-to, when: {keyword: how}}\n"
    )
    route = rules.route_named("how-to")  # nested: inherits the parent's templates
    assert route is not None and route.reply_on_close is not None
    assert route.reply_on_close.render("done", closer="taro", department="CS", author="hana") == (
        "hana: CS answered (taro) {ok}"
    )
    assert route.reply_on_close.render("declined", closer="taro", department="CS", author="hana") is None


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (
            '    reply_on_close: {done: "thanks {autor}"}\n',
            "rules.yaml:8:36: routes[0].reply_on_close.done: unknown placeholder '{autor}'; "
            "did you mean '{author}'?",
        ),
        (
            "    reply_on_close: {done: 'sorted by {closer!r}'}\n",
            "rules.yaml:8:39: routes[0].reply_on_close.done: write '{closer}' without a format or conversion",
        ),
        (
            '    reply_on_close: {done: "thanks {author"}\n',
            "rules.yaml:8:28: routes[0].reply_on_close.done: broken template: expected '}' before end "
            "of string (write {{ and }} for literal braces)",
        ),
        (
            '    reply_on_close: {dne: "thanks"}\n',
            "rules.yaml:8:22: routes[0].reply_on_close.dne: unknown key 'dne'; did you mean 'done'?",
        ),
        (
            "    reply_on_close: {}\n",
            "rules.yaml:8:21: routes[0].reply_on_close: expected 'done' and/or 'declined' templates, "
            "got an empty mapping",
        ),
        (
            "    reply_on_close: {done: [thanks]}\n",
            "rules.yaml:8:28: routes[0].reply_on_close.done: expected a string, got a list",
        ),
    ],
)
def test_bad_templates_are_rules_errors(tail: str, expected: str) -> None:
    assert problems(tail) == [expected]
