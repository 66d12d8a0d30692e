"""The counters the UI shows, kept exact by the writes that change them.

A user's `TaskCounts` item counts their open tasks per label, per list (top-level only: TodoMVC's
"items left") and per UTC due day (the Today count). A task write adds its change to the counters
in its own TransactWriteItems (`counted_write`), next to the task items and the read-cache stamp:
the counters change if and only if the tasks do, whatever runs concurrently, since every task item
in the transaction carries its version condition.

Migration: the counter update carries `attribute_exists(owner)`. For a user whose item is missing
(data from before the counters, or after `manage.py todos_recount`) the transaction is refused; the
write then recounts from the tasks once (`counts_recount`, which also fills in index keys added
since) and is retried. No counted write commits while the item is missing, so the recount cannot
miss one. Keys whose count fell to zero are removed now and then (`counts_drop_zeros`), so the item
holds what is open, not the labels and days of the past.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from mysite import cache
from mysite.dynamo import LabelledTransactWrite
from todos.models import NO_DUE, Task, TaskCounts, utcnow

COUNTS_LABEL = "counts"
MAPS = ("labels", "left", "due")
DROP_ZEROS_AT = 20  # zero entries tolerated before a read removes them
# Counter keys one transaction may change: each is a clause of one UpdateExpression (at most 4 KB).
MAX_KEYS = 60

Key = tuple[str, str]

# PynamoDB reads "[" and "]" in a map key as a list index, and refuses a key like "x]". A stored key
# writes them as "\x1f(" and "\x1f)": clean_labels folds "\x1f" as whitespace, so no label holds it
# and the mapping is one to one (no key could be written with a bracket before, so none needs moving).
_STORED = str.maketrans({"[": "\x1f(", "]": "\x1f)"})


def stored_key(key: str) -> str:
    """A counter's key as the item holds it."""
    return key.translate(_STORED)


def shown_key(key: str) -> str:
    """A key the item holds, as the label (or list id, or day) it counts."""
    return key.replace("\x1f(", "[").replace("\x1f)", "]")


def _counter(name: str, key: str):
    """The document path of one counter: `labels`, `left` or `due`, then the key."""
    return getattr(TaskCounts, name)[stored_key(key)]


def counted(task: Task | None) -> Counter[Key]:
    """What one task, as it is now, adds to its owner's counters."""
    found: Counter[Key] = Counter()
    if task is None or task.done:
        return found
    for label in task.labels or []:
        found["labels", label] += 1
    if not task.parent_id:
        found["left", task.list_id] += 1
    due_sort = task.due_sort or NO_DUE
    if due_sort != NO_DUE:
        found["due", due_sort[:10]] += 1
    return found


class Tally:
    """The counter changes of one write: what its tasks counted before, and after."""

    def __init__(self) -> None:
        self.delta: Counter[Key] = Counter()

    def change(self, before: Counter[Key], after: Task | None) -> None:
        self.delta.update(counted(after))
        self.delta.subtract(before)

    def actions(self) -> list:
        changes = [(key, n) for key, n in sorted(self.delta.items()) if n]
        return [_counter(m, k).set((_counter(m, k) | 0) + n) for (m, k), n in changes]


def counted_chunks(items: list[tuple[Task, Counter[Key]]], *, size: int) -> list[list[tuple[Task, Counter[Key]]]]:
    """(task, counted before) pairs in order, split into transactions of at most `size` tasks and `MAX_KEYS` keys."""
    found: list[list[tuple[Task, Counter[Key]]]] = []
    current: list[tuple[Task, Counter[Key]]] = []
    keys: set[Key] = set()
    for task, before in items:
        touched = set(before) | set(counted(task))
        if current and (len(current) >= size or len(keys | touched) > MAX_KEYS):
            found.append(current)
            current, keys = [], set()
        current.append((task, before))
        keys |= touched
    if current:
        found.append(current)
    return found


def _transaction() -> LabelledTransactWrite:
    return LabelledTransactWrite(connection=Task._get_connection().connection)


def counted_write(*, owner: str, fill: Callable[[LabelledTransactWrite, Tally], None]) -> None:
    """One transaction: `fill(tx, tally)` adds the items, then the counters' change and the stamp's bump.

    If the user has no counters yet, they are counted from the tasks once and the write is retried.
    """
    for attempt in range(2):
        tally = Tally()
        tx = _transaction()
        try:
            with tx:
                fill(tx, tally)
                actions = tally.actions()
                if actions:
                    tx.update(
                        TaskCounts(owner), actions=actions, condition=TaskCounts.owner.exists(), label=COUNTS_LABEL
                    )
                cache.stamp_bump(tx, cache.user_scope(owner))
        except TransactWriteError as error:
            if attempt == 0 and COUNTS_LABEL in tx.failed(error):
                counts_recount(owner=owner)
                continue
            error.failed_labels = tx.failed(error)  # which labelled items failed their condition
            raise
        return


def _key_changes(task: Task) -> list:
    """Updates that bring a task's stored index keys up to date (items written before those keys existed)."""
    stored = (task.open_due, task.parent_key)
    task.refresh_keys()
    actions = []
    for attribute, old, new in zip(
        (Task.open_due, Task.parent_key), stored, (task.open_due, task.parent_key), strict=True
    ):
        if old != new:
            actions.append(attribute.set(new) if new is not None else attribute.remove())
    return actions


def counts_recount(*, owner: str, replace: bool = False) -> TaskCounts:
    """Count the user's open tasks into a new counters item (reads every task: a migration, not a request path).

    With `replace`, the current item goes first, so that writes meanwhile wait for the new count.
    """
    if replace:
        TaskCounts(owner).delete()
    totals: Counter[Key] = Counter()
    migrated = False
    for task in Task.query(owner, consistent_read=True):
        actions = _key_changes(task)
        if actions:
            try:
                task.update(actions=actions)
                migrated = True
            except UpdateError:
                pass  # changed meanwhile: that write stored every key
        totals.update(counted(task))
    maps: dict[str, dict[str, int]] = {m: {} for m in MAPS}
    for (m, key), n in totals.items():
        maps[m][stored_key(key)] = n
    item = TaskCounts(owner, counted_at=utcnow(), **maps)
    try:
        item.save(condition=TaskCounts.owner.does_not_exist())
    except PutError:
        item = TaskCounts.get(owner, consistent_read=True)  # another process counted first
    if migrated:
        cache.stamp_bump_now(cache.user_scope(owner))
    return item


def counts_map(item: TaskCounts, name: str) -> dict[str, int]:
    """One of the item's maps as a plain dict of whole numbers."""
    value = getattr(item, name, None)
    if value is None:
        return {}
    raw = value.as_dict() if hasattr(value, "as_dict") else dict(value)
    return {shown_key(key): int(n) for key, n in raw.items()}


def counts_drop_zeros(item: TaskCounts) -> None:
    """Remove the keys counted down to zero, each only if it is still zero (a concurrent write wins)."""
    zeros = [(m, k) for m in MAPS for k, n in counts_map(item, m).items() if n == 0]
    if len(zeros) < DROP_ZEROS_AT:
        return
    zeros = zeros[:90]  # one update, comfortably inside DynamoDB's expression limits
    condition = None
    for m, k in zeros:
        clause = _counter(m, k) == 0
        condition = clause if condition is None else condition & clause
    # One that came back to life meanwhile fails the condition: all are kept, and tried again another time.
    with contextlib.suppress(UpdateError):
        TaskCounts(item.owner).update(actions=[_counter(m, k).remove() for m, k in zeros], condition=condition)
