"""Reads of lists and the counters the sidebar shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pynamodb.exceptions import DoesNotExist

from todos.errors import ListNotFound
from todos.models import TaskCounts, TodoList
from todos.selectors._common import _cached, _cached_item


def list_get(*, owner: str, list_id: str) -> TodoList:
    """One of the owner's lists (ListNotFound for another user's)."""
    return _cached_item(TodoList, owner, list_id, name="list", missing=ListNotFound)


def lists_of(*, owner: str, include_archived: bool = False) -> list[TodoList]:
    """The user's lists in sidebar order (one Query on their partition)."""

    def load():
        return sorted(TodoList.query(owner), key=lambda x: (x.position, x.list_id))

    lists = _cached(owner, "lists", {}, load)
    return [x for x in lists if include_archived or not x.archived]


@dataclass(frozen=True)
class Counts:
    """The counters the UI shows (open tasks only), from the user's counters item."""

    labels: list[tuple[str, int]]
    left: dict[str, int]
    due: dict[str, int]

    def today(self, day: date) -> int:
        """Open tasks due on `day` or before (UTC days)."""
        last = day.isoformat()
        return sum(n for due_day, n in self.due.items() if due_day <= last)


def counts_of(*, owner: str) -> Counts:
    """The user's counters: one GetItem (a user without them is counted once, see todos.services.counts)."""
    from todos.services.counts import counts_drop_zeros, counts_map, counts_recount

    def load():
        try:
            item = TaskCounts.get(owner, consistent_read=True)
        except DoesNotExist:
            item = counts_recount(owner=owner)
        counts_drop_zeros(item)

        def positive(name: str) -> dict[str, int]:
            return {key: n for key, n in counts_map(item, name).items() if n > 0}

        labels = sorted(positive("labels").items(), key=lambda pair: (-pair[1], pair[0].lower()))
        return Counts(labels=labels, left=positive("left"), due=positive("due"))

    return _cached(owner, "counts", {}, load)


def labels_with_counts(*, owner: str) -> list[tuple[str, int]]:
    """The user's labels and how many open tasks carry each, most used first."""
    return counts_of(owner=owner).labels
