"""Nothing slow on the event loop: a rules reload runs beside it, slow classification is logged."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.pipeline.classify import Classifier
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.rules.support import HEADER, message

GOOD = HEADER + "routes:\n  - {name: bug, when: {keyword: バグ}, to: [product], tag: bug}\n"
CHANGED = GOOD.replace("{keyword: バグ}", "{keyword: 不具合}")


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[App, TestClient, Path]]:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    settings = replace(Settings.from_env({}), rules_path=path, database_url=Database("sqlite", tmp_path).url)
    app = await App.build(settings, plugins=[])
    async with TestClient(TestServer(app.web_app())) as client:
        yield app, client, path
    await app.stop()


async def test_healthz_answers_while_a_rules_reload_is_still_reading_the_file(
    served: tuple[App, TestClient, Path],
) -> None:
    """The rules file is a pipe whose writer waits for /healthz to answer: a reload on the event
    loop would block reading it, so /healthz could only answer after the writer gave up."""
    app, client, path = served
    path.unlink()
    os.mkfifo(path)
    events: list[str] = []
    answered = threading.Event()

    def writer() -> None:
        answered.wait(timeout=10)
        events.append("rules written")
        with path.open("w", encoding="utf-8") as pipe:
            pipe.write(CHANGED)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reload = asyncio.ensure_future(app.rules.reload_async())
        health = await client.get("/healthz")
        events.append(f"healthz {health.status}")
        answered.set()
        assert await reload
    finally:
        answered.set()
        thread.join()
    assert events == ["healthz 200", "rules written"]
    [match] = app.rules.current.classify(message("不具合があります"))
    assert match.route == "bug"


async def test_a_classification_over_its_budget_is_logged_and_still_routes(
    served: tuple[App, TestClient, Path], caplog: pytest.LogCaptureFixture
) -> None:
    app, _, _ = served
    app.dispatcher.classifier = Classifier(metrics=app.metrics, budget=0.0)  # every message is over
    with caplog.at_level(logging.WARNING, logger="kakehashi.dispatch"):
        outcome = await app.dispatcher.handle_message(message("ログインでバグが出ます"))
    assert outcome.status == "stored" and [m.route for m in outcome.matches] == ["bug"]
    assert "classifying slack slack:C0COMMUNITY:1 took" in caplog.text
    assert "over the 0.00s budget (11 characters)" in caplog.text
    metrics = app.metrics.render().decode()
    assert "kakehashi_slow_classifications_total 1.0" in metrics
