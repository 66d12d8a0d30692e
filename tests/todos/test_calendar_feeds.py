"""Secret calendar feed URLs against the local stack: issue, read (ETag, 304), regenerate, revoke, per list."""

from __future__ import annotations

import re
from datetime import date

import icalendar
import pytest
import recurring_ical_events

from mysite.edge import behavior_for
from tests.todos.conftest import create_task
from todos.models import CalendarFeed


def issue(api, path: str = "/api/todos/calendar-feed") -> str:
    response = api.post(path, {}, format="json")
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    assert response["Location"] == path  # the feed it made: GET there tells whether it is live
    return response.json()["url"]


def feed_path(url: str) -> str:
    return url.split("testserver", 1)[1]


def read(api_client, url: str, **headers):
    return api_client.get(feed_path(url), **headers)


def summaries(response, component: str = "VTODO") -> list[str]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return sorted(str(c["SUMMARY"]) for c in calendar.walk(component))


def test_the_feed_holds_open_due_tasks_only_and_needs_no_sign_in(api, api_client):
    create_task(api, title="Rent", due_date="2026-03-01")
    create_task(api, title="Call", due_datetime="2026-03-02T09:30", due_timezone="Europe/Paris")
    create_task(api, title="Someday")
    done = create_task(api, title="Done already", due_date="2026-03-03")
    assert api.post(f"/api/todos/tasks/{done['id']}/complete", format="json").status_code == 200

    response = read(api_client, issue(api))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert summaries(response) == ["Call", "Rent"]
    assert summaries(response, "VEVENT") == ["Call", "Rent"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(api, api_client):
    create_task(api, title="Rent", due_date="2026-03-01")
    url = issue(api)
    first = read(api_client, url)
    etag = first["ETag"]
    again = read(api_client, url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    create_task(api, title="Water plants", due_date="2026-03-05")
    changed = read(api_client, url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert summaries(changed) == ["Rent", "Water plants"]


def test_regenerating_revokes_the_old_url_and_revoking_answers_404(api, api_client, owner):
    create_task(api, title="Rent", due_date="2026-03-01")
    old = issue(api)
    new = issue(api)
    assert old != new
    refused = read(api_client, old)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "calendar_feed_not_found"
    assert read(api_client, new).status_code == 200
    live = api.get("/api/todos/calendar-feed").json()
    assert live["active"] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", live["created_at"])  # UTC with a Z, as everywhere

    assert api.delete("/api/todos/calendar-feed").status_code == 204
    assert read(api_client, new).status_code == 404
    assert api.get("/api/todos/calendar-feed").json() == {
        "scope": "user",
        "list_id": None,
        "active": False,
        "created_at": None,
    }
    assert api.delete("/api/todos/calendar-feed").status_code == 204  # revoking twice changes nothing


def test_only_a_hash_of_the_token_is_stored(api, owner):
    token = issue(api).rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.get(owner, "user")
    assert token not in stored.attribute_values.values()
    assert len(stored.token_hash) == 64


@pytest.mark.parametrize("token", ["short", "x" * 43, "not.a;token", "a" * 200])
def test_unknown_or_malformed_tokens_are_404(api_client, token):
    response = api_client.get(f"/api/todos/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "calendar_feed_not_found"


def test_a_list_feed_holds_that_list_only(api, api_client):
    work = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    create_task(api, title="Report", due_date="2026-03-01", list_id=work["id"])
    create_task(api, title="Inbox thing", due_date="2026-03-01")
    url = issue(api, f"/api/todos/lists/{work['id']}/calendar-feed")
    response = read(api_client, url)
    assert summaries(response) == ["Report"]
    assert str(icalendar.Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "MyTodoList: Work"
    # The user's own feed is separate, and revoking one leaves the other alone.
    user_url = issue(api)
    assert api.delete(f"/api/todos/lists/{work['id']}/calendar-feed").status_code == 204
    assert read(api_client, url).status_code == 404
    assert summaries(read(api_client, user_url)) == ["Inbox thing", "Report"]


def test_a_deleted_list_takes_its_feed_with_it(api, api_client):
    work = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    url = issue(api, f"/api/todos/lists/{work['id']}/calendar-feed")
    assert api.delete(f"/api/todos/lists/{work['id']}", HTTP_IF_MATCH='"v1"').status_code == 204
    assert read(api_client, url).status_code == 404


def test_other_users_lists_are_404_and_nothing_is_made(api, bearer_client, make_user, owner):
    work = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    other = bearer_client(make_user())
    path = f"/api/todos/lists/{work['id']}/calendar-feed"
    for response in (other.post(path, {}, format="json"), other.get(path), other.delete(path)):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "list_not_found"
    assert api.get(path).json()["active"] is False


def test_bad_input_is_400_and_changes_nothing(api, api_client):
    url = issue(api)
    response = api.post("/api/todos/calendar-feed", {"list_id": "x"}, format="json")
    assert response.status_code == 400
    assert "list_id" in response.json()["error"]["fields"]
    assert read(api_client, url).status_code == 200  # still the same live URL


def test_anonymous_callers_cannot_manage_feeds(api_client):
    for method in ("get", "post", "delete"):
        response = getattr(api_client, method)("/api/todos/calendar-feed")
        assert response.status_code == 401


def test_a_recurring_task_expands_to_the_dues_the_product_gives_it(api, api_client):
    rule = "FREQ=MONTHLY;BYMONTHDAY=-1"
    task = create_task(api, title="Invoice", due_date="2026-01-31", recurrence=rule)
    calendar = icalendar.Calendar.from_ical(read(api_client, issue(api)).content)
    expanded = recurring_ical_events.of(calendar, components=["VEVENT"]).between(date(2026, 1, 1), date(2026, 7, 1))
    dues = []
    for _ in range(5):
        current = api.get(f"/api/todos/tasks/{task['id']}").json()
        dues.append(current["due_date"])
        assert api.post(f"/api/todos/tasks/{task['id']}/complete", format="json").status_code == 200
    assert [e["DTSTART"].dt.isoformat() for e in expanded][:5] == dues
    assert dues == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"]


def test_feeds_never_enter_a_shared_cache():
    behavior = behavior_for("/api/todos/calendar/abc.ics")
    assert not behavior.caches
    assert behavior.path_pattern == "/api/todos/calendar/*"


def test_the_settings_page_refuses_other_users_lists_and_unknown_actions(api, browser_client, make_user):
    work = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    intruder = browser_client(make_user())
    response = intruder.post("/todos/calendar/", {"action": "issue", "list_id": work["id"]})
    assert response.status_code == 404
    assert b"Work" not in response.content
    assert api.get(f"/api/todos/lists/{work['id']}/calendar-feed").json()["active"] is False
    assert intruder.post("/todos/calendar/", {"action": "explode"}).status_code == 400
    assert intruder.get("/todos/calendar/").status_code == 200
