"""Reads of attachments and of the Trash."""

from __future__ import annotations

from mysite.dynamo import decode_cursor
from todos.errors import AttachmentNotFound
from todos.models import Attachment, TrashItem, utcnow
from todos.selectors._common import _cached, _one_request


def attachments_of(*, owner: str, task_id: str) -> list[Attachment]:
    """A task's attachments; records past their TTL are left out (here, not in the cache: time moves on)."""
    found = _cached(
        owner,
        "attachments",
        {"task": task_id},
        lambda: list(Attachment.query(owner, Attachment.attachment_key.startswith(f"{task_id}#"))),
    )
    now = utcnow()
    return [a for a in found if not a.is_gone(now)]


def attachments_of_tasks(*, owner: str, task_ids: list[str]) -> dict[str, list[Attachment]]:
    return {task_id: attachments_of(owner=owner, task_id=task_id) for task_id in task_ids}


def attachment_get(*, owner: str, task_id: str, attachment_id: str) -> Attachment:
    for attachment in attachments_of(owner=owner, task_id=task_id):
        if attachment.attachment_id == attachment_id:
            return attachment
    raise AttachmentNotFound()


def trash_page(*, owner: str, limit: int = 50, cursor: str | None = None) -> tuple[list[TrashItem], str | None]:
    """One page of the owner's Trash, newest deletion first: one Query of their partition of `by-owner-deleted`.

    Entries past their TTL that DynamoDB has not swept yet are left out (here, not in the cache).
    """

    scope = f"todos.trash:{owner}"

    def load():
        start = decode_cursor(cursor, scope=scope)
        results = TrashItem.by_deleted.query(owner, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        return _one_request(results, scope=scope)

    entries, next_cursor = _cached(owner, "trash", {"limit": limit, "cursor": cursor}, load)
    now = utcnow()
    return [e for e in entries if not e.is_gone(now)], next_cursor
