"""Site-wide pages, the API schema, and error handling."""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.test import Client

from accounts import selectors


def test_home_page_links_every_system():
    body = Client().get("/").content.decode()
    for link in ('href="/todos/"', 'href="/blog/"', 'href="/updates/"', 'href="/api/docs/"'):
        assert link in body


def test_openapi_schema_as_json_lists_every_api_operation():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    schema = response.json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"accounts_sign_up", "accounts_token", "accounts_me", "accounts_me_update"} <= operations
    assert schema["info"]["title"] == "MySite API"


def test_api_docs_page_renders():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_unknown_page_is_a_friendly_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert b"We could not find that page." in response.content


def test_dynamodb_throttling_is_503_with_retry_after(bearer_client, user, monkeypatch):
    client = bearer_client(user)

    def throttled(**kwargs):
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "GetItem"
        )

    monkeypatch.setattr(selectors.Profile, "get", staticmethod(lambda *a, **k: throttled()))
    response = client.get("/api/accounts/me")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "unavailable"


def test_mailbox_page_is_hidden_unless_debug(settings):
    assert Client().get("/dev/mail/").status_code == 404
    settings.DEBUG = True
    assert Client().get("/dev/mail/").status_code == 200


def test_health_check():
    assert Client().get("/health").json() == {"status": "ok"}


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "accounts_sign_up" in target.read_text()


def _api_routes(patterns=None, prefix: str = "") -> list[tuple[str, type]]:
    """Every URL route served by a DRF APIView, found by walking the URLconf."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from rest_framework.views import APIView

    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found += _api_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "cls", None)
            ours = view_class and not view_class.__module__.startswith("drf_spectacular")
            if ours and issubclass(view_class, APIView):
                found.append((prefix + str(entry.pattern), view_class))
    return found


def test_every_api_view_of_every_app_is_in_the_schema():
    import re

    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]}
    routes = _api_routes()
    assert len(routes) >= 8
    missing = []
    for route, view_class in routes:
        normalised = "/" + re.sub(r"<[^>]+>", "{}", route).replace("^", "").replace("$", "")
        if normalised not in documented:
            missing.append(f"{normalised} ({view_class.__name__})")
    assert missing == []


def test_a_304_and_a_204_carry_no_content_length(bearer_client, user):
    client = Client()
    page = client.get("/blog/")
    not_modified = client.get("/blog/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert not_modified.status_code == 304
    assert not not_modified.has_header("Content-Length")
    assert not_modified["ETag"] == page["ETag"]
    api = bearer_client(user)
    task = api.post("/api/todos/tasks", {"title": "Short-lived"}, format="json").json()
    deleted = api.delete(f"/api/todos/tasks/{task['id']}", HTTP_IF_MATCH='"v1"')
    assert deleted.status_code == 204
    assert not deleted.has_header("Content-Length")


def test_api_docs_load_swagger_ui_and_redoc_from_the_site_itself():
    from django.contrib.staticfiles import finders

    for url, asset in (
        ("/api/docs/", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ):
        body = Client().get(url).content.decode()
        assert f'src="/static/{asset}"' in body, url
        assert "jsdelivr" not in body
        assert "@latest" not in body
        assert "https://" not in body.replace("https://swagger.io", "")
        assert finders.find(asset), asset
