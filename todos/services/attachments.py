"""Attachments: a presigned POST straight to S3, a server-side check on completion, presigned downloads."""

from __future__ import annotations

import re
import unicodedata

from pynamodb.exceptions import DoesNotExist

from mysite import cache, storage
from todos.errors import AttachmentNotFound, AttachmentTooLarge, InvalidTask, UploadExpired, UploadMissing
from todos.models import PENDING_UPLOAD_KEPT, Attachment, Tombstone, utcnow
from todos.services._common import conflict_guard, new_id, task_for_write, tombstone, touch

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_FILE_NAME = 200
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
# users/<sub>/todos/<task_id>/<attachment_id>/<file name>
_KEY = re.compile(r"^users/(?P<owner>[^/]+)/todos/(?P<task_id>[^/]+)/(?P<attachment_id>[^/]+)/[^/]+$")


def attachment_key_prefix(*, owner: str) -> str:
    return f"users/{owner}/"


def _safe_file_name(file_name: str) -> str:
    name = unicodedata.normalize("NFC", (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    if not name or name in {".", ".."}:
        raise InvalidTask("A file needs a name.", field="file_name")
    if len(name) > MAX_FILE_NAME:
        raise InvalidTask(f"A file name is at most {MAX_FILE_NAME} characters.", field="file_name")
    return name


def _key_name(file_name: str) -> str:
    """The last key segment: readable, but only characters safe in URLs and S3 events."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", file_name).strip("-.")[:100] or "file"


def attachment_for_write(*, owner: str, task_id: str, attachment_id: str) -> Attachment:
    """The record, read strongly; one past its TTL that DynamoDB has not swept yet counts as gone."""
    try:
        attachment = Attachment.get(owner, f"{task_id}#{attachment_id}", consistent_read=True)
    except DoesNotExist:
        raise AttachmentNotFound() from None
    if attachment.is_gone():
        raise AttachmentNotFound()
    return attachment


def attachment_start(
    *, owner: str, task_id: str, file_name: str, size: int, content_type: str
) -> tuple[Attachment, storage.PresignedPost]:
    """A pending attachment and the POST policy for the browser's upload (at most 25 MB, fixed key)."""
    task_for_write(owner=owner, task_id=task_id)
    file_name = _safe_file_name(file_name)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidTask("The size is a positive number of bytes.", field="size")
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentTooLarge(field="size")
    content_type = (content_type or "application/octet-stream").strip().lower()
    if not _CONTENT_TYPE.match(content_type) or len(content_type) > 100:
        raise InvalidTask("This is not a valid content type.", field="content_type")
    attachment_id = new_id()
    key = f"{attachment_key_prefix(owner=owner)}todos/{task_id}/{attachment_id}/{_key_name(file_name)}"
    attachment = Attachment(
        owner,
        f"{task_id}#{attachment_id}",
        task_id=task_id,
        attachment_id=attachment_id,
        file_name=file_name,
        size=size,
        content_type=content_type,
        s3_key=key,
        state="pending",
        expires_at=utcnow() + PENDING_UPLOAD_KEPT,
    )
    cache.save_with_bump(attachment, cache.user_scope(owner))
    return attachment, storage.presigned_post(key=key, max_bytes=MAX_ATTACHMENT_BYTES, content_type=content_type)


def attachment_complete(*, owner: str, task_id: str, attachment_id: str) -> Attachment:
    """Mark an upload ready once S3 has it; an oversized object is deleted (the emulator ignores policies).

    An upload that has not arrived by the end of its window has failed (`UploadExpired`); the record
    stays listed as expired until its TTL, and a ready one loses the TTL.
    """
    attachment = attachment_for_write(owner=owner, task_id=task_id, attachment_id=attachment_id)
    if attachment.state == "ready":
        return attachment
    head = storage.object_head(attachment.s3_key)
    if head is None:
        raise UploadExpired() if attachment.current_state() == "expired" else UploadMissing()
    if head["ContentLength"] > MAX_ATTACHMENT_BYTES:
        storage.objects_delete([attachment.s3_key])
        raise AttachmentTooLarge()
    attachment.size = head["ContentLength"]
    attachment.state = "ready"
    attachment.expires_at = None
    touch(attachment)
    with conflict_guard(attachment):
        cache.save_with_bump(attachment, cache.user_scope(owner))
    return attachment


def attachment_upload_received(*, key: str) -> bool:
    """S3 told us an object arrived: complete its attachment. Idempotent; keys of no attachment are ignored.

    An attachment key whose record is gone (deleted, or its pending upload expired) names an orphan:
    the object is deleted, so an upload that outlived its record leaves nothing behind.
    """
    match = _KEY.match(key)
    if not match:
        return False
    try:
        attachment_complete(**match.groupdict())
    except AttachmentNotFound:
        storage.objects_delete([key])
        return False
    except (UploadMissing, UploadExpired, AttachmentTooLarge):
        return False
    return True


def attachment_delete(*, owner: str, task_id: str, attachment_id: str) -> None:
    """Delete an attachment and its object."""
    attachment = attachment_for_write(owner=owner, task_id=task_id, attachment_id=attachment_id)
    storage.objects_delete([attachment.s3_key])
    with cache.transaction() as write:
        write.delete(attachment)
        write.save(tombstone(owner=owner, kind="attachment", item_id=attachment_id))
        cache.stamp_bump(write, cache.user_scope(owner))


def attachments_purge(*, owner: str, task_ids: list[str]) -> int:
    """Delete every attachment of these tasks, objects first (a task deletion calls this)."""
    attachments = [
        a for task_id in task_ids for a in Attachment.query(owner, Attachment.attachment_key.startswith(f"{task_id}#"))
    ]
    if not attachments:
        return 0
    storage.objects_delete([a.s3_key for a in attachments])
    with Attachment.batch_write() as batch:
        for attachment in attachments:
            batch.delete(attachment)
    with Tombstone.batch_write() as batch:
        for attachment in attachments:
            batch.save(tombstone(owner=owner, kind="attachment", item_id=attachment.attachment_id))
    return len(attachments)


# Types a browser may show in place: they cannot run script on the bucket's origin. Not SVG (it
# scripts), not HTML/XML. Plain text is served as "text/plain; charset=utf-8", a type the MIME
# sniffing standard never re-reads as HTML (S3 cannot add a nosniff header to a presigned GET).
INLINE_TYPES = {
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "image/avif": "image/avif",
    "application/pdf": "application/pdf",
    "text/plain": "text/plain; charset=utf-8",
}


def attachment_download_url(*, attachment: Attachment, inline: bool = False) -> str:
    """A short-lived GET URL for a ready attachment; inline only for INLINE_TYPES, served as that type."""
    if attachment.state != "ready":
        raise UploadMissing()
    declared = (attachment.content_type or "").split(";")[0].strip().lower()
    served = INLINE_TYPES.get(declared)
    if inline and served:
        return storage.presigned_get(
            key=attachment.s3_key, filename=attachment.file_name, inline=True, content_type=served
        )
    # Everything else is a download whatever the uploader declared, served as bytes.
    return storage.presigned_get(
        key=attachment.s3_key,
        filename=attachment.file_name,
        content_type=served or "application/octet-stream",
    )
