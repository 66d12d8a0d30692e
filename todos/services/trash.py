"""The Trash: a deleted task or list is moved here for 30 days, restorable until then.

Moving to the Trash (`task_trash`, `list_trash`): each task or attachment record leaves its table in
the transaction that writes it to the Trash, with its tombstone (for sync) and the counters' change;
so an item is in one place or the other, never both or neither. What one transaction cannot hold goes
in chunks, the parts before their entry (for a task) or after it (for a list, which goes first, as it
did before the Trash), and a retry carries on where a cut-off move stopped. The S3 objects stay while
the attachment records are in the Trash; purging an entry deletes them.

Leaving the Trash (restore, purge, the TTL's sweep): todos.services.trash_restore.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from pynamodb.exceptions import DoesNotExist

from mysite.dynamo import chunks
from todos.errors import TrashNotFound
from todos.models import Attachment, Task, TodoList, TrashItem, changed_stamp
from todos.services._common import conflict_guard, task_tombstone, tombstone
from todos.services.counts import MAX_KEYS, counted, counted_chunks, counted_write
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
        tx.save(task_tombstone(task))
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
        with conflict_guard(chunk[0]):
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
            with conflict_guard(tasks_part[0]):
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
        tx.save(task_tombstone(task))
        tx.save(_entry(owner=owner, trash_id=trash_id, kind="task", item=task, title=task.title, list_id=task.list_id))
        tally.change(counted(task), None)
        _fill_move(tx, tally, owner=owner, trash_id=trash_id, tasks=subtasks, attachments=attachments)

    with conflict_guard(task):
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
                tx.save(task_tombstone(task))
                tx.save(
                    _entry(
                        owner=owner, trash_id=trash_id, kind="task", item=task, title=task.title, list_id=task.list_id
                    )
                )
                tally.change(counted(task), None)
                _fill_move(tx, tally, owner=owner, trash_id=trash_id, tasks=subtasks, attachments=attachments)

        if batch:
            with conflict_guard(batch[0][0]):
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
