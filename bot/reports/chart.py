"""One small chart per weekly recap: items per tag (or per department) over the last 8 periods;
the same chart as inline SVG for the dashboard (``render_svg``).

Rendered with matplotlib's Agg backend (no display, no pyplot state, safe in a worker thread).
Japanese labels need a CJK font: the package depends on ``matplotlib-fontja``, which ships
IPAexGothic, so ``pip install kakehashi`` draws Japanese on any machine; its font file is added to
matplotlib by path (importing that package would change matplotlib's global settings).  Without
it, an installed system CJK font is used, and without any, the ASCII names from rules.yaml (tag
and department ids) instead of tofu boxes.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import io
import logging
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ticker import MaxNLocator
from PIL import Image

from bot.core.texts import t, tag_label
from bot.reports.periods import Period
from rules import RuleSet
from storage.store import Store

log = logging.getLogger("kakehashi.chart")

PERIODS = 8
PALETTE = 64
BUNDLED_FONT = ("matplotlib_fontja", "fonts/ipaexg.ttf")  # IPAexGothic, IPA Font License
LATIN_FALLBACK = "DejaVu Sans"  # matplotlib's own font: glyphs the CJK font lacks
CJK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "TakaoGothic",
    "VL Gothic",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic",
    "Meiryo",
    "Source Han Sans JP",
)
COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")


def bundled_font_file() -> Path | None:
    """IPAexGothic as shipped by the ``matplotlib-fontja`` dependency, found without importing it."""
    package, relative = BUNDLED_FONT
    spec = importlib.util.find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / relative
        if path.is_file():
            return path
    return None


@cache
def cjk_font() -> str | None:
    """The name of a font that draws Japanese: the bundled one, else an installed one, else None."""
    bundled = bundled_font_file()
    if bundled is not None:
        try:
            fontManager.addfont(str(bundled))
            return str(FontProperties(fname=str(bundled)).get_name())
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("cannot load the bundled Japanese font %s: %s", bundled, exc)
    installed = {font.name for font in fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@dataclass(frozen=True, slots=True)
class Series:
    """Counts per period (oldest first) for each key (a tag, or a department)."""

    periods: tuple[Period, ...]
    counts: dict[str, tuple[int, ...]]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(c[i] for c in self.counts.values()) for i in range(len(self.periods)))


async def gather_series(
    store: Store, period: Period, *, department: str | None, count: int = PERIODS
) -> Series:
    """Per tag for one department, per department for all of them."""
    periods = period.back(count)
    counts = await store.week_counts(
        [(p.start, p.end) for p in periods], [department] if department else None
    )
    per: dict[tuple[str, int], int] = {}
    for (i, dept, tag), n in counts.items():
        key = ((tag or "none") if department else dept, i)
        per[key] = per.get(key, 0) + n
    return _series(periods, per)


async def department_series(
    store: Store, period: Period, departments: list[str], *, count: int = PERIODS
) -> dict[str, Series]:
    """Per tag for each of ``departments`` (one query for all of them)."""
    periods = period.back(count)
    counts = await store.week_counts([(p.start, p.end) for p in periods], departments)
    per: dict[str, dict[tuple[str, int], int]] = {d: {} for d in departments}
    for (i, dept, tag), n in counts.items():
        if dept in per:
            key = (tag or "none", i)
            per[dept][key] = per[dept].get(key, 0) + n
    return {d: _series(periods, per[d]) for d in departments}


def _series(periods: list[Period], counts: dict[tuple[str, int], int]) -> Series:
    """Counts by (key, period index) as a series: the biggest key first."""
    counters: dict[str, Counter[int]] = {}
    for (key, index), n in counts.items():
        counters.setdefault(key, Counter())[index] += n
    ordered = sorted(counters, key=lambda k: (-sum(counters[k].values()), k))
    return Series(
        periods=tuple(periods),
        counts={k: tuple(counters[k][i] for i in range(len(periods))) for k in ordered},
    )


def draw(
    series: Series,
    *,
    labels: dict[str, str],
    title: str,
    font: str | None,
    size: tuple[float, float] = (6, 3),
) -> Figure:
    """A stacked bar chart of ``series`` (no canvas attached: the caller picks PNG or SVG)."""
    figure = Figure(figsize=size, dpi=100)
    axes = figure.add_subplot()
    family = [font, LATIN_FALLBACK] if font else [LATIN_FALLBACK]
    x = list(range(len(series.periods)))
    bottom = [0] * len(x)
    for index, (key, counts) in enumerate(series.counts.items()):
        axes.bar(
            x,
            counts,
            bottom=bottom,
            label=labels.get(key, key),
            color=COLOURS[index % len(COLOURS)],
            width=0.7,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(x, [p.first_day.strftime("%m/%d") for p in series.periods], fontsize=8, family=family)
    axes.set_title(title, fontsize=10, family=family)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    if series.counts:
        axes.legend(
            fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), prop={"family": family}
        )
    figure.tight_layout()
    return figure


def render_png(series: Series, *, labels: dict[str, str], title: str, font: str | None) -> bytes:
    """A stacked bar chart, 600x300 px."""
    figure = draw(series, labels=labels, title=title, font=font)
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return small_png(buffer.getvalue())


def render_svg(series: Series, *, labels: dict[str, str], title: str, font: str | None, salt: str) -> str:
    """The chart as an ``<svg>`` element to put inline in a page (the dashboard): text stays text,
    drawn by the browser's fonts; ids are salted with ``salt`` so several charts on one page keep
    their clip paths apart; no date in the metadata, so the same figures give the same bytes."""
    figure = draw(series, labels=labels, title=title, font=font, size=(5.6, 2.4))
    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def small_png(png: bytes) -> bytes:
    """The PNG with a palette of ``PALETTE`` colours: a few flat colours and anti-aliased text look
    the same and weigh a third, so the chart fits inside a Teams card (~25 KB, base64) with the text."""
    with Image.open(io.BytesIO(png)) as image:
        quantized = image.convert("RGB").quantize(
            colors=PALETTE, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def chart_labels(
    series: Series, rules: RuleSet, *, department: str | None, font: str | None
) -> dict[str, str]:
    if font is None:  # no CJK font: the ids from rules.yaml are ASCII and readable
        return {key: key for key in series.counts}
    locale = rules.locale
    if department:
        return {key: tag_label(locale, key) for key in series.counts}
    return {key: rules.departments[key].label if key in rules.departments else key for key in series.counts}


async def chart_png(
    store: Store, rules: RuleSet, period: Period, *, department: str | None, count: int = PERIODS
) -> tuple[bytes, str, str] | None:
    """The PNG, its alt text and its title (in the locale), or None when there is nothing to draw."""
    series = await gather_series(store, period, department=department, count=count)
    if not any(series.totals):
        return None
    font = cjk_font()
    locale = rules.locale if font else "en"
    subject = department or t(locale, "chart.all")
    if font and department and department in rules.departments:
        subject = rules.departments[department].label
    weekly = period.is_week
    title = f"{t(locale, 'chart.title_weekly' if weekly else 'chart.title', count=count)}: {subject}"
    labels = chart_labels(series, rules, department=department, font=font)
    png = await asyncio.to_thread(render_png, series, labels=labels, title=title, font=font)
    alt_locale = rules.locale
    dept = rules.departments.get(department) if department else None
    alt_subject = dept.label if dept else (department or t(alt_locale, "chart.all"))
    totals = t(alt_locale, "report.join").join(
        f"{p.first_day.strftime('%m/%d')} {n}" for p, n in zip(series.periods, series.totals, strict=True)
    )
    alt = t(
        alt_locale,
        "chart.alt_weekly" if weekly else "chart.alt",
        subject=alt_subject,
        count=count,
        first=series.periods[0].first_day.isoformat(),
        last=series.periods[-1].last_day.isoformat(),
        totals=totals,
    )
    heading = t(alt_locale, "chart.title_weekly" if weekly else "chart.title", count=count)
    return png, alt, f"{heading}: {alt_subject}"


async def chart_image(
    store: Store, rules: RuleSet, period: Period, *, department: str | None
) -> dict[str, str] | None:
    """The ``image`` of a report payload: ``{"png_base64", "alt", "title", "filename"}``, or None."""
    drawn = await chart_png(store, rules, period, department=department)
    if drawn is None:
        return None
    png, alt, title = drawn
    filename = f"kakehashi-{department or 'all'}-{period.first_day.isoformat()}.png"
    return {
        "png_base64": base64.b64encode(png).decode("ascii"),
        "alt": alt,
        "title": title,
        "filename": filename,
    }
