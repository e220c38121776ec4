"""The store on SQLite and PostgreSQL: uniqueness, atomicity, leases, exactly-once runs."""

from __future__ import annotations

import asyncio
import traceback
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.core.domain import Destination, InboundMessage, Receipt
from storage.inbound import Routing
from storage.models import Item, Message, OutboxRow
from storage.store import Store

T0 = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
DESTS = {
    "product": [Destination("slack", "#dept-product")],
    "cs": [Destination("slack", "#dept-cs"), Destination("teams", "CS/Community")],
}


def message(key: str = "T1:C1:1700000000.000100", text: str = "アプリが落ちます") -> InboundMessage:
    return InboundMessage(
        platform="slack",
        key=key,
        channel_id="C1",
        channel="#community",
        author_id="U1",
        author="sato",
        text=text,
        created_at=T0,
    )


ROUTINGS = [
    Routing(department="product", tag="bug", route="bug", reason='keyword "落ちる"'),
    Routing(department="cs", tag="bug", route="bug", reason='keyword "落ちる"'),
]


async def count(store: Store, model: type) -> int:
    async with store.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_record_inbound_stores_message_items_and_outbox_once(store: Store) -> None:
    first = await store.record_inbound(message(), ROUTINGS, DESTS)
    again = await store.record_inbound(message(), ROUTINGS, DESTS)
    assert first.created and len(first.item_ids) == 2
    assert not again.created and again.message_id == first.message_id
    assert await count(store, Message) == 1
    assert await count(store, Item) == 2
    rows = await store.outbox_rows()
    assert sorted(r.destination for r in rows) == [
        "slack:#dept-cs",
        "slack:#dept-product",
        "teams:CS/Community",
    ]


async def test_concurrent_duplicate_deliveries_store_once(store: Store) -> None:
    results = await asyncio.gather(*(store.record_inbound(message(), ROUTINGS, DESTS) for _ in range(5)))
    assert sum(r.created for r in results) == 1
    assert await count(store, OutboxRow) == 3


async def test_record_inbound_is_atomic(store: Store) -> None:
    bad = {"product": [Destination("slack", "#x"), Destination("slack", "#x")]}  # same dedupe key twice
    with pytest.raises(IntegrityError):
        await store.record_inbound(message(), ROUTINGS[:1], bad)
    assert await count(store, Message) == 0
    assert await count(store, Item) == 0


async def test_two_workers_never_lease_the_same_row(store: Store) -> None:
    for i in range(3):
        await store.record_inbound(message(key=f"k{i}"), ROUTINGS, DESTS)
    a, b = await asyncio.gather(store.claim_due("a"), store.claim_due("b"))
    ids_a, ids_b = {r.id for r in a}, {r.id for r in b}
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == 9
    assert await store.claim_due("c") == []


async def test_a_claim_takes_a_few_rows_per_destination_earliest_first(store: Store) -> None:
    """A backlog of one channel does not crowd the others out of a claim; full lanes are skipped."""
    for i in range(6):
        await store.enqueue(kind="notice", destination="slack:#busy", payload={}, dedupe_key=f"busy{i}")
    await store.enqueue(kind="notice", destination="slack:#quiet", payload={}, dedupe_key="quiet0")
    rows = await store.claim_due("w", limit=3, per_destination=2)
    assert [r.dedupe_key for r in rows] == ["busy0", "busy1", "quiet0"]
    assert {r.lease_owner for r in rows} == {"w"}
    assert await store.claim_due("w", per_destination=2, skip=["slack:#busy"]) == []
    assert [r.dedupe_key for r in await store.claim_due("v")] == ["busy2", "busy3", "busy4", "busy5"]


async def test_expired_lease_is_claimed_again(store: Store) -> None:
    await store.record_inbound(message(), ROUTINGS[:1], DESTS)
    [row] = await store.claim_due("crashed", lease=30)
    later = datetime.now(UTC) + timedelta(seconds=31)
    [again] = await store.claim_due("survivor", now=later)
    assert again.id == row.id and again.lease_owner == "survivor"


async def test_sent_retry_and_dead(store: Store) -> None:
    await store.record_inbound(message(), ROUTINGS, DESTS)
    rows = await store.claim_due("w")
    await store.mark_sent(rows[0].id, Receipt(remote_id="1700.1", remote_channel="C9"))
    await store.mark_retry(rows[1].id, "HTTP 500", datetime.now(UTC) + timedelta(hours=1))
    await store.mark_dead(rows[2].id, "channel_not_found: #dept-cs")
    assert await store.outbox_counts() == {"sent": 1, "pending": 1, "dead": 1}
    assert (await store.sent_row_for_remote("1700.1")).id == rows[0].id  # type: ignore[union-attr]
    assert await store.retry_dead() == 1
    assert (await store.outbox_counts())["pending"] == 2


async def test_delete_cancels_pending_and_redacts_sent(store: Store) -> None:
    await store.record_inbound(message(), ROUTINGS, DESTS)
    rows = await store.claim_due("w")
    await store.mark_sent(rows[0].id, Receipt(remote_id="r1"))
    assert await store.record_delete("slack", message().key)
    assert not await store.record_delete("slack", message().key)
    counts = await store.outbox_counts()
    assert counts["cancelled"] == 2
    deletes = [r for r in await store.outbox_rows() if r.kind == "delete"]
    assert [(d.remote_id, d.replaces_id) for d in deletes] == [("r1", rows[0].id)]
    stored = await store.get_message("slack", message().key)
    assert stored is not None and stored.deleted and stored.text == ""


async def test_edit_updates_sent_reposts_and_adds_new_departments(store: Store) -> None:
    await store.record_inbound(message(), ROUTINGS[:1], DESTS)
    [row] = await store.claim_due("w")
    await store.mark_sent(row.id, Receipt(remote_id="r1"))
    new = await store.record_edit(
        "slack", message().key, "落ちます。解約も考えています", T0 + timedelta(minutes=5), ROUTINGS, DESTS
    )
    assert len(new) == 1
    kinds = sorted(r.kind for r in await store.outbox_rows())
    assert kinds == ["repost", "repost", "repost", "update"]


async def test_schedule_run_claimed_once(store: Store) -> None:
    results = await asyncio.gather(
        *(store.claim_run("weekly", "2026-W47", fire_time=T0, owner=f"r{i}") for i in range(4))
    )
    assert sum(results) == 1


async def test_reactions_count_votes_once_and_undo(store: Store) -> None:
    result = await store.record_inbound(message(), ROUTINGS[:1], DESTS)
    item_id = result.item_ids[0]
    for _ in range(2):
        await store.add_reaction(
            platform="slack", target="r1", emoji="+1", user_id="U2", item_id=item_id, vote=True
        )
    await store.add_reaction(
        platform="slack", target="r1", emoji="+1", user_id="U3", item_id=item_id, vote=True
    )
    view = await store.item_view(item_id)
    assert view is not None and view.item.votes == 2
    assert (
        await store.remove_reaction(platform="slack", target="r1", emoji="+1", user_id="U2", vote=True)
        == item_id
    )
    view = await store.item_view(item_id)
    assert view is not None and view.item.votes == 1


async def test_cursor_and_refs(store: Store) -> None:
    assert await store.get_cursor("discourse") is None
    await store.set_cursor("discourse", "120")
    await store.set_cursor("discourse", "140")
    assert await store.get_cursor("discourse") == "140"
    await store.save_ref(
        platform="teams", name="CS/Community", conversation_id="19:a", service_url="u", reference={}
    )
    await store.save_ref(
        platform="teams", name="CS/Community", conversation_id="19:b", service_url="u", reference={}
    )
    ref = await store.get_ref("teams", "CS/Community")
    assert ref is not None and ref.conversation_id == "19:b"


async def test_a_failed_statement_never_shows_community_text_author_or_channel(store: Store) -> None:
    """Errors (and so ERROR logs and tracebacks) show the SQL, never its values (``hide_parameters``)."""
    secret = InboundMessage(
        platform="slack",
        key="T1:C1:1700000000.000900",
        channel_id="C0SECRETCH",
        channel="#secret-channel",
        author_id="U0AUTHOR",
        author="Yamada Secret",
        text="私のパスワードは hunter2 です",
        created_at=T0,
    )
    await store.record_inbound(secret, [], DESTS)
    with pytest.raises(IntegrityError) as raised:
        async with store.sessions() as session, session.begin():
            session.add(  # the same (platform, key) again: a unique violation with every value in it
                Message(
                    platform=secret.platform,
                    key=secret.key,
                    channel_id=secret.channel_id,
                    channel=secret.channel,
                    author_id=secret.author_id,
                    author=secret.author,
                    text=secret.text,
                    created_at=secret.created_at,
                )
            )
    shown = "".join(traceback.format_exception(raised.value))
    assert "INSERT INTO messages" in shown
    for private in ("hunter2", "Yamada Secret", "#secret-channel", "C0SECRETCH", "U0AUTHOR"):
        assert private not in shown, private


async def test_a_send_in_flight_when_its_post_is_deleted_is_not_recorded_over_the_cancellation(
    store: Store,
) -> None:
    """The worker holds the row and is sending when the community post is deleted: the row was
    cancelled under it (lease owner unchanged), so no late outcome may overwrite "cancelled"."""
    await store.record_inbound(message(), ROUTINGS[:1], DESTS)
    [row] = await store.claim_due("w", lease=60)
    assert await store.record_delete("slack", message().key)
    assert not await store.mark_sent(row.id, Receipt(remote_id="late"), owner="w")
    assert not await store.mark_retry(row.id, "HTTP 500", T0, owner="w")
    assert not await store.mark_dead(row.id, "channel_not_found", owner="w")
    assert not await store.release(row.id, T0, owner="w")
    after = await store.get_row(row.id)
    assert after is not None
    assert (after.status, after.remote_id, after.last_error) == ("cancelled", None, "source message deleted")


async def test_a_recap_window_holds_its_first_local_midnight_and_not_its_last(store: Store) -> None:
    """[start, end) at exactly local midnight (Asia/Tokyo): a post at Monday 00:00 belongs to the
    week it starts, one at the next Monday 00:00 to the next week, for items and for replies."""
    from zoneinfo import ZoneInfo

    from bot.reports.periods import week_of

    tokyo = ZoneInfo("Asia/Tokyo")
    week = week_of(datetime(2026, 11, 16, 0, 0, tzinfo=tokyo), tokyo)
    assert week.label == "2026-11-16..2026-11-22"
    moments = {
        "before": week.start - timedelta(microseconds=1),
        "start": week.start,
        "last": week.end - timedelta(microseconds=1),
        "end": week.end,
    }
    parent = message(key="T1:C1:parent", text="アプリが落ちます")
    await store.record_inbound(
        replace(parent, created_at=week.start - timedelta(days=3)), ROUTINGS[:1], DESTS
    )
    for name, moment in moments.items():
        post = replace(message(key=f"T1:C1:{name}"), created_at=moment)
        await store.record_inbound(post, ROUTINGS[:1], DESTS)
        reply = replace(message(key=f"T1:C1:reply-{name}"), created_at=moment, thread_key=parent.key)
        await store.record_inbound(reply, [], DESTS)

    inside = [v.message.key for v in await store.items_between(week.start, week.end)]
    assert inside == ["T1:C1:start", "T1:C1:last"]
    replies = await store.replies_to([parent.key], start=week.start, end=week.end)
    assert [m.key for m in replies] == ["T1:C1:reply-start", "T1:C1:reply-last"]
    assert [name for name, moment in moments.items() if week.contains(moment)] == ["start", "last"]
