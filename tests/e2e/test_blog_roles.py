"""Staff roles in the browser: a contributor writes a draft and submits it for review; an editor publishes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.blog.conftest import unique_title
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_contributor_submits_a_draft_and_an_editor_publishes_it(browser, site_url, page, make_user):
    contributor = make_user(groups=("contributors",), name="Cora Contributor")
    editor = make_user(groups=("editors",), name="Eddie Editor")
    title = unique_title("Field notes")

    sign_in(page, contributor, next_path="/admin/blog/new/")
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)  # contributors do not publish
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body (Markdown)").fill("Notes from the **field**.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/blog/[0-9a-f]{32}/$"))
    editor_path = re.search(r"/admin/blog/[0-9a-f]{32}/$", page.url).group(0)
    expect(page.locator("#post-status")).to_have_text("draft")
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
    expect(page.get_by_role("button", name="Schedule")).to_have_count(0)

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("Submitted for review")
    expect(page.locator("#post-review")).to_have_text("submitted for review")

    desk = browser.new_context(base_url=site_url, viewport={"width": 1200, "height": 900})
    editor_page = desk.new_page()
    sign_in(editor_page, editor, next_path="/admin/blog/")
    row = editor_page.locator("tr", has_text=title)
    expect(row).to_contain_text("submitted for review")
    expect(row).to_contain_text("Cora Contributor")
    row.get_by_role("link", name=title).click()
    editor_page.wait_for_url(re.compile(re.escape(editor_path) + "$"))
    editor_page.get_by_role("button", name="Publish now").click()
    expect(editor_page.locator("#post-status")).to_have_text("published")
    expect(editor_page.locator("#post-review")).to_have_count(0)
    desk.close()

    # Published, the post is no longer the contributor's to change; readers see it.
    page.reload()
    expect(page.locator("#post-status")).to_have_text("published")
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    expect(page.locator("#read-only-note")).to_be_visible()
    page.goto("/blog/")
    expect(page.locator("article.post-card", has_text=title)).to_be_visible()
