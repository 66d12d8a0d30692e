"""Out of the Trash: restore an entry with everything that went with it, purge it now, or clean up after the TTL.

Restoring (`trash_restore`) brings the entry's item back first and marks the entry `restoring`, then
the parts in chunks (each put with the removal of its part), then removes the entry: a cut-off restore
is finished by its retry, and a second restore finds no entry (404). Restored items get a new `changed`
stamp, so an incremental sync reports them after their tombstones, and a version one above the one
they were deleted at, so an ETag read before the deletion still names the version it read.
"""

from __future__ import annotations

from collections import Counter

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from mysite import cache, storage
from mysite.dynamo import chunks, condition_failed
from todos.errors import TrashConflict, TrashNotFound
from todos.models import Attachment, Task, TodoList, TrashItem
from todos.services._common import touch
from todos.services.counts import counted_chunks, counted_write
from todos.services.reminders import reminders_purge
from todos.services.trash import RESTORE_CHUNK, _loaded, trash_entry_get


def _parts(entry: TrashItem) -> list[TrashItem]:
    prefix = TrashItem.trash_key.startswith(f"{entry.trash_key}/")
    return list(TrashItem.query(entry.owner, prefix, consistent_read=True))


def _put_back(tx, item, version: int) -> None:
    """Put `item` back where it was deleted from, only if it is not there, at `version` + 1.

    PynamoDB's put of an item without a version checks that none is stored (the item is absent) and
    writes version 1; the stored number is set to follow the one the item was deleted at instead.
    """
    name = type(item)._version_attribute_name
    item.attribute_values.pop(name, None)
    tx.save(item)
    tx._put_items[-1]["Item"][name] = {"N": str(version + 1)}


def _restore_target(task: Task) -> None:
    """Where a restored task goes: under its parent and in its list if they are here, else the Inbox."""
    from todos.services.lists import inbox_ensure

    owner = task.owner
    if task.parent_id:
        try:
            parent = Task.get(owner, task.parent_id, consistent_read=True)
        except DoesNotExist:
            task.parent_id = None
        else:
            task.list_id = parent.list_id
            return
    try:
        TodoList.get(owner, task.list_id, consistent_read=True)
    except DoesNotExist:
        task.list_id = inbox_ensure(owner=owner).list_id


def _refused(error: TransactWriteError, entry: TrashItem):
    """A restore step lost a race: gone entry → 404 (restored meanwhile), otherwise a 409."""
    if not condition_failed(error):
        raise error
    try:
        TrashItem.get(entry.owner, entry.trash_key, consistent_read=True)
    except DoesNotExist:
        raise TrashNotFound("This item was restored or purged meanwhile.") from error
    raise TrashConflict() from error


def _restore_head(entry: TrashItem) -> None:
    """Put the entry's task or list back and mark the entry as restoring, in one transaction."""
    owner = entry.owner
    model = Task if entry.kind == "task" else TodoList
    item = _loaded(model, entry.data)
    version = int(item.version or 0)
    if entry.kind == "task":
        _restore_target(item)
        item.refresh_keys()
    touch(item)
    mark = [TrashItem.restoring.set(True), TrashItem.target_list.set(item.list_id if entry.kind == "task" else None)]

    def fill(tx, tally):
        _put_back(tx, item, version)
        tx.update(entry, actions=mark)
        if entry.kind == "task":
            tally.change(Counter(), item)

    try:
        counted_write(owner=owner, fill=fill)
    except TransactWriteError as error:
        _refused(error, entry)


def _restore_parts(entry: TrashItem, parts: list[TrashItem]) -> None:
    owner = entry.owner
    tasks, attachments = [], []
    for part in parts:
        if part.kind == "task":
            task = _loaded(Task, part.data)
            if entry.kind == "task":
                task.list_id = entry.target_list or task.list_id
            task.refresh_keys()
            touch(task)
            tasks.append((task, part))
        elif part.kind == "attachment":
            attachment = _loaded(Attachment, part.data)
            touch(attachment)
            attachments.append((attachment, part))
    tasks.sort(key=lambda pair: pair[0].parent_id is not None)  # parents before their subtasks
    by_task = {task.task_id: part for task, part in tasks}
    for group in counted_chunks([(task, Counter()) for task, _ in tasks], size=RESTORE_CHUNK):

        def fill(tx, tally, group=group):
            for task, _ in group:
                _put_back(tx, task, int(task.version or 0))
                tx.delete(by_task[task.task_id])
                tally.change(Counter(), task)

        try:
            counted_write(owner=owner, fill=fill)
        except TransactWriteError as error:
            _refused(error, entry)
    for group in chunks(attachments, RESTORE_CHUNK):

        def fill(tx, tally, group=group):
            for attachment, part in group:
                _put_back(tx, attachment, int(attachment.version or 0))
                tx.delete(part)

        try:
            counted_write(owner=owner, fill=fill)
        except TransactWriteError as error:
            _refused(error, entry)


def _entry_delete(entry: TrashItem) -> None:
    """The entry's last step, restored or purged: it leaves the Trash, at the version read."""
    try:
        with cache.transaction() as write:
            write.delete(entry)
            cache.stamp_bump(write, cache.user_scope(entry.owner))
    except TransactWriteError as error:
        _refused(error, entry)


def trash_restore(*, owner: str, trash_id: str) -> tuple[str, Task | TodoList]:
    """Restore a Trash entry with everything that went with it; its kind and the item as it is back.

    A task goes back under its parent and into its list, or into the Inbox if its list is gone (a
    subtask whose parent is gone becomes a task of its own); a list comes back with its tasks.
    """
    entry = trash_entry_get(owner=owner, trash_id=trash_id)
    if not entry.restoring:
        _restore_head(entry)
        entry = trash_entry_get(owner=owner, trash_id=trash_id)  # with the list its task went back to
    _restore_parts(entry, _parts(entry))
    entry = trash_entry_get(owner=owner, trash_id=trash_id)
    _entry_delete(entry)
    if entry.kind == "task":
        return "task", Task.get(owner, entry.item_id, consistent_read=True)
    return "list", TodoList.get(owner, entry.item_id, consistent_read=True)


def trash_restore_each(*, owner: str, trash_ids: list[str]) -> int:
    """Restore several entries (the Undo of "clear completed"), passing over those gone; how many came back."""
    restored = 0
    for trash_id in dict.fromkeys(trash_ids):
        try:
            trash_restore(owner=owner, trash_id=trash_id)
        except TrashNotFound:
            continue
        restored += 1
    return restored


def trash_purge(*, owner: str, trash_id: str) -> None:
    """Delete a Trash entry for good now: its parts, the attachments' S3 objects and the tasks'
    reminders, then the entry."""
    entry = trash_entry_get(owner=owner, trash_id=trash_id)
    if entry.restoring:
        raise TrashConflict()
    parts = _parts(entry)
    keys = [_loaded(Attachment, p.data).s3_key for p in parts if p.kind == "attachment"]
    storage.objects_delete(keys)
    task_ids = [p.item_id for p in parts if p.kind == "task"] + ([entry.item_id] if entry.kind == "task" else [])
    for task_id in task_ids:
        reminders_purge(owner=owner, task_id=task_id)
    with TrashItem.batch_write() as batch:
        for part in parts:
            batch.delete(part)
    _entry_delete(entry)


def trash_expired_files_delete(*, attachments: list[str]) -> int:
    """Delete the S3 objects of attachment records that DynamoDB's TTL swept out of the Trash.

    `attachments` are the swept parts' `data` (the attachment items as stored). An object whose
    attachment is live again (a restore that put it back before the sweep) is kept. Idempotent:
    a redelivered record deletes an object that is already gone.
    """
    expired = []
    for data in attachments:
        attachment = _loaded(Attachment, data)
        try:
            Attachment.get(attachment.owner, attachment.attachment_key, consistent_read=True)
        except DoesNotExist:
            expired.append(attachment.s3_key)
    storage.objects_delete(expired)
    return len(expired)
