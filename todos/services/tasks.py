"""Writes of tasks: create, edit, complete/reopen (with recurrence), move, reorder, delete."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from mysite import cache
from todos.errors import InvalidTask, TaskRuleBroken, VersionConflict
from todos.models import Task, TodoList, utcnow
from todos.recurrence import next_occurrence, recurrence_clean
from todos.services._common import (
    INBOX_ID,
    check_version,
    clean_position,
    condition_failed,
    conflict_guard,
    new_id,
    next_position,
    task_for_write,
    touch,
)
from todos.services.counts import counted, counted_chunks, counted_write
from todos.services.lists import inbox_ensure
from todos.services.reminders import due_shift, reminders_follow_task
from todos.services.task_fields import (
    apply_due,
    check_recurrence,
    clean_labels,
    clean_notes,
    clean_priority,
    clean_title,
    task_due_datetime_local,
)


def _transaction() -> TransactWrite:
    return TransactWrite(connection=Task._get_connection().connection)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems
MAX_REORDER = MAX_TRANSACTION_ITEMS - 1  # and one more for the read cache's stamp


def _referenced(model: type[TodoList] | type[Task], owner: str, item_id: str, *, field: str, missing: str):
    """The owner's item that a task names in `field` (read strongly consistent); TaskRuleBroken when there is none."""
    try:
        return model.get(owner, item_id, consistent_read=True)
    except DoesNotExist:
        raise TaskRuleBroken(missing, field=field) from None


def _list_for_task(*, owner: str, list_id: str | None) -> str:
    if not list_id or list_id == INBOX_ID:
        return inbox_ensure(owner=owner).list_id
    todo_list = _referenced(TodoList, owner, list_id, field="list_id", missing="There is no such list.")
    if todo_list.archived:
        raise TaskRuleBroken("This list is archived.", field="list_id")
    return list_id


def task_move_check(*, owner: str, list_id: str) -> None:
    """TaskRuleBroken unless `owner`'s tasks may move to `list_id` (it exists and is not archived): asked
    before a form's other changes are saved, so that a refused move saves none of them."""
    _list_for_task(owner=owner, list_id=list_id)


LIST_CHECK = "list"  # the label of a new task's list check in its transaction


def _check_list(tx, *, owner: str, list_id: str) -> None:
    """In the new task's own transaction: its list exists and is not archived (no read before the write)."""
    tx.condition_check(
        TodoList,
        owner,
        list_id,
        condition=TodoList.list_id.exists() & (TodoList.archived.does_not_exist() | (TodoList.archived == False)),  # noqa: E712
        label=LIST_CHECK,
    )


def _subtask_ids(*, owner: str, task: Task) -> list[Task]:
    """Every subtask of `task`, open and done (its own index partition: the list's other tasks are not read)."""
    return list(Task.by_parent.query(f"{owner}#{task.task_id}"))


def _open_subtasks(task: Task) -> list[Task]:
    """The open subtasks of `task` (its subtasks only are read)."""
    return list(Task.by_parent.query(f"{task.owner}#{task.task_id}", filter_condition=Task.done == False))  # noqa: E712


# DynamoDB's 100 items per transaction, less the counters and the read-cache stamp.
CHUNK = MAX_TRANSACTION_ITEMS - 2


def _save_parent_last(*, owner: str, items: list[tuple[Task, Counter]], last: Task, last_before: Counter) -> None:
    """Save `items` and then `last`, each transaction with the counters' change and the stamp, `last` in the final one.

    `items` pairs each task with what it counted before the change. One transaction when they fit;
    otherwise the items go first in full transactions and `last` (the parent) with the remainder.
    Until the final one commits the parent is unchanged, so a retry of the operation finds it still
    to do and picks up the items that are left: the operation is resumable, never half-forgotten.
    """

    def saving(chunk: list[tuple[Task, Counter]]):
        def fill(tx, tally):
            for item, before in chunk:
                tx.save(item)
                tally.change(before, item)

        return fill

    # The parent last, so it goes in the final transaction.
    with conflict_guard(last):
        for chunk in counted_chunks([*items, (last, last_before)], size=CHUNK):
            counted_write(owner=owner, fill=saving(chunk))


def _parent_for(*, owner: str, parent_id: str, task_id: str | None) -> Task:
    if parent_id == task_id:
        raise TaskRuleBroken("A task cannot be its own parent.", field="parent_id")
    parent = _referenced(Task, owner, parent_id, field="parent_id", missing="There is no such parent task.")
    if parent.parent_id:
        raise TaskRuleBroken("Subtasks go one level deep: the parent is itself a subtask.", field="parent_id")
    return parent


def _saved(task: Task, before: Counter, *, check_list: bool = False) -> Task:
    """Write `task` with its change to the counters (`before`: what it counted as loaded).

    With `check_list`, the same transaction checks that the task's list exists and is open.
    """
    created = task.version is None
    task.refresh_keys()
    touch(task)

    def fill(tx, tally):
        if check_list:
            _check_list(tx, owner=task.owner, list_id=task.list_id)
        tx.save(task, label="task")
        tally.change(before, task)

    if not created:
        with conflict_guard(task):
            counted_write(owner=task.owner, fill=fill)
        return task
    try:
        counted_write(owner=task.owner, fill=fill)
    except TransactWriteError as error:
        # The id is new, so an item holding it with the same `changed` stamp is this very write,
        # applied on an attempt whose answer was lost.
        if LIST_CHECK in getattr(error, "failed_labels", ()):
            # No such list, an archived one (the read says which), or an Inbox not made yet; once
            # the read passes, the list is right as of now: write without the check.
            _list_for_task(owner=task.owner, list_id=task.list_id)
            return _saved(task, before)
        if not condition_failed(error):
            raise
        current = Task.get(task.owner, task.task_id, consistent_read=True)
        if current.changed != task.changed:
            raise VersionConflict(current=current) from error
        task.version = current.version
    return task


# --- Services ------------------------------------------------------------------------------


def task_create(
    *,
    owner: str,
    title: str,
    list_id: str | None = None,
    parent_id: str | None = None,
    notes: str = "",
    due_date: date | None = None,
    due_datetime: datetime | None = None,
    due_timezone: str | None = None,
    priority: int = 1,
    labels: list[str] | tuple[str, ...] = (),
    recurrence: str | None = None,
    position: float | None = None,
) -> Task:
    """A new task at the end of its list (a subtask lives in its parent's list)."""
    task = Task(
        owner,
        new_id(),
        title=clean_title(title),
        notes=clean_notes(notes),
        priority=clean_priority(priority),
        labels=clean_labels(labels),
        recurrence=recurrence_clean(recurrence),
        position=next_position() if position is None else clean_position(position),
        list_id="",
    )
    apply_due(task, due_date=due_date, due_datetime=due_datetime, due_timezone=due_timezone)
    check_recurrence(task, rule_changed=True)
    if parent_id:
        parent = _parent_for(owner=owner, parent_id=parent_id, task_id=None)
        if list_id and list_id != parent.list_id:
            raise TaskRuleBroken("A subtask lives in its parent's list.", field="list_id")
        task.parent_id, task.list_id = parent.task_id, parent.list_id
        return _saved(task, Counter())
    task.list_id = list_id or INBOX_ID  # checked in the write's own transaction, not read first
    return _saved(task, Counter(), check_list=True)


def task_update(
    *,
    owner: str,
    task_id: str,
    expected_version: int | None = None,
    title=UNSET,
    notes=UNSET,
    due_date=UNSET,
    due_datetime=UNSET,
    due_timezone=UNSET,
    priority=UNSET,
    labels=UNSET,
    recurrence=UNSET,
    position=UNSET,
    parent_id=UNSET,
) -> Task:
    """Change some of a task's fields; only the given ones."""
    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version)
    before = counted(task)
    due_before = (task.due_datetime, task.due_date)
    for field, value, clean in (
        ("title", title, clean_title),
        ("notes", notes, clean_notes),
        ("priority", priority, clean_priority),
        ("labels", labels, clean_labels),
        ("recurrence", recurrence, recurrence_clean),
        ("position", position, clean_position),
    ):
        if value is not UNSET:
            setattr(task, field, clean(value))
    if any(v is not UNSET for v in (due_date, due_datetime, due_timezone)):
        apply_due(
            task,
            due_date=None if due_date is UNSET else due_date,
            due_datetime=None if due_datetime is UNSET else due_datetime,
            due_timezone=None if due_timezone is UNSET else due_timezone,
        )
    check_recurrence(task, rule_changed=any(v is not UNSET for v in (recurrence, due_date, due_datetime, due_timezone)))
    if parent_id is not UNSET and parent_id != task.parent_id:
        if parent_id:
            parent = _parent_for(owner=owner, parent_id=parent_id, task_id=task_id)
            if _subtask_ids(owner=owner, task=task):
                raise TaskRuleBroken("This task has subtasks, so it cannot become a subtask.", field="parent_id")
            task.list_id = parent.list_id
        task.parent_id = parent_id or None
    saved = _saved(task, before)
    if (saved.due_datetime, saved.due_date) != due_before:
        reminders_follow_task(task=saved)
    return saved


def _complete(task: Task, now: datetime) -> bool:
    """Complete `task` in memory; False if it recurs and moved to its next occurrence instead."""
    task.completions = [*(task.completions or []), now][-50:]
    if task.recurrence:
        local = task_due_datetime_local(task)
        current = local if local is not None else date.fromisoformat(task.due_date)
        following = next_occurrence(task.recurrence, current)
        if following is not None:
            when, task.recurrence = following
            if isinstance(when, datetime):
                task.due_datetime = when.replace(tzinfo=ZoneInfo(task.due_timezone or "UTC")).astimezone(UTC)
            else:
                task.due_date = when.isoformat()
            return False
    task.done, task.completed_at = True, now
    return True


def task_complete(*, owner: str, task_id: str, expected_version: int | None = None) -> Task:
    """Complete a task (and its open subtasks); a recurring one moves to its next occurrence."""
    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version)
    if task.done:
        return task
    before = counted(task)
    now = utcnow()
    due_before = (task.due_datetime, task.due_date)
    closed = _complete(task, now)
    task.refresh_keys()
    touch(task)
    subtasks = _open_subtasks(task) if closed and not task.parent_id else []
    items = []
    for sub in subtasks:
        items.append((sub, counted(sub)))
        sub.done, sub.completed_at = True, now
        sub.refresh_keys()
        touch(sub)
    _save_parent_last(owner=owner, items=items, last=task, last_before=before)
    if not closed:
        reminders_follow_task(task=task, shift=due_shift(due_before, (task.due_datetime, task.due_date)))
    return task


def task_reopen(*, owner: str, task_id: str, expected_version: int | None = None) -> Task:
    """Mark a completed task open again."""
    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version)
    if not task.done:
        return task
    before = counted(task)
    task.done, task.completed_at = False, None
    return _saved(task, before)


def task_move(
    *, owner: str, task_id: str, list_id: str, expected_version: int | None = None, position: float | None = None
) -> Task:
    """Move a task (with its subtasks) to another list; a moved subtask becomes a task of its own."""
    task = task_for_write(owner=owner, task_id=task_id)
    check_version(task, expected_version)
    target = _list_for_task(owner=owner, list_id=list_id)
    subtasks = [] if task.parent_id else _subtask_ids(owner=owner, task=task)
    befores = {t.task_id: counted(t) for t in [task, *subtasks]}
    task.list_id, task.parent_id = target, None
    task.position = next_position() if position is None else clean_position(position)
    for item in [task, *subtasks]:
        item.list_id = target
        item.refresh_keys()
        touch(item)
    items = [(sub, befores[sub.task_id]) for sub in subtasks]
    _save_parent_last(owner=owner, items=items, last=task, last_before=befores[task.task_id])
    return task


def tasks_reorder(*, owner: str, items: list[dict]) -> list[Task]:
    """Set many tasks' positions in one transaction: `items` = [{"id", "position", "version"?}]."""
    if not items:
        raise InvalidTask("Give at least one task to reorder.", field="items")
    if len(items) > MAX_REORDER:
        raise InvalidTask(f"Reorder at most {MAX_REORDER} tasks at once.", field="items")
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidTask("Each task may appear once.", field="items")
    found = {t.task_id: t for t in Task.batch_get([(owner, task_id) for task_id in ids], consistent_read=True)}
    missing = [task_id for task_id in ids if task_id not in found]
    if missing:
        raise TaskRuleBroken(f"No such task: {', '.join(missing)}.", field="items")
    for item in items:
        task = found[item["id"]]
        check_version(task, item.get("version"))
        task.position = clean_position(item["position"], field="items")
        task.refresh_keys()
        touch(task)
    first = found[ids[0]]
    with (
        conflict_guard(first),
        _transaction() as tx,
    ):
        for task_id in ids:
            tx.save(found[task_id])
        cache.stamp_bump(tx, cache.user_scope(owner))
    return [found[task_id] for task_id in ids]


def tasks_set_done(*, owner: str, list_id: str, done: bool) -> int:
    """Toggle all: complete (or reopen) every task of a list that is not so already."""
    list_state = f"{owner}#{list_id}#{'open' if done else 'done'}"
    changed = 0
    for task in Task.by_list_state.query(list_state):
        if done:
            task_complete(owner=owner, task_id=task.task_id)
        else:
            task_reopen(owner=owner, task_id=task.task_id)
        changed += 1
    return changed
