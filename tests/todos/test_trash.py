"""The Trash: deleted tasks and lists are kept 30 days, restorable (API and services, on the local stack)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mysite import cache, storage
from tests.conftest import dynamodb_calls
from tests.todos.conftest import create_task, upload
from tests.todos.test_counts import assert_counts_match
from tests.todos.test_services import _InjectedFault, dynamodb_write_fails
from todos import selectors, services
from todos.errors import ListNotFound, TaskNotFound, TrashNotFound
from todos.models import Attachment, Task, TodoList, TrashItem


def _today():
    return datetime.now(UTC).date()


def _since_now(owner: str) -> str:
    return selectors.sync_token(owner=owner, since=datetime.now(UTC) - timedelta(seconds=5))


def _attach(owner: str, task_id: str, body: bytes = b"hello") -> Attachment:
    attachment, post = services.attachment_start(
        owner=owner, task_id=task_id, file_name="a.txt", size=len(body), content_type="text/plain"
    )
    upload(post.as_dict(), body)
    return services.attachment_complete(owner=owner, task_id=task_id, attachment_id=attachment.attachment_id)


def _stored(owner: str) -> dict[str, Task]:
    return {t.task_id: t for t in Task.query(owner, consistent_read=True)}


def _snapshot(owner: str) -> list[dict]:
    """Every item of the owner's tasks and Trash, as stored."""
    return [item.serialize() for model in (Task, TrashItem) for item in model.query(owner, consistent_read=True)]


# --- Services ---------------------------------------------------------------------------------


def test_a_deleted_task_goes_to_the_trash_and_comes_back_with_its_subtasks_and_files(owner):
    work = services.list_create(owner=owner, name="Work")
    task = services.task_create(owner=owner, title="Report", list_id=work.list_id, labels=["home"], due_date=_today())
    subs = [services.task_create(owner=owner, title=f"Step {i}", parent_id=task.task_id) for i in range(2)]
    services.task_complete(owner=owner, task_id=subs[1].task_id)
    attachment = _attach(owner, task.task_id)
    kept = services.task_create(owner=owner, title="Kept", labels=["home"])
    before = {t.task_id: t for t in Task.query(owner, consistent_read=True)}

    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    assert trash_id == f"task-{task.task_id}"
    assert set(_stored(owner)) == {kept.task_id}
    assert list(Attachment.query(owner, consistent_read=True)) == []
    assert storage.object_head(attachment.s3_key) is not None  # the object waits for the Trash to be emptied
    assert_counts_match(owner, _today())
    entries, cursor = selectors.trash_page(owner=owner)
    assert [(e.trash_key, e.kind, e.title, e.list_id) for e in entries] == [(trash_id, "task", "Report", work.list_id)]
    assert cursor is None

    kind, restored = services.trash_restore(owner=owner, trash_id=trash_id)
    assert (kind, restored.task_id, restored.list_id) == ("task", task.task_id, work.list_id)
    stored = _stored(owner)
    assert set(stored) == set(before)
    for task_id, old in before.items():
        new = stored[task_id]
        assert (new.title, new.done, new.parent_id, new.list_id, new.labels) == (
            old.title,
            old.done,
            old.parent_id,
            old.list_id,
            old.labels,
        )
    # A version above the one deleted: an ETag read before the deletion does not match the restored task.
    assert stored[task.task_id].version == before[task.task_id].version + 1
    assert [a.attachment_id for a in selectors.attachments_of(owner=owner, task_id=task.task_id)] == [
        attachment.attachment_id
    ]
    assert selectors.trash_page(owner=owner) == ([], None)
    assert_counts_match(owner, _today())
    assert dict(selectors.counts_of(owner=owner).labels) == {"home": 2}
    assert selectors.counts_of(owner=owner).left == {work.list_id: 1, "inbox": 1}


def test_a_task_whose_list_is_gone_comes_back_to_the_inbox_and_a_lone_subtask_becomes_a_task(owner):
    work = services.list_create(owner=owner, name="Work")
    parent = services.task_create(owner=owner, title="Parent", list_id=work.list_id)
    sub = services.task_create(owner=owner, title="Sub", parent_id=parent.task_id)
    alone = services.task_create(owner=owner, title="Alone", list_id=work.list_id)
    sub_trash = services.task_delete(owner=owner, task_id=sub.task_id)
    alone_trash = services.task_delete(owner=owner, task_id=alone.task_id)
    services.task_delete(owner=owner, task_id=parent.task_id)
    services.list_delete(owner=owner, list_id=work.list_id)

    _, back = services.trash_restore(owner=owner, trash_id=alone_trash)
    assert back.list_id == "inbox"
    _, back = services.trash_restore(owner=owner, trash_id=sub_trash)
    assert (back.list_id, back.parent_id) == ("inbox", None)
    assert_counts_match(owner, _today())
    assert selectors.counts_of(owner=owner).left == {"inbox": 2}


def test_a_task_restored_to_the_inbox_brings_its_subtasks_there_too(owner):
    work = services.list_create(owner=owner, name="Work")
    parent = services.task_create(owner=owner, title="Parent", list_id=work.list_id)
    subs = [services.task_create(owner=owner, title=f"Sub {i}", parent_id=parent.task_id) for i in range(2)]
    trash_id = services.task_delete(owner=owner, task_id=parent.task_id)
    services.list_delete(owner=owner, list_id=work.list_id)
    services.trash_restore(owner=owner, trash_id=trash_id)
    stored = _stored(owner)
    assert {stored[t.task_id].list_id for t in [parent, *subs]} == {"inbox"}
    assert {stored[s.task_id].parent_id for s in subs} == {parent.task_id}
    inbox, _ = selectors.open_tasks_page(owner=owner, list_id="inbox")
    assert sorted(t.title for t in inbox) == ["Parent", "Sub 0", "Sub 1"]
    assert_counts_match(owner, _today())


def test_a_deleted_list_comes_back_with_its_tasks(owner):
    work = services.list_create(owner=owner, name="Work", colour="blue")
    tasks = [services.task_create(owner=owner, title=f"T{i}", list_id=work.list_id, labels=["w"]) for i in range(3)]
    services.task_create(owner=owner, title="Sub", parent_id=tasks[0].task_id)
    attachment = _attach(owner, tasks[1].task_id)

    trash_id = services.list_delete(owner=owner, list_id=work.list_id)
    assert trash_id == f"list-{work.list_id}"
    with pytest.raises(ListNotFound):
        selectors.list_get(owner=owner, list_id=work.list_id)
    assert _stored(owner) == {}
    assert_counts_match(owner, _today())

    kind, restored = services.trash_restore(owner=owner, trash_id=trash_id)
    assert (kind, restored.name, restored.colour) == ("list", "Work", "blue")
    assert selectors.list_get(owner=owner, list_id=work.list_id).name == "Work"
    assert sorted(t.title for t in _stored(owner).values()) == ["Sub", "T0", "T1", "T2"]
    assert {t.list_id for t in _stored(owner).values()} == {work.list_id}
    assert selectors.attachments_of(owner=owner, task_id=tasks[1].task_id)[0].s3_key == attachment.s3_key
    assert selectors.counts_of(owner=owner).left == {work.list_id: 3}
    assert_counts_match(owner, _today())


def test_restoring_twice_or_an_unknown_id_is_not_found_and_changes_nothing(owner, make_user):
    task = services.task_create(owner=owner, title="Once")
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    stranger = make_user().sub
    for who, which in ((stranger, trash_id), (owner, "task-nope"), (owner, "../x"), (owner, "x" * 2000)):
        with pytest.raises(TrashNotFound):
            services.trash_restore(owner=who, trash_id=which)
    assert [t.title for t in _stored(owner).values()] == []
    services.trash_restore(owner=owner, trash_id=trash_id)
    stored = _snapshot(owner)
    with pytest.raises(TrashNotFound):
        services.trash_restore(owner=owner, trash_id=trash_id)
    assert _snapshot(owner) == stored


def test_purging_deletes_the_entry_its_parts_and_the_objects(owner):
    task = services.task_create(owner=owner, title="Files")
    sub = services.task_create(owner=owner, title="Sub", parent_id=task.task_id)
    mine, theirs = _attach(owner, task.task_id), _attach(owner, sub.task_id)
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    services.trash_purge(owner=owner, trash_id=trash_id)
    assert list(TrashItem.query(owner, consistent_read=True)) == []
    assert storage.object_head(mine.s3_key) is None
    assert storage.object_head(theirs.s3_key) is None
    with pytest.raises(TrashNotFound):
        services.trash_restore(owner=owner, trash_id=trash_id)
    with pytest.raises(TaskNotFound):
        services.task_delete(owner=owner, task_id=task.task_id)


def test_sync_reports_a_restore_after_its_tombstone(owner):
    task = services.task_create(owner=owner, title="Synced")
    token = _since_now(owner)
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    changes = selectors.changes_since(owner=owner, token=token)
    tombstones = [t for t in changes.deleted if t.item_id == task.task_id]
    assert [t.kind for t in tombstones] == ["task"]
    assert changes.tasks == []

    services.trash_restore(owner=owner, trash_id=trash_id)
    changes = selectors.changes_since(owner=owner, token=token)
    [back] = [t for t in changes.tasks if t.task_id == task.task_id]
    assert back.changed > tombstones[0].tombstone_key.split("#")[0]


def test_a_restore_bumps_the_read_cache_stamp(owner):
    task = services.task_create(owner=owner, title="Cached")
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    with pytest.raises(Exception, match="No such task"):
        selectors.task_get(owner=owner, task_id=task.task_id)  # its absence is now cached
    stamp = cache.stamp_get(cache.user_scope(owner)).token
    services.trash_restore(owner=owner, trash_id=trash_id)
    assert cache.stamp_get(cache.user_scope(owner)).token != stamp
    assert selectors.task_get(owner=owner, task_id=task.task_id).title == "Cached"


@pytest.mark.parametrize("failing_write", [1, 2, 3])
def test_a_cut_off_restore_is_finished_by_its_retry(owner, failing_write):
    task = services.task_create(owner=owner, title="Big", labels=["home"])
    for i in range(60):  # more than one transaction holds
        services.task_create(owner=owner, title=f"Step {i}", parent_id=task.task_id, labels=["home"])
    trash_id = services.task_delete(owner=owner, task_id=task.task_id)
    assert _stored(owner) == {}
    assert_counts_match(owner, _today())
    with pytest.raises(_InjectedFault), dynamodb_write_fails(failing_write):
        services.trash_restore(owner=owner, trash_id=trash_id)
    assert_counts_match(owner, _today())
    services.trash_restore(owner=owner, trash_id=trash_id)
    assert len(_stored(owner)) == 61
    assert list(TrashItem.query(owner, consistent_read=True)) == []
    assert_counts_match(owner, _today())


@pytest.mark.parametrize("failing_write", [1, 2])
def test_a_cut_off_list_delete_is_finished_by_its_retry(owner, failing_write):
    work = services.list_create(owner=owner, name="Work")
    for i in range(40):
        services.task_create(owner=owner, title=f"T{i}", list_id=work.list_id)
    with pytest.raises(_InjectedFault), dynamodb_write_fails(failing_write):
        services.list_delete(owner=owner, list_id=work.list_id)
    assert_counts_match(owner, _today())
    assert 0 < len(_stored(owner)) <= 40  # the list went first; some of its tasks have not followed yet
    services.list_delete(owner=owner, list_id=work.list_id)
    assert _stored(owner) == {}
    assert_counts_match(owner, _today())
    services.trash_restore(owner=owner, trash_id=f"list-{work.list_id}")
    assert len(_stored(owner)) == 40
    assert TodoList.get(owner, work.list_id, consistent_read=True).name == "Work"
    assert_counts_match(owner, _today())


def test_the_trash_view_is_one_query_and_pages(owner):
    trash_ids = [
        services.task_delete(owner=owner, task_id=services.task_create(owner=owner, title=f"T{i}").task_id)
        for i in range(5)
    ]
    cache.stamp_bump_now(cache.user_scope(owner))
    with dynamodb_calls() as calls:
        first, cursor = selectors.trash_page(owner=owner, limit=3)
    assert calls.count("Query") == 1
    second, end = selectors.trash_page(owner=owner, limit=3, cursor=cursor)
    assert [e.trash_key for e in first + second] == trash_ids[::-1]  # newest first
    assert end is None or selectors.trash_page(owner=owner, limit=3, cursor=end)[0] == []


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def other_api(bearer_client, make_user):
    return bearer_client(make_user())


def test_api_delete_list_restore_and_purge(api, other_api):
    task = create_task(api, title="Via API")
    assert api.delete(f"/api/todos/tasks/{task['id']}", HTTP_IF_MATCH=f'"v{task["version"]}"').status_code == 204
    listed = api.get("/api/todos/trash")
    assert listed.status_code == 200
    [entry] = listed.json()["results"]
    assert (entry["id"], entry["kind"], entry["item_id"], entry["title"]) == (
        f"task-{task['id']}",
        "task",
        task["id"],
        "Via API",
    )
    assert listed.json()["next_cursor"] is None
    assert other_api.get("/api/todos/trash").json()["results"] == []

    for client, path in ((other_api, entry["id"]), (api, "task-0000"), (api, "nonsense")):
        refused = client.post(f"/api/todos/trash/{path}/restore")
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "trash_not_found"

    restored = api.post(f"/api/todos/trash/{entry['id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["kind"] == "task"
    assert (restored.json()["task"]["id"], restored.json()["task"]["title"]) == (task["id"], "Via API")
    assert restored.json()["list"] is None
    assert api.get(f"/api/todos/tasks/{task['id']}").status_code == 200
    again = api.post(f"/api/todos/trash/{entry['id']}/restore")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "trash_not_found")

    again = api.delete(f"/api/todos/tasks/{task['id']}", HTTP_IF_MATCH=f'"v{restored.json()["task"]["version"]}"')
    assert again.status_code == 204
    assert other_api.delete(f"/api/todos/trash/{entry['id']}").status_code == 404
    assert api.delete(f"/api/todos/trash/{entry['id']}").status_code == 204
    assert api.get("/api/todos/trash").json()["results"] == []
    assert api.delete(f"/api/todos/trash/{entry['id']}").status_code == 404


def test_api_restores_a_list(api):
    created = api.post("/api/todos/lists", {"name": "Trip"}, format="json").json()
    create_task(api, title="Pack", list_id=created["id"])
    assert api.delete(f"/api/todos/lists/{created['id']}", HTTP_IF_MATCH=f'"v{created["version"]}"').status_code == 204
    restored = api.post(f"/api/todos/trash/list-{created['id']}/restore")
    assert restored.status_code == 200
    assert (restored.json()["kind"], restored.json()["list"]["name"], restored.json()["task"]) == ("list", "Trip", None)
    tasks = api.get("/api/todos/tasks", {"list_id": created["id"]}).json()["results"]
    assert [t["title"] for t in tasks] == ["Pack"]


def test_api_trash_pages_by_cursor_and_refuses_bad_input(api):
    for i in range(3):
        made = create_task(api, title=f"T{i}")
        api.delete(f"/api/todos/tasks/{made['id']}", HTTP_IF_MATCH=f'"v{made["version"]}"')
    first = api.get("/api/todos/trash", {"limit": 2}).json()
    assert [e["title"] for e in first["results"]] == ["T2", "T1"]
    rest = api.get("/api/todos/trash", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [e["title"] for e in rest["results"]] == ["T0"]
    for params in ({"limit": 0}, {"limit": "x"}, {"cursor": "tampered"}, {"other": "1"}):
        refused = api.get("/api/todos/trash", params)
        assert refused.status_code == 400, params
        assert "error" in refused.json()


# --- Pages ------------------------------------------------------------------------------------


def _htmx_post(client, url, data=None, *, current="/todos/"):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{current}")


def test_deleting_in_the_app_offers_an_undo_that_restores(page, user):
    task = services.task_create(owner=user.sub, title="Undo me")
    deleted = _htmx_post(page, f"/todos/tasks/{task.task_id}/delete").content.decode()
    assert 'id="undo-toast"' in deleted
    assert "Deleted: Undo me" in deleted
    assert f'hx-post="/todos/trash/task-{task.task_id}/restore"' in deleted
    assert "Undo me</label>" not in deleted

    undone = _htmx_post(page, f"/todos/trash/task-{task.task_id}/restore").content.decode()
    assert "Undo me</label>" in undone
    assert 'id="undo-toast"' not in undone
    again = _htmx_post(page, f"/todos/trash/task-{task.task_id}/restore").content.decode()
    assert "No such item in the Trash" in again


def test_completing_and_moving_offer_an_undo(page, user):
    work = services.list_create(owner=user.sub, name="Work")
    task = services.task_create(owner=user.sub, title="Both")
    completed = _htmx_post(page, f"/todos/tasks/{task.task_id}/toggle").content.decode()
    assert "Completed: Both" in completed
    assert f'hx-post="/todos/tasks/{task.task_id}/reopen"' in completed
    _htmx_post(page, f"/todos/tasks/{task.task_id}/reopen")
    assert not Task.get(user.sub, task.task_id, consistent_read=True).done
    reopened = _htmx_post(page, f"/todos/tasks/{task.task_id}/toggle").content.decode()
    assert "Completed: Both" in reopened  # completed again
    _htmx_post(page, f"/todos/tasks/{task.task_id}/reopen")

    position = Task.get(user.sub, task.task_id, consistent_read=True).position
    version = Task.get(user.sub, task.task_id, consistent_read=True).version
    form = {"list_id": work.list_id, "priority": "1", "version": str(version)}
    moved = _htmx_post(page, f"/todos/tasks/{task.task_id}/details", form).content.decode()
    assert "Moved to Work: Both" in moved
    assert f'hx-post="/todos/tasks/{task.task_id}/move"' in moved
    assert "&quot;list_id&quot;: &quot;inbox&quot;" in moved
    _htmx_post(page, f"/todos/tasks/{task.task_id}/move", {"list_id": "inbox", "position": repr(position)})
    back = Task.get(user.sub, task.task_id, consistent_read=True)
    assert (back.list_id, back.position) == ("inbox", position)
    refused = _htmx_post(page, f"/todos/tasks/{task.task_id}/move", {"list_id": "inbox", "position": "x"})
    assert "A position is a number." in refused.content.decode()


def test_a_list_delete_is_undone_back_to_the_list(page, user):
    work = services.list_create(owner=user.sub, name="Trip")
    services.task_create(owner=user.sub, title="Pack", list_id=work.list_id)
    deleted = _htmx_post(page, f"/todos/lists/{work.list_id}/delete", current=f"/todos/lists/{work.list_id}/")
    assert "List deleted: Trip" in deleted.content.decode()
    undone = _htmx_post(page, f"/todos/trash/list-{work.list_id}/restore")
    assert "Pack</label>" in undone.content.decode()
    assert undone["HX-Push-Url"] == f"/todos/lists/{work.list_id}/"


def test_the_trash_page_lists_restores_and_purges(page, user, make_user):
    first = services.task_create(owner=user.sub, title="First")
    second = services.task_create(owner=user.sub, title="Second")
    for task in (first, second):
        services.task_delete(owner=user.sub, task_id=task.task_id)
    body = page.get("/todos/trash/").content.decode()
    assert body.index("Second") < body.index("First")  # newest first
    assert f'action="/todos/trash/task-{first.task_id}/restore"' in body

    # Post/Redirect/Get: a reload after either shows the Trash again, not a 404 for the entry now gone.
    restored = page.post(f"/todos/trash/task-{first.task_id}/restore", follow=True)
    assert restored.redirect_chain == [("/todos/trash/", 302)]
    assert '<p id="trash-status" role="status">Restored: First</p>' in restored.content.decode()
    assert Task.get(user.sub, first.task_id, consistent_read=True).title == "First"
    purged = page.post(f"/todos/trash/task-{second.task_id}/delete", follow=True)
    assert purged.redirect_chain == [("/todos/trash/", 302)]
    assert '<p id="trash-status" role="status">Deleted for good: Second</p>' in purged.content.decode()
    assert "The Trash is empty." in purged.content.decode()
    assert "Deleted for good" not in page.get("/todos/trash/").content.decode()  # said once
    assert 'hx-confirm="Delete “' in body  # and asked first
    assert page.post(f"/todos/trash/task-{second.task_id}/restore").status_code == 404
    assert page.get("/todos/trash/", {"cursor": "tampered"}).status_code == 400
    assert page.get("/todos/trash/").status_code == 200


def _stream_removal(item: TrashItem, *, by_ttl: bool, sequence: str) -> dict:
    """A DynamoDB Streams REMOVE record of `item`, as the trash table's stream delivers it (OLD_IMAGE)."""
    record = {
        "eventName": "REMOVE",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"owner": {"S": item.owner}, "trash_key": {"S": item.trash_key}},
            "OldImage": item.serialize(),
            "SequenceNumber": sequence,
            "StreamViewType": "OLD_IMAGE",
        },
    }
    if by_ttl:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def test_the_ttl_sweeping_an_attachment_out_of_the_trash_deletes_its_file(owner):
    from todos.events import trash_swept_handler

    swept_task = services.task_create(owner=owner, title="Gone for good")
    swept = _attach(owner, swept_task.task_id, b"old bytes")
    restored_task = services.task_create(owner=owner, title="Came back")
    restored = _attach(owner, restored_task.task_id, b"kept bytes")
    for task in (swept_task, restored_task):
        services.task_delete(owner=owner, task_id=task.task_id)
    # An attachment's part is keyed by "<task id>#<attachment id>".
    found = TrashItem.query(owner, consistent_read=True)
    parts = {part.item_id.split("#")[1]: part for part in found if part.kind == "attachment"}
    services.trash_restore(owner=owner, trash_id=f"task-{restored_task.task_id}")

    records = [
        _stream_removal(parts[swept.attachment_id], by_ttl=False, sequence="1"),  # the app's own removal
        _stream_removal(parts[restored.attachment_id], by_ttl=True, sequence="2"),  # live again: kept
    ]
    assert trash_swept_handler({"Records": records}, None) == {"batchItemFailures": [], "files_deleted": 0}
    assert storage.object_head(swept.s3_key) is not None
    sweep = {"Records": [_stream_removal(parts[swept.attachment_id], by_ttl=True, sequence="3")]}
    assert trash_swept_handler(sweep, None) == {"batchItemFailures": [], "files_deleted": 1}
    assert storage.object_head(swept.s3_key) is None
    assert trash_swept_handler(sweep, None)["batchItemFailures"] == []  # a redelivery is harmless
    assert storage.object_head(restored.s3_key) is not None
    assert storage.object_read(restored.s3_key) == b"kept bytes"


def test_clear_completed_moves_each_done_task_to_the_trash_restorable_alone(owner):
    work = services.list_create(owner=owner, name="Work")
    done = [services.task_create(owner=owner, title=f"Done {i}", list_id=work.list_id, labels=["x"]) for i in range(3)]
    sub = services.task_create(owner=owner, title="Its open subtask", parent_id=done[0].task_id)
    open_parent = services.task_create(owner=owner, title="Open parent", list_id=work.list_id)
    done_sub = services.task_create(owner=owner, title="Done under open", parent_id=open_parent.task_id)
    attachment = _attach(owner, done[1].task_id)
    for task in (*done, done_sub):
        services.task_complete(owner=owner, task_id=task.task_id)
    services.task_reopen(owner=owner, task_id=sub.task_id)  # open under a done parent: goes with it
    before = _stored(owner)

    trash_ids = services.tasks_clear_completed(owner=owner, list_id=work.list_id)
    assert sorted(trash_ids) == sorted(f"task-{t.task_id}" for t in (*done, done_sub))
    assert set(_stored(owner)) == {open_parent.task_id}
    assert list(Attachment.query(owner, consistent_read=True)) == []
    entries, _ = selectors.trash_page(owner=owner)
    assert sorted(e.title for e in entries) == ["Done 0", "Done 1", "Done 2", "Done under open"]
    assert_counts_match(owner, _today())

    services.trash_restore(owner=owner, trash_id=f"task-{done[0].task_id}")
    back = _stored(owner)
    assert set(back) == {open_parent.task_id, done[0].task_id, sub.task_id}
    assert back[sub.task_id].parent_id == done[0].task_id
    assert_counts_match(owner, _today())

    restored = services.trash_restore_each(owner=owner, trash_ids=[*trash_ids, "task-gone", trash_ids[0]])
    assert restored == 3  # the other three; the one already back and an unknown id are passed over
    assert set(_stored(owner)) == set(before)
    assert [a.attachment_id for a in Attachment.query(owner, consistent_read=True)] == [attachment.attachment_id]
    assert _stored(owner)[done_sub.task_id].parent_id == open_parent.task_id
    assert_counts_match(owner, _today())


def test_clear_completed_in_the_app_offers_an_undo_that_restores_them_all(page, user):
    tasks = [services.task_create(owner=user.sub, title=f"Finished {i}") for i in range(2)]
    for task in tasks:
        services.task_complete(owner=user.sub, task_id=task.task_id)
    cleared = _htmx_post(page, "/todos/lists/inbox/clear-completed").content.decode()
    assert "Cleared: 2 completed tasks" in cleared
    assert 'hx-post="/todos/trash/restore"' in cleared
    assert "Finished 0</label>" not in cleared

    ids = ",".join(f"task-{t.task_id}" for t in tasks)
    undone = _htmx_post(page, "/todos/trash/restore", {"ids": ids}).content.decode()
    assert "Finished 0</label>" in undone
    assert "Finished 1</label>" in undone
    refused = _htmx_post(page, "/todos/trash/restore", {"ids": ""})
    assert "Name 1 to 100 Trash entries." in refused.content.decode()


def test_restoring_several_never_reaches_another_users_entries(owner, browser_client, make_user):
    task = services.task_create(owner=owner, title="Mine, cleared")
    services.task_complete(owner=owner, task_id=task.task_id)
    [trash_id] = services.tasks_clear_completed(owner=owner, list_id="inbox")
    before = _snapshot(owner)
    intruder = browser_client(make_user())
    response = _htmx_post(intruder, "/todos/trash/restore", {"ids": trash_id})
    assert response.status_code == 200
    assert "Mine, cleared" not in response.content.decode()
    assert _snapshot(owner) == before
