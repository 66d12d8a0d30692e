"""Shared lists: running a read or write on the owner's partition once the membership allows it, and the activity.

`on_task` / `on_list` are the glue every API view and HTML view of a task or list goes through: the
decision is `todos.selectors.sharing`, the write is the usual service, called with the owner's partition.
A member's writes bump the owner's read-cache scope, like the owner's own (the services do), so both see
them on every container at once. Pure functions of DynamoDB: right with any number of processes and threads.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from todos.errors import ListNotFound, TaskNotFound, TaskRuleBroken, TrashNotFound
from todos.models import ACTIVITY_DAYS, ListActivity, Task, changed_stamp
from todos.selectors.lists import list_get
from todos.selectors.sharing import OWNER, Access, list_access, task_access
from todos.selectors.tasks import task_get

MAX_SUBJECT = 200


def on_task[T](
    *, user, task_id: str, run: Callable[[str], T], edit: bool = True, owner_only: bool = False, note: str | None = None
) -> T:
    """`run(owner)` on task `task_id`: the user's own, or one in a list shared with them.

    The user's own task is found through the read cache (what the page just read), so an owner pays no
    request for sharing; anyone else is let in by `task_access` (404 for a non-member, 403 for a
    viewer when `edit`, for any member when `owner_only`). `note` records the write in the list's
    activity when the list is shared (the owner's writes too).
    """
    try:
        own = task_get(owner=user.sub, task_id=task_id)
    except TaskNotFound:
        own = None
    if own is not None:
        access = Access(actor=user.sub, owner=user.sub, list_id=own.list_id, role=OWNER)
        subject = own.title
    else:
        access = task_access(actor=user.sub, task_id=task_id)
        if owner_only:
            access.require_owner()
        if edit:
            access.require_edit()
        subject = _task_title(access.owner, task_id) if note == "deleted" else ""
    result = run(access.owner)
    if note and (own is None or _is_shared(access)):
        _note(user, access, result, note=note, task_id=task_id, subject=subject)
    return result


def on_list[T](
    *, user, list_id: str, run: Callable[[str], T], edit: bool = True, owner_only: bool = False, note: str | None = None
) -> T:
    """`run(owner)` on list `list_id`: the user's own, or one shared with them (decided as in `on_task`).

    A list that is neither is left to the user's own partition, where the service answers as it always
    has (the Inbox is made on first use; an unknown list is its 404).
    """
    try:
        access = list_access(actor=user.sub, list_id=list_id, field="list_id")
    except ListNotFound:
        return run(user.sub)
    if owner_only:
        access.require_owner()
    if edit:
        access.require_edit()
    result = run(access.owner)
    if note and (not access.is_owner or _is_shared(access)):
        _note(user, access, result, note=note)
    return result


def new_task_owner(*, user, list_id: str | None = None, parent_id: str | None = None) -> tuple[str, Access | None]:
    """Whose partition a new task goes to, and the shared list whose activity records it (None: not shared).

    The owner of its parent or list if that is shared with the user as editor (403 as viewer), else the
    user's own partition, where the service answers an unknown reference as it always has.
    """
    try:
        if parent_id:
            try:
                parent = task_get(owner=user.sub, task_id=parent_id)
                access = Access(actor=user.sub, owner=user.sub, list_id=parent.list_id, role=OWNER)
            except TaskNotFound:
                access = task_access(actor=user.sub, task_id=parent_id)
        elif list_id:
            access = list_access(actor=user.sub, list_id=list_id)
        else:
            return user.sub, None
    except (TaskNotFound, ListNotFound):
        return user.sub, None
    access.require_edit()
    return access.owner, (access if not access.is_owner or _is_shared(access) else None)


def _is_shared(access: Access) -> bool:
    """Whether the list has members (read through the owner's read cache, before any write of this request)."""
    try:
        return bool(list_get(owner=access.owner, list_id=access.list_id).member_count)
    except ListNotFound:
        return False


def _task_title(owner: str, task_id: str) -> str:
    try:
        return task_get(owner=owner, task_id=task_id).title
    except TaskNotFound:
        return ""


def check_reference(*, user, owner: str, list_id: str | None = None, parent_id: str | None = None) -> None:
    """A member's write on `owner`'s partition may name another list (a move's target) or task (a new
    parent) only if that too is on `owner`'s partition and the member edits it; else the answer for an
    id that exists nowhere. The owner's own writes are checked by the services themselves."""
    if owner == user.sub:
        return
    if list_id is not None:
        target = list_access(actor=user.sub, list_id=list_id, field="list_id")
        if target.owner != owner:
            raise ListNotFound(field="list_id")
        target.require_edit()
    if parent_id is not None:
        target = task_access(actor=user.sub, task_id=parent_id)
        if target.owner != owner:
            raise TaskNotFound(field="parent_id")
        target.require_edit()


def owner_for_tasks(*, user, task_ids: list[str]) -> str:
    """Whose partition a write naming several tasks (a reorder) goes to: a shared list's owner's if every
    task is in a list shared with the user as editor. An unknown task is TaskRuleBroken (422), as ever."""
    accesses = []
    for task_id in dict.fromkeys(task_ids):
        try:
            accesses.append(task_access(actor=user.sub, task_id=task_id))
        except TaskNotFound:
            raise TaskRuleBroken(f"No such task: {task_id}.", field="items") from None
    owners = {a.owner for a in accesses}
    if len(owners) > 1:
        raise TaskRuleBroken("Reorder tasks of one owner's lists at a time.", field="items")
    for access in accesses:
        access.require_edit()
    return owners.pop() if owners else user.sub


def task_activity_note(*, user, access: Access | None, task: Task, action: str) -> None:
    """Record that the user did `action` to `task` on the shared list of `access` (nothing when None)."""
    if access is not None:
        _note(user, access, task, note=action, task_id=task.task_id)


def _note(user, access: Access, result, *, note: str, task_id: str | None = None, subject: str = "") -> None:
    task = result if isinstance(result, Task) else None
    activity_note(
        access=access,
        actor_name=user.display_name,
        action=note,
        subject=task.title if task is not None else subject,
        task_id=task.task_id if task is not None else task_id,
    )


def activity_note(*, access: Access, actor_name: str, action: str, subject: str = "", task_id: str | None = None):
    """One line of the list's activity: `actor_name` did `action` (to `subject`)."""
    ListActivity(
        access.list_key,
        f"{changed_stamp()}#{secrets.token_hex(3)}",
        actor=access.actor,
        actor_name=actor_name or "Someone",
        action=action,
        subject=" ".join((subject or "").split())[:MAX_SUBJECT],
        task_id=task_id,
        expires_at=timedelta(days=ACTIVITY_DAYS),
    ).save()


def trash_restore_shared(*, user, list_id: str, trash_id: str) -> tuple[str, object]:
    """Restore a task deleted from list `list_id`, as its owner or as one of its editors (the Undo of a
    member's delete): the entry is on the owner's Trash, and must be a task of that list."""
    from todos.services.trash import trash_entry_get
    from todos.services.trash_restore import trash_restore

    access = list_access(actor=user.sub, list_id=list_id, field="list_id").require_edit()
    entry = trash_entry_get(owner=access.owner, trash_id=trash_id)
    if not access.is_owner and (entry.kind != "task" or entry.list_id != list_id):
        raise TrashNotFound()
    kind, item = trash_restore(owner=access.owner, trash_id=trash_id)
    if not access.is_owner or _is_shared(access):
        _note(user, access, item, note="restored")
    return kind, item
