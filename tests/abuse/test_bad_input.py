"""Hostile input answered with a clear 4xx in the one error shape, changing nothing; never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from pynamodb.exceptions import GetError

from mysite.errors import as_domain_error
from tests.todos.conftest import create_task
from todos.models import Task


def task_count(api) -> int:
    return len(api.get("/api/todos/tasks", {"limit": 200}).json()["results"])


# --- Blog archive -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 99999])
def test_an_archive_month_outside_the_calendar_is_a_404(year):
    response = Client().get(f"/blog/archive/{year}/1/")
    assert response.status_code == 404
    assert b"could not find" in response.content


# --- Values DynamoDB cannot store ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/blog/" + "a" * 8000 + "/",
        "/api/blog/posts/" + "a" * 8000,
        "/api/todos/tasks/" + "t" * 3000,
        "/blog/tag/" + "t" * 3000 + "/",
    ],
)
def test_an_identifier_longer_than_a_dynamodb_key_is_a_clean_404(path, bearer_client, user):
    response = bearer_client(user).get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("who", "path", "body", "field", "listing"),
    [
        ("author", "/api/blog/admin/posts", {"title": "Long slug", "slug": "a" * 8000}, "slug", "?q=Long+slug"),
        ("author", "/api/blog/admin/posts", {"title": "Long tag", "tags": ["t" * 3000]}, "tags", "?q=Long+tag"),
        ("manager", "/api/updates/products", {"slug": "p" * 8000, "name": "Long"}, "slug", "/" + "p" * 8000),
        ("user", "/api/todos/tasks", {"title": "Long label", "labels": ["l" * 3000]}, "labels", ""),
    ],
)
def test_a_key_longer_than_dynamodb_takes_is_a_400_on_write_and_not_a_503(
    who, path, body, field, listing, bearer_client, make_user
):
    groups = {"author": ("authors",), "manager": ("release-managers",), "user": ()}[who]
    client = bearer_client(make_user(groups=groups))
    before = client.get(path + listing).content
    response = client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert "Retry-After" not in response
    assert client.get(path + listing).content == before  # nothing was written


@pytest.mark.parametrize("position", ["1e308", "5e-324", "1e-131", "-1e200"])
def test_a_position_dynamodb_cannot_store_is_a_400_on_create_and_changes_nothing(api, position):
    before = task_count(api)
    response = api.post(
        "/api/todos/tasks", f'{{"title": "Far away", "position": {position}}}', content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "position" in error["fields"]
    assert "Retry-After" not in response
    assert task_count(api) == before


def test_a_position_dynamodb_cannot_store_is_a_400_on_update(api):
    task = create_task(api)
    response = api.patch(f"/api/todos/tasks/{task['id']}", '{"position": 1e308}', content_type="application/json")
    assert response.status_code == 400
    assert "position" in response.json()["error"]["fields"]
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["position"] == task["position"]


def test_a_dynamodb_validation_error_maps_to_400_not_503(local_stack):
    with pytest.raises(GetError) as info:  # a real answer from DynamoDB Local: the hash key is over 2 KB
        Task.get("o" * 3000, "t", consistent_read=True)
    error = as_domain_error(info.value)
    assert error is not None
    assert (error.status, error.code) == (400, "invalid")


# --- Reorder and move ----------------------------------------------------------------------


@pytest.mark.parametrize("position", ["1e308", "5e-324", "1e-131"])
def test_reorder_with_an_out_of_range_position_is_a_400_and_moves_nothing(api, position):
    first, second = create_task(api, title="First"), create_task(api, title="Second")
    items = f'{{"id": "{first["id"]}", "position": 1}}, {{"id": "{second["id"]}", "position": {position}}}'
    body = f'{{"items": [{items}]}}'
    response = api.post("/api/todos/tasks/reorder", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    positions = {t["id"]: t["position"] for t in api.get("/api/todos/tasks").json()["results"]}
    assert positions == {first["id"]: first["position"], second["id"]: second["position"]}


def test_move_with_an_out_of_range_position_is_a_400_and_moves_nothing(api):
    task = create_task(api)
    other = api.post("/api/todos/lists", {"name": "Elsewhere"}, format="json").json()
    response = api.post(
        f"/api/todos/tasks/{task['id']}/move",
        f'{{"list_id": "{other["id"]}", "position": 1e308}}',
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["list_id"] == task["list_id"]


# --- If-Match ----------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ['"v' + "9" * 5000 + '"', '"v' + "9" * 39 + '"', '"v٣"'])
def test_an_if_match_version_out_of_range_is_a_400(api, header):
    task = create_task(api)
    response = api.patch(f"/api/todos/tasks/{task['id']}", {"title": "Renamed"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "If-Match" in response.json()["error"]["fields"]
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["title"] == "A task"


@pytest.mark.parametrize("app", ["blog", "accounts", "updates"])
def test_an_if_match_of_5000_digits_is_a_400_on_every_versioned_api(app, bearer_client, make_user):
    client = bearer_client(make_user(groups=("authors", "release-managers")))
    if app == "blog":
        url = client.post("/api/blog/admin/posts", {"title": "If-Match"}, format="json")["Location"]
        body, field, before = {"title": "Renamed"}, "title", "If-Match"
    elif app == "accounts":
        url, body, field = "/api/accounts/me", {"display_name": "Renamed"}, "display_name"
        before = client.get(url).json()[field]
    else:
        product = f"p-{uuid.uuid4().hex[:10]}"
        assert client.post("/api/updates/products", {"slug": product, "name": "P"}, format="json").status_code == 201
        releases = f"/api/updates/products/{product}/releases"
        assert client.post(releases, {"version_name": "1.0.0", "channel": "stable"}, format="json").status_code == 201
        url, body, field, before = f"{releases}/1.0.0", {"notes": "Renamed"}, "notes", ""
    response = client.patch(url, body, format="json", HTTP_IF_MATCH='"v' + "9" * 5000 + '"')
    assert response.status_code == 400, response.content[:300]
    assert "If-Match" in response.json()["error"]["fields"]
    assert client.get(url).json()[field] == before


def test_a_version_field_out_of_range_is_a_400(api):
    task = create_task(api)
    response = api.patch(
        f"/api/todos/tasks/{task['id']}", '{"title": "Renamed", "version": 1e39}', content_type="application/json"
    )
    assert response.status_code == 400
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["title"] == "A task"


# --- Labels ------------------------------------------------------------------------------------


def test_a_label_with_a_slash_keeps_every_todo_page_working(browser_client, user, api):
    task = create_task(api, labels=["home/garden"])
    page = browser_client(user)
    index = page.get("/todos/")
    assert index.status_code == 200
    assert 'href="/todos/labels/home/garden/"' in index.content.decode()
    label_page = page.get("/todos/labels/home/garden/")
    assert label_page.status_code == 200
    assert task["title"] in label_page.content.decode()


# --- Cursors ----------------------------------------------------------------------------------


def test_a_cursor_sent_to_another_list_is_a_400_invalid_cursor_and_not_a_503(api, bearer_client, make_user):
    """A cursor is signed with its query's scope: DynamoDB refuses another query's start key (and
    DynamoDB Local fails on it), so a cursor is checked before it reaches a query."""
    from blog import services as blog_services

    for i in range(2):
        post = blog_services.post_create(author_sub="cursor-author", author_name="Cursor", title=f"Cursor {i}")
        blog_services.post_publish(post_id=post.post_id, version=post.version)
        create_task(api, title=f"Cursor {i}")
    blog_cursor = api.get("/api/blog/posts", {"limit": 1}).json()["next_cursor"]
    tasks_cursor = api.get("/api/todos/tasks", {"limit": 1}).json()["next_cursor"]
    sync_token = api.get("/api/todos/sync").json()["sync_token"]
    assert all((blog_cursor, tasks_cursor, sync_token))
    other = bearer_client(make_user())

    foreign = [
        (api, "/api/blog/tags/python/posts", {"cursor": blog_cursor}),
        (api, "/api/todos/tasks", {"cursor": blog_cursor}),
        (api, "/api/todos/trash", {"cursor": tasks_cursor}),
        (api, "/api/todos/tasks", {"cursor": tasks_cursor, "sort": "due"}),
        (api, "/api/todos/sync", {"since": tasks_cursor}),
        (api, "/api/blog/posts", {"cursor": sync_token}),
        (other, "/api/todos/tasks", {"cursor": tasks_cursor}),  # another user's cursor
        (other, "/api/todos/sync", {"since": sync_token}),  # and sync token
    ]
    for client, url, params in foreign:
        response = client.get(url, params)
        assert response.status_code == 400, (url, params, response.content)
        assert response.json()["error"]["code"] == "invalid_cursor", url
        assert list(response.json()["error"]["fields"]) == list(params)[:1], url  # `since` where a sync token went

    assert api.get("/api/todos/tasks", {"cursor": tasks_cursor}).status_code == 200  # its own list takes it
    page = Client().get("/blog/tag/python/", {"cursor": blog_cursor})
    assert page.status_code == 400
    assert "This cursor is invalid, or belongs to another list." in page.content.decode()


# --- NUL characters ---------------------------------------------------------------------------


def test_a_nul_in_an_html_form_is_refused_as_the_api_refuses_it_and_nothing_is_stored(browser_client, user, api):
    page = browser_client(user)
    task = create_task(api, title="Clean")
    before = task_count(api)
    for url, data in (
        ("/todos/tasks/new", {"title": "nul\x00new"}),
        ("/todos/lists/new", {"name": "nul\x00list", "colour": "grey"}),
        (f"/todos/tasks/{task['id']}/title", {"title": "a\x00b", "version": task["version"]}),
        (f"/todos/tasks/{task['id']}/subtasks", {"title": "sub\x00"}),
    ):
        response = page.post(url, data)
        assert response.status_code == 400, url
        assert "Null characters are not allowed." in response.content.decode(), url
    assert task_count(api) == before
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["title"] == "Clean"
    assert [x["name"] for x in api.get("/api/todos/lists").json()["results"]] == ["Inbox"]
    refused = api.post("/api/todos/tasks", "title=a%00b", content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"title": ["Null characters are not allowed."]}


def test_bytes_that_are_not_utf8_in_a_form_or_a_query_are_a_400_not_replacement_characters(browser_client, user, api):
    """Django reads such bytes as U+FFFD; kept, they would be stored and shown as if the client had sent them."""
    before = task_count(api)
    for client, url in ((api, "/api/todos/tasks"), (browser_client(user), "/todos/tasks/new")):
        response = client.post(url, "title=%FF%FE", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, url
        assert "UTF-8" in response.content.decode(), url
    assert task_count(api) == before
    task = create_task(api, title="Clean")
    for method in ("patch", "put"):  # the API reads a URL-encoded body of any method as a form
        refused = getattr(api, method)(
            f"/api/todos/tasks/{task['id']}", "title=%FF&version=1", content_type="application/x-www-form-urlencoded"
        )
        assert refused.status_code == 400, method
    assert api.get(f"/api/todos/tasks/{task['id']}").json()["title"] == "Clean"
    query = api.get("/api/todos/tasks", QUERY_STRING="q=%C3")  # a lone lead byte
    assert (query.status_code, query.json()["error"]["code"]) == (400, "invalid")
    # U+FFFD itself, and any other character, sent as UTF-8 is text like any other.
    kept = api.post("/api/todos/tasks", "title=%EF%BF%BD%C3%A9", content_type="application/x-www-form-urlencoded")
    assert (kept.status_code, kept.json()["title"]) == (201, "\ufffd\u00e9")
    assert api.get("/api/todos/tasks", {"q": "\u00e9"}).json()["results"][0]["title"] == "\ufffd\u00e9"


@pytest.mark.parametrize("path", ["/api/blog/tags/%00/posts", "/blog/tag/%00/", "/api/todos/tasks/%00"])
def test_a_nul_in_a_path_names_nothing(path, api):
    response = api.get(path)
    assert response.status_code == 404, response.content


# --- Time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["localtime", "Factory"])
def test_zones_that_are_no_place_are_refused_everywhere_a_zone_is_taken(zone, api, browser_client, user):
    """`localtime` is whatever the server's /etc/localtime says (a laptop's, Lambda's); `Factory` is no zone."""
    from django.test import Client as SchemaClient

    created = api.post("/api/todos/tasks", {"title": "Zoned", "due_datetime": "2030-01-01T09:00", "due_timezone": zone})
    assert (created.status_code, list(created.json()["error"]["fields"])) == (400, ["due_timezone"])
    assert api.get("/api/todos/tasks", {"tz": zone}).status_code == 400
    me = api.get("/api/accounts/me").json()
    renamed = api.patch("/api/accounts/me", {"time_zone": zone, "version": me["version"]}, format="json")
    assert (renamed.status_code, list(renamed.json()["error"]["fields"])) == (400, ["time_zone"])
    task = create_task(api, title="Details")
    form = browser_client(user).post(
        f"/todos/tasks/{task['id']}/details",
        {
            "notes": "",
            "priority": "1",
            "labels": "",
            "version": task["version"],
            "due_date": "2030-01-01",
            "due_time": "09:00",
            "due_timezone": zone,
        },
    )
    assert form.status_code == 400
    assert "Unknown time zone" in form.content.decode()
    schema = SchemaClient().get("/api/schema/?format=json").json()
    assert zone not in schema["components"]["schemas"]["TimeZoneEnum"]["enum"]
    assert "Europe/Paris" in schema["components"]["schemas"]["TimeZoneEnum"]["enum"]


def test_a_multipart_create_with_an_idempotency_key_is_taken_once(api):
    """The request guard parses form bodies early; it reads the raw body first, which @idempotent hashes."""
    headers = {"HTTP_IDEMPOTENCY_KEY": f"multipart-{uuid.uuid4().hex}"}
    first = api.post("/api/todos/tasks", {"title": "Sent as a form"}, format="multipart", **headers)
    assert first.status_code == 201, first.content
    again = api.post("/api/todos/tasks", {"title": "Sent as a form"}, format="multipart", **headers)
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
