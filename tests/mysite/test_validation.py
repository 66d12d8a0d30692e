"""A JSON body keeps JSON's types: a value of another type than the schema states is a 400 that changes nothing."""

from __future__ import annotations

import pytest

from todos import selectors


@pytest.fixture
def api(bearer_client, user):
    client = bearer_client(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 7}, "title"),  # DRF alone would store "7"
        ({"title": "Ok", "priority": 2.0}, "priority"),  # ... and 2
        ({"title": "Ok", "priority": "2"}, "priority"),
        ({"title": "Ok", "labels": ["a", 3]}, "labels"),
        ({"title": "Ok", "position": "1.5"}, "position"),
    ],
)
def test_a_json_value_of_the_wrong_type_is_a_400_and_creates_nothing(api, body, field):
    response = api.post("/api/todos/tasks", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert selectors.task_search(owner=api.user.sub, query=selectors.TaskQuery(), limit=10)[0] == []


def test_a_boolean_given_as_a_number_is_a_400(api):
    created = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    response = api.patch(f"/api/todos/lists/{created['id']}", {"archived": 1}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"archived": ["Not true or false."]}


def test_a_form_body_and_a_query_string_are_still_read_as_text(api, bearer_client, make_user):
    created = api.post("/api/todos/tasks", {"title": "7", "priority": "2"})  # multipart: text only
    assert created.status_code == 201
    assert created.json()["priority"] == 2
    listed = api.get("/api/todos/tasks", {"priority": "2", "limit": "5"})
    assert [task["title"] for task in listed.json()["results"]] == ["7"]


def test_the_right_json_types_are_accepted(bearer_client, make_user):
    client = bearer_client(make_user())
    response = client.post(
        "/api/todos/tasks", {"title": "Ok", "priority": 2, "labels": ["a"], "position": 3}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["position"] == 3
    etag = client.get("/api/accounts/me")["ETag"]
    name = client.patch("/api/accounts/me", {"display_name": "Ann"}, format="json", HTTP_IF_MATCH=etag)
    assert name.json()["display_name"] == "Ann"
    unchanged = client.patch("/api/accounts/me", {}, format="json")  # a PATCH naming nothing changes nothing
    assert unchanged.status_code == 200
    assert unchanged.json()["display_name"] == "Ann"
