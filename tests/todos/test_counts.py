"""The counters the UI shows (label counts, items left, Today) stay equal to a recount from the tasks."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from mysite.errors import ApplicationError
from tests.conftest import dynamodb_calls
from todos import selectors, services
from todos.models import Task, TaskCounts
from todos.services.counts import counts_recount

LABELS = ("home", "work", "a/b c", "@errand", "[urgent]", "a.b[0]")
OPERATIONS = 200
SEED = 20261202


def recount(owner: str, today: date) -> tuple[dict[str, int], dict[str, int], int]:
    """Labels, items left per list and the Today count, computed here from every task as stored."""
    labels: Counter[str] = Counter()
    left: Counter[str] = Counter()
    due_today = 0
    for task in Task.query(owner, consistent_read=True):
        if task.done:
            continue
        labels.update(task.labels or [])
        if not task.parent_id:
            left[task.list_id] += 1
        if task.due_datetime is not None:
            day = task.due_datetime.astimezone(UTC).date()
        elif task.due_date:
            day = date.fromisoformat(task.due_date)
        else:
            day = None
        if day is not None and day <= today:
            due_today += 1
    return dict(labels), dict(left), due_today


def assert_counts_match(owner: str, today: date) -> None:
    labels, left, due_today = recount(owner, today)
    counts = selectors.counts_of(owner=owner)
    assert dict(counts.labels) == labels
    assert counts.left == {k: v for k, v in left.items() if v}
    assert counts.today(today) == due_today


class Sequence:
    """Random task operations on one user's data; refused ones (409, 404, 422) are part of the game."""

    def __init__(self, owner: str, rng: random.Random, today: date):
        self.owner, self.rng, self.today = owner, rng, today
        self.lists = ["inbox", *(services.list_create(owner=owner, name=n).list_id for n in ("Work", "Home"))]
        self.refused = Counter()
        self.restored = 0

    def _task_ids(self, **conditions) -> list[str]:
        tasks = list(Task.query(self.owner, consistent_read=True))
        return [t.task_id for t in tasks if all(getattr(t, k) == v for k, v in conditions.items())]

    def _pick(self, **conditions) -> str | None:
        ids = self._task_ids(**conditions)
        return self.rng.choice(ids) if ids else None

    def _due(self) -> dict:
        choice = self.rng.randrange(5)
        if choice == 0:
            return {"due_date": self.today - timedelta(days=self.rng.randrange(1, 5))}
        if choice == 1:
            return {"due_date": self.today}
        if choice == 2:
            return {"due_datetime": datetime.combine(self.today, datetime.min.time()) + timedelta(hours=30)}
        return {}

    def create(self) -> None:
        labels = self.rng.sample(LABELS, self.rng.randrange(3))
        parent = self._pick(parent_id=None) if self.rng.random() < 0.3 else None
        if parent:
            services.task_create(owner=self.owner, title="sub", parent_id=parent, labels=labels, **self._due())
        else:
            services.task_create(
                owner=self.owner, title="task", list_id=self.rng.choice(self.lists), labels=labels, **self._due()
            )

    def create_recurring(self) -> None:
        services.task_create(
            owner=self.owner,
            title="every day",
            list_id=self.rng.choice(self.lists),
            due_date=self.today - timedelta(days=self.rng.randrange(3)),
            recurrence=self.rng.choice(["FREQ=DAILY", "FREQ=DAILY;COUNT=2"]),
            labels=["home"],
        )

    def complete(self) -> None:
        task_id = self._pick(done=False)
        if task_id:
            services.task_complete(owner=self.owner, task_id=task_id)

    def reopen(self) -> None:
        task_id = self._pick(done=True)
        if task_id:
            services.task_reopen(owner=self.owner, task_id=task_id)

    def relabel(self) -> None:
        task_id = self._pick()
        if task_id:
            labels = self.rng.sample(LABELS, self.rng.randrange(4))
            services.task_update(owner=self.owner, task_id=task_id, labels=labels, **self._due())

    def move(self) -> None:
        task_id = self._pick()
        if task_id:
            services.task_move(owner=self.owner, task_id=task_id, list_id=self.rng.choice(self.lists))

    def delete(self) -> None:
        task_id = self._pick()
        if task_id:
            services.task_delete(owner=self.owner, task_id=task_id)

    def restore(self) -> None:
        entries, _ = selectors.trash_page(owner=self.owner, limit=20)
        if entries:
            services.trash_restore(owner=self.owner, trash_id=self.rng.choice(entries).trash_key)
            self.restored += 1

    def clear_completed(self) -> None:
        services.tasks_clear_completed(owner=self.owner, list_id=self.rng.choice(self.lists))

    def toggle_all(self) -> None:
        services.tasks_set_done(owner=self.owner, list_id=self.rng.choice(self.lists), done=self.rng.random() < 0.7)

    def run(self, name: str) -> None:
        try:
            getattr(self, name)()
        except ApplicationError as error:
            self.refused[error.status] += 1

    WEIGHTS = {
        "create": 8,
        "create_recurring": 2,
        "complete": 6,
        "reopen": 3,
        "relabel": 3,
        "move": 3,
        "delete": 2,
        "restore": 2,
        "clear_completed": 1,
        "toggle_all": 1,
    }

    def next_name(self) -> str:
        names = list(self.WEIGHTS)
        return self.rng.choices(names, weights=[self.WEIGHTS[n] for n in names])[0]


def test_counts_stay_right_across_a_random_sequence_with_concurrent_writes(owner):
    today = datetime.now(UTC).date()
    sequence = Sequence(owner, random.Random(SEED), today)
    done = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        while done < OPERATIONS:
            if done % 10 == 9:
                # A burst in threads: the same kinds of writes racing on the same few tasks.
                names = [sequence.next_name() for _ in range(4)]
                list(pool.map(sequence.run, names))
                done += len(names)
            else:
                sequence.run(sequence.next_name())
                done += 1
            if done % 50 < 1:
                assert_counts_match(owner, today)
    assert_counts_match(owner, today)
    labels, left, _ = recount(owner, today)
    assert sum(left.values()) > 0  # the sequence left something open to count
    assert labels
    assert sequence.restored > 0  # and brought something back from the Trash


def test_two_threads_completing_the_same_task_count_it_once(owner):
    task = services.task_create(owner=owner, title="Race", labels=["home"])
    services.task_create(owner=owner, title="Other", labels=["home"])

    def complete(_):
        try:
            services.task_complete(owner=owner, task_id=task.task_id)
        except ApplicationError:
            return "refused"
        return "done"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(complete, range(2)))
    assert "done" in outcomes
    assert selectors.labels_with_counts(owner=owner) == [("home", 1)]
    assert selectors.counts_of(owner=owner).left == {"inbox": 1}


def test_a_recurring_task_rolls_over_and_moves_its_today_count(owner):
    today = datetime.now(UTC).date()
    task = services.task_create(owner=owner, title="Water plants", due_date=today, recurrence="FREQ=WEEKLY")
    assert selectors.counts_of(owner=owner).today(today) == 1
    services.task_complete(owner=owner, task_id=task.task_id)
    counts = selectors.counts_of(owner=owner)
    assert counts.today(today) == 0
    assert counts.today(today + timedelta(days=7)) == 1
    assert counts.left == {"inbox": 1}  # still open: it moved to next week


def test_the_counts_are_one_get_item(owner):
    services.task_create(owner=owner, title="One", labels=["home"])
    with dynamodb_calls() as calls:
        assert selectors.labels_with_counts(owner=owner) == [("home", 1)]
    assert calls == ["GetItem", "GetItem"]  # the read-cache stamp, then the counters


def test_a_user_without_counters_is_counted_once_and_then_kept(owner):
    services.task_create(owner=owner, title="Before counters", labels=["home"], due_date=date(2020, 1, 1))
    done = services.task_create(owner=owner, title="Done before", labels=["home"])
    services.task_complete(owner=owner, task_id=done.task_id)
    TaskCounts(owner).delete()  # as for data written before the counters existed

    # A write finds no counters: they are counted from the tasks, and the write applied on top.
    services.task_create(owner=owner, title="After", labels=["work"])
    counts = selectors.counts_of(owner=owner)
    assert dict(counts.labels) == {"home": 1, "work": 1}
    assert counts.left == {"inbox": 2}
    assert counts.today(date(2020, 1, 1)) == 1

    # A read finds none: counted the same way.
    TaskCounts(owner).delete()
    services.task_create(owner=owner, title="Unrelated", list_id=None)  # bumps the stamp: no cached answer
    TaskCounts(owner).delete()
    assert dict(selectors.counts_of(owner=owner).labels) == {"home": 1, "work": 1}
    assert TaskCounts.get(owner, consistent_read=True).left.as_dict() == {"inbox": 3}


def test_recount_fills_in_the_index_keys_of_older_tasks(owner):
    parent = services.task_create(owner=owner, title="Parent", due_date=date(2020, 1, 1))
    child = services.task_create(owner=owner, title="Child", parent_id=parent.task_id)
    for task_id in (parent.task_id, child.task_id):
        stale = Task(owner, task_id)
        stale.update(actions=[Task.open_due.remove(), Task.parent_key.remove()], add_version_condition=False)

    counts_recount(owner=owner, replace=True)
    stored = {t.task_id: t for t in Task.query(owner, consistent_read=True)}
    assert stored[parent.task_id].open_due == "2020-01-01T~"
    assert stored[child.task_id].parent_key == f"{owner}#{parent.task_id}"


BRACKETED = ["[urgent]", "x]", "a.b[0]", "é-ý]éîd", "[[", "]"]


def test_labels_with_brackets_and_dots_are_counted_like_any_other(owner):
    """PynamoDB reads "[0]" in a map key as a list index and refuses "x]": the stored keys escape them."""
    tasks = [services.task_create(owner=owner, title=f"Task {i}", labels=BRACKETED[i:]) for i in range(3)]
    expected = {label: min(BRACKETED.index(label), 2) + 1 for label in BRACKETED}
    assert dict(selectors.labels_with_counts(owner=owner)) == expected
    found, _ = selectors.label_page(owner=owner, label="a.b[0]", limit=10)
    assert sorted(t.title for t in found) == ["Task 0", "Task 1", "Task 2"]

    services.task_complete(owner=owner, task_id=tasks[0].task_id)
    expected = {label: n - 1 for label, n in expected.items() if n > 1}
    assert dict(selectors.labels_with_counts(owner=owner)) == expected

    before = TaskCounts.get(owner, consistent_read=True).labels.as_dict()
    assert counts_recount(owner=owner, replace=True).labels.as_dict() == {k: v for k, v in before.items() if v}
    assert_counts_match(owner, date.today())


@pytest.mark.parametrize("labels_zeroed", [25])
def test_labels_counted_down_to_zero_leave_the_counters(owner, labels_zeroed):
    for i in range(labels_zeroed):
        task = services.task_create(owner=owner, title=f"Once {i}", labels=[f"once-{i}"])
        services.task_complete(owner=owner, task_id=task.task_id)
    services.task_create(owner=owner, title="Still open", labels=["kept"])
    assert selectors.labels_with_counts(owner=owner) == [("kept", 1)]
    assert TaskCounts.get(owner, consistent_read=True).labels.as_dict() == {"kept": 1}


def test_clear_completed_goes_page_by_page_and_a_cut_off_clear_is_finished_by_its_retry(owner):
    from tests.todos.test_history import seed_done
    from tests.todos.test_services import _InjectedFault, dynamodb_write_fails

    today = datetime.now(UTC).date()
    seed_done(owner, 130)  # more than three pages of the done side
    parent = services.task_create(owner=owner, title="Parent")
    child = services.task_create(owner=owner, title="Child", parent_id=parent.task_id, labels=["home"])
    services.task_complete(owner=owner, task_id=parent.task_id)
    services.task_reopen(owner=owner, task_id=child.task_id)  # open, under a done parent: goes with it
    kept = services.task_create(owner=owner, title="Kept", labels=["home"])
    assert dict(selectors.counts_of(owner=owner).labels) == {"home": 2}

    with pytest.raises(_InjectedFault), dynamodb_write_fails(3):
        services.tasks_clear_completed(owner=owner, list_id="inbox")
    left_over = [t for t in Task.query(owner, consistent_read=True) if t.done]
    assert 0 < len(left_over) < 131  # some pages went, the rest is still there, each task whole
    assert_counts_match(owner, today)

    services.tasks_clear_completed(owner=owner, list_id="inbox")
    remaining = list(Task.query(owner, consistent_read=True))
    assert [t.task_id for t in remaining] == [kept.task_id]
    assert dict(selectors.counts_of(owner=owner).labels) == {"home": 1}
    assert selectors.counts_of(owner=owner).left == {"inbox": 1}


def test_a_task_whose_subtasks_change_many_counters_completes_moves_and_deletes_whole(owner):
    today = datetime.now(UTC).date()
    parent = services.task_create(owner=owner, title="Plan", labels=["home"])
    for i in range(90):  # 90 due days and 30 labels: more keys than one update expression holds
        services.task_create(
            owner=owner,
            title=f"Step {i}",
            parent_id=parent.task_id,
            due_date=today + timedelta(days=i),
            labels=[f"step-{i % 30}"],
        )
    services.task_complete(owner=owner, task_id=parent.task_id)
    assert_counts_match(owner, today)
    assert selectors.counts_of(owner=owner).due == {}

    services.task_reopen(owner=owner, task_id=parent.task_id)
    other = services.list_create(owner=owner, name="Elsewhere")
    services.task_move(owner=owner, task_id=parent.task_id, list_id=other.list_id)
    assert_counts_match(owner, today)
    assert selectors.counts_of(owner=owner).left == {other.list_id: 1}

    services.task_delete(owner=owner, task_id=parent.task_id)
    assert list(Task.query(owner, consistent_read=True)) == []
    assert_counts_match(owner, today)

    services.trash_restore(owner=owner, trash_id=f"task-{parent.task_id}")
    assert len(list(Task.query(owner, consistent_read=True))) == 91
    assert_counts_match(owner, today)
    assert selectors.counts_of(owner=owner).left == {other.list_id: 1}


def test_the_recount_command_repairs_counters_and_its_dry_run_writes_nothing(owner):
    from io import StringIO

    from django.core.management import call_command

    services.task_create(owner=owner, title="Counted", labels=["kept"])
    stored = TaskCounts.get(owner, consistent_read=True)
    stored.update(actions=[TaskCounts.labels.set({"kept": 7, "ghost": 3})], add_version_condition=False)

    out = StringIO()
    call_command("todos_recount", owner, "--dry-run", stdout=out)
    assert f"would    recount {owner}" in out.getvalue()
    assert TaskCounts.get(owner, consistent_read=True).labels.as_dict() == {"kept": 7, "ghost": 3}

    out = StringIO()
    call_command("todos_recount", owner, stdout=out)
    assert f"applying recount {owner}" in out.getvalue()
    assert "1 user(s) recounted." in out.getvalue()
    assert TaskCounts.get(owner, consistent_read=True).labels.as_dict() == {"kept": 1}
