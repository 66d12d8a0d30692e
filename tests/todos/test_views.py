from __future__ import annotations

import re
from datetime import date

from todos import services
from todos.models import Task, TodoList


def htmx_post(client, url, data=None, *, current="/todos/"):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{current}")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/todos/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=/todos/")


def test_the_page_shows_the_inbox_and_is_never_cached(page):
    response = page.get("/todos/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="todo-title">' in body
    assert "Inbox" in body
    assert "no-store" in response["Cache-Control"]
    assert 'aria-label="New task"' in body


def test_htmx_actions_return_the_app_fragment(page, user):
    created = htmx_post(page, "/todos/tasks/new", {"title": "  Fragment  "})
    body = created.content.decode()
    assert created.status_code == 200
    assert body.lstrip().startswith('<div id="todo-app"')
    assert "<strong>1</strong> item left" in body
    task = next(Task.query(user.sub))
    assert task.title == "Fragment"

    toggled = htmx_post(page, f"/todos/tasks/{task.task_id}/toggle").content.decode()
    assert "<strong>0</strong> items left" in toggled
    assert "Clear completed" in toggled
    htmx_post(page, f"/todos/tasks/{task.task_id}/title", {"title": "Renamed"})
    assert Task.get(user.sub, task.task_id).title == "Renamed"
    htmx_post(page, f"/todos/tasks/{task.task_id}/title", {"title": "  "})
    assert list(Task.query(user.sub)) == []


def test_blank_entries_add_nothing(page, user):
    htmx_post(page, "/todos/tasks/new", {"title": "   "})
    assert list(Task.query(user.sub)) == []


def test_filters_come_from_the_page_url(page, user):
    a = services.task_create(owner=user.sub, title="open one")
    b = services.task_create(owner=user.sub, title="done one")
    services.task_complete(owner=user.sub, task_id=b.task_id)
    active = page.get("/todos/lists/inbox/?filter=active").content.decode()
    assert "open one" in active
    assert "done one" not in active
    completed = page.get("/todos/lists/inbox/?filter=completed").content.decode()
    assert "done one" in completed
    assert "open one" not in completed
    # An action keeps the filter of the page it came from.
    after = htmx_post(
        page, f"/todos/tasks/{a.task_id}/title", {"title": "still open"}, current="/todos/lists/inbox/?filter=active"
    ).content.decode()
    assert "still open" in after
    assert "done one" not in after


def test_details_save_and_validation_errors_show_in_the_app(page, user):
    task = services.task_create(owner=user.sub, title="Detailed")
    url = f"/todos/tasks/{task.task_id}/details"
    current = f"/todos/lists/inbox/?open={task.task_id}"
    form = {
        "notes": "**bold** <script>alert(1)</script>",
        "due_date": "2020-01-01",
        "due_time": "",
        "priority": "3",
        "labels": "a, b",
        "recurrence": "",
        "list_id": "inbox",
    }
    body = htmx_post(page, url, form, current=current).content.decode()
    assert "<strong>bold</strong>" in body
    assert "<script>alert" not in body
    stored = Task.get(user.sub, task.task_id)
    assert (stored.due_date, stored.priority, stored.labels) == ("2020-01-01", 3, ["a", "b"])
    assert 'class="todo overdue' in body or " overdue" in body

    bad = htmx_post(page, url, {**form, "recurrence": "FREQ=SOMETIMES"}, current=current).content.decode()
    assert 'role="alert"' in bad
    assert "RRULE" in bad
    assert Task.get(user.sub, task.task_id).recurrence is None

    # The Repeat field takes words, and shows a rule it can say in words as those words.
    worded = htmx_post(page, url, {**form, "recurrence": "every Tuesday"}, current=current).content.decode()
    assert Task.get(user.sub, task.task_id).recurrence == "FREQ=WEEKLY;BYDAY=TU"
    assert 'name="recurrence" value="every Tuesday"' in worded
    assert ", repeats every Tuesday</span>" in worded
    services.task_update(owner=user.sub, task_id=task.task_id, recurrence="FREQ=WEEKLY;BYDAY=MO,FR")
    ruled = page.get(current).content.decode()
    assert 'name="recurrence" value="FREQ=WEEKLY;BYDAY=MO,FR"' in ruled
    assert "Repeats every week on Monday and Friday." in ruled


def test_subtasks_reorder_and_lists(page, user):
    first = services.task_create(owner=user.sub, title="first")
    second = services.task_create(owner=user.sub, title="second")
    htmx_post(page, f"/todos/tasks/{second.task_id}/up")
    assert [t.title for t in Task.by_list.query(f"{user.sub}#inbox")] == ["second", "first"]
    htmx_post(page, "/todos/lists/inbox/reorder", {"ids": [first.task_id, second.task_id]})
    assert [t.title for t in Task.by_list.query(f"{user.sub}#inbox")] == ["first", "second"]

    htmx_post(page, f"/todos/tasks/{first.task_id}/subtasks", {"title": "child"})
    child = next(t for t in Task.query(user.sub) if t.title == "child")
    assert child.parent_id == first.task_id

    made = htmx_post(page, "/todos/lists/new", {"name": "Errands", "colour": "green"}).content.decode()
    errands = next(x for x in TodoList.query(user.sub) if x.name == "Errands")
    assert "Errands</h1>" in made
    htmx_post(page, f"/todos/lists/{errands.list_id}/delete", current=f"/todos/lists/{errands.list_id}/")
    assert [x.name for x in TodoList.query(user.sub)] == ["Inbox"]


def test_today_and_label_views(page, user):
    services.task_create(owner=user.sub, title="overdue thing", due_date=date(2020, 1, 1), labels=["work"])
    services.task_create(owner=user.sub, title="someday")
    today = page.get("/todos/today/").content.decode()
    assert "overdue thing" in today
    assert "someday" not in today
    labelled = page.get("/todos/labels/work/").content.decode()
    assert "overdue thing" in labelled
    assert "someday" not in labelled


def test_another_users_task_is_not_found(page, make_user):
    theirs = services.task_create(owner=make_user().sub, title="theirs")
    assert page.post(f"/todos/tasks/{theirs.task_id}/toggle").status_code == 404
    assert page.get("/todos/lists/not-mine/").status_code == 404
    assert Task.get(theirs.owner, theirs.task_id).done is False


def test_a_bad_repeat_rule_and_a_bad_time_zone_are_both_reported_and_what_was_typed_is_kept(page, user):
    task = services.task_create(owner=user.sub, title="Weekly review", notes="original notes")
    form = {
        "notes": "typed notes, not saved yet",
        "due_date": "2030-05-06",
        "due_time": "09:30",
        "due_timezone": "Mars/Olympus",
        "priority": "3",
        "labels": "work, review",
        "recurrence": "FREQ=WEEKLY;BYDAY=XX",
        "list_id": "inbox",
    }
    response = htmx_post(
        page, f"/todos/tasks/{task.task_id}/details", form, current=f"/todos/lists/inbox/?open={task.task_id}"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="rrule-{task.task_id}-error"' in body
    assert f'id="tz-{task.task_id}-error"' in body
    assert "This repeat rule is not valid" in body
    assert "Unknown time zone" in body
    # No Python exception text reaches the page.
    assert "invalid weekday" not in body.lower()
    assert "Traceback" not in body
    # What was typed is still in the form.
    assert ">typed notes, not saved yet</textarea>" in body
    assert 'value="FREQ=WEEKLY;BYDAY=XX"' in body
    assert 'value="Mars/Olympus"' in body
    assert 'value="2030-05-06"' in body
    assert 'value="09:30"' in body
    assert 'value="work, review"' in body
    assert '<option value="3" selected>' in body
    stored = Task.get(user.sub, task.task_id)
    assert (stored.notes, stored.recurrence, stored.due_date, stored.priority) == ("original notes", None, None, 1)


def test_a_priority_in_non_ascii_digits_is_a_form_message_not_a_500(page, user):
    task = services.task_create(owner=user.sub, title="Odd digits")
    response = htmx_post(
        page,
        f"/todos/tasks/{task.task_id}/details",
        {"priority": "²", "list_id": "inbox"},
        current=f"/todos/lists/inbox/?open={task.task_id}",
    )
    assert response.status_code == 200
    assert "Priority" in response.content.decode()
    assert Task.get(user.sub, task.task_id).priority == 1


def _details_form(task, **changes) -> dict:
    form = {
        "notes": task.notes,
        "due_date": "",
        "due_time": "",
        "due_timezone": "",
        "priority": str(task.priority),
        "labels": ", ".join(task.labels),
        "recurrence": "",
        "list_id": task.list_id,
        "version": str(task.version),
    }
    return {**form, **changes}


def test_the_details_form_carries_the_tasks_version(page, user):
    task = services.task_create(owner=user.sub, title="Versioned")
    body = page.get(f"/todos/lists/inbox/?open={task.task_id}").content.decode()
    assert f'<input type="hidden" name="version" value="{task.version}">' in body


def test_a_stale_details_save_changes_nothing_and_shows_the_saved_and_the_typed_values(page, user):
    task = services.task_create(owner=user.sub, title="Two tabs")
    url, current = f"/todos/tasks/{task.task_id}/details", f"/todos/lists/inbox/?open={task.task_id}"
    # Tab A saves notes; tab B still holds the form of the version before.
    saved = htmx_post(page, url, _details_form(task, notes="notes from tab A"), current=current)
    assert saved.status_code == 200
    assert Task.get(user.sub, task.task_id).notes == "notes from tab A"

    stale = htmx_post(page, url, _details_form(task, notes="typed in tab B", priority="3"), current=current)
    body = stale.content.decode()
    stored = Task.get(user.sub, task.task_id)
    assert (stored.notes, stored.priority, stored.version) == ("notes from tab A", 1, task.version + 1)
    assert stale.status_code == 200
    assert "saved elsewhere" in body
    # The form shows what is saved now, with the version it now has ...
    assert ">notes from tab A</textarea>" in body
    assert f'<input type="hidden" name="version" value="{stored.version}">' in body
    # ... and what was typed is beside it, field by field, nothing lost.
    assert f'id="stale-typed-notes-{task.task_id}">typed in tab B</span>' in body
    assert f'id="stale-saved-notes-{task.task_id}">notes from tab A</span>' in body
    assert f'id="stale-typed-priority-{task.task_id}">3</span>' in body
    assert f'id="stale-typed-labels-{task.task_id}"' not in body  # unchanged fields are not listed
    # "Save what I typed instead" posts the typed values with the current version: that save goes through.
    assert '<input type="hidden" name="notes" value="typed in tab B">' in body
    mine = htmx_post(page, url, _details_form(stored, notes="typed in tab B", priority="3"), current=current)
    assert mine.status_code == 200
    assert "saved elsewhere" not in mine.content.decode()
    stored = Task.get(user.sub, task.task_id)
    assert (stored.notes, stored.priority) == ("typed in tab B", 3)


def test_a_stale_plain_form_post_answers_409_with_the_whole_page(page, user):
    task = services.task_create(owner=user.sub, title="No script")
    services.task_update(owner=user.sub, task_id=task.task_id, notes="saved meanwhile")
    response = page.post(
        f"/todos/tasks/{task.task_id}/details",
        _details_form(task, notes="typed without htmx"),
        HTTP_REFERER=f"http://testserver/todos/lists/inbox/?open={task.task_id}",
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert ">saved meanwhile</textarea>" in body
    assert "typed without htmx" in body
    assert Task.get(user.sub, task.task_id).notes == "saved meanwhile"


def test_a_malformed_form_version_is_a_message_and_changes_nothing(page, user):
    task = services.task_create(owner=user.sub, title="Odd version", notes="kept")
    response = htmx_post(
        page,
        f"/todos/tasks/{task.task_id}/details",
        _details_form(task, notes="changed", version="9" * 5000),
        current=f"/todos/lists/inbox/?open={task.task_id}",
    )
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    assert Task.get(user.sub, task.task_id).notes == "kept"


def test_an_inline_rename_carries_the_version_and_a_stale_one_changes_nothing(page, user):
    task = services.task_create(owner=user.sub, title="Original")
    body = page.get("/todos/").content.decode()
    assert f'data-version="{task.version}"' in body
    services.task_update(owner=user.sub, task_id=task.task_id, notes="saved in another tab")
    stale = htmx_post(page, f"/todos/tasks/{task.task_id}/title", {"title": "Renamed", "version": str(task.version)})
    text = stale.content.decode()
    assert stale.status_code == 200
    assert "changed elsewhere" in text
    assert "renamed to “Renamed”" in text
    stored = Task.get(user.sub, task.task_id)
    assert (stored.title, stored.notes) == ("Original", "saved in another tab")
    # A stale emptied title deletes nothing either; a current one renames.
    htmx_post(page, f"/todos/tasks/{task.task_id}/title", {"title": "", "version": str(task.version)})
    assert Task.get(user.sub, task.task_id).title == "Original"
    htmx_post(page, f"/todos/tasks/{task.task_id}/title", {"title": "Renamed", "version": str(stored.version)})
    assert Task.get(user.sub, task.task_id).title == "Renamed"


def test_a_list_page_shows_the_list_from_the_sidebar_and_an_archived_one_on_its_own(page, user):
    errands = services.list_create(owner=user.sub, name="Errands")
    services.task_create(owner=user.sub, title="milk", list_id=errands.list_id)
    heading = 'aria-hidden="true"></span>Errands</h1>'
    shown = page.get(f"/todos/lists/{errands.list_id}/").content.decode()
    assert heading in shown
    assert "milk" in shown
    services.list_update(owner=user.sub, list_id=errands.list_id, archived=True)
    archived = page.get(f"/todos/lists/{errands.list_id}/")
    assert archived.status_code == 200
    assert heading in archived.content.decode()
    assert page.get("/todos/lists/no-such-list/").status_code == 404


def test_a_due_date_past_the_due_years_is_read_as_words_by_quick_add_and_a_message_in_details(page, user):
    """Quick add keeps words it cannot take as a date in the title; the details form says why; no 500."""
    text = "Far future Dec 31 9999 11pm every day"
    added = htmx_post(page, "/todos/tasks/new", {"title": text})
    assert added.status_code == 200
    [task] = Task.query(user.sub)
    assert (task.title, task.due_date, task.due_datetime, task.recurrence) == (text, None, None, None)

    form = _details_form(task, due_date="9999-12-31", due_time="23:30", due_timezone="America/Los_Angeles")
    saved = htmx_post(
        page, f"/todos/tasks/{task.task_id}/details", form, current=f"/todos/lists/inbox/?open={task.task_id}"
    )
    body = saved.content.decode()
    assert saved.status_code == 200
    assert "between the years 1900 and 2999" in body
    assert 'value="9999-12-31"' in body
    stored = Task.get(user.sub, task.task_id)
    assert (stored.due_date, stored.due_datetime, stored.version) == (None, None, task.version)


def test_a_refused_new_list_is_said_by_the_sidebar_form_with_what_was_typed(page, user):
    current = "/todos/lists/inbox/"
    blank = htmx_post(page, "/todos/lists/new", {"name": "   ", "colour": "green"}, current=current).content.decode()
    said = re.search(r'<p class="field-error" id="new-list-error" role="alert">([^<]*)</p>', blank)
    assert said.group(1) == "A list needs a name."
    assert blank.count("A list needs a name.") == 1  # not again in the list's panel
    assert '<option value="green" selected>' in blank
    long = htmx_post(page, "/todos/lists/new", {"name": "x" * 130}, current=current).content.decode()
    assert 'aria-describedby="new-list-error"' in long
    assert f'value="{"x" * 130}"' in long
    assert [x.name for x in TodoList.query(user.sub)] == ["Inbox"]


def test_a_details_save_that_names_a_list_gone_meanwhile_saves_nothing(page, user):
    task = services.task_create(owner=user.sub, title="Moving")
    gone = services.list_create(owner=user.sub, name="Gone soon")
    archived = services.list_create(owner=user.sub, name="Archived")
    services.list_update(owner=user.sub, list_id=archived.list_id, archived=True)
    services.list_delete(owner=user.sub, list_id=gone.list_id)  # in another tab
    url, current = f"/todos/tasks/{task.task_id}/details", f"/todos/lists/inbox/?open={task.task_id}"
    for list_id, message in ((gone.list_id, "There is no such list."), (archived.list_id, "This list is archived.")):
        form = _details_form(task, notes="typed", priority="3", list_id=list_id)
        shown = htmx_post(page, url, form, current=current)
        assert shown.status_code == 200
        assert message in shown.content.decode()
        stored = Task.get(user.sub, task.task_id)
        assert (stored.notes, stored.priority, stored.version, stored.list_id) == ("", task.priority, 1, task.list_id)


def test_a_repeat_more_often_than_daily_is_a_message_at_its_field_beside_the_others(page, user):
    task = services.task_create(owner=user.sub, title="Hourly", due_date=date(2030, 1, 1))
    form = _details_form(task, due_date="2030-01-01", recurrence="FREQ=HOURLY", priority="9")
    shown = htmx_post(page, f"/todos/tasks/{task.task_id}/details", form, current=f"/todos/?open={task.task_id}")
    body = shown.content.decode()
    assert "A task repeats daily at the most often" in body
    assert "Priority is P1 (normal) to P4 (urgent)." in body  # both problems at once, nothing saved
    assert Task.get(user.sub, task.task_id).version == task.version
