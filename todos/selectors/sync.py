"""Incremental sync: everything that changed since a token, deletions as tombstones.

A member's sync covers the lists shared with them: per membership, the list and its tasks changed
since the token (or all of them when the token predates joining), from the list's own indexes
(`by-list-changed`, and the tombstones' `by-list`): one Query or two per shared list, nothing per member.
Leaving or losing a list is a "list" tombstone on the member's own partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from mysite.dynamo import decode_cursor, encode_cursor
from mysite.errors import InvalidCursor
from todos.models import Attachment, ListMember, Task, TodoList, Tombstone
from todos.services._common import TOMBSTONE_DAYS

# A sync token is a signed change stamp. Everything changed after it comes back, deletions
# as tombstones. The new token lags the clock a little so that a write in flight while we
# read is delivered next time (a client may see an item twice; it upserts).

SYNC_LAG = timedelta(seconds=2)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sync_token(*, owner: str, since: datetime) -> str:
    """The token of the changes after `since`, for `owner` only."""
    return encode_cursor({"since": _stamp(since)}, scope=f"todos.sync:{owner}")


def sync_token_decode(token: str | None, *, owner: str) -> str | None:
    """The stamp inside `owner`'s token (None without one); InvalidCursor for a list's cursor or another's token."""
    data = decode_cursor(token, scope=f"todos.sync:{owner}", field="since")
    if data is None:
        return None
    if not isinstance(data.get("since"), str):
        raise InvalidCursor(field="since")
    return data["since"]


@dataclass
class Changes:
    lists: list[TodoList]
    tasks: list[Task]
    attachments: list[Attachment]
    deleted: list[Tombstone]
    token: str
    full: bool
    shared: list[ListMember]


def changes_since(*, owner: str, token: str | None, now: datetime | None = None) -> Changes:
    """Everything that changed since `token` (all of it without one, or when it is too old)."""
    now = now or datetime.now(UTC)
    since = sync_token_decode(token, owner=owner)
    new_token = sync_token(owner=owner, since=now - SYNC_LAG)
    memberships = list(ListMember.query(owner))
    if since is None or since < _stamp(now - timedelta(days=TOMBSTONE_DAYS)):
        changes = Changes(
            lists=list(TodoList.query(owner)),
            tasks=list(Task.query(owner)),
            attachments=[a for a in Attachment.query(owner) if not a.is_gone(now)],
            deleted=[],
            token=new_token,
            full=True,
            shared=memberships,
        )
        since = None
    else:
        changes = Changes(
            lists=list(TodoList.by_changed.query(owner, TodoList.changed > since)),
            tasks=list(Task.by_changed.query(owner, Task.changed > since)),
            attachments=[
                a for a in Attachment.by_changed.query(owner, Attachment.changed > since) if not a.is_gone(now)
            ],
            deleted=list(Tombstone.query(owner, Tombstone.tombstone_key > since)),
            token=new_token,
            full=False,
            shared=memberships,
        )
    for membership in memberships:
        _add_shared(changes, membership, since)
    return changes


def _add_shared(changes: Changes, membership: ListMember, since: str | None) -> None:
    """The shared list's part of `changes`: all of it if the member joined (or their role changed) after `since`."""
    key = membership.list_key
    try:
        todo_list = TodoList.get(membership.owner, membership.list_id)
    except DoesNotExist:  # deleted by its owner (to the Trash): gone for its members until restored
        changes.deleted.append(Tombstone(membership.member, "", kind="list", item_id=membership.list_id))
        return
    if since is not None:
        changes.deleted.extend(Tombstone.by_list.query(key, Tombstone.tombstone_key > since))
    if since is None or membership.changed > since or membership.joined > since:
        changes.lists.append(todo_list)
        changes.tasks.extend(Task.by_list.query(key))
        return
    if todo_list.changed > since:
        changes.lists.append(todo_list)
    changes.tasks.extend(Task.by_list_changed.query(key, Task.changed > since))
