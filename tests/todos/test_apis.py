from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

from mysite import storage
from tests.todos.conftest import create_task, upload
from todos.models import Task
from todos.services import attachments as attachment_services


@pytest.fixture
def other_api(bearer_client, make_user):
    return bearer_client(make_user())


def error_fields(response) -> dict:
    return response.json()["error"].get("fields", {})


def test_anonymous_callers_are_refused(api_client):
    response = api_client.get("/api/todos/tasks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# --- Lists -------------------------------------------------------------------------------------


def test_lists_crud(api):
    assert [x["name"] for x in api.get("/api/todos/lists").json()["results"]] == ["Inbox"]
    created = api.post("/api/todos/lists", {"name": "Work", "colour": "blue"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["colour"], body["version"], created["ETag"]) == ("Work", "blue", 1, '"v1"')

    list_url = f"/api/todos/lists/{body['id']}"
    assert api.get(list_url).json()["name"] == "Work"
    patched = api.patch(list_url, {"name": "Job", "archived": True}, format="json", HTTP_IF_MATCH='"v1"')
    assert (patched.status_code, patched.json()["name"], patched.json()["archived"]) == (200, "Job", True)
    assert [x["name"] for x in api.get("/api/todos/lists").json()["results"]] == ["Inbox"]
    assert [x["name"] for x in api.get("/api/todos/lists", {"archived": "true"}).json()["results"]] == [
        "Inbox",
        "Job",
    ]

    stale = api.patch(list_url, {"name": "Lost"}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["name"] == "Job"

    unstated = api.delete(list_url)
    assert (unstated.status_code, unstated.json()["error"]["code"]) == (428, "precondition_required")
    assert api.get(list_url).json()["name"] == "Job"  # a write without a version changes nothing
    assert api.delete(list_url, HTTP_IF_MATCH=api.get(list_url)["ETag"]).status_code == 204
    assert api.get(list_url).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "  "}, "name"), ({"name": "x", "colour": "plaid"}, "colour"), ({"name": "x", "owner": "me"}, "owner")],
)
def test_list_validation(api, body, field):
    response = api.post("/api/todos/lists", body, format="json")
    assert response.status_code == 400
    assert field in error_fields(response)
    assert [x["name"] for x in api.get("/api/todos/lists").json()["results"]] == ["Inbox"]


def test_another_users_list_is_not_found(api, other_api):
    theirs = other_api.post("/api/todos/lists", {"name": "Secret"}, format="json").json()
    url = f"/api/todos/lists/{theirs['id']}"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"name": "Mine", "version": 1}, format="json").status_code == 404
    assert api.delete(url, HTTP_IF_MATCH='"v1"').status_code == 404
    response = api.post("/api/todos/tasks", {"title": "x", "list_id": theirs["id"]}, format="json")
    assert response.status_code == 422
    assert "list_id" in error_fields(response)
    assert other_api.get(url).json()["name"] == "Secret"


# --- Tasks -------------------------------------------------------------------------------------


def test_create_and_read_a_task_with_every_field(api):
    task = create_task(
        api,
        title="  Pay rent ",
        notes="*monthly*",
        due_datetime="2025-07-01T09:30:00",
        due_timezone="Europe/Paris",
        priority=4,
        labels=["home", "money"],
        recurrence="FREQ=MONTHLY",
    )
    assert task["title"] == "Pay rent"
    assert task["due_datetime"] == "2025-07-01T09:30:00+02:00"
    assert (task["due_date"], task["due_timezone"], task["priority"]) == ("2025-07-01", "Europe/Paris", 4)
    assert (task["labels"], task["recurrence"], task["list_id"], task["done"]) == (
        ["home", "money"],
        "FREQ=MONTHLY",
        "inbox",
        False,
    )
    fetched = api.get(f"/api/todos/tasks/{task['id']}")
    assert fetched.json() == task
    assert fetched["ETag"] == '"v1"'
    assert "private" in fetched["Cache-Control"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"title": "   "}, 400, "title"),
        ({}, 400, "title"),
        ({"title": "x", "list_id": "no-such-list"}, 422, "list_id"),
        ({"title": "x", "due_date": "2025-02-30"}, 400, "due_date"),
        ({"title": "x", "due_datetime": "tomorrow"}, 400, "due_datetime"),
        ({"title": "x", "due_date": "2025-01-01", "recurrence": "FREQ=FORTNIGHTLY"}, 400, "recurrence"),
        ({"title": "x", "recurrence": "FREQ=DAILY"}, 422, "recurrence"),
        ({"title": "x", "due_date": "2025-01-01", "recurrence": "FREQ=HOURLY"}, 422, "recurrence"),
        ({"title": "x", "priority": 5}, 400, "priority"),
        ({"title": "x", "priority": 0}, 400, "priority"),
        ({"title": "x", "colour": "red"}, 400, "colour"),
        ({"title": "x", "due_datetime": "2025-01-01T09:00", "due_timezone": "Nowhere/City"}, 400, "due_timezone"),
        ({"title": "x", "parent_id": "no-such-task"}, 422, "parent_id"),
    ],
)
def test_task_validation_writes_nothing(api, user, body, status, field):
    response = api.post("/api/todos/tasks", body, format="json")
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert list(Task.query(user.sub)) == []


def test_update_with_versions_and_if_match(api):
    task = create_task(api, title="v1")
    url = f"/api/todos/tasks/{task['id']}"
    ok = api.patch(url, {"title": "v2", "labels": ["x"]}, format="json", HTTP_IF_MATCH='"v1"')
    assert (ok.status_code, ok.json()["title"], ok.json()["version"], ok["ETag"]) == (200, "v2", 2, '"v2"')

    stale_header = api.patch(url, {"title": "lost"}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale_header.status_code == 409
    assert stale_header.json()["error"]["current"]["title"] == "v2"
    stale_body = api.patch(url, {"title": "lost", "version": 1}, format="json")
    assert stale_body.status_code == 409
    assert api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="nonsense").status_code == 400
    assert api.patch(url, {"done": True, "version": 2}, format="json").status_code == 400  # its own endpoint
    assert api.patch(url, {"title": "   ", "version": 2}, format="json").status_code == 400
    unstated = api.patch(url, {"title": "blind"}, format="json")
    assert (unstated.status_code, unstated.json()["error"]["code"]) == (428, "precondition_required")
    assert api.get(url).json()["title"] == "v2"

    cleared = api.patch(url, {"due_date": "2025-05-05", "notes": "n", "version": 2}, format="json").json()
    assert (cleared["due_date"], cleared["notes"]) == ("2025-05-05", "n")
    assert api.patch(url, {"due_date": None}, format="json", HTTP_IF_MATCH='"v3"').json()["due_date"] is None


def test_conditional_get_answers_304(api):
    task = create_task(api)
    url = f"/api/todos/tasks/{task['id']}"
    assert api.get(url, HTTP_IF_NONE_MATCH='"v1"').status_code == 304
    listing = api.get("/api/todos/tasks")
    again = api.get("/api/todos/tasks", HTTP_IF_NONE_MATCH=listing["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == listing["ETag"]
    create_task(api, title="another")
    assert api.get("/api/todos/tasks", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_complete_reopen_move_and_delete(api):
    work = api.post("/api/todos/lists", {"name": "Work"}, format="json").json()
    task = create_task(api)
    url = f"/api/todos/tasks/{task['id']}"
    done = api.post(f"{url}/complete", {}, format="json").json()
    assert done["done"] is True
    assert done["completed_at"] is not None
    assert api.post(f"{url}/reopen", {"version": 1}, format="json").status_code == 409
    reopened = api.post(f"{url}/reopen", {"version": 2}, format="json").json()
    assert (reopened["done"], reopened["version"]) == (False, 3)

    moved = api.post(f"{url}/move", {"list_id": work["id"]}, format="json")
    assert moved.status_code == 200
    assert moved.json()["list_id"] == work["id"]
    missing = api.post(f"{url}/move", {"list_id": "nope"}, format="json")
    assert missing.status_code == 422
    assert "list_id" in error_fields(missing)

    assert api.delete(url, HTTP_IF_MATCH='"v1"').status_code == 409
    assert api.delete(url, {"version": 1}, format="json").status_code == 409  # the body's version, as its 428 says
    assert api.delete(url).status_code == 428
    assert api.delete(url, {"version": "x"}, format="json").status_code == 400
    assert api.delete(url, {"version": 1}, format="json", HTTP_IF_MATCH='"v2"').status_code == 400  # they disagree
    assert api.delete(url, {"version": api.get(url).json()["version"]}, format="json").status_code == 204
    assert api.get(url).status_code == 404
    todo_list = api.post("/api/todos/lists", {"name": "Body version"}, format="json").json()
    assert (
        api.delete(
            f"/api/todos/lists/{todo_list['id']}", {"version": todo_list["version"] + 1}, format="json"
        ).status_code
        == 409
    )
    assert (
        api.delete(f"/api/todos/lists/{todo_list['id']}", {"version": todo_list["version"]}, format="json").status_code
        == 204
    )


def test_completing_a_recurring_task_via_the_api(api):
    task = create_task(api, due_date="2025-01-31", recurrence="RRULE:FREQ=MONTHLY;BYMONTHDAY=-1")
    done = api.post(f"/api/todos/tasks/{task['id']}/complete", {}, format="json").json()
    assert (done["done"], done["due_date"], len(done["completions"])) == (False, "2025-02-28", 1)


def test_reorder_in_one_request(api):
    a, b = create_task(api, title="a"), create_task(api, title="b")
    response = api.post(
        "/api/todos/tasks/reorder",
        {"items": [{"id": b["id"], "position": 1}, {"id": a["id"], "position": 2, "version": 1}]},
        format="json",
    )
    assert response.status_code == 200
    assert [t["title"] for t in api.get("/api/todos/tasks", {"list_id": "inbox"}).json()["results"]] == ["b", "a"]
    bad = api.post("/api/todos/tasks/reorder", {"items": [{"id": a["id"]}]}, format="json")
    assert bad.status_code == 400
    assert api.post("/api/todos/tasks/reorder", {"items": []}, format="json").status_code == 400


def test_task_queries_and_pagination(api):
    today = datetime.now(UTC).date().isoformat()
    create_task(api, title="Old bill", due_date="2020-01-01", priority=4, labels=["money"])
    create_task(api, title="Today bill", due_date=today, labels=["money"])
    create_task(api, title="Later", due_date="2999-01-01", priority=2)
    finished = create_task(api, title="Finished bill")
    api.post(f"/api/todos/tasks/{finished['id']}/complete", {}, format="json")

    def titles(**params) -> list[str]:
        response = api.get("/api/todos/tasks", params)
        assert response.status_code == 200, response.content
        return [t["title"] for t in response.json()["results"]]

    assert titles(overdue="true") == ["Old bill"]
    assert titles(today="true") == ["Today bill"]
    assert titles(due_before="2100-01-01", sort="due") == ["Old bill", "Today bill"]
    assert titles(due_after="2100-01-01") == ["Later"]
    assert titles(label="money", sort="due") == ["Old bill", "Today bill"]
    assert titles(priority=2) == ["Later"]
    assert titles(q="bill", done="false") == ["Old bill", "Today bill"]
    assert titles(done="true") == ["Finished bill"]
    assert titles(sort="priority")[0] == "Old bill"

    first = api.get("/api/todos/tasks", {"limit": 2}).json()
    second = api.get("/api/todos/tasks", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["results"]) == 2
    assert len(second["results"]) == 2
    assert {t["id"] for t in first["results"]}.isdisjoint({t["id"] for t in second["results"]})

    for params, field in [
        ({"cursor": "forged"}, "cursor"),
        ({"due_before": "soon"}, "due_before"),
        ({"priority": 9}, "priority"),
        ({"sort": "random"}, "sort"),
        ({"tz": "Nowhere/City", "today": "true"}, "tz"),
        ({"colour": "red"}, "colour"),
    ]:
        response = api.get("/api/todos/tasks", params)
        assert response.status_code == 400, params
        assert field in error_fields(response)


def test_due_ranges_hold_at_the_ends_of_the_due_years(api):
    create_task(api, title="First day", due_datetime="1900-01-01T00:00:00", due_timezone="Asia/Tokyo")
    create_task(api, title="Modern", due_date="2020-01-01")
    create_task(api, title="Last day", due_datetime="2999-12-31T23:30:00", due_timezone="America/Los_Angeles")

    def titles(**params) -> list[str]:
        response = api.get("/api/todos/tasks", {"sort": "due", **params})
        assert response.status_code == 200, response.content
        return [t["title"] for t in response.json()["results"]]

    # In UTC the first day is still 1899 and the last already 3000: both are stored, sorted and found.
    assert titles() == ["First day", "Modern", "Last day"]
    assert titles(due_before="1900-01-01") == ["First day"]
    assert titles(due_after="1900-01-01T00:01:00+09:00", overdue="true") == ["Modern"]  # after the first, before now
    assert titles(due_after="2999-12-31") == ["Last day"]
    # Empty ranges are empty pages, not errors: after the last day; overdue yet due after now; far outside.
    assert titles(due_after="3000-01-02") == []
    assert titles(due_after="2999-01-01", overdue="true") == []
    assert titles(due_before="0001-01-02") == titles(due_after="9999-12-30") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_date": "1899-12-31"}, "due_date"),
        ({"due_date": "3000-01-01"}, "due_date"),
        ({"due_date": "9999-12-31", "recurrence": "FREQ=DAILY"}, "due_date"),
        ({"due_datetime": "9999-12-31T23:30:00", "due_timezone": "America/Los_Angeles"}, "due_datetime"),
        ({"due_datetime": "0001-01-01T00:30:00", "due_timezone": "Asia/Tokyo"}, "due_datetime"),
    ],
)
def test_a_due_date_outside_the_due_years_is_refused_and_nothing_is_written(api, body, field):
    created = api.post("/api/todos/tasks", {"title": "Someday", **body}, format="json")
    assert created.status_code == 422, created.content
    assert field in error_fields(created)
    task = create_task(api, title="Now")
    updated = api.patch(f"/api/todos/tasks/{task['id']}", {"version": task["version"], **body}, format="json")
    assert updated.status_code == 422, updated.content
    assert field in error_fields(updated)
    assert [(t["title"], t["due_date"], t["due_datetime"]) for t in api.get("/api/todos/tasks").json()["results"]] == [
        ("Now", None, None)
    ]


def test_another_users_task_is_not_found(api, other_api):
    theirs = create_task(other_api, title="Theirs")
    url = f"/api/todos/tasks/{theirs['id']}"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"title": "mine", "version": 1}, format="json").status_code == 404
    assert api.delete(url, HTTP_IF_MATCH='"v1"').status_code == 404
    assert api.post(f"{url}/complete", {}, format="json").status_code == 404
    assert api.post(f"{url}/move", {"list_id": "inbox"}, format="json").status_code == 404
    assert api.get(f"{url}/attachments").status_code == 404
    assert api.post(f"{url}/attachments", {"file_name": "a", "size": 1}, format="json").status_code == 404
    reorder = api.post("/api/todos/tasks/reorder", {"items": [{"id": theirs["id"], "position": 1}]}, format="json")
    assert reorder.status_code == 422
    parent = api.post("/api/todos/tasks", {"title": "x", "parent_id": theirs["id"]}, format="json")
    assert parent.status_code == 422
    assert other_api.get(url).json()["title"] == "Theirs"
    assert api.get("/api/todos/tasks").json()["results"] == []


def test_labels_with_counts(api):
    create_task(api, labels=["home", "money"])
    create_task(api, labels=["home"])
    assert api.get("/api/todos/labels").json()["results"] == [
        {"name": "home", "count": 2},
        {"name": "money", "count": 1},
    ]


def test_sync(api):
    first = create_task(api, title="first")
    full = api.get("/api/todos/sync").json()
    assert full["full"] is True
    assert [t["title"] for t in full["tasks"]] == ["first"]
    assert [x["id"] for x in full["lists"]] == ["inbox"]
    api.delete(f"/api/todos/tasks/{first['id']}", HTTP_IF_MATCH=f'"v{first["version"]}"')
    second = create_task(api, title="second")
    changes = api.get("/api/todos/sync", {"since": full["sync_token"]}).json()
    assert changes["full"] is False
    assert second["id"] in [t["id"] for t in changes["tasks"]]
    assert {"kind": "task", "id": first["id"]} in changes["deleted"]
    assert api.get("/api/todos/sync", {"since": "forged"}).status_code == 400


# --- Attachments ---------------------------------------------------------------------------------


def test_attachment_upload_complete_download_delete(api, user):
    task = create_task(api)
    base = f"/api/todos/tasks/{task['id']}/attachments"
    started = api.post(base, {"file_name": "../notes.txt", "size": 11, "content_type": "text/plain"}, format="json")
    assert started.status_code == 201
    attachment, post = started.json()["attachment"], started.json()["upload"]
    assert attachment["state"] == "pending"
    assert attachment["file_name"] == "notes.txt"
    assert attachment["key"].startswith(f"users/{user.sub}/todos/{task['id']}/")
    assert post["fields"]["key"] == attachment["key"]
    assert post["max_bytes"] == 25 * 1024 * 1024
    policy = json.loads(__import__("base64").b64decode(post["fields"]["policy"]))
    assert ["content-length-range", 1, 25 * 1024 * 1024] in policy["conditions"]

    early = api.post(f"{base}/{attachment['id']}/complete")
    assert early.status_code == 422
    assert early.json()["error"]["code"] == "upload_missing"
    assert api.get(f"{base}/{attachment['id']}/download").status_code == 422

    upload(post, b"hello world", file_name="notes.txt")
    ready = api.post(f"{base}/{attachment['id']}/complete")
    assert (ready.status_code, ready.json()["state"], ready.json()["size"]) == (200, "ready", 11)
    assert [a["id"] for a in api.get(base).json()["results"]] == [attachment["id"]]

    link = api.get(f"{base}/{attachment['id']}/download").json()["url"]
    downloaded = requests.get(link, timeout=10)
    assert downloaded.content == b"hello world"
    assert 'filename="notes.txt"' in downloaded.headers["Content-Disposition"]
    redirect = api.get(f"{base}/{attachment['id']}/download", {"redirect": "true"})
    assert redirect.status_code == 302
    assert redirect["Location"].startswith("http")

    assert api.delete(f"{base}/{attachment['id']}").status_code == 204
    assert storage.object_head(attachment["key"]) is None
    assert api.get(f"{base}/{attachment['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"file_name": "big.iso", "size": 25 * 1024 * 1024 + 1}, 413, "size"),
        ({"file_name": "zero", "size": 0}, 400, "size"),
        ({"file_name": "", "size": 5}, 400, "file_name"),
        ({"file_name": "x", "size": 5, "content_type": "not a type"}, 400, "content_type"),
        ({"file_name": "x", "size": 5, "bucket": "other"}, 400, "bucket"),
    ],
)
def test_attachment_validation(api, user, body, status, field):
    task = create_task(api)
    response = api.post(f"/api/todos/tasks/{task['id']}/attachments", body, format="json")
    assert response.status_code == status
    assert field in error_fields(response)
    assert api.get(f"/api/todos/tasks/{task['id']}/attachments").json()["results"] == []


def test_an_oversized_upload_is_refused_and_removed(api, monkeypatch):
    # s3rver ignores the policy's size condition, so the server must check the object itself.
    task = create_task(api)
    base = f"/api/todos/tasks/{task['id']}/attachments"
    started = api.post(base, {"file_name": "a.bin", "size": 4}, format="json").json()
    upload(started["upload"], b"far more than four bytes")
    monkeypatch.setattr(attachment_services, "MAX_ATTACHMENT_BYTES", 4)
    response = api.post(f"{base}/{started['attachment']['id']}/complete")
    assert response.status_code == 413
    assert storage.object_head(started["attachment"]["key"]) is None
    assert api.get(f"{base}/{started['attachment']['id']}").json()["state"] == "pending"


def test_another_users_attachment_is_not_found(api, other_api):
    task = create_task(other_api)
    started = other_api.post(
        f"/api/todos/tasks/{task['id']}/attachments", {"file_name": "a", "size": 1}, format="json"
    ).json()
    url = f"/api/todos/tasks/{task['id']}/attachments/{started['attachment']['id']}"
    assert api.get(url).status_code == 404
    assert api.get(f"{url}/download").status_code == 404
    assert api.post(f"{url}/complete").status_code == 404
    assert api.delete(url).status_code == 404
    assert other_api.get(url).status_code == 200


# --- Credentials, schema, browsable API --------------------------------------------------------


def test_credentials_say_clearly_when_no_identity_pool_is_configured(api, settings):
    settings.COGNITO_IDENTITY_POOL_ID = ""
    response = api.get("/api/todos/credentials")
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "not_configured"
    assert "identity pool" in response.json()["error"]["message"]


def test_every_operation_is_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values() if "operationId" in op}
    expected = {
        "todos_lists_list", "todos_lists_create", "todos_lists_retrieve", "todos_lists_update", "todos_lists_destroy",
        "todos_tasks_list", "todos_tasks_create", "todos_tasks_retrieve", "todos_tasks_update", "todos_tasks_destroy",
        "todos_tasks_complete", "todos_tasks_reopen", "todos_tasks_move", "todos_tasks_reorder",
        "todos_attachments_list", "todos_attachments_create", "todos_attachments_retrieve",
        "todos_attachments_destroy", "todos_attachments_complete", "todos_attachments_download",
        "todos_labels_list", "todos_sync", "todos_credentials",
    }  # fmt: skip
    assert expected <= operations


def test_browsable_api_lists_creates_and_edits_tasks(browser_client, user):
    # The browsable API's raw-data forms send JSON from the page, signed in by the session.
    client = browser_client(user)
    form_page = client.get("/api/todos/tasks", HTTP_ACCEPT="text/html").content.decode()
    assert "post-generic-content-form" in form_page
    created = client.post(
        "/api/todos/tasks",
        json.dumps({"title": "From the browsable API"}),
        content_type="application/json",
        HTTP_ACCEPT="text/html",
    )
    assert created.status_code == 201
    assert "From the browsable API" in created.content.decode()
    task_id = Task.query(user.sub).next().task_id
    page = client.get("/api/todos/tasks", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "From the browsable API" in page.content.decode()
    detail = client.get(f"/api/todos/tasks/{task_id}", HTTP_ACCEPT="text/html").content.decode()
    assert "put-generic-content-form" in detail or "PATCH" in detail
    edited = client.patch(
        f"/api/todos/tasks/{task_id}",
        json.dumps({"title": "Edited", "version": 1}),
        content_type="application/json",
        HTTP_ACCEPT="text/html",
    )
    assert edited.status_code == 200
    assert Task.get(user.sub, task_id).title == "Edited"


def test_every_create_answers_a_location_that_names_the_new_item_and_a_replay_keeps_it(api):
    todo_list = api.post("/api/todos/lists", {"name": "Located"}, format="json")
    assert todo_list["Location"] == f"/api/todos/lists/{todo_list.json()['id']}"
    task = api.post("/api/todos/tasks", {"title": "Located"}, format="json", HTTP_IDEMPOTENCY_KEY="loc-1")
    assert task["Location"] == f"/api/todos/tasks/{task.json()['id']}"
    replay = api.post("/api/todos/tasks", {"title": "Located"}, format="json", HTTP_IDEMPOTENCY_KEY="loc-1")
    assert (replay["Idempotent-Replayed"], replay["Location"]) == ("true", task["Location"])
    quick = api.post("/api/todos/tasks/quick", {"text": "Quick one tomorrow"}, format="json")
    assert quick["Location"] == f"/api/todos/tasks/{quick.json()['task']['id']}"
    task_url = task["Location"]
    reminder = api.post(f"{task_url}/reminders", {"at": "2999-01-01T09:00:00Z"}, format="json")
    assert reminder["Location"] == f"{task_url}/reminders/{reminder.json()['id']}"
    upload = {"file_name": "notes.txt", "content_type": "text/plain", "size": 5}
    attachment = api.post(f"{task_url}/attachments", upload, format="json")
    assert attachment["Location"] == f"{task_url}/attachments/{attachment.json()['attachment']['id']}"
    invite = api.post(
        f"{todo_list['Location']}/invitations", {"email": "friend@example.com", "role": "viewer"}, format="json"
    )
    assert invite["Location"] == f"{todo_list['Location']}/invitations/{invite.json()['id']}"
    for created in (todo_list, task, quick, attachment):
        assert api.get(created["Location"]).status_code == 200
    # The item read back is the one created; `If-None-Match: *` matches any current one (RFC 9110).
    assert api.get(task_url).json()["title"] == "Located"
    assert api.get(task_url, HTTP_IF_NONE_MATCH="*").status_code == 304
