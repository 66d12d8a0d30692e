"""Writes of products."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from mysite import cache
from mysite.dynamo import condition_failed
from mysite.errors import InvalidInput
from updates.constants import CHANNEL_PATTERN, RESERVED_SLUGS, SLUG_PATTERN
from updates.errors import ProductExists
from updates.models import Product

conditional_failed = condition_failed  # the core's (mysite.dynamo); the stamp bump never has a condition


def product_create(*, slug: str, name: str, description: str = "", channels: list[str] | None = None) -> Product:
    """Create a product; its channels are ordered from the most stable (default stable, beta, nightly)."""
    channels = list(channels or ["stable", "beta", "nightly"])
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput("Use 1-50 lowercase letters, digits and dashes (not a reserved word).", field="slug")
    bad = [c for c in channels if not CHANNEL_PATTERN.match(c)]
    if bad or len(set(channels)) != len(channels) or not 1 <= len(channels) <= 10:
        raise InvalidInput("List 1-10 distinct channels of lowercase letters, digits and dashes.", field="channels")
    if not name.strip():
        raise InvalidInput("Give the product a name.", field="name")
    product = Product(slug, name=name.strip(), description=description.strip(), channels=channels)
    try:
        # A new item: the VersionAttribute makes this conditional on its absence.
        cache.save_with_bump(product, cache.product_scope(slug))
    except TransactWriteError as error:
        if conditional_failed(error):
            raise ProductExists(field="slug") from None
        raise
    return product
