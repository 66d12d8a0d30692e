"""The publishing API on docs/api-conventions.md: its paths, the earlier routes, the one concurrency protocol."""

from __future__ import annotations

import pytest

from updates import services


@pytest.fixture
def manager(bearer_client, release_manager):
    return bearer_client(release_manager)


@pytest.fixture
def draft(catalog):
    """A draft 1.0.0 without artifacts (version 1), and the path of its release."""
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable", notes="First")
    return f"/api/updates/products/{product.slug}/releases/1.0.0"


def test_every_earlier_path_answers_308_to_its_successor_and_changes_nothing(manager, catalog):
    product = catalog.product().slug
    base = f"/api/updates/products/{product}"
    release = f"{base}/releases/1.0.0"
    moves = [
        ("get", "/api/updates/products/?cursor=abc", "/api/updates/products?cursor=abc"),
        ("post", "/api/updates/products/create/", "/api/updates/products"),
        ("get", f"{base}/releases/", f"{base}/releases"),
        ("post", f"{base}/releases/create/", f"{base}/releases"),
        ("get", f"{release}/", release),
        *(("post", f"{release}/{action}/", f"{release}/{action}") for action in ("publish", "pause", "resume", "yank")),
        ("post", f"{release}/artifacts/", f"{release}/artifacts"),
        ("get", f"{release}/artifacts/linux-x64/", f"{release}/artifacts/linux-x64"),
        ("post", f"{release}/artifacts/linux-x64/complete/", f"{release}/artifacts/linux-x64/complete"),
    ]
    body = {"version": "1.0.0", "channel": "stable"}
    for method, earlier, now in moves:
        response = manager.get(earlier) if method == "get" else manager.post(earlier, body, format="json")
        assert (response.status_code, response["Location"]) == (308, now), earlier
    assert manager.get(f"{base}/releases").json()["results"] == []  # the redirected create made nothing


def test_a_client_following_the_308s_with_its_earlier_bodies_creates_and_publishes(manager, catalog):
    product = catalog.product()
    body = {"version": "1.0.0", "channel": "stable"}  # the earlier name of version_name
    moved = manager.post(f"/api/updates/products/{product.slug}/releases/create/", body, format="json")
    created = manager.post(moved["Location"], body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["version_name"], created.json()["version"]) == ("1.0.0", 1)
    catalog.upload(product.slug, "1.0.0", "linux-x64", b"earlier client" * 20)
    seen = manager.get(created["Location"]).json()["version"]
    moved = manager.post(f"{created['Location']}/publish/", {"expected_version": seen}, format="json")
    published = manager.post(moved["Location"], {"expected_version": seen}, format="json")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"


def test_items_answer_version_and_etag_and_304_to_a_matching_if_none_match(manager, draft):
    read = manager.get(draft)
    body = read.json()
    assert (body["version_name"], body["version"], read["ETag"]) == ("1.0.0", 1, '"v1"')
    assert "item_version" not in body
    assert manager.get(draft, HTTP_IF_NONE_MATCH='"v1"').status_code == 304
    manager.patch(draft, {"notes": "Second"}, format="json", HTTP_IF_MATCH='"v1"')
    again = manager.get(draft, HTTP_IF_NONE_MATCH='"v1"')
    assert (again.status_code, again["ETag"], again.json()["notes"]) == (200, '"v2"', "Second")


def test_patch_takes_the_version_read_from_if_match_or_the_body(manager, draft):
    by_header = manager.patch(draft, {"rollout": 30}, format="json", HTTP_IF_MATCH='"v1"')
    assert (by_header.status_code, by_header.json()["rollout"], by_header["ETag"]) == (200, 30, '"v2"')
    by_body = manager.patch(draft, {"rollout": 40, "version": 2}, format="json")
    assert (by_body.status_code, by_body.json()["rollout"], by_body.json()["version"]) == (200, 40, 3)
    both = manager.patch(draft, {"rollout": 50, "version": 3}, format="json", HTTP_IF_MATCH='W/"v3"')
    assert (both.status_code, both.json()["rollout"]) == (200, 50)


def test_a_stale_if_match_is_409_version_conflict_with_the_release_as_get_shows_it(manager, draft):
    manager.patch(draft, {"rollout": 20}, format="json", HTTP_IF_MATCH='"v1"')
    stale = manager.patch(draft, {"rollout": 90}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"] == manager.get(draft).json()
    assert (error["current"]["rollout"], error["current"]["version"]) == (20, 2)
    stale_body = manager.patch(draft, {"rollout": 90, "version": 1}, format="json")
    assert (stale_body.status_code, stale_body.json()["error"]["code"]) == (409, "version_conflict")
    retried = manager.patch(draft, {"rollout": 90}, format="json", HTTP_IF_MATCH=f'"v{error["current"]["version"]}"')
    assert (retried.status_code, retried.json()["rollout"]) == (200, 90)


def test_a_patch_without_a_version_is_428_and_changes_nothing(manager, draft):
    response = manager.patch(draft, {"rollout": 5}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    star = manager.patch(draft, {"rollout": 5}, format="json", HTTP_IF_MATCH="*")
    assert star.status_code == 428
    assert (manager.get(draft).json()["rollout"], manager.get(draft).json()["version"]) == (100, 1)


@pytest.mark.parametrize("header", ["v1", "1", '"1"', '"abc"', '"v٣"', '"v1", "v2"', '"v1'])
def test_a_malformed_if_match_is_400_and_changes_nothing(manager, draft, header):
    response = manager.patch(draft, {"rollout": 5}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["If-Match"]
    assert manager.get(draft).json()["rollout"] == 100


def test_if_match_and_a_body_version_that_disagree_are_400(manager, draft):
    response = manager.patch(draft, {"rollout": 5, "version": 2}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]
    earlier = manager.post(f"{draft}/publish", {"version": 1, "expected_version": 2}, format="json")
    assert earlier.status_code == 400
    assert manager.get(draft).json()["rollout"] == 100


def test_actions_take_a_version_optionally_and_refuse_a_stale_one(manager, catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",), publish=False)
    url = f"/api/updates/products/{product.slug}/releases/1.0.0"
    published = manager.post(f"{url}/publish", {}, format="json")  # no version: applies to the release as it is
    assert published.status_code == 200
    version = published.json()["version"]
    assert published["ETag"] == f'"v{version}"'
    stale = manager.post(f"{url}/pause", {}, format="json", HTTP_IF_MATCH=f'"v{version - 1}"')
    assert stale.status_code == 409
    assert (stale.json()["error"]["code"], stale.json()["error"]["current"]["status"]) == (
        "version_conflict",
        "published",
    )
    paused = manager.post(f"{url}/pause", {"version": version}, format="json")
    assert (paused.status_code, paused.json()["status"]) == (200, "paused")
    malformed = manager.post(f"{url}/resume", {}, format="json", HTTP_IF_MATCH="v9")
    assert malformed.status_code == 400
    assert manager.get(url).json()["status"] == "paused"


def test_the_earlier_update_route_answers_as_before_and_points_at_its_successor(manager, draft):
    earlier = f"{draft}/update/"
    unversioned = manager.patch(earlier, {"rollout": 20}, format="json")  # as before: the version was optional
    assert (unversioned.status_code, unversioned.json()["rollout"]) == (200, 20)
    assert unversioned["Deprecation"] == "true"
    assert unversioned["Link"] == f'<{draft}>; rel="successor-version"'
    assert unversioned["ETag"] == '"v2"'
    stale = manager.patch(earlier, {"rollout": 30, "expected_version": 1}, format="json")
    assert stale.status_code == 409
    assert stale["Deprecation"] == "true"
    assert stale.json()["error"]["current"]["version"] == 2
    current = manager.patch(earlier, {"rollout": 30, "expected_version": 2}, format="json")
    assert (current.status_code, current.json()["rollout"]) == (200, 30)


def test_the_earlier_ramp_paths_answer_as_the_new_ones_and_point_at_them(manager, catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",))
    catalog.release(product, "1.1.0", platforms=("linux-x64",), rollout=0)
    url = f"/api/updates/products/{product.slug}/releases/1.1.0/ramp"
    schedule = {"steps": [10, 100], "interval_seconds": 3600, "failure_threshold": 0.05, "minimum_sample": 10}
    started = manager.post(url, schedule, format="json")
    assert (started.status_code, started.json()["steps"]) == (201, [10, 100])
    earlier = manager.get(f"{url}/")
    assert earlier.json() == manager.get(url).json()
    assert (earlier["Deprecation"], earlier["Link"]) == ("true", f'<{url}>; rel="successor-version"')
    resumed = manager.post(f"{url}/resume/", {}, format="json")
    assert resumed["Link"] == f'<{url}/resume>; rel="successor-version"'
    assert resumed.json()["error"]["code"] == manager.post(f"{url}/resume", {}, format="json").json()["error"]["code"]


def test_a_release_of_another_product_or_a_missing_product_is_404_on_every_route(manager, catalog, draft):
    other = catalog.product().slug
    for base in (f"/api/updates/products/{other}/releases/1.0.0", "/api/updates/products/no-such-app/releases/1.0.0"):
        assert manager.get(base).status_code == 404
        assert manager.patch(base, {"rollout": 1}, format="json", HTTP_IF_MATCH='"v1"').status_code == 404
        for action in ("publish", "pause", "resume", "yank"):
            assert manager.post(f"{base}/{action}", {}, format="json").status_code == 404, action
        assert manager.get(f"{base}/artifacts/linux-x64").status_code == 404
    assert manager.get("/api/updates/products/no-such-app").status_code == 404
    assert manager.get("/api/updates/products/no-such-app/releases").status_code == 404
    assert manager.get(draft).json()["rollout"] == 100  # the release of the same number elsewhere is untouched


def test_creates_answer_location_and_lists_page_with_limit_and_cursor(manager, catalog):
    slug = f"app-{catalog.product().slug[-8:]}x"
    created = manager.post("/api/updates/products", {"slug": slug, "name": "Paged"}, format="json")
    assert (created.status_code, created["Location"]) == (201, f"/api/updates/products/{slug}")
    assert manager.get(created["Location"]).json()["name"] == "Paged"
    base = f"/api/updates/products/{slug}/releases"
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        manager.post(base, {"version_name": version, "channel": "stable"}, format="json")
    first = manager.get(base, {"limit": 2}).json()
    assert [r["version_name"] for r in first["results"]] == ["2.0.0", "1.1.0"]
    rest = manager.get(base, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["version_name"] for r in rest["results"]] == ["1.0.0"]
    assert manager.get(base, {"limit": 0}).status_code == 400
    assert manager.get(base, {"cursor": first["next_cursor"][:-2] + "xx"}).status_code == 400


def test_a_release_create_retried_with_its_idempotency_key_answers_the_first_answer(manager, catalog):
    base = f"/api/updates/products/{catalog.product().slug}/releases"
    body = {"version_name": "3.0.0", "channel": "stable"}
    first = manager.post(base, body, format="json", HTTP_IDEMPOTENCY_KEY="release-3")
    again = manager.post(base, body, format="json", HTTP_IDEMPOTENCY_KEY="release-3")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert manager.post(base, body, format="json").json()["error"]["code"] == "release_exists"


def test_a_path_under_products_that_no_route_matches_is_the_publishing_apis_never_an_update_check(
    manager, api_client, draft
):
    for path in ("/api/updates/products/%3A/releases/0", f"{draft}/no-such-action", "/api/updates/products/a/b/c/d/e"):
        assert api_client.get(path).json()["error"]["code"] == "not_authenticated", path
        assert api_client.patch(path, {}, format="json").status_code == 401, path
        answer = manager.patch(path, {}, format="json")
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found"), path


def test_a_version_or_platform_segment_that_cannot_exist_is_a_404_never_a_308(manager, api_client, draft):
    """A newline, a carriage return or any other non-version where a release's version goes (an earlier path's
    trailing slash included) matches no release route: 404 to a manager, 401 to anyone else, and no redirect."""
    base = draft.rsplit("/", 1)[0]
    paths = [
        f"{base}/%0A",
        f"{base}/%0A/",
        f"{base}/%0D",
        f"{base}/%0A%0A/",
        f"{base}/1.0.0%0A",
        f"{base}/1.0.0%0A/",
        f"{base}/%D9%A3.0.0/",  # an Arabic-Indic digit
        f"{base}/1.0/",
        f"{base}/{'1' * 70}.0.0",
        f"{base}/%0A/publish/",
        f"{base}/%0A/update/",
        f"{base}/%0A/artifacts/",
        f"{draft}/artifacts/%0A",
        f"{draft}/artifacts/%0A/",
        f"{draft}/artifacts/%0A/complete/",
        f"{draft}/artifacts/linux-x64%0A/",
    ]
    for path in paths:
        for method in ("get", "post", "patch", "delete"):
            send = getattr(manager, method)
            answer = send(path) if method == "get" else send(path, {}, format="json")
            assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found"), (method, path)
            assert "Location" not in answer, (method, path)
        anonymous = api_client.get(path)
        assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated"), path
    # The real release and its earlier path still answer as before.
    assert manager.get(draft).status_code == 200
    assert (manager.get(f"{draft}/").status_code, manager.get(f"{draft}/")["Location"]) == (308, draft)


def test_a_newline_where_a_release_version_goes_is_a_404_over_http_too(live_url, release_manager, draft):
    """The same through a real HTTP server, as curl sends it (the path percent-encoded, no redirect followed)."""
    import requests

    token = {"Authorization": f"Bearer {release_manager.access_token}"}
    base = live_url + draft.rsplit("/", 1)[0]
    for path in (f"{base}/%0A", f"{base}/%0A/", f"{base}/1.0.0%0A/", f"{base}/%0D%0A/publish/"):
        answer = requests.get(path, headers=token, allow_redirects=False, timeout=10)
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found"), path
        assert "Location" not in answer.headers, path
        anonymous = requests.get(path, allow_redirects=False, timeout=10)
        assert anonymous.status_code == 401, path


def test_completing_an_upload_takes_one_to_ten_thousand_parts_and_reads_each_one(manager, catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",), publish=False)
    url = f"/api/updates/products/{product.slug}/releases/1.0.0/artifacts/linux-x64/complete"
    empty = manager.post(url, {"upload_id": "u", "parts": []}, format="json")
    assert (empty.status_code, list(empty.json()["error"]["fields"])) == (400, ["parts"])
    bad_part = manager.post(url, {"upload_id": "u", "parts": [{"part_number": 0, "etag": "e"}]}, format="json")
    assert bad_part.status_code == 400
    assert "part_number" in str(bad_part.json()["error"]["fields"]["parts"])
    # A well-formed body reaches the service: this artifact's upload is done, so the upload id is refused.
    done = manager.post(url, {"upload_id": "u", "parts": [{"part_number": 1, "etag": "e"}]}, format="json")
    assert (done.status_code, list(done.json()["error"]["fields"])) == (400, ["upload_id"])
