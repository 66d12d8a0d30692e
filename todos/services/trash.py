"""The Trash: a deleted task or list is moved here for 30 days, restorable until then.

Moving to the Trash (`task_trash`, `list_trash`): each task or attachment record leaves its table in
the transaction that writes it to the Trash, with its tombstone (for sync) and the counters' change;
so an item is in one place or the other, never both or neither. What one transaction cannot hold goes
in chunks, the parts before their entry (for a task) or after it (for a list, which goes first, as it
did before the Trash), and a retry carries on where a cut-off move stopped. The S3 objects stay while
the attachment records are in the Trash; purging an entry deletes them.

Restoring (`trash_restore`) brings the entry's item back first and marks the entry `restoring`, then
the parts in chunks (each put with the removal of its part), then removes the entry: a cut-off restore
is finished by its retry, and a second restore finds no entry (404). Restored items get a new `changed`
stamp, so an incremental sync reports them after their tombstones, and a version one above the one
they were deleted at, so an ETag read before the deletion still names the version it read.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from mysite import cache, storage
from mysite.dynamo import chunks, condition_failed
from todos.errors import TrashConflict, TrashNotFound
from todos.models import Attachment, Task, TodoList, TrashItem, changed_stamp
from todos.representations import attachment_as_dict, task_as_dict
from todos.services._common import conflict_guard, tombstone, touch
from todos.services.counts import MAX_KEYS, counted, counted_chunks, counted_write
from todos.services.reminders import reminders_purge
from todos.services.tasks import MAX_TRANSACTION_ITEMS, _subtask_ids

TRASH_DAYS = 30
# A move to the Trash takes three items per task or attachment (its delete, its tombstone, its part),
# a restore two (its put, its part's delete); each transaction also holds the counters and the stamp.
MOVE_CHUNK = (MAX_TRANSACTION_ITEMS - 2) // 3
RESTORE_CHUNK = (MAX_TRANSACTION_ITEMS - 2) // 2
_TRASH_ID = re.compile(r"^(task|list)-[A-Za-z0-9]{1,64}$")


def trash_id_for(kind: str, item_id: str) -> str:
    """The trash id of a deleted task or list: known to whoever deleted it (the Undo of the UI)."""
    return f"{kind}-{item_id}"


def _part_key(trash_id: str, kind: str, item_id: str) -> str:
    return f"{trash_id}/{kind}-{item_id}"


def _expiry() -> timedelta:
    return timedelta(days=TRASH_DAYS)


def _raw(item) -> str:
    return json.dumps(item.serialize(), separators=(",", ":"))


def _loaded(model, data: str):
    return model.from_raw_data(json.loads(data))


def _entry(*, owner: str, trash_id: str, kind: str, item, title: str, list_id: str | None = None) -> TrashItem:
    return TrashItem(
        owner,
        trash_id,
        kind=kind,
        item_id=trash_id.split("-", 1)[1],
        data=_raw(item),
        expires_at=_expiry(),
        deleted=changed_stamp(),
        title=title,
        list_id=list_id,
    )


def _part(*, owner: str, trash_id: str, kind: str, item_id: str, item) -> TrashItem:
    return TrashItem(
        owner, _part_key(trash_id, kind, item_id), kind=kind, item_id=item_id, data=_raw(item), expires_at=_expiry()
    )


def _attachments_of(owner: str, task_id: str) -> list[Attachment]:
    return list(Attachment.query(owner, Attachment.attachment_key.startswith(f"{task_id}#"), consistent_read=True))


def _fill_move(tx, tally, *, owner: str, trash_id: str, tasks: list[Task], attachments: list[Attachment]) -> None:
    """Add to `tx` the move of these tasks and attachment records into the Trash entry `trash_id`'s parts."""
    for task in tasks:
        tx.delete(task)  # at the version read: a task changed meanwhile is a conflict
        tx.save(tombstone(owner=owner, kind="task", item_id=task.task_id))
        tx.save(_part(owner=owner, trash_id=trash_id, kind="task", item_id=task.task_id, item=task))
        tally.change(counted(task), None)
    for attachment in attachments:
        tx.delete(attachment)
        tx.save(tombstone(owner=owner, kind="attachment", item_id=attachment.attachment_id))
        tx.save(
            _part(
                owner=owner,
                trash_id=trash_id,
                kind="attachment",
                item_id=f"{attachment.task_id}#{attachment.attachment_id}",
                item=attachment,
            )
        )


def _move_attachments(*, owner: str, trash_id: str, task_ids: list[str]) -> None:
    """Move these tasks' attachment records into the Trash, a transaction per chunk."""
    found = [a for task_id in task_ids for a in _attachments_of(owner, task_id)]
    for chunk in chunks(found, MOVE_CHUNK):
        with conflict_guard(chunk[0], serialize=attachment_as_dict):
            counted_write(
                owner=owner,
                fill=lambda tx, tally, chunk=chunk: _fill_move(
                    tx, tally, owner=owner, trash_id=trash_id, tasks=[], attachments=chunk
                ),
            )


def _fresh(owner: str, tasks: list[Task]) -> list[Task]:
    """The tasks as they are now (an index may lag), in the given order; those gone are left out."""
    found = {t.task_id: t for t in Task.batch_get([(owner, t.task_id) for t in tasks], consistent_read=True)}
    return [found[t.task_id] for t in tasks if t.task_id in found]


def tasks_move_to_trash(*, owner: str, trash_id: str, tasks, keep=None) -> int:
    """Move `tasks` (their attachments first) into the parts of `trash_id`, chunk by chunk; how many went.

    Each chunk is read again first, so what moves and is uncounted is the task as it is now; `keep`
    (on that fresh state) says which of them still go.
    """
    moved = 0
    for chunk in chunks(tasks, MOVE_CHUNK):
        current = [t for t in _fresh(owner, chunk) if keep is None or keep(t)]
        if not current:
            continue
        _move_attachments(owner=owner, trash_id=trash_id, task_ids=[t.task_id for t in current])
        for part in counted_chunks([(t, counted(t)) for t in current], size=MOVE_CHUNK):
            tasks_part = [t for t, _ in part]
            with conflict_guard(tasks_part[0], serialize=task_as_dict):
                counted_write(
                    owner=owner,
                    fill=lambda tx, tally, tasks_part=tasks_part: _fill_move(
                        tx, tally, owner=owner, trash_id=trash_id, tasks=tasks_part, attachments=[]
                    ),
                )
            moved += len(part)
    return moved


def task_trash(*, task: Task, subtasks: list[Task]) -> str:
    """Move a task (read for write), its subtasks and their attachment records to the Trash; its trash id.

    One transaction when they fit: the task's entry, a part for each other item, a tombstone each,
    the counters' change. Otherwise the subtasks and attachments move first, in chunks, and the task
    with its entry last: until then the task is where it was, so a retry finds the rest still to move.
    """
    owner = task.owner
    trash_id = trash_id_for("task", task.task_id)
    tasks = [task, *subtasks]
    attachments = [a for t in tasks for a in _attachments_of(owner, t.task_id)]
    keys = {key for t in tasks for key in counted(t)}
    if 3 * (len(tasks) + len(attachments)) + 2 > MAX_TRANSACTION_ITEMS or len(keys) > MAX_KEYS:
        tasks_move_to_trash(owner=owner, trash_id=trash_id, tasks=subtasks)
        _move_attachments(owner=owner, trash_id=trash_id, task_ids=[task.task_id])
        subtasks, attachments = [], []

    def fill(tx, tally):
        tx.delete(task)
        tx.save(tombstone(owner=owner, kind="task", item_id=task.task_id))
        tx.save(_entry(owner=owner, trash_id=trash_id, kind="task", item=task, title=task.title, list_id=task.list_id))
        tally.change(counted(task), None)
        _fill_move(tx, tally, owner=owner, trash_id=trash_id, tasks=subtasks, attachments=attachments)

    with conflict_guard(task, serialize=task_as_dict):
        counted_write(owner=owner, fill=fill)
    return trash_id


def tasks_trash_each(*, owner: str, tasks: list[Task], keep) -> list[str]:
    """Move each of `tasks` with its subtasks to the Trash as an entry of its own, several to a transaction.

    `tasks` are read again first, and `keep` (on that fresh state) says which still go; a task whose
    parent is among them goes with its parent. A task too large to share a transaction goes alone
    (`task_trash`). Returns the trash ids, one per entry, in the order written.
    """
    fresh = [t for t in _fresh(owner, tasks) if keep(t)]
    ids = {t.task_id for t in fresh}
    groups = []
    for task in fresh:
        if task.parent_id in ids:
            continue  # it goes with its parent
        subtasks = [] if task.parent_id else _fresh(owner, _subtask_ids(owner=owner, task=task))
        attachments = [a for t in (task, *subtasks) for a in _attachments_of(owner, t.task_id)]
        groups.append((task, subtasks, attachments))
    trash_ids: list[str] = []
    batch: list[tuple] = []

    def flush() -> None:
        def fill(tx, tally):
            for task, subtasks, attachments in batch:
                trash_id = trash_id_for("task", task.task_id)
                tx.delete(task)
                tx.save(tombstone(owner=owner, kind="task", item_id=task.task_id))
                tx.save(
                    _entry(
                        owner=owner, trash_id=trash_id, kind="task", item=task, title=task.title, list_id=task.list_id
                    )
                )
                tally.change(counted(task), None)
                _fill_move(tx, tally, owner=owner, trash_id=trash_id, tasks=subtasks, attachments=attachments)

        if batch:
            with conflict_guard(batch[0][0], serialize=task_as_dict):
                counted_write(owner=owner, fill=fill)
            trash_ids.extend(trash_id_for("task", task.task_id) for task, _, _ in batch)
            batch.clear()

    items, keys = 0, set()
    for task, subtasks, attachments in groups:
        size = 3 * (1 + len(subtasks) + len(attachments))
        touched = {key for t in (task, *subtasks) for key in counted(t)}
        if size + 2 > MAX_TRANSACTION_ITEMS or len(touched) > MAX_KEYS:
            trash_ids.append(task_trash(task=task, subtasks=subtasks))
            continue
        if batch and (items + size + 2 > MAX_TRANSACTION_ITEMS or len(keys | touched) > MAX_KEYS):
            flush()
            items, keys = 0, set()
        batch.append((task, subtasks, attachments))
        items += size
        keys |= touched
    flush()
    return trash_ids


def list_trash_entry(write, *, todo_list: TodoList) -> str:
    """Add to the list's deletion (`write`) its Trash entry; its trash id."""
    trash_id = trash_id_for("list", todo_list.list_id)
    write.save(_entry(owner=todo_list.owner, trash_id=trash_id, kind="list", item=todo_list, title=todo_list.name))
    return trash_id


def trash_entry_get(*, owner: str, trash_id: str) -> TrashItem:
    """One of the owner's Trash entries, read strongly; TrashNotFound for an unknown, expired or foreign id."""
    if not isinstance(trash_id, str) or not _TRASH_ID.match(trash_id):
        raise TrashNotFound()
    try:
        entry = TrashItem.get(owner, trash_id, consistent_read=True)
    except DoesNotExist:
        raise TrashNotFound() from None
    if entry.is_gone():
        raise TrashNotFound()
    return entry


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
