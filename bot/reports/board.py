"""The shared dashboard's figures: the recaps of a period (the same queries as the posts) with
each department's week-by-week trend drawn as inline SVG.

``build_board`` reads; ``bot.runtime.dashboard`` serves it as a page.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.texts import t, tag_label
from bot.reports.chart import Series, cjk_font, department_series, render_svg
from bot.reports.periods import Period, week_of
from bot.reports.recap import DepartmentRecap, recap_set
from storage.items import ItemView
from storage.queries import OPEN_STATUSES

if TYPE_CHECKING:
    from bot.pipeline.services import Services

WEEKS = 8
CHARTS_KEPT = 64  # rendered charts kept: the same figures are drawn once (~15 KB each)


@dataclass(frozen=True, slots=True)
class DepartmentBoard:
    recap: DepartmentRecap
    trend: Series  # items per tag, week by week, ending with the period's last week
    chart_svg: str | None  # the trend as an <svg> element; None when the weeks hold nothing

    @property
    def total(self) -> int:
        return sum(self.recap.by_tag.values())

    @property
    def previous_total(self) -> int:
        return sum(self.recap.previous_by_tag.values())

    @property
    def open_count(self) -> int:
        return sum(n for status, n in self.recap.status_counts.items() if status in OPEN_STATUSES)

    @property
    def done_count(self) -> int:
        return self.recap.status_counts.get("done", 0)


@dataclass(frozen=True, slots=True)
class Board:
    period: Period
    now: datetime
    departments: list[DepartmentBoard]
    helpers: list[tuple[str, int]]
    reposts: dict[int, list[tuple[str, str]]]  # item id -> (destination, link) of its sent reposts


async def build_board(app: Services, period_text: str | None, department: str | None = None) -> Board:
    """Every department (or one) for ``period_text`` (``last-week`` by default), as the recaps
    count it.  Raises ``KakehashiError`` (localised) for an unknown department or period."""
    rules = app.rules.current
    found = await recap_set(app, department, period_text)
    last_week = week_of(found.period.end - timedelta(microseconds=1), rules.timezone)
    font = cjk_font()
    boards = []
    trends = await department_series(app.store, last_week, [r.department for r in found.recaps], count=WEEKS)
    for recap in found.recaps:
        trend = trends[recap.department]
        svg = None
        if any(trend.totals):
            labels = {key: tag_label(rules.locale, key) for key in trend.counts}
            title = f"{t(rules.locale, 'chart.title_weekly', count=WEEKS)}: {recap.label}"
            svg = await asyncio.to_thread(
                trend_svg,
                trend.periods,
                tuple(trend.counts.items()),
                tuple(labels.items()),
                title,
                font,
                recap.department,
            )
        boards.append(DepartmentBoard(recap=recap, trend=trend, chart_svg=svg))
    reposts = await app.store.repost_links([view.item.id for board in boards for view in shown(board.recap)])
    return Board(
        period=found.period, now=found.now, departments=boards, helpers=found.helpers, reposts=reposts
    )


@functools.lru_cache(maxsize=CHARTS_KEPT)
def trend_svg(
    periods: tuple[Period, ...],
    counts: tuple[tuple[str, tuple[int, ...]], ...],
    labels: tuple[tuple[str, str], ...],
    title: str,
    font: str | None,
    salt: str,
) -> str:
    """``render_svg`` remembered by everything it draws: a page viewed again with the same
    figures costs no drawing (matplotlib takes ~0.15 s per chart)."""
    series = Series(periods=periods, counts=dict(counts))
    return render_svg(series, labels=dict(labels), title=title, font=font, salt=salt)


def shown(recap: DepartmentRecap) -> list[ItemView]:
    """The items the dashboard lists for a department."""
    return [
        *(h.view for h in recap.top),
        *recap.recent,
        *(a.view for a in recap.waiting),
        *recap.testimonials,
    ]
