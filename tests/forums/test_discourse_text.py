"""Cooked HTML to text and category/topic parsing (pure functions, table-driven)."""

from __future__ import annotations

import pytest

from adapters.discourse import cooked_to_text, parse_categories, parse_topic, signature_ok

CASES = [
    ("<p>不具合です</p>", "不具合です"),
    (
        '<p>Hi <a class="mention" href="/u/bob">@bob</a>, see <a href="https://x.example">docs</a></p>',
        "Hi @bob, see docs",
    ),
    ('<p>ok <img src="/e.png" class="emoji" alt=":tada:"></p>', "ok :tada:"),
    (
        '<aside class="quote no-group" data-post="1"><blockquote><p>料金は？</p></blockquote></aside><p>同じく</p>',
        "同じく",
    ),
    (
        '<aside class="onebox allowlistedgeneric"><article><p>preview</p></article></aside><p>see above</p>',
        "see above",
    ),
    ("<p>A&amp;B&nbsp;C<br>next</p>", "A&B C\nnext"),
    ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
    ("<pre><code>x = 1\ny = 2</code></pre>", "x = 1\ny = 2"),
    ("", ""),
    # real Discourse markup: a link onebox, an image lightbox, hashtags, details, mentions, polls
    (
        '<p>See <a href="https://github.com/x/y/issues/1" class="onebox">https://github.com/x/y/issues/1</a></p>\n'
        '<aside class="onebox githubissue" data-onebox-src="https://github.com/x/y/issues/1"><header class="source">'
        '<a href="https://github.com/x/y/issues/1">github.com</a></header><article class="onebox-body">'
        "<h4>Crash on login</h4></article></aside>",
        "See https://github.com/x/y/issues/1",
    ),
    (
        '<p>画面です</p><p><div class="lightbox-wrapper"><a class="lightbox" href="/u/x.png"><img src="/u/x.png" '
        'alt="image"><div class="meta"><span class="filename">image</span><span class="informations">1280×720 52 KB'
        "</span></div></a></div></p>",
        "画面です",
    ),
    (
        '<p>Error <code>KeyError</code> in <a class="hashtag-cooked" href="/c/feedback/5" data-type="category">'
        '<span class="hashtag-icon-placeholder"></span><span>feedback</span></a></p>',
        "Error KeyError in #feedback",
    ),
    (
        '<details><summary>ログ</summary><pre><code>trace</code></pre></details><p>Thanks <a class="mention" '
        'href="/u/sato">@sato</a> <img src="/images/emoji/twitter/pray.png?v=12" title=":pray:" class="emoji" '
        'alt=":pray:"></p>',
        "ログ\ntrace\n\nThanks @sato :pray:",
    ),
    (
        '<div class="poll" data-poll-name="poll"><ul><li data-poll-option-id="a">はい</li><li>No</li></ul></div>',
        "- はい\n- No",
    ),
]


@pytest.mark.parametrize(("cooked", "text"), CASES)
def test_cooked_to_text(cooked: str, text: str) -> None:
    assert cooked_to_text(cooked) == text


def test_categories_topics_and_signatures() -> None:
    cats = parse_categories(
        {
            "categories": [
                {
                    "id": 5,
                    "slug": "feedback",
                    "name": "F",
                    "read_restricted": False,
                    "subcategory_list": [{"id": 7, "slug": "beta", "name": "B", "read_restricted": True}],
                },
                {"id": "x"},
            ]
        }
    )
    assert sorted(cats) == [5, 7] and cats[5].public and not cats[7].public
    info = parse_topic(
        {
            "id": 3,
            "tags": [{"id": 1, "name": "mobile"}, "csv"],
            "post_stream": {"stream": [30, 31]},
            "category_id": 5,
            "archetype": "regular",
        }
    )
    assert info is not None and (info.first_post_id, info.tags) == (30, ("mobile", "csv"))
    assert parse_topic({"title": "no id"}) is None
    body = b'{"post": {}}'
    good = "sha256=" + __import__("hmac").new(b"s", body, "sha256").hexdigest()
    assert (
        signature_ok("s", body, good)
        and not signature_ok("s", body, good.upper())
        and not signature_ok("s", body, None)
    )
