"""Cursor tokens and the model registry."""

from __future__ import annotations

import pytest

from accounts.models import Profile
from mysite.dynamo import all_models, decode_cursor, encode_cursor, table_name
from mysite.errors import InvalidCursor
from mysite.models import SessionItem


def test_cursor_round_trips_a_last_evaluated_key():
    key = {"pk": {"S": "user#1"}, "sk": {"S": "task#00042"}}
    token = encode_cursor(key, scope="tasks:user#1")
    assert "user#1" not in token
    assert decode_cursor(token, scope="tasks:user#1") == key


def test_no_key_means_no_cursor():
    assert encode_cursor(None, scope="any") is None
    assert encode_cursor({}, scope="any") is None
    assert decode_cursor(None, scope="any") is None
    assert decode_cursor("", scope="any") is None


@pytest.mark.parametrize("token", ["garbage", "AAAA", "%%%"])
def test_malformed_cursor_is_invalid_cursor(token):
    with pytest.raises(InvalidCursor) as error:
        decode_cursor(token, scope="any")
    assert error.value.code == "invalid_cursor"
    assert error.value.fields == {"cursor": ["This cursor is invalid, or belongs to another list."]}


def test_tampered_cursor_is_rejected():
    token = encode_cursor({"pk": {"S": "user#1"}}, scope="any")
    forged = encode_cursor({"pk": {"S": "user#2"}}, scope="any")
    spliced = token[:22] + forged[22:]
    with pytest.raises(InvalidCursor):
        decode_cursor(spliced, scope="any")


def test_a_cursor_is_only_good_for_the_query_it_was_made_for():
    key = {"pk": {"S": "post"}, "updated_at": {"S": "2026-01-01"}}
    token = encode_cursor(key, scope="blog.home")
    assert decode_cursor(token, scope="blog.home") == key
    for other in ("blog.tag:python", "blog.home ", "todos.sync:user#1", ""):
        with pytest.raises(InvalidCursor):
            decode_cursor(token, scope=other)


def test_table_names_carry_the_environment_prefix():
    assert table_name("profiles") == "test-profiles"
    assert Profile.Meta.table_name == "test-profiles"


def test_registry_finds_the_models_of_every_app():
    models = all_models()
    assert Profile in models
    assert SessionItem in models


def test_condition_failed_names_the_item_that_failed_whatever_the_order_of_the_operations():
    import uuid

    from pynamodb.exceptions import TransactWriteError

    from mysite import cache
    from mysite.dynamo import condition_failed, transact
    from mysite.models import CacheStamp

    taken = CacheStamp(f"test-taken-{uuid.uuid4().hex}", token="a", changed_at=1)
    taken.save()
    fresh = CacheStamp(f"test-fresh-{uuid.uuid4().hex}", token="b", changed_at=1)
    transaction = transact()
    # Added first, sent last: PynamoDB sends checks, deletes, puts, then updates.
    cache.stamp_bump(transaction, f"test-scope-{uuid.uuid4().hex}")
    transaction.save(fresh, condition=CacheStamp.scope.does_not_exist(), label="fresh")
    transaction.condition_check(CacheStamp, taken.scope, condition=CacheStamp.scope.does_not_exist(), label="taken")

    def commit() -> None:
        with transaction:
            pass

    with pytest.raises(TransactWriteError) as raised:
        commit()
    error = raised.value
    assert condition_failed(error)
    assert condition_failed(error, transaction=transaction, label="taken")
    assert not condition_failed(error, transaction=transaction, label="fresh")
    assert transaction.failed(error) == {"taken"}


def test_condition_failed_on_a_single_write_and_not_on_other_errors():
    import uuid

    from pynamodb.exceptions import PutError

    from mysite.dynamo import condition_failed
    from mysite.models import CacheStamp

    stamp = CacheStamp(f"test-once-{uuid.uuid4().hex}", token="a", changed_at=1)
    stamp.save(condition=CacheStamp.scope.does_not_exist())
    with pytest.raises(PutError) as raised:
        stamp.save(condition=CacheStamp.scope.does_not_exist())
    assert condition_failed(raised.value)
    assert not condition_failed(ValueError("ConditionalCheckFailed"))
