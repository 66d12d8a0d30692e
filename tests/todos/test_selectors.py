from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import dynamodb_calls
from todos import selectors, services
from todos.selectors import TaskQuery


def test_listing_open_tasks_is_one_query_per_page_and_a_repeat_is_free(owner):
    todo_list = services.list_create(owner=owner, name="Groceries")
    for i in range(5):
        services.task_create(owner=owner, title=f"item {i}", list_id=todo_list.list_id)
    query = TaskQuery(list_id=todo_list.list_id, done=False)

    # Every read outside a request checks the user's stamp (one GetItem) before the cache.
    with dynamodb_calls() as calls:
        first, cursor = selectors.task_search(owner=owner, query=query, limit=3)
    assert calls == ["GetItem", "Query"]
    assert [t.title for t in first] == ["item 0", "item 1", "item 2"]

    with dynamodb_calls() as calls:
        second, end = selectors.task_search(owner=owner, query=query, limit=3, cursor=cursor)
    assert calls == ["GetItem", "Query"]
    assert ([t.title for t in second], end) == (["item 3", "item 4"], None)

    with dynamodb_calls() as calls:
        again, _ = selectors.task_search(owner=owner, query=query, limit=3)
    assert calls == ["GetItem"]
    assert [t.title for t in again] == ["item 0", "item 1", "item 2"]


def test_a_write_invalidates_the_cached_reads(owner):
    task = services.task_create(owner=owner, title="before")
    assert selectors.task_get(owner=owner, task_id=task.task_id).title == "before"
    services.task_update(owner=owner, task_id=task.task_id, title="after")
    with dynamodb_calls() as calls:
        assert selectors.task_get(owner=owner, task_id=task.task_id).title == "after"
    assert calls == ["GetItem", "GetItem"]  # the stamp, then the task


def test_repeated_api_read_reads_only_the_stamp(bearer_client, user):
    client = bearer_client(user)
    created = client.post("/api/todos/tasks", {"title": "cached"}, format="json").json()
    first = client.get("/api/todos/tasks", {"list_id": "inbox", "done": "false"})
    with dynamodb_calls() as calls:
        second = client.get("/api/todos/tasks", {"list_id": "inbox", "done": "false"})
    assert calls == ["GetItem"]  # the user's stamp: the caller's profile (bearer auth) is cached under it too
    assert second.json() == first.json()
    assert [t["id"] for t in second.json()["results"]] == [created["id"]]


def test_sync_returns_changes_and_tombstones_since_the_token(owner):
    kept = services.task_create(owner=owner, title="kept")
    gone = services.task_create(owner=owner, title="gone")
    full = selectors.changes_since(owner=owner, token=None)
    assert full.full is True
    assert {t.title for t in full.tasks} == {"kept", "gone"}
    assert [x.list_id for x in full.lists] == ["inbox"]

    # A token from before the changes below (the API's tokens lag the clock a little).
    token = selectors.sync_token(owner=owner, since=datetime.now(UTC) - timedelta(milliseconds=1))
    services.task_update(owner=owner, task_id=kept.task_id, title="kept, renamed")
    services.task_delete(owner=owner, task_id=gone.task_id)
    new_list = services.list_create(owner=owner, name="New")
    changes = selectors.changes_since(owner=owner, token=token)
    assert changes.full is False
    assert [t.title for t in changes.tasks] == ["kept, renamed"]
    assert [x.name for x in changes.lists] == [new_list.name]
    assert [(t.kind, t.item_id) for t in changes.deleted] == [("task", gone.task_id)]
    assert selectors.sync_token_decode(changes.token, owner=owner) is not None


def test_a_token_older_than_the_tombstones_asks_for_a_full_sync(owner):
    services.task_create(owner=owner, title="x")
    ancient = selectors.sync_token(owner=owner, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert selectors.changes_since(owner=owner, token=ancient).full is True


def test_a_task_create_checks_its_list_inside_the_write(bearer_client, user):
    client = bearer_client(user)
    errands = client.post("/api/todos/lists", {"name": "Errands"}, format="json").json()
    client.post("/api/todos/tasks", {"title": "first", "list_id": errands["id"]}, format="json")  # makes the counters
    client.get("/api/todos/tasks", {"list_id": errands["id"]})  # warms the caller's profile
    with dynamodb_calls() as calls:
        created = client.post("/api/todos/tasks", {"title": "milk", "list_id": errands["id"]}, format="json")
    assert created.status_code == 201
    assert calls == ["GetItem", "TransactWriteItems"], calls  # the stamp, then the task with its list check
    archived = client.patch(
        f"/api/todos/lists/{errands['id']}", {"archived": True, "version": errands["version"]}, format="json"
    )
    assert archived.status_code == 200, archived.content
    refused = client.post("/api/todos/tasks", {"title": "eggs", "list_id": errands["id"]}, format="json")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "This list is archived."
    missing = client.post("/api/todos/tasks", {"title": "eggs", "list_id": "nope"}, format="json")
    assert (missing.status_code, missing.json()["error"]["message"]) == (422, "There is no such list.")
    titles = [t["title"] for t in client.get("/api/todos/tasks", {"list_id": errands["id"]}).json()["results"]]
    assert titles == ["first", "milk"]
