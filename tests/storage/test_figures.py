"""``Store.value_figures`` at its edges, on SQLite and PostgreSQL: percentiles between ranks,
what counts as a response (not a staff reply from before routing, not the bot's own
withdrawal), corrections that were undone, imported history and the window's bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.domain import InboundMessage
from storage.figures import ALL, Durations
from storage.inbound import Routing
from storage.store import Store

T0 = datetime(2026, 11, 16, tzinfo=UTC)


def message(key: str, minutes: int, *, author: str = "U0MEMBER", thread: str | None = None) -> InboundMessage:
    return InboundMessage(
        platform="slack",
        key=key,
        channel_id="C0COMM",
        channel="#community",
        author_id=author,
        author=author.lower(),
        text="x",
        created_at=T0 + timedelta(minutes=minutes),
        thread_key=thread,
    )


async def routed(
    store: Store, key: str, minutes: int, department: str = "product", route: str = "bug"
) -> int:
    store.clock = lambda: T0 + timedelta(minutes=minutes)
    result = await store.record_inbound(message(key, minutes), [Routing(department, "bug", route, "r")], {})
    return result.item_ids[0]


async def test_median_and_p90_lie_between_ranks_and_only_people_respond(store: Store) -> None:
    ids = [await routed(store, f"k{n}", 0) for n in range(10)]
    for n, item in enumerate(ids):  # responses after 1..10 minutes
        await store.change_status(
            item, "acknowledged", by_name="taro", via="button", now=T0 + timedelta(minutes=n + 1)
        )
    late = await routed(store, "late", 30)
    store.clock = lambda: T0 + timedelta(minutes=40)
    # a staff reply before the item was routed is no response of the department's; one after is
    await store.record_inbound(message("r1", 20, author="U0STAFF", thread="late"), [], {}, mirror=False)
    await store.record_inbound(message("r2", 45, author="U0STAFF", thread="late"), [], {}, mirror=False)
    figures = await store.value_figures(staff=["u0staff"])
    product = figures.departments["product"]
    # 60..600 s and 900 s: eleven values; median the 6th, p90 at rank 10 exactly
    assert product.first_response == Durations(count=11, median=360.0, p90=600.0)
    only_ten = await store.value_figures(end=T0 + timedelta(minutes=1), staff=["u0staff"])
    # ten values: the median halfway between the 5th and 6th, p90 nine tenths past the 9th
    assert only_ten.departments[ALL].first_response == Durations(count=10, median=330.0, p90=546.0)
    assert late not in ids and figures.departments[ALL].waiting == 0


async def test_corrections_are_what_items_are_now_and_history_is_left_out(store: Store) -> None:
    bug = await routed(store, "a", 0)
    other = await routed(store, "b", 0)
    await store.change_status(bug, "withdrawn", by_name=None, via="edit", now=T0 + timedelta(minutes=1))
    await store.change_status(bug, "open", by_name=None, via="edit", now=T0 + timedelta(minutes=2))
    await store.set_status(other, "forwarded", by="taro", now=T0 + timedelta(minutes=3))
    imported = await routed(store, "old", -60 * 24 * 30)
    await store.set_status(imported, "archived")
    figures = await store.value_figures()
    [route] = figures.routes
    assert (route.hits, route.withdrawn, route.forwarded, route.precision) == (2, 0, 1, 0.5)
    product = figures.departments["product"]
    # the edit's withdrawal and restoring are the bot's, not a response; forwarding is someone's
    assert (product.items, product.waiting, product.first_response.count) == (2, 1, 1)
    assert product.by_status == {"forwarded": 1, "open": 1}
    window = await store.value_figures(start=T0 + timedelta(minutes=1), end=T0 + timedelta(days=1))
    assert window.departments[ALL].items == 0 and window.routes == []
