"""Reminders: the API and its refusals, the minute handler's exactly-once sending, recurring moves, snooze."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing

from accounts import services as account_services
from mysite.mail import mailbox_messages
from tests.todos.conftest import create_task
from tests.todos.test_views import htmx_post
from todos import services
from todos.events import EVENT_SOURCES, reminders_due_handler
from todos.models import Reminder, Task
from todos.services import reminders as reminder_services


@pytest.fixture
def other_api(bearer_client, make_user):
    return bearer_client(make_user())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _future(**delta) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(second=0, microsecond=0)


def _stored(owner: str, task_id: str) -> list[Reminder]:
    return list(Reminder.query(owner, Reminder.reminder_key.startswith(f"{task_id}#"), consistent_read=True))


def _sent_ids(owner: str, task_id: str) -> list[str]:
    return [r.reminder_id for r in _stored(owner, task_id) if r.sent_at is not None]


def _mails(user) -> list:
    return [m for m in mailbox_messages(to=user.email) if m.subject.startswith("Reminder:")]


# --- API -----------------------------------------------------------------------------------------


def test_add_list_and_remove_reminders(api, owner):
    due = _future(days=2)
    task = create_task(api, title="Dentist", due_datetime=_iso(due))
    url = f"/api/todos/tasks/{task['id']}/reminders"
    at = _future(days=1)
    absolute = api.post(url, {"at": _iso(at)}, format="json")
    assert absolute.status_code == 201, absolute.content
    body = absolute.json()
    assert (body["kind"], body["at"], body["fire_at"], body["sent_at"]) == ("absolute", _iso(at), _iso(at), None)
    relative = api.post(url, {"offset_minutes": 30}, format="json").json()
    assert (relative["kind"], relative["offset_minutes"], relative["fire_at"]) == (
        "relative",
        30,
        _iso(due - timedelta(minutes=30)),
    )
    listed = api.get(url).json()["results"]
    assert [r["id"] for r in listed] == [body["id"], relative["id"]]  # soonest first
    stored = {r.reminder_id: r for r in _stored(owner, task["id"])}
    assert stored[body["id"]].fire_minute == at.strftime("%Y-%m-%dT%H:%M")
    assert stored[body["id"]].fire_sort == f"{_iso(at)}#{owner}#{body['id']}"

    assert api.delete(f"{url}/{body['id']}").status_code == 204
    assert [r["id"] for r in api.get(url).json()["results"]] == [relative["id"]]
    missing = api.delete(f"{url}/{body['id']}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "reminder_not_found")


def test_refusals_write_nothing(api, other_api, owner):
    undated = create_task(api, title="Someday")
    url = f"/api/todos/tasks/{undated['id']}/reminders"
    no_due = api.post(url, {"offset_minutes": 30}, format="json")
    assert (no_due.status_code, no_due.json()["error"]["fields"]) == (
        422,
        {"offset_minutes": no_due.json()["error"]["fields"]["offset_minutes"]},
    )
    past = api.post(url, {"at": _iso(datetime.now(UTC) - timedelta(minutes=5))}, format="json")
    assert (past.status_code, past.json()["error"]["code"]) == (422, "unprocessable")
    neither = api.post(url, {}, format="json")
    assert neither.status_code == 400
    both = api.post(url, {"at": _iso(_future(days=1)), "offset_minutes": 5}, format="json")
    assert both.status_code == 400
    too_far = api.post(url, {"offset_minutes": 10081}, format="json")
    assert too_far.status_code == 400
    assert "offset_minutes" in too_far.json()["error"]["fields"]
    bad = api.post(url, {"at": "tomorrow"}, format="json")
    assert bad.status_code == 400
    assert _stored(owner, undated["id"]) == []

    for minutes in range(10):
        assert api.post(url, {"at": _iso(_future(days=1, minutes=minutes))}, format="json").status_code == 201
    eleventh = api.post(url, {"at": _iso(_future(days=2))}, format="json")
    assert (eleventh.status_code, eleventh.json()["error"]["code"]) == (422, "unprocessable")
    assert len(_stored(owner, undated["id"])) == 10

    for method, target, data in (
        ("get", url, None),
        ("post", url, {"at": _iso(_future(days=3))}),
        ("delete", f"{url}/{_stored(owner, undated['id'])[0].reminder_id}", None),
    ):
        response = getattr(other_api, method)(target, data, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "task_not_found")
    assert len(_stored(owner, undated["id"])) == 10


def test_a_reminder_is_within_the_due_dates_years_and_the_last_one_shows_in_a_zone_east_of_utc(api, owner, page):
    due = datetime(2999, 12, 31, 12, tzinfo=UTC)
    task = services.task_create(owner=owner, title="Far", due_datetime=due, due_timezone="Asia/Tokyo")
    url = f"/api/todos/tasks/{task.task_id}/reminders"
    for at in ("9999-12-31T23:59:59Z", "3000-01-01T00:00:00Z", "3000-01-01T09:00:00"):  # the last one in Tokyo
        refused = api.post(url, {"at": at}, format="json")
        assert (refused.status_code, list(refused.json()["error"]["fields"])) == (422, ["at"]), at
    assert _stored(owner, task.task_id) == []
    assert api.post(url, {"at": "2999-12-31T23:59:00Z"}, format="json").status_code == 201
    details = page.get(f"/todos/?open={task.task_id}")
    assert details.status_code == 200
    assert "Wed 1 Jan 3000 08:59 JST" in details.content.decode()


def test_a_time_without_a_zone_is_read_in_the_task_zone_else_the_profile_zone(owner, page):
    from accounts import services as accounts

    accounts.profile_update(sub=owner, time_zone="Asia/Tokyo")
    local = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None, second=0, microsecond=0)
    plain = services.task_create(owner=owner, title="No due")
    reminder = reminder_services.reminder_create(owner=owner, task_id=plain.task_id, at=local + timedelta(days=2))
    assert reminder.at == (local + timedelta(days=2)).replace(tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)
    details = page.get(f"/todos/?open={plain.task_id}").content.decode()
    assert 'Remind at (<span class="tz-name">Asia/Tokyo</span>)' in details

    due = datetime.now(UTC) + timedelta(days=3)
    dated = services.task_create(owner=owner, title="Due in Lima", due_datetime=due, due_timezone="America/Lima")
    reminder = reminder_services.reminder_create(owner=owner, task_id=dated.task_id, at=local + timedelta(days=2))
    assert reminder.at == (local + timedelta(days=2)).replace(tzinfo=ZoneInfo("America/Lima")).astimezone(UTC)


def test_every_write_bumps_the_read_cache(api, owner):
    from mysite import cache

    task = create_task(api, title="Cached")
    before = cache.stamp_get(cache.user_scope(owner)).token
    created = api.post(f"/api/todos/tasks/{task['id']}/reminders", {"at": _iso(_future(days=1))}, format="json")
    after_create = cache.stamp_get(cache.user_scope(owner)).token
    assert after_create != before
    api.delete(f"/api/todos/tasks/{task['id']}/reminders/{created.json()['id']}")
    assert cache.stamp_get(cache.user_scope(owner)).token != after_create


# --- Sending -------------------------------------------------------------------------------------


def test_the_handler_is_scheduled_every_minute():
    schedules = [s for s in EVENT_SOURCES if getattr(s, "rate", None)]
    assert [(s.function, s.seconds) for s in schedules] == [("todos.events.reminders_due_handler", 60)]


def test_a_due_reminder_is_mailed_once_with_open_and_snooze_links(user, owner, client, settings):
    at = _future(hours=3)
    task = services.task_create(owner=owner, title="Call <Ann>")
    reminder = reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=at)

    assert reminders_due_handler({}, None, now=at - timedelta(seconds=1)) == {"reminders_sent": 0}
    assert _mails(user) == []
    assert reminders_due_handler({}, None, now=at + timedelta(seconds=20))["reminders_sent"] == 1
    assert reminders_due_handler({}, None, now=at + timedelta(seconds=50))["reminders_sent"] == 0
    assert reminders_due_handler({}, None, now=at + timedelta(minutes=5))["reminders_sent"] == 0
    mails = _mails(user)
    assert [m.subject for m in mails] == ["Reminder: Call <Ann>"]
    assert f"{settings.SITE_URL}/todos/?open={task.task_id}" in mails[0].body
    stored = _stored(owner, task.task_id)[0]
    assert stored.sent_at is not None
    assert stored.fire_minute is None
    assert stored.fire_sort is None
    assert stored.claimed_until is None

    token = re.search(r"/todos/reminders/snooze/(\S+)", mails[0].body).group(1)
    page = client.get(f"/todos/reminders/snooze/{token}")
    assert page.status_code == 200
    assert b"Snooze 1 hour" in page.content
    assert _stored(owner, task.task_id)[0].sent_at == stored.sent_at  # a GET changes nothing
    account_services.profile_update(sub=owner, time_zone="Asia/Tokyo")
    snoozed = client.post(f"/todos/reminders/snooze/{token}")
    assert snoozed.status_code == 200
    again = _stored(owner, task.task_id)[0]
    assert again.reminder_id == reminder.reminder_id
    assert again.sent_at is None
    assert again.fire_at > datetime.now(UTC) + timedelta(minutes=59)
    assert again.fire_minute == again.fire_at.strftime("%Y-%m-%dT%H:%M")
    zone = reminder_services.reminder_zone(owner=owner, task=Task.get(owner, task.task_id))
    when = again.fire_at.astimezone(zone).strftime("%a %-d %b %Y %H:%M %Z")
    assert when.endswith(" JST")
    assert f"you will be reminded again on {when}." in snoozed.content.decode()  # in the owner's zone, not UTC

    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        refused = client.post(f"/todos/reminders/snooze/{bad}")
        assert refused.status_code == 400
        assert client.get(f"/todos/reminders/snooze/{bad}").status_code == 400
    other_salt = signing.dumps({"o": owner, "t": task.task_id, "r": reminder.reminder_id}, salt="another")
    assert client.post(f"/todos/reminders/snooze/{other_salt}").status_code == 400
    assert _stored(owner, task.task_id)[0].fire_at == again.fire_at


def test_an_expired_snooze_link_is_refused(owner, client, monkeypatch):
    task = services.task_create(owner=owner, title="Old link")
    reminder = reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=_future(hours=1))
    signed_at = time.time() - 8 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: signed_at)  # the signer's clock, a week and a day ago
    aged = reminder_services.snooze_token(reminder)
    monkeypatch.undo()
    response = client.post(f"/todos/reminders/snooze/{aged}")
    assert response.status_code == 400
    assert b"not valid or has expired" in response.content
    assert _stored(owner, task.task_id)[0].fire_at == reminder.fire_at


def test_concurrent_dispatchers_send_once(user, owner):
    at = _future(hours=4)
    task = services.task_create(owner=owner, title="Race")
    reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=at)
    results = []
    start = threading.Barrier(4)

    def run():
        start.wait()
        results.append(reminders_due_handler({}, None, now=at + timedelta(seconds=5))["reminders_sent"])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert len(_mails(user)) == 1


def test_a_missed_minute_is_caught_up_and_gone_or_done_tasks_are_skipped(user, owner):
    at = _future(hours=5)
    late = services.task_create(owner=owner, title="Late")
    done = services.task_create(owner=owner, title="Done already")
    removed = services.task_create(owner=owner, title="Deleted reminder")
    deleted = services.task_create(owner=owner, title="Deleted task")
    for task in (late, done, removed, deleted):
        reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=at)
    services.task_complete(owner=owner, task_id=done.task_id)
    services.task_delete(owner=owner, task_id=deleted.task_id)
    gone = _stored(owner, removed.task_id)[0]
    reminder_services.reminder_delete(owner=owner, task_id=removed.task_id, reminder_id=gone.reminder_id)

    assert reminders_due_handler({}, None, now=at + timedelta(minutes=12))["reminders_sent"] == 1
    assert [m.subject for m in _mails(user)] == ["Reminder: Late"]
    assert _stored(owner, done.task_id)[0].sent_at is None


def test_a_trashed_task_keeps_its_reminders_until_purged(user, owner):
    at = _future(hours=5, minutes=30)
    task = services.task_create(owner=owner, title="Trashed then back")
    sub = services.task_create(owner=owner, title="Its subtask", parent_id=task.task_id)
    reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=at)
    reminder_services.reminder_create(owner=owner, task_id=sub.task_id, at=at)
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    assert reminders_due_handler({}, None, now=at - timedelta(minutes=1))["reminders_sent"] == 0

    services.trash_restore(owner=owner, trash_id=trash_id)
    assert reminders_due_handler({}, None, now=at)["reminders_sent"] == 2
    assert sorted(m.subject for m in _mails(user)) == ["Reminder: Its subtask", "Reminder: Trashed then back"]

    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    services.trash_purge(owner=owner, trash_id=trash_id)
    assert _stored(owner, task.task_id) == []
    assert _stored(owner, sub.task_id) == []


def test_a_failed_send_releases_the_claim(user, owner, settings):
    at = _future(hours=6)
    task = services.task_create(owner=owner, title="Flaky mail")
    reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=at)
    settings.EMAIL_BACKEND = "tests.todos.test_reminders.FailingBackend"
    assert reminders_due_handler({}, None, now=at)["reminders_sent"] == 0
    stored = _stored(owner, task.task_id)[0]
    assert stored.claimed_until is None
    assert stored.sent_at is None
    settings.EMAIL_BACKEND = "mysite.mail.MailboxBackend"
    assert reminders_due_handler({}, None, now=at + timedelta(minutes=1))["reminders_sent"] == 1
    assert len(_mails(user)) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("the mail service is down")


# --- Following the task --------------------------------------------------------------------------


def test_a_recurring_task_moves_its_reminders_unsent_again(user, owner):
    due = _future(days=1).replace(hour=9, minute=0)
    task = services.task_create(owner=owner, title="Standup", due_datetime=due, recurrence="FREQ=DAILY")
    relative = reminder_services.reminder_create(owner=owner, task_id=task.task_id, offset_minutes=15)
    absolute = reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=due - timedelta(hours=2))
    # The dispatcher serves every user: other tests' reminders may share the minute, so count this task's.
    assert reminders_due_handler({}, None, now=due - timedelta(hours=2))["reminders_sent"] >= 1
    assert _sent_ids(owner, task.task_id) == [absolute.reminder_id]

    services.task_complete(owner=owner, task_id=task.task_id)
    moved = {r.reminder_id: r for r in _stored(owner, task.task_id)}
    assert moved[relative.reminder_id].fire_at == due + timedelta(days=1, minutes=-15)
    assert moved[absolute.reminder_id].fire_at == due + timedelta(days=1, hours=-2)
    assert moved[absolute.reminder_id].at == due + timedelta(days=1, hours=-2)
    assert all(r.sent_at is None and r.fire_minute for r in moved.values())
    reminders_due_handler({}, None, now=due + timedelta(days=1, hours=-2))
    assert _sent_ids(owner, task.task_id) == [absolute.reminder_id]
    reminders_due_handler({}, None, now=due + timedelta(days=1, minutes=-15))
    assert sorted(_sent_ids(owner, task.task_id)) == sorted([absolute.reminder_id, relative.reminder_id])
    assert len(_mails(user)) == 3


def test_a_due_change_recomputes_relative_reminders(owner):
    due = _future(days=3)
    task = services.task_create(owner=owner, title="Moved", due_datetime=due)
    relative = reminder_services.reminder_create(owner=owner, task_id=task.task_id, offset_minutes=60)
    absolute = reminder_services.reminder_create(owner=owner, task_id=task.task_id, at=due - timedelta(days=1))
    services.task_update(owner=owner, task_id=task.task_id, due_datetime=due + timedelta(hours=5))
    after = {r.reminder_id: r for r in _stored(owner, task.task_id)}
    assert after[relative.reminder_id].fire_at == due + timedelta(hours=4)
    assert after[relative.reminder_id].fire_minute == (due + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    assert after[absolute.reminder_id].fire_at == due - timedelta(days=1)

    services.task_update(owner=owner, task_id=task.task_id, due_datetime=None)
    dormant = {r.reminder_id: r for r in _stored(owner, task.task_id)}[relative.reminder_id]
    assert (dormant.fire_at, dormant.fire_minute) == (None, None)


# --- The details panel ---------------------------------------------------------------------------


def test_the_panel_adds_lists_and_removes_reminders(page, owner):
    task = services.task_create(owner=owner, title="Panel", due_datetime=_future(days=2))
    current = f"/todos/?open={task.task_id}"
    shown = page.get(current).content.decode()
    assert f'<label for="reminder-at-{task.task_id}">' in shown
    assert f'<label for="reminder-offset-{task.task_id}">' in shown
    added = htmx_post(page, f"/todos/tasks/{task.task_id}/reminders", {"offset_minutes": "30"}, current=current)
    assert added.status_code == 200
    assert "30 min before due" in added.content.decode()
    local = _future(days=1).strftime("%Y-%m-%dT%H:%M")
    htmx_post(page, f"/todos/tasks/{task.task_id}/reminders", {"at": local}, current=current)
    stored = _stored(owner, task.task_id)
    assert sorted(r.kind for r in stored) == ["absolute", "relative"]

    refused = htmx_post(page, f"/todos/tasks/{task.task_id}/reminders", {"at": "2001-01-01T10:00"}, current=current)
    assert refused.status_code == 200  # an htmx refusal is the app with its message, as every action's
    body = refused.content.decode()
    # Said at the reminder form, with the time typed kept, and not again at the top of the app.
    said = re.search(rf'<p class="field-error" id="reminder-{task.task_id}-error" role="alert">([^<]*)</p>', body)
    assert "in the past" in said.group(1)
    assert body.count("in the past") == 1
    assert 'name="at" value="2001-01-01T10:00"' in body
    empty = htmx_post(page, f"/todos/tasks/{task.task_id}/reminders", {}, current=current).content.decode()
    assert f'id="reminder-{task.task_id}-error" role="alert">Give a date and time' in empty
    assert len(_stored(owner, task.task_id)) == 2

    first = stored[0].reminder_id
    removed = htmx_post(page, f"/todos/tasks/{task.task_id}/reminders/{first}/delete", current=current)
    assert f'id="reminder-{first}"' not in removed.content.decode()
    assert [r.reminder_id for r in _stored(owner, task.task_id)] != [first]
    assert len(_stored(owner, task.task_id)) == 1


def test_a_typed_time_is_in_the_browsers_zone_when_neither_the_task_nor_the_profile_names_one(page, owner):
    task = services.task_create(owner=owner, title="Zoneless")
    current = f"/todos/?open={task.task_id}"
    shown = page.get(current).content.decode()
    assert '<span class="tz-name" data-browser>UTC</span>' in shown  # todos.js puts the browser's zone there
    typed = {"at": "2031-01-10T10:00", "time_zone": "Europe/Paris"}
    htmx_post(page, f"/todos/tasks/{task.task_id}/reminders", typed, current=current)
    [reminder] = _stored(owner, task.task_id)
    assert reminder.fire_at == datetime(2031, 1, 10, 9, 0, tzinfo=UTC)  # 10:00 in Paris

    # A zone of the profile's wins over the browser's, and the label names it for good.
    account_services.profile_update(sub=owner, time_zone="Asia/Tokyo")
    other = services.task_create(owner=owner, title="Profiled")
    assert '<span class="tz-name">Asia/Tokyo</span>' in page.get(f"/todos/?open={other.task_id}").content.decode()
    at = datetime(2031, 1, 10, 10, 0)
    reminder_services.reminder_create(owner=owner, task_id=other.task_id, at=at, fallback_time_zone="Europe/Paris")
    [tokyo] = _stored(owner, other.task_id)
    assert tokyo.fire_at == datetime(2031, 1, 10, 1, 0, tzinfo=UTC)
