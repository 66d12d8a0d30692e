"""POST /api/todos/tasks/quick against the local stack: the task made from words, and what was understood."""

from __future__ import annotations

from datetime import UTC, datetime

from accounts.models import Profile
from accounts.services import profile_ensure_for
from todos import services
from todos.models import Task
from todos.services.quick import task_quick_add

URL = "/api/todos/tasks/quick"


def test_quick_add_creates_the_task_it_read_and_says_what_it_understood(api, user):
    home = services.list_create(owner=user.sub, name="Home")
    response = api.post(
        URL, {"text": "Pay rent 2030-05-06 9am #Home @bills p3 every month", "time_zone": "Europe/Paris"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = body["task"]
    assert (task["title"], task["list_id"], task["labels"]) == ("Pay rent", home.list_id, ["bills"])
    assert task["priority"] == 3
    assert (task["due_datetime"], task["due_timezone"]) == ("2030-05-06T09:00:00+02:00", "Europe/Paris")
    assert task["recurrence"] == "FREQ=MONTHLY"
    assert response["ETag"] == f'"v{task["version"]}"'
    stored = Task.get(user.sub, task["id"])
    assert stored.due_datetime == datetime(2030, 5, 6, 7, 0, tzinfo=UTC)
    parsed = body["parsed"]
    assert (parsed["title"], parsed["due_date"], parsed["due_time"], parsed["list"]) == (
        "Pay rent",
        "2030-05-06",
        "09:00",
        "Home",
    )
    assert [(t["kind"], t["start"], t["end"]) for t in parsed["tokens"]] == [
        ("due", 9, 19),
        ("time", 20, 23),
        ("list", 24, 29),
        ("label", 30, 36),
        ("priority", 37, 39),
        ("recurrence", 40, 51),
    ]


def test_unparseable_text_is_a_task_with_the_text_as_title(api, user):
    for text in ["", "   "]:
        assert api.post(URL, {"text": text}, format="json").status_code == 400
    for text in ["#", "@", "\\", "every", "in 3", "p9 #nolist 99/99 at", "\U0001d518\U0001d52b ² ٣ tomorrow\u200b"]:
        response = api.post(URL, {"text": text}, format="json")
        assert response.status_code == 201, (text, response.content)
        assert response.json()["task"]["title"], text
    made = api.post(URL, {"text": "p9 #nolist 99/99 at"}, format="json").json()
    assert made["task"]["title"] == "p9 #nolist 99/99 at"
    assert made["task"]["due_date"] is None
    assert made["parsed"]["tokens"] == []


def test_a_label_too_long_for_a_task_stays_in_the_title(api, user):
    text = "Odd " + "@" + "x" * 61
    body = api.post(URL, {"text": text}, format="json").json()
    assert body["task"]["title"] == text
    assert body["task"]["labels"] == []


def test_dates_are_read_in_the_profiles_time_zone(user):
    profile_ensure_for(email=user.email)
    profile = Profile.get(user.sub)
    profile.time_zone = "Pacific/Auckland"
    profile.save()
    # 22:00 UTC on 4 March is already 11:00 on 5 March in Auckland: "tomorrow" is the 6th there.
    now = datetime(2026, 3, 4, 22, 0, tzinfo=UTC)
    task, parsed = task_quick_add(owner=user.sub, text="Call home tomorrow 8am", now=now)
    assert parsed.due_date.isoformat() == "2026-03-06"
    assert (task.due_timezone, task.due_datetime) == ("Pacific/Auckland", datetime(2026, 3, 5, 19, 0, tzinfo=UTC))
    # Given explicitly, the time zone wins.
    task, parsed = task_quick_add(owner=user.sub, text="Call home tomorrow", now=now, time_zone="UTC")
    assert task.due_date == "2026-03-05"


def test_a_bad_time_zone_or_unknown_field_is_a_400_and_creates_nothing(api, user):
    bad = api.post(URL, {"text": "x tomorrow", "time_zone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["time_zone"]
    assert api.post(URL, {"text": "x", "title": "y"}, format="json").status_code == 400
    assert api.post(URL, {"text": "x" * 501}, format="json").status_code == 400
    assert list(Task.query(user.sub)) == []


def test_quick_add_honours_an_idempotency_key(api, user):
    first = api.post(URL, {"text": "Once only"}, format="json", HTTP_IDEMPOTENCY_KEY="quick-1")
    again = api.post(URL, {"text": "Once only"}, format="json", HTTP_IDEMPOTENCY_KEY="quick-1")
    assert again.json()["task"]["id"] == first.json()["task"]["id"]
    assert [t.title for t in Task.query(user.sub)] == ["Once only"]
