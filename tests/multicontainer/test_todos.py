"""Todos across containers: a write through one origin is in every other origin's next answer."""

from __future__ import annotations

import pytest
import requests

from tests.multicontainer.conftest import assert_write_seen_everywhere
from todos import services


@pytest.fixture
def token(user) -> str:
    return user.access_token


def test_a_task_created_on_one_container_is_in_every_task_list(cluster, user, token):
    services.task_create(owner=user.sub, title="existing")

    def titles(origin):
        response = origin.get("/api/todos/tasks?list_id=inbox", token=token)
        return [task["title"] for task in response.json()["results"]]

    def write():
        created = cluster.writer.request("POST", "/api/todos/tasks", token=token, json={"title": "created on A"})
        assert created.status_code == 201, created.text

    assert_write_seen_everywhere(
        cluster, read=titles, write=write, before=["existing"], after=["existing", "created on A"]
    )


def test_a_new_list_is_in_every_containers_lists(cluster, user, token):
    services.inbox_ensure(owner=user.sub)

    def names(origin):
        return [item["name"] for item in origin.get("/api/todos/lists", token=token).json()["results"]]

    def write():
        created = cluster.writer.request("POST", "/api/todos/lists", token=token, json={"name": "Errands"})
        assert created.status_code == 201, created.text

    assert_write_seen_everywhere(cluster, read=names, write=write, before=["Inbox"], after=["Inbox", "Errands"])


def test_a_retitled_task_reads_the_new_title_on_every_container(cluster, user, token):
    task = services.task_create(owner=user.sub, title="old title")

    def title(origin):
        return origin.get(f"/api/todos/tasks/{task.task_id}", token=token).json()["title"]

    def write():
        changed = cluster.writer.request(
            "PATCH",
            f"/api/todos/tasks/{task.task_id}",
            token=token,
            json={"title": "new title", "version": task.version},
        )
        assert changed.status_code == 200, changed.text

    assert_write_seen_everywhere(cluster, read=title, write=write, before="old title", after="new title")


def test_a_stale_etag_gets_the_new_body_not_a_304_on_every_container(cluster, user, token):
    task = services.task_create(owner=user.sub, title="first")
    etags = [origin.get("/api/todos/tasks?list_id=inbox", token=token).headers["ETag"] for origin in cluster.origins]
    assert len(set(etags)) == 1

    def conditional(origin):
        response = origin.get("/api/todos/tasks?list_id=inbox", token=token, headers={"If-None-Match": etags[0]})
        return response.status_code, [t["title"] for t in response.json()["results"]] if response.content else []

    def write():
        changed = cluster.writer.request(
            "PATCH", f"/api/todos/tasks/{task.task_id}", token=token, json={"title": "second", "version": task.version}
        )
        assert changed.status_code == 200, changed.text

    assert_write_seen_everywhere(cluster, read=conditional, write=write, before=(304, []), after=(200, ["second"]))


def test_a_restored_task_is_back_on_every_container(cluster, user, token):
    services.task_create(owner=user.sub, title="kept")
    gone = services.task_create(owner=user.sub, title="deleted, then restored")
    trash_id = services.task_delete(owner=user.sub, task_id=gone.task_id)

    def seen(origin):
        tasks = origin.get("/api/todos/tasks?list_id=inbox", token=token).json()["results"]
        trash = origin.get("/api/todos/trash", token=token).json()["results"]
        return [t["title"] for t in tasks], [e["id"] for e in trash]

    def write():
        restored = cluster.writer.request("POST", f"/api/todos/trash/{trash_id}/restore", token=token)
        assert restored.status_code == 200, restored.text

    assert_write_seen_everywhere(
        cluster,
        read=seen,
        write=write,
        before=(["kept"], [trash_id]),
        after=(["kept", "deleted, then restored"], []),
    )


def test_labels_follow_a_task_edit_on_every_container(cluster, user, token):
    task = services.task_create(owner=user.sub, title="labelled", labels=["home"])

    def labels(origin):
        results = origin.get("/api/todos/labels", token=token).json()["results"]
        return [(item["name"], item["count"]) for item in results]

    def write():
        changed = cluster.writer.request(
            "PATCH",
            f"/api/todos/tasks/{task.task_id}",
            token=token,
            json={"labels": ["home", "work"], "version": task.version},
        )
        assert changed.status_code == 200, changed.text

    assert_write_seen_everywhere(
        cluster, read=labels, write=write, before=[("home", 1)], after=[("home", 1), ("work", 1)]
    )


def test_an_attachment_started_on_one_container_is_listed_on_every_container(cluster, user, token):
    task = services.task_create(owner=user.sub, title="with a file")
    path = f"/api/todos/tasks/{task.task_id}/attachments"

    def attachments(origin):
        return [(a["file_name"], a["state"]) for a in origin.get(path, token=token).json()["results"]]

    def start():
        response = cluster.writer.request(
            "POST", path, token=token, json={"file_name": "notes.txt", "size": 5, "content_type": "text/plain"}
        )
        assert response.status_code == 201, response.text

    assert_write_seen_everywhere(cluster, read=attachments, write=start, before=[], after=[("notes.txt", "pending")])


def test_an_attachment_marked_ready_by_the_s3_handler_reads_ready_on_every_container(
    cluster, user, token, dispatcher, unbumped
):
    task = services.task_create(owner=user.sub, title="with a file")
    attachment, upload = services.attachment_start(
        owner=user.sub, task_id=task.task_id, file_name="notes.txt", size=5, content_type="text/plain"
    )
    path = f"/api/todos/tasks/{task.task_id}/attachments"

    def attachments(origin):
        return [(a["id"], a["state"]) for a in origin.get(path, token=token).json()["results"]]

    def s3_handler_marks_it_ready():
        stored = requests.post(upload.url, data=upload.fields, files={"file": ("notes.txt", b"hello")}, timeout=10)
        assert stored.status_code in (200, 201, 204), stored.text
        unbumped()
        dispatcher.run_once(include_schedules=False)  # the S3 notification, handled in this process

    assert_write_seen_everywhere(
        cluster,
        read=attachments,
        write=s3_handler_marks_it_ready,
        before=[(attachment.attachment_id, "pending")],
        after=[(attachment.attachment_id, "ready")],
    )
