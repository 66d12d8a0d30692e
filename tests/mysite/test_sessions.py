"""The DynamoDB session engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mysite.models import SessionItem
from mysite.sessions import SessionStore


def test_saved_session_loads_in_another_store():
    store = SessionStore()
    store["cart"] = [1, 2, 3]
    store.save()
    assert SessionStore(store.session_key).load() == {"cart": [1, 2, 3]}
    assert SessionStore().exists(store.session_key)


def test_expired_session_is_ignored_even_before_ttl_removes_it():
    store = SessionStore()
    store["x"] = 1
    store.save()
    item = SessionItem.get(store.session_key)
    item.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    item.save()
    fresh = SessionStore(store.session_key)
    assert fresh.load() == {}
    assert fresh.session_key is None
    assert not SessionStore().exists(store.session_key)


def test_deleted_session_is_gone():
    store = SessionStore()
    store["x"] = 1
    store.save()
    key = store.session_key
    store.delete()
    assert not SessionStore().exists(key)


def test_unknown_session_key_starts_empty():
    store = SessionStore("doesnotexist0000000000000000000000")
    assert store.load() == {}


def test_cycle_key_keeps_data_under_a_new_key():
    store = SessionStore()
    store["who"] = "me"
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert SessionStore(store.session_key).load() == {"who": "me"}
    assert not SessionStore().exists(old)
