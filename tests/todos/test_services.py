from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest

from mysite import storage
from tests.todos.conftest import upload
from todos import selectors, services
from todos.errors import InvalidTask, ListNotFound, TaskNotFound, TaskRuleBroken, VersionConflict
from todos.models import Task, TodoList
from todos.selectors import TaskQuery


def tasks_in(owner: str, list_id: str = "inbox") -> list[str]:
    return [t.title for t in Task.by_list.query(f"{owner}#{list_id}", consistent_read=False)]


def test_create_trims_the_title_and_lands_in_the_inbox(owner):
    task = services.task_create(owner=owner, title="  Buy   milk ", labels=["@home", "home", " errands "], priority=3)
    stored = Task.get(owner, task.task_id)
    assert (stored.title, stored.list_id, stored.priority, stored.labels) == (
        "Buy milk",
        "inbox",
        3,
        ["home", "errands"],
    )
    assert stored.version == 1
    assert stored.done is False
    assert TodoList.get(owner, "inbox").name == "Inbox"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x", "priority": 5}, "priority"),
        ({"title": "x", "priority": 0}, "priority"),
        ({"title": "x", "recurrence": "FREQ=NEVER"}, "recurrence"),
        ({"title": "x", "due_datetime": datetime(2025, 1, 1, 9), "due_timezone": "Mars/Base"}, "due_timezone"),
        ({"title": "x", "due_date": date(2025, 1, 1), "due_datetime": datetime(2025, 1, 1, 9)}, "due_date"),
        ({"title": "x", "labels": [" "]}, "labels"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(owner, kwargs, field):
    with pytest.raises(InvalidTask) as caught:
        services.task_create(owner=owner, **kwargs)
    assert field in caught.value.fields
    assert list(Task.query(owner)) == []


def test_unknown_list_and_recurrence_without_due_are_unprocessable(owner):
    with pytest.raises(TaskRuleBroken) as caught:
        services.task_create(owner=owner, title="x", list_id="nope")
    assert "list_id" in caught.value.fields
    with pytest.raises(TaskRuleBroken) as caught:
        services.task_create(owner=owner, title="x", recurrence="FREQ=DAILY")
    assert "recurrence" in caught.value.fields
    assert list(Task.query(owner)) == []


def test_due_datetime_is_stored_in_utc_with_its_zone(owner):
    task = services.task_create(
        owner=owner, title="Call", due_datetime=datetime(2025, 7, 1, 9, 30), due_timezone="Europe/Paris"
    )
    stored = Task.get(owner, task.task_id)
    assert stored.due_datetime == datetime(2025, 7, 1, 7, 30, tzinfo=UTC)
    assert (stored.due_timezone, stored.due_sort) == ("Europe/Paris", "2025-07-01T07:30:00Z")


def test_subtasks_go_one_level_deep_and_follow_their_parent(owner):
    work = services.list_create(owner=owner, name="Work")
    parent = services.task_create(owner=owner, title="Parent", list_id=work.list_id)
    child = services.task_create(owner=owner, title="Child", parent_id=parent.task_id)
    assert (child.list_id, child.parent_id) == (work.list_id, parent.task_id)
    with pytest.raises(TaskRuleBroken):
        services.task_create(owner=owner, title="Grandchild", parent_id=child.task_id)
    with pytest.raises(TaskRuleBroken):
        services.task_update(owner=owner, task_id=parent.task_id, parent_id=parent.task_id)

    services.task_move(owner=owner, task_id=parent.task_id, list_id="inbox")
    assert {t.title: t.list_id for t in Task.query(owner)} == {"Parent": "inbox", "Child": "inbox"}

    services.task_complete(owner=owner, task_id=parent.task_id)
    assert all(t.done for t in Task.query(owner))


def test_completing_a_recurring_task_moves_it_to_the_next_occurrence(owner):
    task = services.task_create(owner=owner, title="Water plants", due_date=date(2025, 3, 3), recurrence="FREQ=WEEKLY")
    done = services.task_complete(owner=owner, task_id=task.task_id)
    assert (done.done, done.due_date, len(done.completions), done.version) == (False, "2025-03-10", 1, 2)

    timed = services.task_create(
        owner=owner,
        title="Stand-up",
        due_datetime=datetime(2025, 3, 28, 9, 0),
        due_timezone="Europe/Paris",
        recurrence="FREQ=DAILY;COUNT=2",
    )
    moved = services.task_complete(owner=owner, task_id=timed.task_id)
    # Across the DST change the wall-clock time stays 09:00 Paris.
    assert moved.due_datetime == datetime(2025, 3, 29, 8, 0, tzinfo=UTC)
    assert moved.recurrence == "FREQ=DAILY;COUNT=1"
    finished = services.task_complete(owner=owner, task_id=timed.task_id)
    assert finished.done is True
    assert len(finished.completions) == 2


def test_reopen_and_idempotent_complete(owner):
    task = services.task_create(owner=owner, title="x")
    services.task_complete(owner=owner, task_id=task.task_id)
    again = services.task_complete(owner=owner, task_id=task.task_id)
    assert again.version == 2
    reopened = services.task_reopen(owner=owner, task_id=task.task_id)
    assert (reopened.done, reopened.completed_at, reopened.list_state) == (False, None, f"{owner}#inbox#open")


def test_stale_version_is_a_conflict_carrying_the_current_item(owner):
    task = services.task_create(owner=owner, title="v1")
    services.task_update(owner=owner, task_id=task.task_id, title="v2", expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        services.task_update(owner=owner, task_id=task.task_id, title="lost", expected_version=1)
    assert (caught.value.current.title, caught.value.current.version) == ("v2", 2)
    assert Task.get(owner, task.task_id).title == "v2"


def test_a_lost_race_is_a_conflict_not_an_overwrite(owner):
    task = services.task_create(owner=owner, title="v1")
    stale = Task.get(owner, task.task_id)
    services.task_update(owner=owner, task_id=task.task_id, title="winner")
    stale.title = "loser"
    stale.refresh_keys()
    from todos.services._common import conflict_guard

    with pytest.raises(VersionConflict) as caught, conflict_guard(stale):
        stale.save()
    assert caught.value.current.title == "winner"


def test_reorder_sets_many_positions_at_once(owner):
    a, b, c = (services.task_create(owner=owner, title=t) for t in "abc")
    services.tasks_reorder(
        owner=owner,
        items=[{"id": c.task_id, "position": 1}, {"id": a.task_id, "position": 2}, {"id": b.task_id, "position": 3}],
    )
    assert tasks_in(owner) == ["c", "a", "b"]
    with pytest.raises(TaskRuleBroken):
        services.tasks_reorder(owner=owner, items=[{"id": "missing", "position": 1}])
    with pytest.raises(VersionConflict):
        services.tasks_reorder(owner=owner, items=[{"id": a.task_id, "position": 9, "version": 1}])
    assert tasks_in(owner) == ["c", "a", "b"]


def test_toggle_all_and_clear_completed(owner):
    for title in ("a", "b", "c"):
        services.task_create(owner=owner, title=title)
    assert services.tasks_set_done(owner=owner, list_id="inbox", done=True) == 3
    assert all(t.done for t in Task.query(owner))
    services.tasks_set_done(owner=owner, list_id="inbox", done=False)
    first = next(iter(Task.query(owner)))
    services.task_complete(owner=owner, task_id=first.task_id)
    assert services.tasks_clear_completed(owner=owner, list_id="inbox") == [f"task-{first.task_id}"]
    assert sorted(tasks_in(owner)) == ["b", "c"]


def test_deleting_a_task_moves_it_with_subtasks_and_attachments_to_the_trash(owner):
    task = services.task_create(owner=owner, title="With files")
    services.task_create(owner=owner, title="Sub", parent_id=task.task_id)
    attachment, post = services.attachment_start(
        owner=owner, task_id=task.task_id, file_name="a.txt", size=5, content_type="text/plain"
    )
    upload(post.as_dict(), b"hello")
    services.attachment_complete(owner=owner, task_id=task.task_id, attachment_id=attachment.attachment_id)
    assert storage.object_head(attachment.s3_key) is not None

    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    assert list(Task.query(owner)) == []
    assert storage.object_head(attachment.s3_key) is not None  # kept while the task is in the Trash
    with pytest.raises(TaskNotFound):
        services.task_delete(owner=owner, task_id=task.task_id)
    deleted = {(t.kind, t.item_id) for t in selectors.changes_since(owner=owner, token=_old_token(owner)).deleted}
    assert ("task", task.task_id) in deleted
    assert ("attachment", attachment.attachment_id) in deleted
    services.trash_purge(owner=owner, trash_id=trash_id)
    assert storage.object_head(attachment.s3_key) is None


def _old_token(owner: str) -> str:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return selectors.sync_token(owner=owner, since=midnight)


def test_lists_update_archive_and_delete(owner):
    todo_list = services.list_create(owner=owner, name=" Work ", colour="blue")
    services.task_create(owner=owner, title="Report", list_id=todo_list.list_id)
    renamed = services.list_update(owner=owner, list_id=todo_list.list_id, name="Job", expected_version=1)
    assert (renamed.name, renamed.version) == ("Job", 2)
    with pytest.raises(VersionConflict):
        services.list_update(owner=owner, list_id=todo_list.list_id, archived=True, expected_version=1)
    with pytest.raises(InvalidTask):
        services.list_update(owner=owner, list_id=todo_list.list_id, colour="plaid")
    with pytest.raises(TaskRuleBroken):
        services.list_delete(owner=owner, list_id="inbox")
    services.list_delete(owner=owner, list_id=todo_list.list_id)
    assert list(Task.query(owner)) == []
    with pytest.raises(ListNotFound):
        selectors.list_get(owner=owner, list_id=todo_list.list_id)


def test_archived_lists_take_no_new_tasks_and_hide_from_the_sidebar(owner):
    todo_list = services.list_create(owner=owner, name="Old")
    services.list_update(owner=owner, list_id=todo_list.list_id, archived=True)
    with pytest.raises(TaskRuleBroken):
        services.task_create(owner=owner, title="x", list_id=todo_list.list_id)
    assert [x.name for x in selectors.lists_of(owner=owner)] == []
    assert [x.name for x in selectors.lists_of(owner=owner, include_archived=True)] == ["Old"]


def test_search_filters(owner):
    work = services.list_create(owner=owner, name="Work")
    services.task_create(owner=owner, title="Old report", list_id=work.list_id, due_date=date(2020, 1, 1), priority=4)
    services.task_create(owner=owner, title="Today thing", due_date=datetime.now(UTC).date(), labels=["home"])
    services.task_create(owner=owner, title="Future Report", due_date=date(2999, 1, 1), labels=["home"], priority=2)
    done = services.task_create(owner=owner, title="Done report", list_id=work.list_id)
    services.task_complete(owner=owner, task_id=done.task_id)
    services.task_create(owner=owner, title="No date")

    def titles(**query) -> list[str]:
        return [t.title for t in selectors.task_search(owner=owner, query=TaskQuery(**query))[0]]

    assert titles(overdue=True) == ["Old report"]
    assert titles(today=datetime.now(UTC).date()) == ["Today thing"]
    assert titles(due_before=date(2100, 1, 1), sort="due") == ["Old report", "Today thing"]
    assert titles(due_after=date(2100, 1, 1)) == ["Future Report"]
    assert titles(label="home", sort="due") == ["Today thing", "Future Report"]
    assert titles(text="REPORT", sort="due") == ["Old report", "Future Report", "Done report"]
    assert titles(list_id=work.list_id, done=False) == ["Old report"]
    assert titles(list_id=work.list_id, done=True) == ["Done report"]
    assert titles(priority=2) == ["Future Report"]
    assert titles(sort="priority")[:2] == ["Old report", "Future Report"]
    assert selectors.labels_with_counts(owner=owner) == [("home", 2)]


def test_cursor_pagination(owner):
    for i in range(5):
        services.task_create(owner=owner, title=f"t{i}")
    seen, cursor = [], None
    for _ in range(5):
        page, cursor = selectors.task_search(owner=owner, query=TaskQuery(list_id="inbox"), limit=2, cursor=cursor)
        seen += [t.title for t in page]
        if cursor is None:
            break
    assert seen == ["t0", "t1", "t2", "t3", "t4"]


class _InjectedFault(Exception):
    pass


@contextmanager
def dynamodb_write_fails(number: int):
    """The `number`-th DynamoDB write from now fails (as a cut connection would); the others go through."""
    from todos.models import Attachment, Tombstone

    clients = {id(c): c for c in (m._get_connection().connection.client for m in (Task, Attachment, Tombstone))}
    writes = iter(range(1, 1000))
    kinds = {"PutItem", "DeleteItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems"}

    def fail(model, **kwargs):
        if model.name in kinds and next(writes) == number:
            raise _InjectedFault(model.name)

    for client in clients.values():
        client.meta.events.register_first("before-call.dynamodb", fail)
    try:
        yield
    finally:
        for client in clients.values():
            client.meta.events.unregister("before-call.dynamodb", fail)


@pytest.mark.parametrize("failing_write", [1, 2, 3, 4])
def test_a_task_delete_that_fails_half_way_is_completed_by_its_retry(owner, failing_write):
    task = services.task_create(owner=owner, title="With files")
    subtasks = [services.task_create(owner=owner, title=f"Sub {i}", parent_id=task.task_id) for i in range(2)]
    attachment, post = services.attachment_start(
        owner=owner, task_id=task.task_id, file_name="a.txt", size=5, content_type="text/plain"
    )
    upload(post.as_dict(), b"hello")
    services.attachment_complete(owner=owner, task_id=task.task_id, attachment_id=attachment.attachment_id)

    try:
        with dynamodb_write_fails(failing_write):
            services.task_delete(owner=owner, task_id=task.task_id)
    except _InjectedFault:
        services.task_delete(owner=owner, task_id=task.task_id)  # the retry finds what is left and finishes

    from todos.models import Attachment, TrashItem

    assert list(Task.query(owner)) == []
    assert list(Attachment.query(owner)) == []
    assert storage.object_head(attachment.s3_key) is not None  # until the Trash lets go of it
    parts = {t.trash_key for t in TrashItem.query(owner, consistent_read=True)}
    trash_id = f"task-{task.task_id}"
    assert parts == {
        trash_id,
        *(f"{trash_id}/task-{s.task_id}" for s in subtasks),
        f"{trash_id}/attachment-{task.task_id}#{attachment.attachment_id}",
    }
    deleted = {(t.kind, t.item_id) for t in selectors.changes_since(owner=owner, token=_old_token(owner)).deleted}
    assert {("task", task.task_id), ("attachment", attachment.attachment_id)} <= deleted
    assert {("task", s.task_id) for s in subtasks} <= deleted


@contextmanager
def first_put_applied_but_timed_out(model):
    """The first write of a new item into `model`'s table is applied, but its answer times out: botocore retries."""
    from botocore.exceptions import ReadTimeoutError
    from botocore.httpsession import URLLib3Session

    from mysite.models import CacheStamp
    from todos.models import TodoList

    # Creates go through the read cache's transaction, on the stamps' connection.
    clients = {id(c): c for c in (m._get_connection().connection.client for m in (Task, TodoList, CacheStamp))}
    state = {"done": False}

    def writes_a_new_item(request) -> bool:
        target = request.headers.get("X-Amz-Target", b"")
        body = json.loads(request.body or b"{}")
        if target.endswith(b".PutItem"):
            return body.get("TableName") == model.Meta.table_name
        if target.endswith(b".TransactWriteItems"):  # a create with its read-cache bump
            puts = [item["Put"] for item in body.get("TransactItems", []) if "Put" in item]
            return any(put["TableName"] == model.Meta.table_name for put in puts)
        return False

    def apply_then_time_out(request, **kwargs):
        if state["done"] or not writes_a_new_item(request):
            return None
        state["done"] = True
        URLLib3Session().send(request)  # the write is applied...
        raise ReadTimeoutError(endpoint_url=request.url)  # ...but its answer never arrives

    for client in clients.values():
        client.meta.events.register_first("before-send.dynamodb", apply_then_time_out)
    try:
        yield state
    finally:
        for client in clients.values():
            client.meta.events.unregister("before-send.dynamodb", apply_then_time_out)


def test_a_create_whose_put_was_applied_but_timed_out_is_not_a_conflict(owner):
    services.inbox_ensure(owner=owner)
    with first_put_applied_but_timed_out(Task) as fault:
        task = services.task_create(owner=owner, title="Written once")
    assert fault["done"]
    assert task.title == "Written once"
    assert [t.title for t in Task.query(owner)] == ["Written once"]
    with first_put_applied_but_timed_out(TodoList) as fault:
        todo_list = services.list_create(owner=owner, name="Errands")
    assert fault["done"]
    assert todo_list.name == "Errands"
    assert "Errands" in [x.name for x in TodoList.query(owner)]
