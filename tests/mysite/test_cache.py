"""The read cache: entries live until their scope's stamp changes, and the stamp changes with the write."""

from __future__ import annotations

import contextlib
import time
import uuid

import botocore.client
import pytest
from django.core.cache import cache as local_entries
from django.core.signals import request_finished, request_started
from pynamodb.exceptions import TransactWriteError

from mysite import cache
from mysite.models import CacheStamp, StreamCheckpoint
from tests.conftest import dynamodb_calls


@contextlib.contextmanager
def one_request():
    """The signals Django sends around a request, without a view."""
    request_started.send(sender=None)
    try:
        yield
    finally:
        request_finished.send(sender=None)


@pytest.fixture
def scope() -> str:
    return f"test#{uuid.uuid4().hex}"


class Counter:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_read_is_computed_once_until_the_scope_is_bumped(scope):
    compute = Counter(["first"])
    assert cache.cached(scope=scope, name="n", compute=compute) == ["first"]
    assert cache.cached(scope=scope, name="n", compute=compute) == ["first"]
    assert compute.calls == 1
    cache.stamp_bump_now(scope)
    compute.value = ["second"]
    assert cache.cached(scope=scope, name="n", compute=compute) == ["second"]
    assert compute.calls == 2


def test_params_and_names_key_separate_entries(scope):
    assert cache.cached(scope=scope, name="a", params={"id": 1}, compute=lambda: "a1") == "a1"
    assert cache.cached(scope=scope, name="a", params={"id": 2}, compute=lambda: "a2") == "a2"
    assert cache.cached(scope=scope, name="b", params={"id": 1}, compute=lambda: "b1") == "b1"
    assert cache.cached(scope=scope, name="a", params={"id": 1}, compute=lambda: "other") == "a1"


def test_a_bump_changes_only_its_own_scope(scope):
    other = f"{scope}-other"
    cache.cached(scope=other, name="n", compute=lambda: "kept")
    cache.stamp_bump_now(scope)
    assert cache.cached(scope=other, name="n", compute=lambda: "recomputed") == "kept"


def test_a_facet_has_its_own_token_on_the_scope_s_stamp(scope):
    whole, facet = Counter("todos"), Counter("profile")

    def read_both():
        return (
            cache.cached(scope=scope, name="n", compute=whole),
            cache.cached(scope=scope, name="n", facet=cache.IDENTITY, compute=facet),
        )

    assert read_both() == ("todos", "profile")  # the same name under the facet is another entry
    cache.stamp_bump_now(scope)  # a write to the scope leaves the facet's entries alone
    whole.value = "todos 2"
    assert read_both() == ("todos 2", "profile")
    with cache.transaction() as write:  # and a write to the facet leaves the scope's
        cache.stamp_bump(write, scope, facet=cache.IDENTITY)
    facet.value = "profile 2"
    assert read_both() == ("todos 2", "profile 2")
    assert (whole.calls, facet.calls) == (2, 2)


def test_a_facet_bump_on_a_fresh_scope_leaves_the_scope_unstamped(scope):
    with cache.transaction() as write:
        cache.stamp_bump(write, scope, facet=cache.IDENTITY)
    assert cache.stamp_get(scope).token == "-"
    assert cache.stamp_get(scope, facet=cache.IDENTITY).token not in ("-", None)


def test_one_transaction_cannot_bump_a_scope_and_its_facet(scope):
    write = cache.transaction()
    cache.stamp_bump(write, scope)
    with pytest.raises(ValueError, match="two tokens"):
        cache.stamp_bump(write, scope, facet=cache.IDENTITY)
    with pytest.raises(ValueError, match="unknown read-cache facet"):
        cache.stamp_get(scope, facet="nonsense")


def test_the_stamp_and_its_facets_are_one_read_per_request(scope):
    with one_request(), dynamodb_calls() as calls:
        cache.cached(scope=scope, name="a", compute=lambda: 1)
        cache.cached(scope=scope, name="a", facet=cache.IDENTITY, compute=lambda: 2)
    assert calls == ["GetItem"]


def test_an_entry_kept_by_another_container_is_dead_once_the_stamp_moves(scope):
    """Another container's entries are keyed by the token it read; the stamp in DynamoDB decides."""
    cache.cached(scope=scope, name="n", compute=lambda: "old")
    stale_token = cache.stamp_get(scope).token
    CacheStamp(scope, token=uuid.uuid4().hex, changed_at=0).save()  # a write committed elsewhere
    assert cache.stamp_get(scope).token != stale_token
    assert cache.cached(scope=scope, name="n", compute=lambda: "new") == "new"


def test_the_stamp_changes_only_if_the_transaction_commits(scope):
    before = cache.stamp_get(scope)
    key = f"cache-test-{uuid.uuid4().hex}"
    StreamCheckpoint(key, position="1").save()

    def write_that_fails() -> None:
        with cache.transaction() as write:
            write.save(StreamCheckpoint(key, position="2"), condition=StreamCheckpoint.source.does_not_exist())
            cache.stamp_bump(write, scope)

    with pytest.raises(TransactWriteError):
        write_that_fails()
    assert cache.stamp_get(scope) == before
    with cache.transaction() as write:
        write.save(StreamCheckpoint(key, position="3"))
        cache.stamp_bump(write, scope, scope)  # the same scope twice is one update
    assert cache.stamp_get(scope).token != before.token


def test_a_read_just_after_a_write_is_served_but_not_kept(scope, settings):
    settings.READ_CACHE = {"SETTLE_SECONDS": 60}
    cache.stamp_bump_now(scope)
    compute = Counter("fresh")
    cache.cached(scope=scope, name="n", compute=compute)
    cache.cached(scope=scope, name="n", compute=compute)
    assert compute.calls == 2  # an index might still lag the write: nothing is pinned under the new token
    settings.READ_CACHE = {"SETTLE_SECONDS": 0}
    cache.cached(scope=scope, name="n", compute=compute)
    cache.cached(scope=scope, name="n", compute=compute)
    assert compute.calls == 3


def test_an_answer_over_the_size_bound_is_computed_each_time(scope, settings):
    settings.READ_CACHE = {"MAX_ENTRY_BYTES": 1000}
    big = Counter("x" * 2000)
    small = Counter("x" * 10)
    for _ in range(2):
        cache.cached(scope=scope, name="big", compute=big)
        cache.cached(scope=scope, name="small", compute=small)
    assert (big.calls, small.calls) == (2, 1)


def test_entries_expire_after_the_ttl(scope, settings):
    settings.READ_CACHE = {"TTL_SECONDS": 300}
    before = time.time()
    cache.cached(scope=scope, name="n", compute=lambda: "v")
    after = time.time()
    token = cache.stamp_get(scope).token
    key = cache._entry_key(scope, token, "n", None)
    expiry = local_entries._expire_info[local_entries.make_key(key)]
    assert before + 300 <= expiry <= after + 300


def test_a_cached_value_is_a_copy_so_threads_never_share_it(scope):
    cache.cached(scope=scope, name="n", compute=lambda: ["a"])
    mine = cache.cached(scope=scope, name="n", compute=lambda: ["b"])
    mine.append("changed by one caller")
    assert cache.cached(scope=scope, name="n", compute=lambda: ["b"]) == ["a"]


def test_a_request_reads_each_stamp_once(scope):
    cache.cached(scope=scope, name="a", compute=lambda: 1)
    cache.cached(scope=scope, name="b", compute=lambda: 2)
    with one_request(), dynamodb_calls() as calls:
        assert cache.cached(scope=scope, name="a", compute=lambda: 0) == 1
        assert cache.cached(scope=scope, name="b", compute=lambda: 0) == 2
    assert calls == ["GetItem"]
    with dynamodb_calls() as calls:  # outside a request nothing is remembered
        cache.cached(scope=scope, name="a", compute=lambda: 0)
        cache.cached(scope=scope, name="a", compute=lambda: 0)
    assert calls == ["GetItem", "GetItem"]


def test_after_a_write_the_same_request_reads_the_stamp_afresh(scope):
    with one_request():
        assert cache.cached(scope=scope, name="n", compute=lambda: "before") == "before"
        cache.stamp_bump_now(scope)
        with dynamodb_calls() as calls:
            assert cache.cached(scope=scope, name="n", compute=lambda: "after") == "after"
            assert cache.cached(scope=scope, name="n", compute=lambda: "again") == "after"
        assert calls == ["GetItem", "GetItem"]  # a written scope is never remembered in that request


def test_the_request_memo_computes_once_per_request_and_never_across():
    compute = Counter("profile")
    with one_request():
        cache.request_memo("k", compute)
        cache.request_memo("k", compute)
    assert compute.calls == 1
    with one_request():
        cache.request_memo("k", compute)
    assert compute.calls == 2
    cache.request_memo("k", compute)
    cache.request_memo("k", compute)
    assert compute.calls == 4


def test_a_warm_public_blog_page_reads_only_the_blog_stamp(client, make_user):
    from blog import services
    from mysite.dynamo import table_name

    author = make_user(groups=("authors",))
    post = services.post_create(author_sub=author.sub, author_name="A", title=f"Warm {uuid.uuid4().hex[:8]}")
    post = services.post_publish(post_id=post.post_id, version=post.version)
    for path in ("/blog/", f"/blog/{post.slug}/", "/api/blog/posts"):
        assert client.get(path).status_code == 200
    original = botocore.client.BaseClient._make_api_call
    tables: list[tuple[str, str]] = []

    def recording(api_client, operation_name, params):
        if api_client.meta.service_model.service_name == "dynamodb":
            tables.append((operation_name, params.get("TableName", "")))
        return original(api_client, operation_name, params)

    botocore.client.BaseClient._make_api_call = recording
    try:
        bodies = [client.get(path).content for path in ("/blog/", f"/blog/{post.slug}/", "/api/blog/posts")]
    finally:
        botocore.client.BaseClient._make_api_call = original
    assert tables == [("GetItem", table_name("cache-stamps"))] * 3
    assert all(post.title.encode() in body for body in bodies)
