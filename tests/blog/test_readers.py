"""The authors' readers list: sharded over several partitions, paged through with one merged cursor."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from accounts.models import LEGACY_READER_SHARD, Profile, reader_shard, reader_shards
from accounts.selectors import profile_list
from mysite.deploy import botocalls

# Later than any real sign-up, so the seeded readers are the first pages of the list.
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def seed_readers(count: int) -> dict[str, datetime]:
    """`count` profiles (a few sharing one join time, a few in the pre-sharding partition); sub -> joined_at."""
    seeded = {}
    with Profile.batch_write() as batch:
        for n in range(count):
            sub = str(uuid.uuid4())
            joined_at = FUTURE + timedelta(seconds=count - n if n % 5 else 0)  # every fifth at FUTURE exactly
            profile = Profile(
                sub,
                email=f"{sub[:8]}@example.com",
                display_name=f"Reader {n}",
                joined_at=joined_at,
                welcome_email_sent_at=FUTURE,  # no welcome to send for these
            )
            if n % 7 == 0:
                profile.kind = LEGACY_READER_SHARD
            batch.save(profile)
            seeded[sub] = joined_at
    return seeded


def test_new_profiles_spread_over_every_shard():
    shards = {reader_shard(str(uuid.uuid4())) for _ in range(400)}
    assert shards == set(reader_shards()) - {LEGACY_READER_SHARD}
    assert Profile(str(uuid.uuid4()), email="a@example.com", display_name="A").kind in shards


def test_readers_list_pages_through_every_reader_exactly_once_newest_first():
    seeded = seed_readers(90)
    limit = 7
    shown: list[Profile] = []
    cursor = None
    with botocalls.record() as recording:
        for _ in range(len(seeded) // limit + 2):
            page, cursor = profile_list(limit=limit, cursor=cursor)
            shown += page
            if cursor is None or page[-1].joined_at < FUTURE:
                break
    ours = [profile.sub for profile in shown if profile.sub in seeded]
    assert sorted(ours) == sorted(seeded)  # every seeded reader, none twice
    assert len(ours) == len(set(ours))
    assert [p.joined_at for p in shown] == sorted((p.joined_at for p in shown), reverse=True)
    assert [p.sub for p in shown[: len(seeded)]] == ours  # the future-dated readers come first
    queries = recording.of("dynamodb")
    pages = len(shown) // limit + 1
    assert all(call.operation == "Query" and call.params["Limit"] == limit for call in queries)
    assert len(queries) <= pages * len(reader_shards())


def test_readers_list_rejects_a_tampered_cursor(bearer_client, editor):
    response = bearer_client(editor).get("/api/blog/admin/readers", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["cursor"]


def test_reader_count_is_kept_by_sign_ups_and_read_without_counting():
    from accounts.models import ReaderCount
    from accounts.selectors import profile_count
    from accounts.services import profile_ensure

    before = profile_count()
    subs = [str(uuid.uuid4()) for _ in range(12)]
    errors: list[Exception] = []

    def sign_up(sub: str) -> None:
        try:
            profile_ensure(sub=sub, email=f"{sub[:8]}@example.com", display_name="Racer")
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=sign_up, args=(sub,)) for sub in subs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    profile_ensure(sub=subs[0], email="again@example.com", display_name="Again")  # exists: counted once
    with botocalls.record() as recording:
        after = profile_count()
    assert after == before + len(subs)
    assert [call.operation for call in recording.of("dynamodb")] == ["BatchGetItem"]
    by_shard = {count.shard: int(count.profiles) for count in ReaderCount.batch_get(reader_shards())}
    assert sum(by_shard.values()) == after


def test_readers_api_shows_the_kept_count(bearer_client, editor):
    from accounts.selectors import profile_count

    answer = bearer_client(editor).get("/api/blog/admin/readers", {"limit": 5}).json()
    assert answer["count"] == profile_count() > 0
    assert len(answer["results"]) == 5


def test_readers_recount_reports_and_repairs_a_wrong_shard_count():
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import ReaderCount
    from accounts.services import profile_ensure

    profile_ensure(sub=str(uuid.uuid4()), email="recount@example.com", display_name="Recount")
    call_command("readers_recount", stdout=StringIO())  # every shard right, whatever earlier tests did
    shard = reader_shards()[0]
    counted = Profile.by_joined.count(shard)
    ReaderCount(shard, profiles=counted + 5).save()

    out = StringIO()
    call_command("readers_recount", "--dry-run", stdout=out)
    assert f"would    {shard}: {counted + 5} -> {counted}" in out.getvalue()
    assert "1 change(s) planned" in out.getvalue()
    assert int(ReaderCount.get(shard, consistent_read=True).profiles) == counted + 5

    out = StringIO()
    call_command("readers_recount", stdout=out)
    assert f"applying {shard}: {counted + 5} -> {counted}" in out.getvalue()
    assert int(ReaderCount.get(shard, consistent_read=True).profiles) == counted

    out = StringIO()
    call_command("readers_recount", stdout=out)
    assert "Every shard's count matches its profiles." in out.getvalue()
    assert f"ok       {shard}: {counted}" in out.getvalue()
