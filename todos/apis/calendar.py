"""Calendar feed endpoints: the secret .ics URL itself (public, by token) and its management (signed in)."""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from mysite.apis import PrivateApi, PublicApi, StrictSerializer, validated
from mysite.concurrency import client_has
from todos import services
from todos.calendar import feeds

# Calendar clients poll; for five minutes they may reuse what they have, then they revalidate (304).
FEED_MAX_AGE = 300


class CalendarFeedIcsApi(PublicApi):
    """The feed by its secret token: private to whoever holds the URL, never stored by a shared cache."""

    @extend_schema(
        operation_id="todos_calendar_feed_ics",
        summary="The iCalendar text of a secret feed URL",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="VCALENDAR with VTODO/VEVENT"),
            304: OpenApiResponse(description="Unchanged since the ETag sent in If-None-Match."),
            404: OpenApiResponse(description="Unknown, revoked or regenerated token."),
        },
    )
    def get(self, request, token: str):
        feed = feeds.calendar_feed_for_token(token)
        base_url = request.build_absolute_uri("/").rstrip("/")
        text = feeds.calendar_feed_text(feed, base_url=base_url, domain=request.get_host().split(":")[0])
        etag = f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'
        if client_has(request, etag):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = 'inline; filename="mytodolist.ics"'
        response["ETag"] = etag
        patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
        return response


class FeedOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosCalendarFeedOutput"

    scope = serializers.ChoiceField(choices=["user", "list"])
    list_id = serializers.CharField(allow_null=True)
    active = serializers.BooleanField(help_text="Whether a secret URL is live.")
    created_at = serializers.DateTimeField(allow_null=True, help_text="When the live URL was made.")
    url = serializers.URLField(
        required=False, help_text="The secret URL; only in the answer that made it (it is not stored)."
    )


class NoInput(StrictSerializer):
    class Meta:
        ref_name = "TodosCalendarFeedInput"


def _feed_body(*, list_id: str | None, created_at=None, url: str | None = None) -> dict:
    """The FeedOutput body (its date-time in UTC with a "Z", as every other); `url` only when just made."""
    feed = {"scope": "list" if list_id else "user", "list_id": list_id, "active": created_at is not None}
    feed["created_at"] = created_at
    if url:
        feed["url"] = url
    return FeedOutput(feed).data


def _no_store(response: Response) -> Response:
    patch_cache_control(response, private=True, no_store=True)
    return response


class _FeedManageApi(PrivateApi):
    """GET: is a URL live; POST: make one (a new one replaces any earlier, which then answers 404); DELETE: revoke."""

    parser_classes = [JSONParser]  # a JSON body or none: a form or multipart body is a 415

    @staticmethod
    def _as_owner(request, list_id: str | None, run):
        """The user's feed, or their list's: a shared list's feed is its owner's to manage (403 for members)."""
        if list_id is None:
            return run(request.user.sub)
        return services.on_list(user=request.user, list_id=list_id, owner_only=True, run=run)

    def get(self, request, list_id: str | None = None):
        feed = self._as_owner(request, list_id, lambda owner: feeds.calendar_feed_get(owner=owner, list_id=list_id))
        return _no_store(Response(_feed_body(list_id=list_id, created_at=feed.created_at if feed else None)))

    def post(self, request, list_id: str | None = None):
        validated(NoInput, request.data)  # no body reads as {}; a JSON null or list is a 400
        issued = self._as_owner(request, list_id, lambda owner: feeds.calendar_feed_issue(owner=owner, list_id=list_id))
        url = request.build_absolute_uri(f"/api/todos/calendar/{issued.token}.ics")
        body = _feed_body(list_id=list_id, created_at=issued.created_at, url=url)
        # The created resource is this URL's feed (GET tells whether it is live); the secret URL is in the body.
        return _no_store(Response(body, status=status.HTTP_201_CREATED, headers={"Location": request.path}))

    def delete(self, request, list_id: str | None = None):
        self._as_owner(request, list_id, lambda owner: feeds.calendar_feed_revoke(owner=owner, list_id=list_id))
        return _no_store(Response(status=status.HTTP_204_NO_CONTENT))


class UserCalendarFeedApi(_FeedManageApi):
    """The secret URL of all the user's lists."""

    @extend_schema(operation_id="todos_calendar_feed_get", responses={200: FeedOutput})
    def get(self, request):
        return super().get(request)

    @extend_schema(operation_id="todos_calendar_feed_issue", request=NoInput, responses={201: FeedOutput})
    def post(self, request):
        return super().post(request)

    @extend_schema(operation_id="todos_calendar_feed_revoke", responses={204: None})
    def delete(self, request):
        return super().delete(request)


class ListCalendarFeedApi(_FeedManageApi):
    """The secret URL of one list; another user's list is 404."""

    @extend_schema(operation_id="todos_list_calendar_feed_get", responses={200: FeedOutput})
    def get(self, request, list_id: str):
        return super().get(request, list_id)

    @extend_schema(operation_id="todos_list_calendar_feed_issue", request=NoInput, responses={201: FeedOutput})
    def post(self, request, list_id: str):
        return super().post(request, list_id)

    @extend_schema(operation_id="todos_list_calendar_feed_revoke", responses={204: None})
    def delete(self, request, list_id: str):
        return super().delete(request, list_id)
