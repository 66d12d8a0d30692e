"""Operations whose cost or reach once depended on a user's history: subtasks in bulk, repeat rules."""

from __future__ import annotations

from datetime import date

import pytest

from todos import services
from todos.errors import InvalidTask
from todos.models import Task
from todos.recurrence import HORIZON_YEARS, next_occurrence

NEVER_MATCHING = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
SUBTASKS = 250  # more than two transactions' worth (100 items, one of them the cache stamp)


def subtasks_of(owner: str, parent_id: str) -> list[Task]:
    return [t for t in Task.query(owner, consistent_read=True) if t.parent_id == parent_id]


@pytest.fixture
def big_parent(owner):
    work = services.list_create(owner=owner, name="Work")
    parent = services.task_create(owner=owner, title="Release", list_id=work.list_id)
    for i in range(SUBTASKS):
        services.task_create(owner=owner, title=f"Step {i}", parent_id=parent.task_id)
    return parent


def test_completing_a_task_completes_all_of_its_250_subtasks(owner, big_parent):
    done = services.task_complete(owner=owner, task_id=big_parent.task_id)

    subtasks = subtasks_of(owner, big_parent.task_id)
    assert done.done is True
    assert len(subtasks) == SUBTASKS
    assert [t.title for t in subtasks if not t.done] == []
    assert {t.list_state for t in subtasks} == {f"{owner}#{big_parent.list_id}#done"}


def test_moving_a_task_moves_all_of_its_250_subtasks(owner, big_parent):
    home = services.list_create(owner=owner, name="Home")
    moved = services.task_move(owner=owner, task_id=big_parent.task_id, list_id=home.list_id)

    subtasks = subtasks_of(owner, big_parent.task_id)
    assert moved.list_id == home.list_id
    assert len(subtasks) == SUBTASKS
    assert {t.list_id for t in subtasks} == {home.list_id}
    in_home = list(Task.by_list.query(f"{owner}#{home.list_id}"))
    assert len(in_home) == SUBTASKS + 1


def test_a_never_matching_rule_is_refused_at_create_and_nothing_is_written(owner):
    with pytest.raises(InvalidTask) as caught:
        services.task_create(owner=owner, title="Pay rent", due_date=date(2025, 1, 1), recurrence=NEVER_MATCHING)
    assert list(caught.value.fields) == ["recurrence"]
    assert "no date in the 5 years after the due date" in str(caught.value)
    assert list(Task.query(owner, consistent_read=True)) == []


def test_a_never_matching_rule_is_refused_at_update_and_the_task_keeps_its_rule(owner):
    task = services.task_create(owner=owner, title="Pay rent", due_date=date(2025, 1, 1), recurrence="FREQ=MONTHLY")
    with pytest.raises(InvalidTask):
        services.task_update(owner=owner, task_id=task.task_id, recurrence=NEVER_MATCHING)
    stored = Task.get(owner, task.task_id, consistent_read=True)
    assert (stored.recurrence, stored.version) == ("FREQ=MONTHLY", 1)


def test_a_rule_whose_next_date_is_beyond_the_horizon_is_refused_and_never_evaluated_further(owner):
    beyond = f"FREQ=YEARLY;INTERVAL={HORIZON_YEARS + 3}"
    assert next_occurrence(beyond, date(2025, 1, 1)) is None
    assert next_occurrence(NEVER_MATCHING, date(2025, 1, 1)) is None
    # Within the horizon the rule still rolls over, the leap-day one included.
    assert next_occurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2025, 3, 1))[0] == date(2028, 2, 29)
    with pytest.raises(InvalidTask):
        services.task_create(owner=owner, title="Census", due_date=date(2025, 1, 1), recurrence=beyond)
