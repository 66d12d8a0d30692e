"""Reads of profiles."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from accounts.models import Profile
from mysite import cache
from mysite.dynamo import decode_cursor, encode_cursor


def profile_cache_key(sub: str) -> str:
    """The key of a profile in the request memo."""
    return f"profile:{sub}"


def profile_get(*, sub: str) -> Profile | None:
    try:
        return Profile.get(sub)
    except DoesNotExist:
        return None


def profile_get_cached(*, sub: str) -> Profile | None:
    """The profile, read once per request (one GetItem).

    Not kept across requests: a rename must show on every container at once, and the
    profile's writes carry no read-cache stamp.
    """
    return cache.request_memo(profile_cache_key(sub), lambda: profile_get(sub=sub))


def profile_list(*, limit: int = 50, cursor: str | None = None) -> tuple[list[Profile], str | None]:
    """Profiles newest first, one page at a time."""
    results = Profile.by_joined.query(
        "profile", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor)
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key)


def profile_count() -> int:
    return Profile.by_joined.count("profile")
