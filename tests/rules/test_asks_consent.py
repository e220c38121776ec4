"""``departments.X.asks_consent``: which departments ask authors for reuse permission."""

from __future__ import annotations

import pytest

from rules import RulesError, load_rules_text

RULES = """\
version: 1
locale: en
sources: [{{slack: "#community"}}]
departments:
  marketing: {{label: Marketing, post_to: [{{slack: "#dept-marketing"}}]{marketing}}}
  pr: {{label: PR, post_to: [{{slack: "#dept-pr"}}]{pr}}}
routes:
  - {{name: all, when: {{keyword: [x]}}, to: [marketing]}}
"""


@pytest.mark.parametrize(
    ("marketing", "pr", "expected"),
    [
        ("", "", {"marketing": True, "pr": False}),  # without the key: a department named marketing
        (", asks_consent: false", ", asks_consent: true", {"marketing": False, "pr": True}),
    ],
)
def test_which_departments_ask(marketing: str, pr: str, expected: dict[str, bool]) -> None:
    rules = load_rules_text(RULES.format(marketing=marketing, pr=pr))
    assert {name: d.asks_consent for name, d in rules.departments.items()} == expected


def test_asks_consent_must_be_true_or_false() -> None:
    with pytest.raises(RulesError) as caught:
        load_rules_text(RULES.format(marketing="", pr=", asks_consent: maybe"))
    assert "departments.pr.asks_consent: expected true or false, got " in str(caught.value)
