"""Reads of tasks: one task, searches and the pages the UI lists, each served by one index Query."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from mysite.dynamo import decode_cursor
from todos.errors import TaskNotFound
from todos.models import Task, due_key
from todos.selectors._common import MAX_PAGE, _cached, _cached_item, _one_request


def task_get(*, owner: str, task_id: str) -> Task:
    """One of the owner's tasks (TaskNotFound for another user's)."""
    return _cached_item(Task, owner, task_id, name="task", missing=TaskNotFound)


@dataclass(frozen=True)
class TaskQuery:
    """What to look for; each field narrows the result."""

    list_id: str | None = None
    done: bool | None = None
    due_before: date | datetime | None = None
    due_after: date | datetime | None = None
    overdue: bool = False
    today: date | None = None
    label: str | None = None
    priority: int | None = None
    text: str | None = None
    parent_id: str | None = None
    top_level: bool = False
    sort: str = "position"


# Above every due key (a whole-day due on the calendar's last day is "9999-12-31T~"), below NO_DUE ("~").
LAST_DUE_KEY = f"{date.max}T~~"


def _due_key(value: date | datetime) -> str:
    return due_key(value) if isinstance(value, datetime) else value.isoformat()


def _due_range(query: TaskQuery, now: datetime) -> tuple[str | None, str | None]:
    """Inclusive (low, high) bounds on `due_sort`; None for open ends."""
    low = high = None
    if query.due_after is not None:
        after = query.due_after
        if isinstance(after, datetime):
            low = _due_key(after)
        elif after < date.max:
            low = _due_key(after + timedelta(days=1))
        else:
            low = LAST_DUE_KEY  # after the calendar's last day: nothing is due
    if query.due_before is not None:
        high = _due_key(query.due_before)
    if query.overdue:
        now_key = _due_key(now)
        high = min(high, now_key) if high else now_key
    if query.today is not None:
        day = query.today.isoformat()
        low = max(low, day) if low else day
        end = f"{day}T~"
        high = min(high, end) if high else end
    return low, high


def _filters(query: TaskQuery, *, skip: set[str]):
    conditions = []
    if query.list_id and "list" not in skip:
        conditions.append(Task.list_id == query.list_id)
    done = False if query.overdue else query.done
    if done is not None and "done" not in skip:
        conditions.append(Task.done == done)
    if query.label:
        conditions.append(Task.labels.contains(query.label))
    if query.priority is not None and "priority" not in skip:
        conditions.append(Task.priority == query.priority)
    if query.text:
        conditions.append(Task.title_lower.contains(query.text.lower()))
    if query.parent_id:
        conditions.append(Task.parent_id == query.parent_id)
    elif query.top_level:
        conditions.append(Task.parent_id.does_not_exist())
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _search_scope(owner: str, query: TaskQuery) -> str:
    """A search's cursor scope: the owner and every field (they choose the index and its key conditions)."""
    return f"todos.tasks:{owner}:{json.dumps(asdict(query), default=str, sort_keys=True)}"


def _run_task_query(owner: str, query: TaskQuery, *, limit: int, start: dict | None, due_range: tuple):
    """Pick the index that serves the query's key conditions and order; the rest become filters."""
    low, high = due_range
    common = {"limit": limit, "last_evaluated_key": start}
    if low or high or query.sort == "due":
        if low and high:
            condition = Task.due_sort.between(low, high)
        elif high:
            condition = Task.due_sort <= high
        elif low:
            condition = Task.due_sort.between(low, LAST_DUE_KEY)
        else:
            condition = None
        return Task.by_due.query(owner, condition, filter_condition=_filters(query, skip=set()), **common)
    if query.sort == "priority":
        condition = Task.priority_sort.startswith(f"{query.priority}#") if query.priority else None
        return Task.by_priority.query(
            owner, condition, filter_condition=_filters(query, skip={"priority"}), scan_index_forward=False, **common
        )
    if query.list_id and query.done is not None:
        state = "done" if query.done else "open"
        return Task.by_list_state.query(
            f"{owner}#{query.list_id}#{state}", filter_condition=_filters(query, skip={"list", "done"}), **common
        )
    if query.list_id:
        return Task.by_list.query(f"{owner}#{query.list_id}", filter_condition=_filters(query, skip={"list"}), **common)
    # Across lists in position order: ids are time-ordered, and so are default positions.
    return Task.query(owner, filter_condition=_filters(query, skip=set()), **common)


def task_search(
    *, owner: str, query: TaskQuery, limit: int = 50, cursor: str | None = None, now: datetime | None = None
) -> tuple[list[Task], str | None]:
    """One page of the user's tasks matching `query`, and the cursor of the next page (None at the end).

    A page reads `limit` items of the chosen index; with filters it may hold fewer (even none) and still
    have a next page.
    """
    now = now or datetime.now(UTC)
    limit = max(1, min(limit, MAX_PAGE))

    low, high = _due_range(query, now)
    if low and high and low > high:
        return [], None  # an empty due range (after its end, or overdue yet due after now): nothing to read

    def load():
        # One request per page (`limit` items read, those passing the filters returned): never a whole partition.
        scope = _search_scope(owner, query)
        start = decode_cursor(cursor, scope=scope)
        return _one_request(_run_task_query(owner, query, limit=limit, start=start, due_range=(low, high)), scope=scope)

    # `now` only matters to the minute for overdue, so the cache key holds it to the minute.
    params = {
        **asdict(query),
        "limit": limit,
        "cursor": cursor,
        "now": now.strftime("%Y%m%d%H%M") if query.overdue else "",
    }
    return _cached(owner, "tasks", params, load)


def open_tasks_page(
    *, owner: str, list_id: str, limit: int = 50, cursor: str | None = None
) -> tuple[list[Task], str | None]:
    """One page of a list's open tasks (subtasks included) in position order: its done history is never read."""

    scope = f"todos.list-open:{owner}#{list_id}"

    def load():
        start = decode_cursor(cursor, scope=scope)
        return _one_request(
            Task.by_list_state.query(f"{owner}#{list_id}#open", limit=limit, last_evaluated_key=start), scope=scope
        )

    return _cached(owner, "list-open", {"id": list_id, "limit": limit, "cursor": cursor}, load)


def done_tasks_page(
    *, owner: str, list_id: str, limit: int = 50, cursor: str | None = None
) -> tuple[list[Task], str | None]:
    """One page of a list's done tasks in position order, and the cursor of the next page."""
    return task_search(owner=owner, query=TaskQuery(list_id=list_id, done=True), limit=limit, cursor=cursor)


def today_page(*, owner: str, today: date, limit: int = 50, cursor: str | None = None) -> tuple[list[Task], str | None]:
    """One page of the open tasks due today or before (Todoist's Today), soonest first; done ones are never read."""

    scope = f"todos.today:{owner}"  # a later day's bound holds every earlier day's keys

    def load():
        start = decode_cursor(cursor, scope=scope)
        due_by_today = Task.open_due <= f"{today.isoformat()}T~"
        results = Task.by_open.query(owner, due_by_today, limit=limit, last_evaluated_key=start)
        return _one_request(results, scope=scope)

    return _cached(owner, "today", {"day": today.isoformat(), "limit": limit, "cursor": cursor}, load)


def label_page(
    *, owner: str, label: str, done: bool | None = None, limit: int = 50, cursor: str | None = None
) -> tuple[list[Task], str | None]:
    """One request's page of the tasks carrying `label` by due date (open ones only: done tasks are not read)."""

    scope = f"todos.label:{owner}:{done}:{label}"

    def load():
        start = decode_cursor(cursor, scope=scope)
        has_label = Task.labels.contains(label)
        if done is False:
            results = Task.by_open.query(owner, filter_condition=has_label, limit=limit, last_evaluated_key=start)
        else:
            condition = has_label if done is None else has_label & (Task.done == done)
            results = Task.by_due.query(owner, filter_condition=condition, limit=limit, last_evaluated_key=start)
        return _one_request(results, scope=scope)

    params = {"label": label, "done": done, "limit": limit, "cursor": cursor}
    return _cached(owner, "label", params, load)


def task_neighbour(*, task: Task, step: int) -> Task | None:
    """The sibling just before (step -1) or after (+1) `task` in its list's order, read from its neighbourhood only."""
    forward = step > 0
    condition = Task.position > task.position if forward else Task.position < task.position
    if task.parent_id:
        results = Task.by_parent.query(f"{task.owner}#{task.parent_id}", condition, scan_index_forward=forward, limit=1)
    else:
        results = Task.by_list.query(
            task.list_key,
            condition,
            filter_condition=Task.parent_id.does_not_exist(),
            scan_index_forward=forward,
            limit=1,
            page_size=20,
        )
    return next(iter(results), None)


def tasks_by_ids(*, owner: str, task_ids: list[str]) -> list[Task]:
    """The user's tasks with these ids (at most 100; unknown ones are left out), read fresh."""
    keys = [(owner, task_id) for task_id in dict.fromkeys(task_ids)][:100]
    return list(Task.batch_get(keys, consistent_read=True)) if keys else []
