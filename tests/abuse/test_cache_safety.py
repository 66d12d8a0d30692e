"""What a shared cache (CloudFront, API Gateway) may keep: never a user's answer, always fresh after a publish."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import requests

from mysite import cdn


def shared_cacheable(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").lower().split(",")}
    if directives & {"private", "no-store"}:
        return False
    return bool(directives & {"public", "s-maxage"})


@pytest.mark.parametrize(
    "url",
    ["/api/todos/lists", "/api/todos/tasks", "/api/todos/labels", "/api/accounts/me", "/api/blog/admin/posts"],
)
def test_answers_for_a_signed_in_caller_are_never_shared_cacheable(bearer_client, make_user, url):
    response = bearer_client(make_user(groups=("authors",))).get(url)
    assert response.status_code == 200
    assert not shared_cacheable(response), response.get("Cache-Control")


@pytest.mark.parametrize("url", ["/todos/", "/accounts/profile/", "/admin/"])
def test_pages_for_a_signed_in_browser_are_never_shared_cacheable(browser_client, make_user, url):
    response = browser_client(make_user(groups=("authors",))).get(url)
    assert response.status_code == 200, url
    assert not shared_cacheable(response), (url, response.get("Cache-Control"))


@pytest.mark.parametrize("url", ["/blog/", "/blog/rss.xml", "/updates/", "/api/blog/posts", "/api/updates/keys"])
def test_public_answers_are_the_same_for_everyone(browser_client, user, client, url):
    """Shared-cacheable, no cookie set, no Vary: Cookie, and a signed-in reader gets the same bytes."""
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert shared_cacheable(anonymous), anonymous.get("Cache-Control")
    assert not anonymous.cookies
    assert "cookie" not in anonymous.get("Vary", "").lower()
    signed_in = browser_client(user).get(url)
    assert signed_in.content == anonymous.content
    assert not signed_in.cookies


@pytest.mark.parametrize("url", ["/blog/", "/blog/rss.xml", "/updates/", "/api/blog/posts", "/api/updates/keys"])
@pytest.mark.parametrize("csrf_cookie", ["malformed!", "x" * 10, "a" * 64])
def test_a_malformed_csrf_cookie_never_makes_a_public_answer_set_cookies(client, url, csrf_cookie):
    client.cookies["csrftoken"] = csrf_cookie
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(url)
    assert response.status_code == 200
    assert shared_cacheable(response), response.get("Cache-Control")
    assert not response.cookies, response.cookies.output()
    assert "cookie" not in response.get("Vary", "").lower()


def test_the_browsable_form_of_a_public_api_is_not_shared_cacheable(client):
    client.cookies["csrftoken"] = "malformed!"
    response = client.get("/api/blog/posts", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not shared_cacheable(response), response.get("Cache-Control")
    json_answer = client.get("/api/blog/posts", HTTP_ACCEPT="application/json")
    assert shared_cacheable(json_answer)
    assert not json_answer.cookies


def test_publishing_a_release_invalidates_every_client_answer_of_its_product(monkeypatch, dispatcher):
    from updates import services

    for _ in range(100):  # what earlier tests left in the streams invalidates their paths, not this product's
        if not dispatcher.run_once(include_schedules=False):
            break
    invalidated: list[list[str]] = []
    monkeypatch.setattr(cdn, "invalidate_paths", lambda paths: invalidated.append(sorted(paths)))
    product = f"app-{uuid.uuid4().hex[:10]}"
    services.product_create(slug=product, name="App")
    services.release_create(product=product, version="1.0.0", channel="stable")
    content = b"build " * 100
    start = services.artifact_upload_start(
        product=product,
        version="1.0.0",
        platform="linux-x64",
        filename="App-1.0.0.zip",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert requests.post(start["url"], data=start["fields"], files={"file": ("f", content)}, timeout=10).ok
    dispatcher.run_once(include_schedules=False)
    assert invalidated == []  # a draft is invisible to clients: nothing to invalidate yet
    expected = sorted([f"/api/updates/{product}/*", f"/update/{product}/*", f"/updates/{product}/*"])
    services.release_publish(product=product, version="1.0.0")
    services.release_pause(product=product, version="1.0.0")
    services.release_resume(product=product, version="1.0.0")
    services.release_update(product=product, version="1.0.0", rollout=50)
    services.release_yank(product=product, version="1.0.0")
    # A yank also withdraws the release's file: its artifact routes answer 410 from then on.
    sha256 = hashlib.sha256(content).hexdigest()
    withdrawn = sorted([f"/artifacts/{sha256}/App-1.0.0.zip", f"/updates/artifacts/{sha256}/App-1.0.0.zip"])
    assert sorted(invalidated) == sorted([expected] * 5 + [withdrawn])
