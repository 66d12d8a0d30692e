"""One error page family for the whole site: the same 404 wherever it comes from, DEBUG on or off; 400/403/500 alike."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.blog.conftest import unique_tag

SITE_ERROR_PAGE = '<section class="card narrow error-page">'
DJANGO_DEBUG_404_MARKERS = ("Django tried these URL patterns", "Raised by:", "technical_404", "DEBUG = True")


def assert_site_page(response, *, status: int, heading: str, message: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert SITE_ERROR_PAGE in body
    assert 'class="site-header"' in body  # the site's own layout, not a bare page
    assert re.search(r"<h1>\s*" + re.escape(heading) + r"\s*</h1>", body), body[:2000]
    assert f"<title>{heading} ·" in body
    assert message in body
    for marker in DJANGO_DEBUG_404_MARKERS:
        assert marker not in body
    return body


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Each test runs with DEBUG off (production) and on (as the local settings have it)."""
    settings.DEBUG = request.param
    return request.param


def test_an_unknown_tag_is_the_sites_404_page(debug, client):
    response = client.get(f"/blog/tag/{unique_tag()}/")
    assert_site_page(response, status=404, heading="Not found", message="We could not find that page.")


def test_a_reader_opening_the_admin_panel_gets_the_sites_404_page(debug, browser_client, user):
    response = browser_client(user).get("/admin/")
    assert_site_page(response, status=404, heading="Not found", message="We could not find that page.")


def test_an_unknown_post_is_the_same_404_page(debug, client):
    response = client.get("/blog/no-such-post-ever/")
    assert_site_page(response, status=404, heading="Not found", message="There is no such post.")


def test_a_url_no_route_matches_is_the_same_404_page(debug, client):
    response = client.get("/no/such/page/")
    assert_site_page(response, status=404, heading="Not found", message="We could not find that page.")


def test_a_url_no_route_matches_under_the_api_is_json_with_debug_on_or_off(debug, client):
    response = client.get("/api/no/such/operation")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_an_http404_any_view_raises_is_the_same_404_page(debug, client, settings):
    settings.EMAIL_BACKEND = "django_ses.SESBackend"  # production's: the mailbox page then raises Http404
    response = client.get("/dev/mail/")
    assert_site_page(response, status=404, heading="Not found", message="We could not find that page.")


def test_the_invalid_cursor_page_says_its_sentence_once(client):
    body = assert_site_page(
        client.get("/blog/", {"cursor": "forged"}),
        status=400,
        heading="Something is not right",
        message="This cursor is invalid, or belongs to another list.",
    )
    assert body.count("This cursor is invalid, or belongs to another list.") == 1


def test_a_form_posted_without_its_csrf_token_is_the_sites_403_page(debug):
    response = Client(enforce_csrf_checks=True).post("/accounts/sign-in/", {"email": "a@example.com", "password": "x"})
    assert_site_page(response, status=403, heading="Not allowed", message="This form has expired")


def test_a_request_django_refuses_is_the_sites_400_page(client):
    response = client.get("/", HTTP_HOST="not-our-host.example")  # DisallowedHost: handler400
    assert_site_page(response, status=400, heading="Something is not right", message="could not be understood")


def test_an_unexpected_error_is_the_sites_500_page(monkeypatch):
    from mysite import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", broken)
    response = Client(raise_request_exception=False).get("/")
    body = assert_site_page(
        response, status=500, heading="Something went wrong", message="Something went wrong on our side."
    )
    assert "a bug" not in body
    assert "RuntimeError" not in body


def test_an_unexpected_error_under_the_api_is_json(monkeypatch, bearer_client, user):
    from accounts import apis

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    client = bearer_client(user)
    client.raise_request_exception = False
    monkeypatch.setattr(apis, "profile_get", broken)
    response = client.get("/api/accounts/me")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "server_error", "message": "Something went wrong on our side. Please try again."}
    }
