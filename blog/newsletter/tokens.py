"""Signed links: the confirmation token (expires) and the per-recipient unsubscribe token (RFC 8058; does not)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.core import signing

CONFIRM_MAX_AGE = 7 * 24 * 3600


def _key(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"blog.newsletter.{purpose}".encode(), hashlib.sha256).digest()


def subscriber_id_for(email: str) -> str:
    """The id of an address: a keyed hash, so links and keys never show the address."""
    return hmac.new(_key("subscriber"), email.encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(subscriber_id: str, email: str) -> str:
    """The token of the List-Unsubscribe link: bound to this subscriber and this address."""
    digest = hmac.new(_key("unsubscribe"), f"{subscriber_id}\n{email}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def unsubscribe_token_valid(subscriber_id: str, email: str, token: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, which a forged URL may hold.
    return hmac.compare_digest(unsubscribe_token(subscriber_id, email).encode(), token.encode())


def confirm_token(subscriber_id: str) -> str:
    return signing.TimestampSigner(salt="blog.newsletter.confirm").sign(subscriber_id)


def confirm_token_subscriber(token: str) -> str | None:
    """The subscriber id in a confirmation token, or None if tampered or older than a week."""
    try:
        return signing.TimestampSigner(salt="blog.newsletter.confirm").unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
