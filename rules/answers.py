"""``reply_on_close`` of a route: what kakehashi answers in the community thread when an item the
route made is closed (done or declined).

```yaml
- name: question
  ...
  reply_on_close:
    done: "{department}が対応しました（{closer}）。ありがとうございました！"
    declined: "今回は見送りとなりました。ご投稿ありがとうございました。"
```

Placeholders: ``{closer}`` (who closed the item), ``{department}`` (the department's label),
``{author}`` (the community member who posted).  Anything else in braces is a rules error
(``{{`` and ``}}`` write literal braces).  A nested route inherits its parent's templates.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from rules.checker import Checker, unknown
from rules.errors import said
from rules.loader import Node, Scalar

__all__ = ["PLACEHOLDERS", "REPLY_KEYS", "ReplyChecks", "ReplyOnClose"]

REPLY_KEYS = ("done", "declined")
PLACEHOLDERS = ("closer", "department", "author")


@dataclass(frozen=True, slots=True)
class ReplyOnClose:
    """The answer templates of one route; None where the route says nothing for that outcome."""

    done: str | None = None
    declined: str | None = None

    def template(self, status: str) -> str | None:
        return self.done if status == "done" else self.declined if status == "declined" else None

    def render(self, status: str, *, closer: str, department: str, author: str) -> str | None:
        template = self.template(status)
        if template is None:
            return None
        return template.format(closer=closer, department=department, author=author)


class ReplyChecks(Checker):
    def reply_on_close(self, node: Node, path: str) -> ReplyOnClose | None:
        fields = self.mapping(node, path, REPLY_KEYS)
        if fields is None:
            return None
        if not fields:
            if not self.misspelt(node):
                self.problem(node, path, said("reply.empty"))
            return None
        found: dict[str, str] = {}
        for key, value in fields.items():
            text = self.string(value, f"{path}.{key}")
            if text is None or not self._placeholders_ok(value, f"{path}.{key}", text):
                return None
            found[key] = text
        if len(fields) != len(getattr(node, "entries", ())):
            return None
        return ReplyOnClose(done=found.get("done"), declined=found.get("declined"))

    def _placeholders_ok(self, node: Node, path: str, text: str) -> bool:
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:  # "Single '}' encountered", "expected '}' before end of string"
            self.problem(node, path, said("reply.broken", error=str(exc)))
            return False
        for literal, field, spec, conversion in parsed:
            if field is None:
                continue
            if field in PLACEHOLDERS and (spec or conversion):
                self.problem(
                    node,
                    path,
                    said("reply.format", field="{" + field + "}"),
                    col_offset=_offset(node, text, literal, field),
                )
                return False
            if field not in PLACEHOLDERS:
                offset = _offset(node, text, literal, field)
                self.problem(
                    node,
                    path,
                    unknown("placeholder", "{" + field + "}", [f"{{{p}}}" for p in PLACEHOLDERS]),
                    col_offset=offset,
                )
                return False
        return True


def _offset(node: Node, text: str, literal: str, field: str) -> int:
    """Where ``{field}`` starts in the scalar, when the source lines up with the value."""
    if not isinstance(node, Scalar) or node.end_line != node.line or "\\" in node.raw:
        return 0
    position = text.find("{" + field)
    if position < 0:
        return 0
    return position + (1 if node.style in ("'", '"') else 0)
