"""Deleting tasks: one task with its subtasks, or a list's completed tasks, each to the Trash.

Every move is transactional per chunk (DynamoDB's 100 items: per task its delete, its tombstone and
its Trash record; the counters' change and the read-cache stamp), each task guarded by the version
it was read at, so the counters stay exact. A move larger than one transaction moves children before
their parent and resumes where it stopped when retried.
"""

from __future__ import annotations

from mysite.dynamo import chunks
from todos.models import Task
from todos.services._common import check_version, task_for_write
from todos.services.tasks import _subtask_ids

CLEAR_PAGE = 40  # completed tasks read per step of "clear completed"


def task_delete(*, owner: str, task_id: str, expected_version: int | None = None) -> str:
    """Move a task, its subtasks and their attachment records to the Trash (todos.services.trash); its trash id.

    One transaction when they fit (a cut-off move of a larger task is finished by its retry). The S3
    objects stay until the Trash entry is purged or expires.
    """
    from todos.services.trash import task_trash

    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version)
    subtasks = [] if task.parent_id else _subtask_ids(owner=owner, task=task)
    return task_trash(task=task, subtasks=subtasks)


def tasks_clear_completed(*, owner: str, list_id: str) -> list[str]:
    """Move every completed task of a list (with its subtasks and attachments) to the Trash, a page at a time.

    Each task becomes a Trash entry of its own, restorable alone (todos.services.trash). The done
    side of the list is read by cursor, `CLEAR_PAGE` at a time, and each page goes in transactions,
    so an interrupted clear leaves only whole tasks behind and its retry carries on with them.
    Returns the trash ids of the entries.
    """
    from todos.services.trash import tasks_trash_each

    trash_ids: list[str] = []
    done_side = Task.by_list_state.query(f"{owner}#{list_id}#done", page_size=CLEAR_PAGE)
    for page in chunks(done_side, CLEAR_PAGE):
        trash_ids += tasks_trash_each(owner=owner, tasks=page, keep=lambda t: t.done and t.list_id == list_id)
    return trash_ids
