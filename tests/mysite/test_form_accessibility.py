"""Every form control's `aria-describedby` names help and error texts that are on the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class DescribedBy(HTMLParser):
    """Collects element ids and each control's aria-describedby references."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for reference in (attributes.get("aria-describedby") or "").split():
            self.references.append((attributes.get("name") or tag, reference))


def dangling_references(html: str) -> tuple[list[tuple[str, str]], int]:
    parser = DescribedBy()
    parser.feed(html)
    return [(name, ref) for name, ref in parser.references if ref not in parser.ids], len(parser.references)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/sign-up/", {"display_name": "", "email": "not-an-email", "password": "x"}),
        ("/accounts/sign-in/", {"email": "not-an-email", "password": ""}),
        ("/accounts/password/forgot/", {"email": "not-an-email"}),
        ("/accounts/confirm/", {"email": "not-an-email", "code": ""}),
        ("/accounts/password/reset/", {"email": "not-an-email", "code": "", "password": "x"}),
    ],
)
def test_account_forms_with_errors_describe_each_field_by_ids_on_the_page(client, path, data):
    response = client.post(path, data)
    assert response.status_code == 400  # the form again, with its errors
    dangling, total = dangling_references(response.content.decode())
    assert total >= 1  # the invalid fields point at their error texts
    assert dangling == []


def test_the_blog_editor_describes_its_fields_by_ids_on_the_page(browser_client, make_user):
    author = browser_client(make_user(groups=("authors",)))
    page = author.post("/admin/blog/new/", {"title": "", "body": "", "tags": "", "publish_at": "not a date"})
    assert page.status_code == 400
    dangling, total = dangling_references(page.content.decode())
    assert total >= 1
    assert dangling == []


def test_the_updates_admin_forms_describe_their_fields_by_ids_on_the_page(browser_client, make_user):
    manager = browser_client(make_user(groups=("release-managers",)))
    page = manager.post("/admin/updates/", {"slug": "Not A Slug!", "name": ""})
    assert page.status_code == 400
    dangling, total = dangling_references(page.content.decode())
    assert total >= 1
    assert dangling == []
