"""The one optimistic-concurrency protocol: the version from If-Match or the body, never two that disagree."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from mysite.apis import PrivateApi
from mysite.concurrency import expected_version, item_etag, private_response
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


class _Note:
    def __init__(self, text: str, version: int):
        self.text, self.version = text, version


class _NoteOutput(serializers.Serializer):
    text = serializers.CharField()
    version = serializers.IntegerField()


class _NoteApi(PrivateApi):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    current_output = _NoteOutput
    error: Exception | None = None

    def patch(self, request):
        raise self.error


class _UntypedApi(_NoteApi):
    current_output = None


def _answer(api: type[PrivateApi], error: Exception):
    response = api.as_view(error=error)(_request())
    return response.status_code, response.data["error"]


def test_a_conflict_answers_with_the_current_item_in_the_apis_own_shape():
    status, body = _answer(_NoteApi, VersionConflict(current=_Note("now", 9)))
    assert status == 409
    assert (body["code"], body["current"]) == ("version_conflict", {"text": "now", "version": 9})


def test_a_conflict_over_a_deleted_item_says_current_null_and_one_without_an_item_says_nothing():
    assert _answer(_NoteApi, VersionConflict("Deleted meanwhile.", current=None))[1]["current"] is None
    assert "current" not in _answer(_NoteApi, VersionConflict())[1]
    # An API without an output shape never puts the domain object (or a guess) in the body.
    status, body = _answer(_UntypedApi, VersionConflict(current=_Note("now", 9)))
    assert (status, "current" in body) == (409, False)
    assert "current" not in VersionConflict(current=_Note("now", 9)).as_dict()


def test_private_response_answers_304_to_its_etag_and_is_never_shared():
    first = private_response(_request(method="get"), {"a": 1}, etag='"v2"')
    assert (first.status_code, first["ETag"]) == (200, '"v2"')
    assert "private" in first["Cache-Control"]
    again = private_response(_request(method="get", HTTP_IF_NONE_MATCH='"v2"'), {"a": 1}, etag='"v2"')
    assert again.status_code == 304
    other = private_response(_request(method="get", HTTP_IF_NONE_MATCH='"v1"'), {"a": 1}, etag='"v2"')
    assert other.status_code == 200
