"""Writes of lists (projects)."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from mysite import cache
from todos.errors import InvalidTask, ListNotFound, TaskRuleBroken, TrashNotFound
from todos.models import Task, TodoList
from todos.services._common import (
    INBOX_ID,
    check_version,
    clean_position,
    condition_failed,
    conflict_guard,
    list_for_write,
    new_id,
    next_position,
    save_new,
    tombstone,
    touch,
)

COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "violet", "pink")
MAX_NAME = 120


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidTask("A list needs a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidTask(f"A list name is at most {MAX_NAME} characters.", field="name")
    return name


def _clean_colour(colour: str) -> str:
    if colour not in COLOURS:
        raise InvalidTask(f"Colour must be one of: {', '.join(COLOURS)}.", field="colour")
    return colour


def inbox_ensure(*, owner: str) -> TodoList:
    """The user's Inbox, created on first use (a fixed id makes concurrent first uses safe)."""
    inbox = TodoList(owner, INBOX_ID, name="Inbox", colour="grey", position=0)
    try:
        cache.save_with_bump(inbox, cache.user_scope(owner), condition=TodoList.list_id.does_not_exist())
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        return TodoList.get(owner, INBOX_ID, consistent_read=True)
    return inbox


def list_create(*, owner: str, name: str, colour: str = "grey", position: float | None = None) -> TodoList:
    """A new list at the end of the sidebar."""
    todo_list = TodoList(
        owner,
        new_id(),
        name=_clean_name(name),
        colour=_clean_colour(colour),
        position=next_position() if position is None else clean_position(position),
    )
    touch(todo_list)
    save_new(todo_list, owner=owner)
    return todo_list


def list_update(
    *,
    owner: str,
    list_id: str,
    expected_version: int | None = None,
    name: str | None = None,
    colour: str | None = None,
    position: float | None = None,
    archived: bool | None = None,
) -> TodoList:
    """Rename, recolour, move or (un)archive a list."""
    todo_list = list_for_write(owner=owner, list_id=list_id)
    check_version(todo_list, expected_version)
    if name is not None:
        todo_list.name = _clean_name(name)
    if colour is not None:
        todo_list.colour = _clean_colour(colour)
    if position is not None:
        todo_list.position = clean_position(position)
    if archived is not None:
        if archived and list_id == INBOX_ID:
            raise TaskRuleBroken("The Inbox cannot be archived.", field="archived")
        todo_list.archived = archived
    touch(todo_list)
    with conflict_guard(todo_list):
        cache.save_with_bump(todo_list, cache.user_scope(owner))
    return todo_list


def list_delete(*, owner: str, list_id: str, expected_version: int | None = None) -> str:
    """Move a list with its tasks and their attachment records to the Trash; its trash id.

    The list goes first, with its Trash entry (nothing more can be added to it), then its tasks,
    subtasks before their parents, in counted transactions. A retry after a failure finds the entry
    and moves the rest.
    """
    from todos.services.trash import list_trash_entry, tasks_move_to_trash, trash_entry_get, trash_id_for

    if list_id == INBOX_ID:
        raise TaskRuleBroken("The Inbox cannot be deleted.", field="list_id")
    trash_id = trash_id_for("list", list_id)
    try:
        todo_list = list_for_write(owner=owner, list_id=list_id)
    except ListNotFound:
        try:
            entry = trash_entry_get(owner=owner, trash_id=trash_id)
        except TrashNotFound:
            raise ListNotFound(field="list_id") from None
        if entry.restoring:
            raise ListNotFound(field="list_id") from None
        todo_list = None  # deleted already: what follows moves the tasks a cut-off delete left behind
    if todo_list is not None:
        check_version(todo_list, expected_version)
        with conflict_guard(todo_list), cache.transaction() as write:
            write.delete(todo_list)
            write.save(tombstone(owner=owner, kind="list", item_id=list_id))
            list_trash_entry(write, todo_list=todo_list)
            cache.stamp_bump(write, cache.user_scope(owner))
    tasks = sorted(Task.by_list.query(f"{owner}#{list_id}"), key=lambda t: t.parent_id is None)
    tasks_move_to_trash(owner=owner, trash_id=trash_id, tasks=tasks, keep=lambda t: t.list_id == list_id)
    return trash_id
