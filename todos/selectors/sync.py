"""Incremental sync: everything that changed since a token, deletions as tombstones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mysite.dynamo import decode_cursor, encode_cursor
from todos.models import Attachment, Task, TodoList, Tombstone
from todos.services._common import TOMBSTONE_DAYS

# A sync token is a signed change stamp. Everything changed after it comes back, deletions
# as tombstones. The new token lags the clock a little so that a write in flight while we
# read is delivered next time (a client may see an item twice; it upserts).

SYNC_LAG = timedelta(seconds=2)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sync_token_decode(token: str | None) -> str | None:
    data = decode_cursor(token)
    return data.get("since") if data else None


@dataclass
class Changes:
    lists: list[TodoList]
    tasks: list[Task]
    attachments: list[Attachment]
    deleted: list[Tombstone]
    token: str
    full: bool


def changes_since(*, owner: str, token: str | None, now: datetime | None = None) -> Changes:
    """Everything that changed since `token` (all of it without one, or when it is too old)."""
    now = now or datetime.now(UTC)
    since = sync_token_decode(token)
    new_token = encode_cursor({"since": _stamp(now - SYNC_LAG)})
    if since is None or since < _stamp(now - timedelta(days=TOMBSTONE_DAYS)):
        return Changes(
            lists=list(TodoList.query(owner)),
            tasks=list(Task.query(owner)),
            attachments=[a for a in Attachment.query(owner) if not a.is_gone(now)],
            deleted=[],
            token=new_token,
            full=True,
        )
    return Changes(
        lists=list(TodoList.by_changed.query(owner, TodoList.changed > since)),
        tasks=list(Task.by_changed.query(owner, Task.changed > since)),
        attachments=[a for a in Attachment.by_changed.query(owner, Attachment.changed > since) if not a.is_gone(now)],
        deleted=list(Tombstone.query(owner, Tombstone.tombstone_key > since)),
        token=new_token,
        full=False,
    )
