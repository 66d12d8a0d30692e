"""The one optimistic-concurrency protocol: the version from If-Match or the body, never two that disagree."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from mysite.concurrency import expected_version, item_etag, private_response, version_conflict
from mysite.errors import InvalidInput, PreconditionRequired, VersionConflict

factory = RequestFactory()


def _request(if_match: str | None = None, method: str = "patch", **headers):
    if if_match is not None:
        headers["HTTP_IF_MATCH"] = if_match
    return getattr(factory, method)("/api/x", **headers)


def test_the_etag_of_a_version():
    assert item_etag(7) == '"v7"'
    assert item_etag(None) == '"v0"'


def test_the_version_comes_from_if_match_or_from_the_body():
    assert expected_version(_request('"v3"'), {}) == 3
    assert expected_version(_request('W/"v3"'), {}) == 3
    body = {"version": 5, "title": "x"}
    assert expected_version(_request(), body) == 5
    assert body == {"title": "x"}  # taken out of the fields to write
    assert expected_version(_request('"v5"'), {"version": 5}) == 5


def test_if_match_and_body_that_disagree_are_refused():
    with pytest.raises(InvalidInput) as error:
        expected_version(_request('"v4"'), {"version": 5})
    assert list(error.value.fields) == ["version"]


@pytest.mark.parametrize("header", ['"3"', "v3", '"v٣"', '"v' + "9" * 19 + '"', '"abc"'])
def test_an_if_match_that_is_not_our_etag_is_refused(header):
    with pytest.raises(InvalidInput) as error:
        expected_version(_request(header), {})
    assert list(error.value.fields) == ["If-Match"]


def test_no_version_is_428_only_where_one_is_required():
    assert expected_version(_request(), {}) is None
    assert expected_version(_request("*"), {}) is None
    with pytest.raises(PreconditionRequired):
        expected_version(_request(), {}, required=True)


def test_a_conflict_carries_the_current_item():
    error = version_conflict({"id": "a", "version": 9})
    assert isinstance(error, VersionConflict)
    assert error.as_dict()["current"] == {"id": "a", "version": 9}
    assert error.as_dict()["code"] == "version_conflict"


def test_private_response_answers_304_to_its_etag_and_is_never_shared():
    first = private_response(_request(method="get"), {"a": 1}, etag='"v2"')
    assert (first.status_code, first["ETag"]) == (200, '"v2"')
    assert "private" in first["Cache-Control"]
    again = private_response(_request(method="get", HTTP_IF_NONE_MATCH='"v2"'), {"a": 1}, etag='"v2"')
    assert again.status_code == 304
    other = private_response(_request(method="get", HTTP_IF_NONE_MATCH='"v1"'), {"a": 1}, etag='"v2"')
    assert other.status_code == 200
