"""Helpers shared by the todos services: ids, loading for write, version checks, tombstones."""

from __future__ import annotations

import math
import secrets
import time
from datetime import timedelta

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError

from mysite import cache
from mysite.dynamo import condition_failed, number_storable
from todos.errors import InvalidTask, ListNotFound, TaskNotFound, VersionConflict
from todos.models import Task, TodoList, Tombstone, changed_stamp, utcnow

INBOX_ID = "inbox"
TOMBSTONE_DAYS = 30


def new_id() -> str:
    """A time-ordered id: a user's items come back from their partition in creation order."""
    return f"{time.time_ns() // 1000:014x}{secrets.token_hex(4)}"


def next_position() -> float:
    """Append at the end without reading the list: positions grow with time."""
    return round(time.time() * 1000) / 1000


def clean_position(value, *, field: str = "position") -> float:
    """A position DynamoDB can store: a finite number, zero or between 1E-130 and 1E+126 in magnitude."""
    try:
        position = float(value)
    except (TypeError, ValueError, OverflowError):
        position = math.nan
    if not number_storable(position):
        raise InvalidTask("A position is 0 or a finite number of magnitude 1E-130 to 1E+125.", field=field)
    return position


def touch(item) -> None:
    """Mark an item as changed now (for sync and for the ETag)."""
    item.changed = changed_stamp()
    if hasattr(item, "updated_at"):
        item.updated_at = utcnow()


def check_version(item, expected: int | None) -> None:
    """A stale `expected` version is a 409 carrying the current item."""
    if expected is not None and expected != item.version:
        raise VersionConflict(current=item)


def list_for_write(*, owner: str, list_id: str) -> TodoList:
    try:
        return TodoList.get(owner, list_id, consistent_read=True)
    except DoesNotExist:
        raise ListNotFound(field="list_id") from None


def task_for_write(*, owner: str, task_id: str) -> Task:
    try:
        return Task.get(owner, task_id, consistent_read=True)
    except DoesNotExist:
        raise TaskNotFound() from None


def tombstone(*, owner: str, kind: str, item_id: str, list_key: str | None = None) -> Tombstone:
    return Tombstone(
        owner,
        f"{changed_stamp()}#{kind}#{item_id}",
        kind=kind,
        item_id=item_id,
        list_key=list_key,
        expires_at=timedelta(days=TOMBSTONE_DAYS),
    )


def task_tombstone(task: Task) -> Tombstone:
    """A task's deletion, for its owner's sync and its list's members' (`list_key`)."""
    return tombstone(owner=task.owner, kind="task", item_id=task.task_id, list_key=task.list_key)


def save_new(item, *, owner: str) -> None:
    """Put a new item (fresh id) with the owner's read-cache bump; a retry of an applied write is no conflict.

    The id was generated for this write, so an item already holding it with the same `changed`
    stamp can only be this very write, applied on an attempt whose answer was lost.
    """
    model = type(item)
    try:
        cache.save_with_bump(item, cache.user_scope(owner))
    except (PutError, TransactWriteError) as error:
        if not condition_failed(error):
            raise
        hash_key, range_key = getattr(item, model._hash_keyname), getattr(item, model._range_keyname)
        current = model.get(hash_key, range_key, consistent_read=True)
        if getattr(current, "changed", None) != getattr(item, "changed", None):
            raise VersionConflict(current=current) from error
        item.version = current.version


class conflict_guard:
    """Turn a lost optimistic-locking race into a 409 with the item as it is now."""

    def __init__(self, item):
        self.item = item

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, (PutError, UpdateError, DeleteError, TransactWriteError)) and condition_failed(exc):
            model = type(self.item)
            try:
                current = model.get(
                    getattr(self.item, model._hash_keyname),
                    getattr(self.item, model._range_keyname),
                    consistent_read=True,
                )
            except DoesNotExist:
                raise VersionConflict("The item was deleted meanwhile.") from exc
            raise VersionConflict(current=current) from exc
        return False
