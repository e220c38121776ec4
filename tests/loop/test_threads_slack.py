"""Conversations kept whole, and edits that change what a post is, through Slack.

Replies arrive as ``message`` events with ``thread_ts`` (https://docs.slack.dev/reference/events/message,
fixtures/slack/thread_reply.json); mirrors go out with ``chat.postMessage`` ``thread_ts`` = the
repost's ts, edits as ``chat.update``, deletions as ``chat.delete`` (docs.slack.dev/reference/methods/).
"""

from __future__ import annotations

from tests.fakes.slack_api import COMMUNITY, DEPT_CS, DEPT_PRODUCT
from tests.loop.conftest import delete, edit, items, post, posted_ts, rendered, reply
from tests.slack.conftest import SlackBot

POST_TS = "1700000010.000100"


async def test_replies_join_the_department_thread_and_follow_edits_and_deletions(bot: SlackBot) -> None:
    await post(bot, "the export crashes on big files", POST_TS)
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    # a reply no route matches joins the thread; so does one that matches the same department
    await reply(bot, "same for me since Monday", "1700000020.000100", POST_TS, n="1")
    await reply(bot, "and another crash on import", "1700000021.000100", POST_TS, n="2")
    # a reply for another department starts its own item there, quoting the post it answers
    await reply(
        bot, "what is the price of the team plan", "1700000022.000100", POST_TS, user="U0ADMIN", n="3"
    )
    await bot.deliver()
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug"), ("cs", "pricing")]
    threaded = [p for p in bot.fake.posts(DEPT_PRODUCT) if p.get("thread_ts") == repost_ts]
    assert [p["text"].splitlines()[1] for p in threaded] == [
        "&gt; same for me since Monday",
        "&gt; and another crash on import",
        "&gt; what is the price of the team plan",
    ]
    assert threaded[0]["text"].startswith("*ken* replied · <https://community.slack.com/archives/")
    [cs_repost] = bot.fake.posts(DEPT_CS)
    assert "In reply to hana: the export crashes on big files" in rendered(cs_repost)
    # edit and delete the first reply: its mirror is changed in place, then removed
    mirror_ts = posted_ts(bot.fake, DEPT_PRODUCT)[1]
    await edit(
        bot,
        "same for me since Monday, on Windows",
        "1700000020.000100",
        "1700000030.000100",
        user="U0MEMBER2",
    )
    await bot.deliver()
    [update] = [c.args for c in bot.fake.of("chat.update") if c.args["ts"] == mirror_ts]
    assert (update["channel"], update["text"].splitlines()[1]) == (
        DEPT_PRODUCT,
        "&gt; same for me since Monday, on Windows",
    )
    await delete(bot, "1700000031.000100", "1700000020.000100")
    await bot.deliver()
    [removed] = bot.fake.of("chat.delete")
    assert (removed.args["channel"], removed.args["ts"]) == (DEPT_PRODUCT, mirror_ts)
    # the bot's own answer in the community thread is never mirrored back (no loop)
    assert all(p.get("thread_ts") != POST_TS for p in bot.fake.posts(COMMUNITY))


async def test_a_reply_before_the_repost_went_out_waits_for_it(bot: SlackBot) -> None:
    await post(bot, "crash at login", POST_TS)
    await reply(bot, "here too", "1700000020.000100", POST_TS)
    await bot.deliver()
    [repost, mirror] = bot.fake.posts(DEPT_PRODUCT)
    assert "thread_ts" not in repost and mirror["thread_ts"] == posted_ts(bot.fake, DEPT_PRODUCT)[0]


async def test_an_edit_that_changes_the_classification_updates_the_old_repost(bot: SlackBot) -> None:
    await post(bot, "the app crashes when I export", POST_TS)
    await bot.deliver()
    [product_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    await edit(bot, "sorry, wrong place: what is the pricing for schools", POST_TS, "1700000050.000100")
    await bot.deliver()
    product, cs = await items(bot)
    assert (product.department, product.status, product.reason) == (
        "product",
        "withdrawn",
        # "price" matches its word form "pricing" too (keywords match their inflections)
        'No longer matches after an edit (route "pricing": keyword "price" ("pricing"), keyword "pricing")',
    )
    assert (cs.department, cs.tag, cs.status) == ("cs", "pricing", "open")
    [update] = [c.args for c in bot.fake.of("chat.update") if c.args["ts"] == product_ts]
    text = rendered(update)
    assert "Withdrawn" in text and 'keyword \\"crash' not in text and "what is the pricing" in text
    [change] = await bot.app.store.status_history(product.id)
    assert (change.previous, change.status, change.via) == ("open", "withdrawn", "edit")
    # editing back restores the item as new, with its reason from the text it has again
    await edit(bot, "the app crashes when I export", POST_TS, "1700000060.000100")
    await bot.deliver()
    product, cs = await items(bot)
    assert (product.status, product.reason) == ("open", 'route "bug": keyword "crash" ("crashes")')
    assert cs.status == "withdrawn"
