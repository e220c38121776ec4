"""The one Retry-After parser (RFC 9110, 10.2.3) that the Slack, Teams and Discourse clients share."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from adapters.retry_after import header, retry_after_seconds

NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("30", 30.0),
        (" 2.5 ", 2.5),
        ("-4", 0.0),
        ("Thu, 03 Dec 2026 10:01:00 GMT", 60.0),
        ("Thu, 03 Dec 2026 09:00:00 GMT", 0.0),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_delta_seconds_or_http_date(raw: str | None, expected: float | None) -> None:
    assert retry_after_seconds(raw, now=NOW) == expected


def test_header_is_found_whatever_the_case_and_the_mapping() -> None:
    assert header(httpx.Headers({"retry-after": "7"}), "Retry-After") == "7"
    assert header({"Retry-After": ["9"]}, "Retry-After") == "9"  # slack_sdk keeps lists
    assert header({"X-Other": "1"}, "Retry-After") is None
    assert header(None, "Retry-After") is None
