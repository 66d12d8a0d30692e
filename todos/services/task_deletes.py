"""Deleting tasks: one task with its subtasks (to the Trash), a list's completed tasks (for good).

Every deletion is transactional per chunk (DynamoDB's 100 items: a delete and a tombstone per task,
the counters' change and the read-cache stamp), each task guarded by the version it was read at,
so the counters stay exact. A deletion larger than one transaction removes children before their
parent and resumes where it stopped when retried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mysite.dynamo import chunks
from todos.models import Task
from todos.representations import task_as_dict
from todos.services._common import check_version, conflict_guard, task_for_write, tombstone
from todos.services.counts import counted, counted_chunks, counted_write
from todos.services.tasks import MAX_TRANSACTION_ITEMS, _subtask_ids

DELETE_CHUNK = (MAX_TRANSACTION_ITEMS - 2) // 2  # a delete and a tombstone per task
CLEAR_PAGE = 40  # completed tasks read per step of "clear completed"


def _fresh(owner: str, tasks: list[Task]) -> list[Task]:
    """The tasks as they are now (an index may lag), in the given order; those gone are left out."""
    found = {t.task_id: t for t in Task.batch_get([(owner, t.task_id) for t in tasks], consistent_read=True)}
    return [found[t.task_id] for t in tasks if t.task_id in found]


def tasks_delete_counted(*, owner: str, tasks: Iterable[Task], keep: Callable[[Task], bool] | None = None) -> int:
    """Delete `tasks` (their attachments first) in transactions with their counters' change; how many went.

    Each chunk is read again first, so what is deleted and uncounted is the task as it is now;
    `keep` (on that fresh state) says which of them still go.
    """
    from todos.services.attachments import attachments_purge

    deleted = 0
    for chunk in chunks(tasks, DELETE_CHUNK):
        current = [t for t in _fresh(owner, chunk) if keep is None or keep(t)]
        if not current:
            continue
        attachments_purge(owner=owner, task_ids=[t.task_id for t in current])
        for part in counted_chunks([(t, counted(t)) for t in current], size=DELETE_CHUNK):

            def fill(tx, tally, part=part):
                for task, before in part:
                    tx.delete(task)
                    tx.save(tombstone(owner=owner, kind="task", item_id=task.task_id))
                    tally.change(before, None)

            with conflict_guard(part[0][0], serialize=task_as_dict):
                counted_write(owner=owner, fill=fill)
            deleted += len(part)
    return deleted


def task_delete(*, owner: str, task_id: str, expected_version: int | None = None) -> str:
    """Move a task, its subtasks and their attachment records to the Trash (todos.services.trash); its trash id.

    One transaction when they fit (a cut-off move of a larger task is finished by its retry). The S3
    objects stay until the Trash entry is purged or expires.
    """
    from todos.services.trash import task_trash

    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version, serialize=task_as_dict)
    subtasks = [] if task.parent_id else _subtask_ids(owner=owner, task=task)
    return task_trash(task=task, subtasks=subtasks)


def tasks_clear_completed(*, owner: str, list_id: str) -> int:
    """Delete every completed task of a list (with its subtasks and attachments), a page at a time.

    The done side of the list is read by cursor, `CLEAR_PAGE` at a time; each page goes in
    transactions, subtasks before their parent, so an interrupted clear leaves only whole tasks
    behind and its retry carries on with them.
    """
    cleared = 0
    done_side = Task.by_list_state.query(f"{owner}#{list_id}#done", page_size=CLEAR_PAGE)
    for page in chunks(done_side, CLEAR_PAGE):
        ids = {t.task_id for t in page}
        children = [s for t in page if not t.parent_id for s in _subtask_ids(owner=owner, task=t)]
        orphans = [s for s in children if s.task_id not in ids]
        tasks_delete_counted(owner=owner, tasks=orphans)
        cleared += tasks_delete_counted(owner=owner, tasks=page, keep=lambda t: t.done and t.list_id == list_id)
    return cleared
