"""The weekly chart: items per tag (or department) over the last 8 periods, as a PNG."""

from __future__ import annotations

import base64
import io
import warnings

from PIL import Image

from bot.reports.chart import Series, bundled_font_file, chart_image, cjk_font, gather_series, render_png
from bot.reports.periods import previous_period
from tests.recap.conftest import FIRE, JST, seed


async def test_chart_counts_and_png(make_app) -> None:
    app = await make_app()
    await seed(app.store)
    rules = app.rules.current
    period = previous_period("week", FIRE, rules.timezone)
    series = await gather_series(app.store, period, department="product")
    assert [p.first_day.isoformat() for p in series.periods][-2:] == ["2026-11-09", "2026-11-16"]
    assert len(series.periods) == 8
    assert series.counts == {"bug": (0, 0, 0, 0, 0, 0, 1, 4)}
    everyone = await gather_series(app.store, period, department=None)
    assert everyone.counts == {
        "product": (0, 0, 0, 0, 0, 0, 1, 4),
        "cs": (0, 0, 0, 0, 0, 0, 1, 2),
        "marketing": (0, 0, 0, 0, 0, 0, 0, 2),
    }
    image = await chart_image(app.store, rules, period, department="product")
    assert image is not None
    assert base64.b64decode(image["png_base64"])[:4] == b"\x89PNG"
    assert image["filename"] == "kakehashi-product-2026-11-16.png"
    assert image["alt"] == (
        "製品開発の直近8週の件数（2026-09-28〜2026-11-22）: "
        "09/28 0・10/05 0・10/12 0・10/19 0・10/26 0・11/02 0・11/09 1・11/16 4"
    )


async def test_no_chart_without_items(make_app) -> None:
    app = await make_app()
    rules = app.rules.current
    assert (
        await chart_image(app.store, rules, previous_period("week", FIRE, rules.timezone), department=None)
        is None
    )


def test_japanese_is_drawn_with_the_font_the_package_depends_on() -> None:
    """``pip install .`` brings matplotlib-fontja: its IPAexGothic draws every Japanese label
    (matplotlib warns "Glyph ... missing from font(s)" for each tofu box it draws)."""
    font_file = bundled_font_file()
    assert font_file is not None and font_file.name == "ipaexg.ttf"
    assert cjk_font() == "IPAexGothic"
    periods = tuple(previous_period("week", FIRE, JST).back(8))
    drawn = Series(periods=periods, counts={"bug": (0, 1, 2, 3, 4, 5, 6, 7), "idea": (1,) * 8})
    labels = {"bug": "バグ報告", "idea": "機能要望"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_png(drawn, labels=labels, title="直近8週の件数: 製品開発", font=cjk_font())
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (600, 300)
        assert image.mode == "P"  # a palette: the chart stays small enough for a Teams card
    assert len(png) < 12_000
