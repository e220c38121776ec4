"""The weekly chart: items per tag (or department) over the last 8 periods, as a PNG."""

from __future__ import annotations

import base64

from bot.chart import chart_image, gather_series
from bot.periods import previous_period
from tests.recap.conftest import FIRE, seed


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
        "製品開発の直近8期間の件数（2026-09-28〜2026-11-22）: "
        "09/28 0・10/05 0・10/12 0・10/19 0・10/26 0・11/02 0・11/09 1・11/16 4"
    )


async def test_no_chart_without_items(make_app) -> None:
    app = await make_app()
    rules = app.rules.current
    assert (
        await chart_image(app.store, rules, previous_period("week", FIRE, rules.timezone), department=None)
        is None
    )
