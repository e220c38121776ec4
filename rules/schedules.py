"""Checks of ``schedules``: recaps, agendas and unanswered-question escalations, their cron
expressions (weekday names only), departments, destinations and periods."""

from __future__ import annotations

import zoneinfo
from typing import Literal, cast

from apscheduler.triggers.cron import CronTrigger

from bot.core.domain import Destination
from rules.checker import Checker, Report, kind_of
from rules.errors import said
from rules.loader import Node, Scalar, Seq
from rules.model import Schedule
from rules.places import PlaceChecks

__all__ = ["ScheduleChecks"]

SCHEDULE_KEYS = ("name", "kind", "cron", "departments", "post_to", "period", "after_hours", "description")
SCHEDULE_KINDS = ("recap", "agenda", "unanswered")
NUMERIC_WEEKDAYS = said("cron.weekdays")


class ScheduleChecks(Checker):
    """``schedules``; their ``post_to`` go through ``places`` like departments' destinations."""

    def __init__(self, report: Report, *, places: PlaceChecks) -> None:
        super().__init__(report)
        self.places = places

    def schedules(
        self, node: Node, *, timezone: zoneinfo.ZoneInfo, every_department: tuple[str, ...]
    ) -> tuple[Schedule, ...]:
        """The schedules that compiled; ``departments: all`` (the default) is ``every_department``."""
        if not isinstance(node, Seq):
            self.problem(node, "schedules", said("expected.schedules", found=kind_of(node)))
            return ()
        seen: dict[str, int] = {}
        result = []
        for i, item in enumerate(node.items):
            path = f"schedules[{i}]"
            fields = self.mapping(item, path, SCHEDULE_KEYS, required=("kind", "cron"))
            if fields is None or "kind" not in fields or "cron" not in fields:
                continue
            kind = self.choice(fields["kind"], f"{path}.kind", "kind", SCHEDULE_KINDS)
            cron = self.cron(fields["cron"], f"{path}.cron", timezone)
            name = self.string(fields["name"], f"{path}.name") if "name" in fields else f"{kind}-{i}"
            departments: tuple[str, ...] | None = every_department
            if "departments" in fields:
                dept_node = fields["departments"]
                listed_all = isinstance(dept_node, Seq) and any(
                    isinstance(item, Scalar) and item.value == "all" for item in dept_node.items
                )
                if listed_all:
                    self.problem(
                        dept_node,
                        f"{path}.departments",
                        said("schedule.all_in_list"),
                    )
                    departments = None
                elif not (isinstance(dept_node, Scalar) and dept_node.value == "all"):
                    departments = self.places.department_refs(dept_node, f"{path}.departments")
            post_to: tuple[Destination, ...] | None = ()
            if "post_to" in fields:
                post_to = self.places.destinations(fields["post_to"], f"{path}.post_to")
            elif kind == "agenda":
                self.problem(item, path, said("schedule.missing_post_to"))
                post_to = None
            period = "week"
            if "period" in fields:
                period = (
                    self.choice(fields["period"], f"{path}.period", "period", ("day", "week", "month")) or ""
                )
            after_hours: int | None = 24
            if "after_hours" in fields:
                after_hours = self.integer(fields["after_hours"], f"{path}.after_hours", minimum=1)
                if kind is not None and kind != "unanswered":
                    self.problem(
                        fields["after_hours"],
                        f"{path}.after_hours",
                        said("schedule.after_hours"),
                    )
            if "description" in fields:
                self.string(fields["description"], f"{path}.description", empty_ok=True)
            if name is not None and "name" in fields:
                name = name.strip()
            if name is not None:
                if name in seen:
                    self.problem(
                        fields.get("name", item),
                        f"{path}.name",
                        said("duplicate_schedule", name=name, line=seen[name]),
                    )
                    continue
                seen[name] = fields.get("name", item).line
            if None in (kind, cron, name, departments, post_to, after_hours) or not period:
                continue
            result.append(
                Schedule(
                    name=cast(str, name),
                    kind=cast(Literal["recap", "agenda", "unanswered"], kind),
                    cron=cast(str, cron),
                    departments=cast(tuple[str, ...], departments),
                    post_to=cast(tuple[Destination, ...], post_to),
                    period=cast(Literal["day", "week", "month"], period),
                    after_hours=cast(int, after_hours),
                )
            )
        return tuple(result)

    def cron(self, node: Node, path: str, timezone: zoneinfo.ZoneInfo) -> str | None:
        text = self.string(node, path)
        if text is None:
            return None
        fields = text.split()
        if len(fields) == 5 and any(c.isdigit() for c in fields[4]):
            self.problem(node, path, NUMERIC_WEEKDAYS)
            return None
        try:
            CronTrigger.from_crontab(text, timezone=timezone)
        except ValueError as exc:
            self.problem(node, path, said("cron.invalid", text=text, error=str(exc)))
            return None
        return " ".join(fields)
