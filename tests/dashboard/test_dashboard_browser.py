"""The dashboard in a real headless browser: Debian's chromium driven through its chromedriver
(Selenium), against a real ``kakehashi serve`` process.

Signs in, reads each department's figures as a person sees them, sees a chart drawn, changes the
period, and follows an item's link to the community (a local stand-in that records the visit).
Skipped, with the reason, on a machine without chromium and chromium-driver
(``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from storage.db import create_engine
from storage.migrate import upgrade
from storage.store import Store
from tests.dashboard.conftest import TOKEN, WEEK
from tests.fakes.slack_api import FakeSlack
from tests.recap.conftest import RULES_JA, seed
from tests.reliability.processes import Server

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')"
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DEADLINE = 30  # seconds a page may take to appear on a loaded machine: a bound, not a measurement


def chromium() -> tuple[str, str] | None:
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="no chromium and chromedriver on this machine: apt-get install chromium chromium-driver",
)


class Community:
    """A stand-in for the community's own pages (Slack permalinks): records the paths opened."""

    def __init__(self) -> None:
        self.visits: list[tuple[str, str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.page)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def page(self, request: web.Request) -> web.Response:
        self.visits.append((request.path, request.headers.get("Referer")))
        return web.Response(text=f"<title>community</title><p>{request.path}</p>", content_type="text/html")

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def community() -> AsyncIterator[Community]:
    stand_in = Community()
    await stand_in.start()
    try:
        yield stand_in
    finally:
        await stand_in.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    found = chromium()
    assert found is not None
    binary, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        options.add_argument(argument)
    # the Debian chromedriver, never Selenium Manager (it would try to download one)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(DEADLINE)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def server(tmp_path: Path, slack_api: FakeSlack, community: Community) -> AsyncIterator[Server]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dashboard.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await seed(Store(engine), base=community.url)
    await engine.dispose()
    running = Server(database_url=url, fake=slack_api, rules=RULES_JA, DASHBOARD_TOKEN=TOKEN).start()
    try:
        await running.healthy()
        yield running
    finally:
        running.stop()


async def in_browser(step: Callable[[], Any]) -> Any:
    """Selenium blocks: run it beside the event loop, which serves the stand-ins meanwhile."""
    return await asyncio.to_thread(step)


def shown(driver: Any, css: str) -> Any:
    """The element once it is on the page and visible (within ``DEADLINE``)."""
    return WebDriverWait(driver, DEADLINE).until(
        lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), False)
    )


async def test_sign_in_read_the_figures_change_the_period_and_follow_a_link(
    server: Server, browser: Any, community: Community
) -> None:
    def sign_in() -> None:
        browser.get(f"{server.url}/dashboard?period={WEEK}")
        shown(browser, "#token").send_keys(TOKEN)
        shown(browser, "#signin").click()

    await in_browser(sign_in)

    def figures() -> dict[str, dict[str, str]]:
        shown(browser, "#dept-product [data-figure=total]")
        return {
            section.get_attribute("data-department"): {
                figure.get_attribute("data-figure"): figure.text
                for figure in section.find_elements(By.CSS_SELECTOR, "[data-figure]")
                if figure.is_displayed()
            }
            for section in browser.find_elements(By.CSS_SELECTOR, "section[data-department]")
        }

    week = await in_browser(figures)
    assert browser.current_url == f"{server.url}/dashboard?period={WEEK}"  # back where it was going
    assert week == {
        "product": {"total": "4", "open": "2", "done": "2", "goal": "50%"},
        "cs": {"total": "2", "open": "2", "done": "0", "unanswered": "1"},
        "marketing": {"total": "2", "open": "2", "done": "0", "goal": "100%"},
    }

    def chart_size() -> tuple[int, int]:
        svg = shown(browser, "figure[data-chart=product] svg")
        bars = svg.find_elements(By.CSS_SELECTOR, "path")
        assert bars, "the chart has no shapes"
        return svg.size["width"], svg.size["height"]

    width, height = await in_browser(chart_size)
    assert width > 100 and height > 50  # drawn, not an empty box

    def change_period() -> str:
        field = shown(browser, "#range")
        field.clear()
        field.send_keys("2026-11-01..2026-11-30")
        shown(browser, "#show-range").click()
        WebDriverWait(browser, DEADLINE).until(lambda d: "2026-11-01" in d.current_url)
        return str(shown(browser, "#dept-product [data-figure=total]").text)

    assert await in_browser(change_period) == "6"  # the whole month: the week before and after too
    assert "2026-11-01〜2026-11-30" in browser.find_element(By.ID, "heading").text

    def follow_link() -> str:
        link = shown(browser, "#dept-product [data-list=top] a")
        link.click()
        WebDriverWait(browser, DEADLINE).until(lambda d: d.current_url.startswith(community.url))
        return str(browser.current_url)

    assert await in_browser(follow_link) == f"{community.url}/slack/community/b1"
    # no Referer: the dashboard's URL stays home (the page's own /favicon.ico may follow it)
    assert community.visits[0] == ("/slack/community/b1", None)
