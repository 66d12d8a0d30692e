"""Operations whose cost or reach once depended on a user's history: subtasks in bulk, repeat rules."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from mysite.deploy import botocalls
from tests.todos.test_services import _InjectedFault as InjectedFault
from tests.todos.test_services import dynamodb_write_fails
from todos import services
from todos.errors import TaskRuleBroken
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
    with pytest.raises(TaskRuleBroken) as caught:
        services.task_create(owner=owner, title="Pay rent", due_date=date(2025, 1, 1), recurrence=NEVER_MATCHING)
    assert list(caught.value.fields) == ["recurrence"]
    assert "no date in the 5 years after the due date" in str(caught.value)
    assert list(Task.query(owner, consistent_read=True)) == []


def test_a_never_matching_rule_is_refused_at_update_and_the_task_keeps_its_rule(owner):
    task = services.task_create(owner=owner, title="Pay rent", due_date=date(2025, 1, 1), recurrence="FREQ=MONTHLY")
    with pytest.raises(TaskRuleBroken):
        services.task_update(owner=owner, task_id=task.task_id, recurrence=NEVER_MATCHING)
    stored = Task.get(owner, task.task_id, consistent_read=True)
    assert (stored.recurrence, stored.version) == ("FREQ=MONTHLY", 1)


def test_a_rule_whose_next_date_is_beyond_the_horizon_is_refused_and_never_evaluated_further(owner):
    beyond = f"FREQ=YEARLY;INTERVAL={HORIZON_YEARS + 3}"
    assert next_occurrence(beyond, date(2025, 1, 1)) is None
    assert next_occurrence(NEVER_MATCHING, date(2025, 1, 1)) is None
    # Within the horizon the rule still rolls over, the leap-day one included.
    assert next_occurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2025, 3, 1))[0] == date(2028, 2, 29)
    with pytest.raises(TaskRuleBroken):
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


def test_the_all_view_shows_the_open_tasks_and_fills_its_page_with_done_ones_with_a_way_on(page, owner):
    done = seed_done(owner, 60)
    open_task = services.task_create(owner=owner, title="Still open")
    body = page.get("/todos/lists/inbox/").content.decode()
    ids = shown_task_ids(body)
    assert len(ids) == 50  # the open task, and the first 49 done ones
    assert ids[:-1] == done[:49]
    assert ids[-1] == open_task.task_id  # in position order: the open task was added last
    assert "<strong>1</strong> item left" in body
    more = html.unescape(re.search(r'id="more-completed" href="([^"]+)"', body).group(1))
    assert "filter=completed" in more
    assert shown_task_ids(page.get(more).content.decode()) == done[49:]


def test_a_full_page_of_open_tasks_still_leads_to_the_completed_ones(page, owner):
    done = seed_done(owner, 3)
    for i in range(50):
        services.task_create(owner=owner, title=f"Open {i}")
    body = page.get("/todos/lists/inbox/").content.decode()
    assert len(shown_task_ids(body)) == 50
    assert 'id="clear-completed"' in body
    more = html.unescape(re.search(r'id="more-completed" href="([^"]+)"', body).group(1))
    assert shown_task_ids(page.get(more).content.decode()) == done


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


def follow_pages(page, url: str, link_id: str, *, most: int = 30) -> tuple[list[str], list[str]]:
    """The task ids shown on `url` and every page its `link_id` link leads on to, and each page's body."""
    seen: list[str] = []
    bodies: list[str] = []
    for _ in range(most):  # a loop that never ends fails on the counts below
        body = page.get(url).content.decode()
        bodies.append(body)
        seen += shown_task_ids(body)
        more = re.search(rf'id="{link_id}" href="([^"]+)"', body)
        if not more:
            break
        url = html.unescape(more.group(1))
    return seen, bodies


def test_the_active_filter_pages_through_all_open_tasks_and_the_count_is_the_counters(page, owner):
    for i in range(120):
        services.task_create(owner=owner, title=f"Open {i}")
    seen, bodies = follow_pages(page, "/todos/lists/inbox/?filter=active", "more-open")
    assert len(seen) == len(set(seen)) == 120
    assert len(bodies) == 3  # 50 a page
    assert all("<strong>120</strong> items left" in body for body in bodies)


def test_the_all_view_offers_the_rest_of_the_open_tasks(page, owner):
    for i in range(55):
        services.task_create(owner=owner, title=f"Open {i}")
    body = page.get("/todos/lists/inbox/").content.decode()
    assert len(shown_task_ids(body)) == 50
    more = html.unescape(re.search(r'id="more-open" href="([^"]+)"', body).group(1))
    assert "filter=active" in more
    assert len(shown_task_ids(page.get(more).content.decode())) == 5


def test_today_pages_through_every_task_due_and_counts_them_all(page, owner):
    today = utcnow().date()
    for i in range(70):
        services.task_create(owner=owner, title=f"Due {i}", due_date=today - timedelta(days=i % 3))
    done = services.task_create(owner=owner, title="Done already", due_date=today)
    services.task_complete(owner=owner, task_id=done.task_id)
    seen, bodies = follow_pages(page, "/todos/today/", "more-open")
    assert len(seen) == len(set(seen)) == 70
    assert done.task_id not in seen
    assert 'Today <span class="count">70</span>' in bodies[0]


def test_a_label_page_pages_through_every_task_with_the_label(page, owner):
    for i in range(65):
        services.task_create(owner=owner, title=f"Home {i}", labels=["home"] if i % 5 else ["home", "work"])
    services.task_create(owner=owner, title="Elsewhere", labels=["work"])
    seen, bodies = follow_pages(page, "/todos/labels/home/?filter=active", "more-open")
    assert len(seen) == len(set(seen)) == 65
    assert "@home <span" in bodies[0]
    assert re.search(r'@home <span class="count">65</span>', bodies[0])


def test_the_completed_filter_through_the_api_pages_through_all_500_done_tasks(bearer_client, user):
    api = bearer_client(user)
    done = seed_done(user.sub, 500)
    seen: list[str] = []
    params = {"list_id": "inbox", "done": "true", "limit": 50}
    for _ in range(20):
        body = api.get("/api/todos/tasks", params).json()
        seen += [t["id"] for t in body["results"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 500
    assert set(seen) == set(done)


def test_a_never_matching_rule_is_a_422_from_the_api_and_nothing_is_written(bearer_client, user):
    api = bearer_client(user)
    response = api.post(
        "/api/todos/tasks",
        {"title": "Pay rent", "due_date": "2025-01-01", "recurrence": NEVER_MATCHING},
        format="json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert list(error["fields"]) == ["recurrence"]
    assert "no date in the 5 years" in error["message"]
    assert list(Task.query(user.sub, consistent_read=True)) == []


def test_moving_a_task_up_reads_its_neighbour_not_the_list(page, owner):
    seed_done(owner, 300)
    first = services.task_create(owner=owner, title="First")
    second = services.task_create(owner=owner, title="Second")
    with botocalls.record() as recording:
        assert page.post(f"/todos/tasks/{second.task_id}/up", HTTP_HX_REQUEST="true").status_code == 200
    stored = {t.task_id: t.position for t in Task.batch_get([(owner, first.task_id), (owner, second.task_id)])}
    assert stored[second.task_id] < stored[first.task_id]
    queried = [c for c in recording.of("dynamodb") if c.params.get("IndexName") == "by-list"]
    assert len(queried) == 1  # one Query of one page for the neighbour, not the 300 done tasks
    assert queried[0].params.get("Limit") == 20
