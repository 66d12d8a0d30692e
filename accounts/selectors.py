"""Reads of profiles."""

from __future__ import annotations

import heapq
from itertools import islice

from pynamodb.exceptions import DoesNotExist

from accounts.models import Profile, ReaderCount, reader_shards
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
    """The profile as the signed-in user's requests see it: who they are and when their tokens were revoked.

    Kept in the read cache under the `identity` facet of the user's own scope
    (`mysite.cache.user_scope`), so a warm request pays only that scope's stamp, which it reads
    anyway for its todos, and the user's todo writes leave it cached. Every write of what this
    answers (creation, rename, token revocation: accounts.services.profiles) bumps the facet in
    its own transaction, so a revocation refuses the old tokens on the very next
    request on every container. Writes of the welcome-email fields do not bump: read those
    with `profile_get`. Per process (the cache module's entries), right with any threads.
    """
    return cache.request_memo(
        profile_cache_key(sub),
        lambda: cache.cached(
            scope=cache.user_scope(sub), facet=cache.IDENTITY, name="profile", compute=lambda: profile_get(sub=sub)
        ),
    )


def _shard_position(profile: Profile) -> dict:
    """The `by-joined` key of `profile`: where its shard's next page starts."""
    return {
        "sub": {"S": profile.sub},
        "kind": {"S": profile.kind},
        "joined_at": {"S": Profile.joined_at.serialize(profile.joined_at)},
    }


def profile_list(*, limit: int = 50, cursor: str | None = None) -> tuple[list[Profile], str | None]:
    """Profiles newest first, one page at a time, merged from every shard of the readers list.

    Each shard not yet exhausted gives at most `limit` profiles from its position in the cursor;
    a merge newest first keeps `limit`, and the cursor records, per shard, the last one shown
    (or that the shard is done). A page reads at most shards x `limit` profiles, whatever the total.
    """
    positions = decode_cursor(cursor, scope="accounts.profiles") or {}
    pages: dict[str, list[Profile]] = {}
    more: dict[str, bool] = {}
    for shard in reader_shards():
        position = positions.get(shard, {})
        if position is None:
            continue  # this shard was exhausted on an earlier page
        results = Profile.by_joined.query(
            shard, scan_index_forward=False, limit=limit, last_evaluated_key=position or None
        )
        pages[shard] = list(results)
        more[shard] = results.last_evaluated_key is not None
    # heapq.merge keeps each shard's own order, so what is shown of a shard is always a prefix of its page.
    shown = list(islice(heapq.merge(*pages.values(), key=lambda p: p.joined_at, reverse=True), limit))
    last_shown = {profile.kind: profile for profile in shown}
    next_positions: dict[str, dict | None] = {}
    for shard in reader_shards():
        if shard not in pages:
            next_positions[shard] = None
        elif shard in last_shown:
            done = not more[shard] and last_shown[shard] is pages[shard][-1]
            next_positions[shard] = None if done else _shard_position(last_shown[shard])
        else:
            next_positions[shard] = positions.get(shard, {}) if pages[shard] else None
    if all(position is None for position in next_positions.values()):
        return shown, None
    return shown, encode_cursor(next_positions, scope="accounts.profiles")


def profile_count() -> int:
    """How many profiles there are: the shards' counts, kept by the writes (one BatchGetItem)."""
    return sum(int(count.profiles) for count in ReaderCount.batch_get(reader_shards(), consistent_read=True))
