"""Cursor tokens and the model registry."""

from __future__ import annotations

import pytest

from accounts.models import Profile
from mysite.dynamo import all_models, decode_cursor, encode_cursor, table_name
from mysite.errors import InvalidInput
from mysite.models import SessionItem


def test_cursor_round_trips_a_last_evaluated_key():
    key = {"pk": {"S": "user#1"}, "sk": {"S": "task#00042"}}
    token = encode_cursor(key)
    assert "user#1" not in token
    assert decode_cursor(token) == key


def test_no_key_means_no_cursor():
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    assert decode_cursor(None) is None
    assert decode_cursor("") is None


@pytest.mark.parametrize("token", ["garbage", "AAAA", "%%%"])
def test_malformed_cursor_is_invalid_input(token):
    with pytest.raises(InvalidInput) as error:
        decode_cursor(token)
    assert error.value.fields == {"cursor": ["This cursor is invalid or has been tampered with."]}


def test_tampered_cursor_is_rejected():
    token = encode_cursor({"pk": {"S": "user#1"}})
    forged = encode_cursor({"pk": {"S": "user#2"}})
    spliced = token[:22] + forged[22:]
    with pytest.raises(InvalidInput):
        decode_cursor(spliced)


def test_table_names_carry_the_environment_prefix():
    assert table_name("profiles") == "test-profiles"
    assert Profile.Meta.table_name == "test-profiles"


def test_registry_finds_the_models_of_every_app():
    models = all_models()
    assert Profile in models
    assert SessionItem in models
