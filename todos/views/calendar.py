"""The calendar feed settings page: see, make (or regenerate) and revoke the secret .ics URLs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from mysite.decorators import login_required
from todos import selectors
from todos.calendar import feeds


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(f"/api/todos/calendar/{token}.ics")


def _owners_list(owner: str, list_id: str) -> None:
    """A feed is of one of the user's own lists: a list shared with them is a 403, anyone else's a 404."""
    selectors.list_access(actor=owner, list_id=list_id).require_owner()


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """GET shows which feeds are live; POST `action=issue|revoke` (with `list_id` for one list) changes one.

    A new URL is shown once, on the answer that made it: only its hash is stored.
    """
    owner = request.user.sub
    issued = None
    if request.method == "POST":
        list_id = request.POST.get("list_id") or None
        action = request.POST.get("action")
        if list_id is not None:
            _owners_list(owner, list_id)
        if action == "issue":
            token = feeds.calendar_feed_issue(owner=owner, list_id=list_id)
            issued = {"list_id": list_id, "url": _feed_url(request, token.token)}
        elif action == "revoke":
            feeds.calendar_feed_revoke(owner=owner, list_id=list_id)
        else:
            return HttpResponse("Choose issue or revoke.", status=400, content_type="text/plain")
    live = feeds.calendar_feeds_of(owner=owner)
    rows = [{"list_id": None, "name": "All my lists", "feed": live.get(feeds.USER_FEED)}]
    rows += [
        {"list_id": x.list_id, "name": x.name, "feed": live.get(feeds.feed_key_for(x.list_id))}
        for x in selectors.lists_of(owner=owner)
    ]
    for row in rows:
        row["url"] = issued["url"] if issued and issued["list_id"] == row["list_id"] else None
    response = render(request, "todos/calendar.html", {"rows": rows, "title": "Calendar feeds"})
    response["Cache-Control"] = "private, no-store"
    return response
