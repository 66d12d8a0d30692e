"""Todos and their attachments survive a restart of the local stack."""

from __future__ import annotations

from mysite import storage
from tests.todos.conftest import upload
from todos import services
from todos.models import Attachment, Task


def test_tasks_and_attachments_survive_a_restart(restart_stack, owner):
    task = services.task_create(owner=owner, title="Persistent", labels=["keep"])
    attachment, post = services.attachment_start(
        owner=owner, task_id=task.task_id, file_name="keep.txt", size=4, content_type="text/plain"
    )
    upload(post.as_dict(), b"kept")
    services.attachment_complete(owner=owner, task_id=task.task_id, attachment_id=attachment.attachment_id)

    restart_stack()  # same ports, same data folder

    assert Task.get(owner, task.task_id).labels == ["keep"]
    assert Attachment.get(owner, attachment.attachment_key).state == "ready"
    assert storage.object_read(attachment.s3_key) == b"kept"
