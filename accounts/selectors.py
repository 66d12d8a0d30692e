"""Reads of profiles."""

from __future__ import annotations

from django.core.cache import cache
from pynamodb.exceptions import DoesNotExist

from accounts.models import Profile
from mysite.dynamo import decode_cursor, encode_cursor

PROFILE_CACHE_SECONDS = 300


def profile_cache_key(sub: str) -> str:
    return f"profile:{sub}"


def profile_get(*, sub: str) -> Profile | None:
    try:
        return Profile.get(sub)
    except DoesNotExist:
        return None


def profile_get_cached(*, sub: str) -> Profile | None:
    """The profile through the read-through cache (API requests look it up on every call)."""
    key = profile_cache_key(sub)
    profile = cache.get(key)
    if profile is None:
        profile = profile_get(sub=sub)
        if profile is not None:
            cache.set(key, profile, PROFILE_CACHE_SECONDS)
    return profile


def profile_list(*, limit: int = 50, cursor: str | None = None) -> tuple[list[Profile], str | None]:
    """Profiles newest first, one page at a time."""
    results = Profile.by_joined.query(
        "profile", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor)
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key)


def profile_count() -> int:
    return Profile.by_joined.count("profile")
