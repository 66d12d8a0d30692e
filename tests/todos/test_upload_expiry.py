"""Failed uploads expire: a pending record's window and TTL, the `expired` state, orphans removed, a retry shown."""

from __future__ import annotations

from datetime import timedelta

from mysite import aws, cache, storage
from tests.todos.conftest import upload
from todos import services
from todos.models import PENDING_UPLOAD_KEPT, UPLOAD_WINDOW, Attachment, utcnow
from todos.services.attachments import attachment_upload_received


def start(api, task_id: str, name: str = "report.pdf") -> tuple[dict, dict]:
    response = api.post(
        f"/api/todos/tasks/{task_id}/attachments",
        {"file_name": name, "size": 5, "content_type": "application/pdf"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["attachment"], response.json()["upload"]


def backdate(owner: str, task_id: str, attachment_id: str, *, created=None, expires=None) -> None:
    """Move a record's clock back, as if time had passed (with the read-cache bump a write would make)."""
    record = Attachment.get(owner, f"{task_id}#{attachment_id}", consistent_read=True)
    if created is not None:
        record.created_at = created
    if expires is not None:
        record.expires_at = expires
    record.save()
    cache.stamp_bump_now(cache.user_scope(owner))


def test_the_attachments_table_has_ttl_on_expires_at():
    description = aws.client("dynamodb").describe_time_to_live(TableName=Attachment.Meta.table_name)
    assert description["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    assert description["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_a_pending_record_expires_a_day_later_and_a_completed_one_never(api, user):
    task = services.task_create(owner=user.sub, title="With a file")
    before = utcnow()
    attachment, post = start(api, task.task_id)
    record = Attachment.get(user.sub, f"{task.task_id}#{attachment['id']}")
    assert before + PENDING_UPLOAD_KEPT - timedelta(seconds=5) <= record.expires_at
    assert record.expires_at <= utcnow() + PENDING_UPLOAD_KEPT + timedelta(seconds=5)
    upload(post, b"%PDF-")
    assert api.post(f"/api/todos/tasks/{task.task_id}/attachments/{attachment['id']}/complete").json()["state"] == (
        "ready"
    )
    assert Attachment.get(user.sub, f"{task.task_id}#{attachment['id']}").expires_at is None


def test_an_upload_that_never_arrived_is_expired_after_its_window(api, user):
    task = services.task_create(owner=user.sub, title="Never uploaded")
    attachment, _ = start(api, task.task_id)
    base = f"/api/todos/tasks/{task.task_id}/attachments/{attachment['id']}"
    assert api.get(base).json()["state"] == "pending"
    backdate(user.sub, task.task_id, attachment["id"], created=utcnow() - UPLOAD_WINDOW - timedelta(seconds=1))
    assert api.get(base).json()["state"] == "expired"
    assert [a["state"] for a in api.get(f"/api/todos/tasks/{task.task_id}/attachments").json()["results"]] == [
        "expired"
    ]
    late = api.post(f"{base}/complete")
    assert late.status_code == 422
    assert late.json()["error"]["code"] == "upload_expired"
    assert Attachment.get(user.sub, f"{task.task_id}#{attachment['id']}").state == "pending"


def test_a_record_past_its_ttl_is_gone_for_readers_before_dynamodb_sweeps_it(api, user):
    task = services.task_create(owner=user.sub, title="Long gone")
    attachment, _post = start(api, task.task_id)
    base = f"/api/todos/tasks/{task.task_id}/attachments"
    backdate(
        user.sub,
        task.task_id,
        attachment["id"],
        created=utcnow() - PENDING_UPLOAD_KEPT - timedelta(minutes=1),
        expires=utcnow() - timedelta(minutes=1),
    )
    assert Attachment.get(user.sub, f"{task.task_id}#{attachment['id']}")  # still stored
    assert api.get(base).json()["results"] == []
    assert api.get(f"{base}/{attachment['id']}").status_code == 404
    assert api.post(f"{base}/{attachment['id']}/complete").status_code == 404


def test_an_object_arriving_for_a_gone_record_is_deleted(api, user):
    task = services.task_create(owner=user.sub, title="Orphan")
    attachment, post = start(api, task.task_id)
    backdate(user.sub, task.task_id, attachment["id"], expires=utcnow() - timedelta(minutes=1))
    upload(post, b"%PDF-")
    assert storage.object_head(attachment["key"]) is not None
    assert attachment_upload_received(key=attachment["key"]) is False
    assert storage.object_head(attachment["key"]) is None
    # An object that arrives in time is completed, and kept.
    fresh, fresh_post = start(api, task.task_id, name="fresh.pdf")
    upload(fresh_post, b"%PDF-")
    assert attachment_upload_received(key=fresh["key"]) is True
    assert storage.object_head(fresh["key"]) is not None


def test_the_details_panel_shows_a_failed_upload_with_a_retry(api, page, user):
    task = services.task_create(owner=user.sub, title="Show me")
    waiting, _ = start(api, task.task_id, name="waiting.pdf")
    failed, _ = start(api, task.task_id, name="failed.pdf")
    backdate(user.sub, task.task_id, failed["id"], created=utcnow() - UPLOAD_WINDOW - timedelta(seconds=1))
    body = page.get(f"/todos/lists/inbox/?open={task.task_id}").content.decode()
    assert "waiting.pdf (uploading…)" in body
    assert 'failed.pdf <strong class="upload-failed">Upload failed</strong>' in body
    assert f'id="retry-{failed["id"]}"' in body
    assert f'id="retry-{waiting["id"]}"' not in body


def test_sync_leaves_out_records_past_their_ttl(api, user):
    task = services.task_create(owner=user.sub, title="Synced")
    kept, _ = start(api, task.task_id, name="kept.pdf")
    gone, _ = start(api, task.task_id, name="gone.pdf")
    backdate(user.sub, task.task_id, gone["id"], expires=utcnow() - timedelta(minutes=1))
    full = api.get("/api/todos/sync").json()
    assert [a["id"] for a in full["attachments"]] == [kept["id"]]


def test_the_upload_event_deletes_an_object_whose_record_is_gone(api, user):
    from urllib.parse import quote_plus

    from todos.events import attachment_uploaded_handler

    task = services.task_create(owner=user.sub, title="Event")
    attachment, post = start(api, task.task_id)
    backdate(user.sub, task.task_id, attachment["id"], expires=utcnow() - timedelta(minutes=1))
    upload(post, b"%PDF-")
    event = {"Records": [{"eventName": "ObjectCreated:Post", "s3": {"object": {"key": quote_plus(attachment["key"])}}}]}
    assert attachment_uploaded_handler(event, None) == {"attachments_ready": 0}
    assert storage.object_head(attachment["key"]) is None
    assert attachment_uploaded_handler(event, None) == {"attachments_ready": 0}  # redelivered: nothing more to do
