"""``/dashboard`` over plain HTTP (httpx): sign-in, 401, 404 when off, the figures in the HTML."""

from __future__ import annotations

import re
from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer

from bot.core.domain import InboundMessage, Receipt
from storage.inbound import Routing
from tests.dashboard.conftest import TOKEN, WEEK, figures, section, sign_in
from tests.recap.conftest import jst


async def test_off_without_a_token(make_site) -> None:
    site = await make_site(token=None)
    async with site.client() as client:
        assert (await client.get("/dashboard")).status_code == 404
        assert (await client.get("/dashboard/login")).status_code == 404
        assert (await client.post("/dashboard/login", data={"token": TOKEN})).status_code == 404


async def test_not_signed_in_is_401_with_the_form(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        page = await client.get("/dashboard", params={"period": WEEK})
    assert page.status_code == 401
    assert 'action="/dashboard/login"' in page.text and 'name="token"' in page.text
    assert "このページを見るにはサインインしてください。" in page.text
    assert 'data-figure="total"' not in page.text
    assert f'name="next" value="/dashboard?period={WEEK}"' in page.text  # back where they were going


async def test_a_wrong_token_is_refused_and_no_session_is_given(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        wrong = await sign_in(client, "correct-horse-battery-stapl")
        assert wrong.status_code == 401 and "トークンが違います。" in wrong.text
        assert "set-cookie" not in wrong.headers
        empty = await client.post("/dashboard/login", data={})
        assert empty.status_code == 400 and "token がありません" in empty.text
        assert (await client.get("/dashboard")).status_code == 401


async def test_sign_in_sets_a_strict_http_only_session_and_shows_the_figures(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        signed = await sign_in(client, next_path=f"/dashboard?period={WEEK}")
        assert signed.status_code == 303 and signed.headers["location"] == f"/dashboard?period={WEEK}"
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("kakehashi_dashboard=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
        assert "Secure" not in cookie  # plain http here: a Secure cookie would never come back
        page = await client.get(signed.headers["location"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    html = page.text
    assert "<script" not in html and "http://" not in html.split("<body>")[0]  # nothing from a CDN
    assert figures(html, "product") == {"total": "4", "open": "2", "done": "2", "goal": "50%"}
    assert figures(html, "cs") == {"total": "2", "open": "2", "done": "0", "unanswered": "1"}
    assert figures(html, "marketing") == {"total": "2", "open": "2", "done": "0", "goal": "100%"}
    product = section(html, "product")
    assert "前の期間 1件（+3）" in product
    assert "バグには2営業日以内に対応" in product and "2件中1件（50%）未達" in product
    assert '<tr data-tag="bug"><td>バグ報告</td><td class="n">4</td><td class="n">1</td>' in product
    assert '<figure class="chart" data-chart="product"' in product and "<svg" in product
    assert 'href="https://community.example.com/slack/community/b1"' in product  # links back
    assert "許諾済み" in section(html, "marketing")
    assert html.count("よく助けてくれたメンバー") == 1 and "hiroさん: 2件の回答" in html  # once


async def test_default_period_is_last_week_and_it_can_be_changed(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        await sign_in(client)
        default = await client.get("/dashboard")
        assert default.status_code == 200 and "2026-11-16〜2026-11-22" in default.text
        assert figures(default.text, "product")["total"] == "4"
        month = await client.get("/dashboard", params={"period": "2026-11-01..2026-11-30"})
        assert month.status_code == 200 and figures(month.text, "product")["total"] == "6"
        one = await client.get("/dashboard", params={"period": WEEK, "department": "cs"})
        assert 'id="dept-cs"' in one.text and 'id="dept-product"' not in one.text


async def test_bad_period_or_department_is_400_with_the_reason(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        await sign_in(client)
        period = await client.get("/dashboard", params={"period": "2026-13-01..2026-13-31"})
        assert period.status_code == 400 and "2026-13-01..2026-13-31" in period.text
        department = await client.get("/dashboard", params={"department": "markting"})
        assert department.status_code == 400 and "もしかして: marketing" in department.text


async def test_a_forged_expired_or_old_token_session_is_refused(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        signed = await sign_in(client)
        good = signed.cookies["kakehashi_dashboard"]
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_key = URLSafeTimedSerializer("another key", salt="kakehashi-dashboard").dumps({"v": 1})
    for value in (forged, other_key, "", "not-a-session"):
        async with site.client(cookies={"kakehashi_dashboard": value}) as client:
            assert (await client.get("/dashboard")).status_code == 401, value
    async with site.client(cookies={"kakehashi_dashboard": good}) as client:
        assert (await client.get("/dashboard")).status_code == 200


async def test_secure_cookie_behind_https_and_no_redirect_off_site(make_site) -> None:
    site = await make_site()
    async with site.client() as client:
        signed = await sign_in(client, next_path="https://evil.example/dashboard")
        assert signed.headers["location"] == "/dashboard"
        behind_proxy = await client.post(
            "/dashboard/login", data={"token": TOKEN}, headers={"X-Forwarded-Proto": "https"}
        )
        assert "Secure" in behind_proxy.headers["set-cookie"]
        signed_out = await client.post("/dashboard/logout")
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/dashboard/login"
        assert (await client.get("/dashboard")).status_code == 401


async def test_a_private_post_is_counted_but_not_shown(make_site) -> None:
    site = await make_site()
    secret = InboundMessage(
        platform="slack",
        key="s1",
        channel_id="G0PRIVATE",
        channel="#vip-customers",
        author_id="U-vip",
        author="vip",
        text="社外秘: 大口顧客の解約理由",
        created_at=jst(18, 11),
        private=True,
        link="https://community.example.com/slack/vip/s1",
    )
    await site.app.store.record_inbound(secret, [Routing("product", "bug", "bug", 'route "bug"')], {})
    async with site.client() as client:
        await sign_in(client)
        html = (await client.get("/dashboard", params={"period": WEEK})).text
    assert figures(html, "product")["total"] == "5"
    assert "社外秘" not in html and "/slack/vip/s1" not in html and "vip-customers" not in html
    assert "非公開の場所の投稿（本文は表示しません）" in section(html, "product")


async def test_english_by_the_rules_locale(make_site) -> None:
    site = await make_site(locale="en")
    async with site.client() as client:
        assert "Sign in to see this page." in (await client.get("/dashboard")).text
        await sign_in(client)
        html = (await client.get("/dashboard", params={"period": WEEK})).text
    assert '<html lang="en">' in html
    assert "Items routed" in html and "previous period 1 (+3)" in section(html, "product")
    assert "1 of 2 (50%), not achieved" in section(html, "product")


async def test_a_session_lasts_its_max_age_only(make_site, monkeypatch) -> None:
    """The cookie is checked with a max age: one signed 8 days ago is refused (itsdangerous reads
    the signing time from the value; the clock it compares with is time.time)."""
    import time

    site = await make_site()
    async with site.client() as client:
        good = (await sign_in(client)).cookies["kakehashi_dashboard"]
    later = time.time() + timedelta(days=8).total_seconds()
    monkeypatch.setattr(time, "time", lambda: later)
    async with site.client(cookies={"kakehashi_dashboard": good}) as client:
        assert (await client.get("/dashboard")).status_code == 401


async def test_items_link_to_their_repost_in_the_department_channel(make_site) -> None:
    site = await make_site()
    store = site.app.store
    row = await store.enqueue(
        kind="repost",
        destination="slack:#dept-product",
        payload={},
        dedupe_key="repost:b1:slack:#dept-product",
        item_id=site.items["b1"],
    )
    assert row is not None
    link = "https://acme.slack.com/archives/C0PRODUCT/p1763254800000100"
    assert await store.mark_sent(row, Receipt(remote_id="1763254800.000100", link=link))
    async with site.client() as client:
        await sign_in(client)
        html = (await client.get("/dashboard", params={"period": WEEK})).text
    top = re.search(r'data-list="top">.*?</ul>', section(html, "product"), re.S)
    assert top is not None
    assert (
        f'<a href="{link}" rel="noopener noreferrer" data-repost="slack:#dept-product">部門チャンネルの投稿</a>'
        in (top.group(0))
    )


async def test_response_and_close_times_are_shown_from_the_value_figures(make_site) -> None:
    """The dashboard shows kakehashi stats' first response and time to close (median, p90) for the
    items routed in the period (the seed routes them at the app's clock: the week of 11-23)."""
    site = await make_site()
    async with site.client() as client:
        await sign_in(client)
        html = (await client.get("/dashboard", params={"period": "2026-11-23..2026-11-29"})).text
    product = section(html, "product")
    assert 'data-figure="first-response"' in product and "初回対応（中央値）" in product
    assert 'data-figure="time-to-close"' in product and "完了まで（中央値）" in product
    # the week of the posts themselves routed nothing in it by the clock: no such figures there
    async with site.client() as client:
        await sign_in(client)
        week = (await client.get("/dashboard", params={"period": WEEK})).text
    assert 'data-figure="first-response"' not in section(week, "product")
