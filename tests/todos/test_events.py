from __future__ import annotations

import time

from tests.todos.conftest import upload
from todos import services
from todos.events import attachment_uploaded_handler
from todos.models import Attachment


def test_the_upload_event_marks_the_attachment_ready_once(owner, dispatcher):
    task = services.task_create(owner=owner, title="with a file")
    attachment, post = services.attachment_start(
        owner=owner, task_id=task.task_id, file_name="photo one.jpg", size=3, content_type="image/jpeg"
    )
    upload(post.as_dict(), b"abc")
    # The worker's other tests leave their uploads in the same log, and a round reads at most
    # LOG_LINES_PER_ROUND lines of it (or waits out a retry one of them left): rounds until this one's
    # event is read, for at most 30 s.
    deadline = time.monotonic() + 30
    while True:
        dispatcher.run_once(include_schedules=False)
        stored = Attachment.get(owner, attachment.attachment_key)
        if stored.state != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (stored.state, stored.size) == ("ready", 3)

    # A redelivered event changes nothing; keys of other apps are ignored.
    event = {"Records": [{"s3": {"object": {"key": attachment.s3_key}}}]}
    assert attachment_uploaded_handler(event, None) == {"attachments_ready": 1}
    assert Attachment.get(owner, attachment.attachment_key).version == stored.version
    other = {"Records": [{"s3": {"object": {"key": f"users/{owner}/avatar.png"}}}]}
    assert attachment_uploaded_handler(other, None) == {"attachments_ready": 0}
