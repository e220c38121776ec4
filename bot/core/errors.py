"""The kakehashi exception tree.

::

    KakehashiError                 root; library code raises these and never exits the process
    ├── SettingsError              a bad environment variable (names the variable and the form)
    ├── rules.RulesError           rules.yaml problems, each ``file:line:col: path: message``
    ├── PayloadError               a malformed inbound payload (HTTP 400 with the reason)
    │   └── PayloadTooLargeError   a body over an endpoint's limit (HTTP 413)
    ├── AuthenticationError        an unsigned, stale or forged request (HTTP 401 with the reason)
    ├── UnstorableMessageError     the database refused a message even after cleaning (quarantined)
    └── DeliveryError              a sink could not deliver a post
        ├── TransientDeliveryError retry later (5xx, connection errors); may carry retry_after
        │   └── RateLimitedError   429 or a local limit: wait retry_after, no attempt is spent
        └── PermanentDeliveryError dead-letter now (channel_not_found, invalid_auth, ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

from bot.core.texts import t


class KakehashiError(Exception):
    """Root of every error kakehashi raises on purpose.

    ``str(error)`` is English, for the logs (operators grep them); ``error.text(locale)`` is the
    same message for a person, in ja or en, where the error knows how to say it: an error made by
    ``Error.of(key, **values)`` is worded from the texts table (``bot.core.texts``).
    """

    key: str = ""
    values: Mapping[str, Any] = MappingProxyType({})

    @classmethod
    def of(cls, key: str, /, **values: Any) -> Self:
        error = cls(t("en", key, **values))
        error.key, error.values = key, values
        return error

    def text(self, locale: str) -> str:
        return t(locale, self.key, **self.values) if self.key else str(self)


class SettingsError(KakehashiError):
    """An environment variable is missing or malformed (``SettingsError.of("settings.…", …)``)."""


class PayloadError(KakehashiError):
    """An inbound payload is malformed; the message says which field and why."""


class PayloadTooLargeError(PayloadError):
    """A request body over the endpoint's size limit."""


class AuthenticationError(KakehashiError):
    """A request that is not signed, is stale, or whose signature or token does not verify."""


class UnstorableMessageError(KakehashiError):
    """The database refused a message that was already made storable; it goes to quarantine."""


class DeliveryError(KakehashiError):
    """A post could not be delivered."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, progress: dict[str, Any] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        # What a multi-call send already delivered; the outbox keeps it with the row (``DELIVERED``)
        # so the next attempt resumes instead of posting those parts twice.
        self.progress = progress


class TransientDeliveryError(DeliveryError):
    """Worth retrying: rate limits, server errors, timeouts."""


class RateLimitedError(TransientDeliveryError):
    """The platform (HTTP 429) or our own limiter asked to wait ``retry_after`` seconds.

    Waiting is not failing: the outbox retries after the wait without spending one of the
    attempts that lead to a dead letter (several replicas sharing a channel meet 429 sooner).
    """


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help; the row is dead-lettered with this reason."""
