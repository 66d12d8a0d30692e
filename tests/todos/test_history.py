"""Operations whose cost or reach once depended on a user's history: subtasks in bulk, repeat rules."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from mysite.deploy import botocalls
from tests.todos.test_services import _InjectedFault as InjectedFault
from tests.todos.test_services import dynamodb_write_fails
from todos import services
from todos.errors import InvalidTask
from todos.models import Task, utcnow
from todos.recurrence import HORIZON_YEARS, next_occurrence
from todos.services._common import new_id

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


# --- The list page and its done history --------------------------------------------------------


def seed_done(owner: str, count: int, *, list_id: str = "inbox") -> list[str]:
    """`count` completed tasks written straight to the table (the page under test only reads them)."""
    services.inbox_ensure(owner=owner)
    ids = []
    with Task.batch_write() as batch:
        for i in range(count):
            task = Task(owner, new_id(), title=f"Done {i:04d}", list_id=list_id, position=float(i + 1))
            task.done, task.completed_at = True, utcnow()
            task.refresh_keys()
            batch.save(task)
            ids.append(task.task_id)
    return ids


def shown_task_ids(body: str) -> list[str]:
    return re.findall(r'<li id="task-([0-9a-f]+)"', body)


@pytest.fixture
def page(browser_client, user):
    return browser_client(user, enforce_csrf_checks=False)


def test_the_completed_filter_pages_through_all_500_done_tasks(page, owner):
    done = seed_done(owner, 500)
    services.task_create(owner=owner, title="Still open")
    seen: list[str] = []
    url = "/todos/lists/inbox/?filter=completed"
    for _ in range(20):  # 500 / 50 a page, with room to spare; a loop that never ends fails below
        body = page.get(url).content.decode()
        seen += shown_task_ids(body)
        more = re.search(r'id="more-completed" href="([^"]+)"', body)
        if not more:
            break
        url = html.unescape(more.group(1))
    assert len(seen) == len(set(seen)) == 500
    assert set(seen) == set(done)


def test_the_all_view_shows_every_open_task_and_the_first_done_page_with_a_way_on(page, owner):
    seed_done(owner, 60)
    open_task = services.task_create(owner=owner, title="Still open")
    body = page.get("/todos/lists/inbox/").content.decode()
    ids = shown_task_ids(body)
    assert len(ids) == 1 + 50  # every open task, and the first page of done ones
    assert ids[-1] == open_task.task_id  # in position order: the open task was added last
    assert "<strong>1</strong> item left" in body
    assert 'id="more-completed"' in body
    assert "filter=completed" in body


def list_page_index_reads(page, owner: str) -> tuple[int, float, set[str]]:
    """DynamoDB calls and capacity the list page spends on the list's own indexes, cold."""
    with botocalls.record() as recording:
        assert page.get("/todos/lists/inbox/").status_code == 200
    calls = [c for c in recording.of("dynamodb") if c.params.get("IndexName") in ("by-list", "by-list-state")]
    return len(calls), sum(c.capacity for c in calls), {c.label.split("/")[-1] for c in calls}


def test_the_list_page_reads_of_the_list_do_not_grow_with_done_tasks(browser_client, make_user):
    readings = {}
    for done in (20, 60, 400):
        user = make_user()
        client = browser_client(user, enforce_csrf_checks=False)
        seed_done(user.sub, done)
        for i in range(5):
            services.task_create(owner=user.sub, title=f"Open {i}")
        readings[done] = list_page_index_reads(client, user.sub)
    # The same calls at every size; the same capacity once the done page is full (50 of 60 or of 400).
    assert readings[20][0] == readings[60][0] == readings[400][0]
    assert readings[60][1] == readings[400][1]
    assert readings[20][1] < readings[400][1]
    calls, _, indexes = readings[400]
    assert indexes == {"by-list-state"}  # the whole-list index, done history included, is never queried
    assert calls == 2  # the open side, whole, and one page of the done side


@pytest.mark.parametrize("failing_write", [1, 2, 3])
def test_a_complete_cut_off_half_way_leaves_the_parent_open_and_its_retry_finishes(owner, big_parent, failing_write):
    with pytest.raises(InjectedFault), dynamodb_write_fails(failing_write):
        services.task_complete(owner=owner, task_id=big_parent.task_id)
    assert Task.get(owner, big_parent.task_id, consistent_read=True).done is False

    services.task_complete(owner=owner, task_id=big_parent.task_id)
    assert Task.get(owner, big_parent.task_id, consistent_read=True).done is True
    assert [t.title for t in subtasks_of(owner, big_parent.task_id) if not t.done] == []


@pytest.mark.parametrize("failing_write", [2, 3])
def test_a_move_cut_off_half_way_is_finished_by_its_retry(owner, big_parent, failing_write):
    home = services.list_create(owner=owner, name="Home")
    with pytest.raises(InjectedFault), dynamodb_write_fails(failing_write):
        services.task_move(owner=owner, task_id=big_parent.task_id, list_id=home.list_id)
    assert Task.get(owner, big_parent.task_id, consistent_read=True).list_id == big_parent.list_id

    services.task_move(owner=owner, task_id=big_parent.task_id, list_id=home.list_id)
    assert {t.list_id for t in subtasks_of(owner, big_parent.task_id)} == {home.list_id}
    assert Task.get(owner, big_parent.task_id, consistent_read=True).list_id == home.list_id
