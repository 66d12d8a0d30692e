"""HTML create forms carry a hidden key: the same submission posted twice (double click, retry) creates one item."""

from __future__ import annotations

import re

from mysite.idempotency import FORM_FIELD
from todos.models import TodoList


def form_key(html: str) -> str:
    return re.search(rf'name="{FORM_FIELD}" value="([^"]+)"', html).group(1)


def post_list(page, fields: dict):
    return page.post("/todos/lists/new", fields, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/todos/")


def test_the_new_list_form_posted_twice_creates_one_list_and_answers_alike(browser_client, user):
    page = browser_client(user)
    key = form_key(page.get("/todos/").content.decode())
    fields = {"name": "Errands", "colour": "green", FORM_FIELD: key}
    first, again = post_list(page, fields), post_list(page, fields)
    errands = [x for x in TodoList.query(user.sub) if x.name == "Errands"]
    assert len(errands) == 1
    assert first.status_code == again.status_code == 200
    assert 'aria-current="page"' in again.content.decode()
    assert f"nav-list-{errands[0].list_id}" in again.content.decode()
    assert "Errands</h1>" in again.content.decode()
    # Each render carries a new key, so the next list typed is a new list.
    next_key = form_key(again.content.decode())
    assert next_key != key
    post_list(page, {"name": "Errands", "colour": "green", FORM_FIELD: next_key})
    assert len([x for x in TodoList.query(user.sub) if x.name == "Errands"]) == 2


def test_a_form_key_reused_for_other_fields_creates_nothing_more(browser_client, user):
    page = browser_client(user)
    key = form_key(page.get("/todos/").content.decode())
    post_list(page, {"name": "Errands", "colour": "green", FORM_FIELD: key})
    other = post_list(page, {"name": "Chores", "colour": "green", FORM_FIELD: key})
    assert "Chores" not in [x.name for x in TodoList.query(user.sub)]
    assert "different request" in other.content.decode()


def test_the_new_task_form_posted_twice_adds_one_task(browser_client, user):
    from todos.models import Task

    page = browser_client(user)
    key = form_key(page.get("/todos/").content.decode())
    fields = {"title": "Buy milk", FORM_FIELD: key}
    for _ in range(2):
        answer = page.post(
            "/todos/tasks/new", fields, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/todos/"
        )
        assert answer.status_code == 200
        assert "Buy milk" in answer.content.decode()
    assert [t.title for t in Task.query(user.sub)].count("Buy milk") == 1
