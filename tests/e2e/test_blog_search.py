"""A reader types in the blog's search box and sees ranked, highlighted results as they type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from blog.search.services import search_index_update
from tests.blog.test_search import word
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_results_appear_and_follow_the_words_as_the_reader_types(page, make_post):
    term = word()
    strong = make_post(title=f"A guide to {term}", body_markdown=f"All about {term} in detail.")
    weak = make_post(title="Notes", body_markdown=f"One mention of {term} here.")
    draft = make_post(publish=False, title=f"Draft on {term}")
    search_index_update(post_ids=[strong.post_id, weak.post_id, draft.post_id])

    page.goto("/blog/")
    box = page.get_by_role("searchbox", name="Search")
    box.press_sequentially(term[:10], delay=40)  # a prefix no other post shares
    results = page.locator("#blog-search-live .search-result")
    expect(results).to_have_count(2)
    expect(results.nth(0).get_by_role("link")).to_have_text(strong.title)  # the title weighs more
    expect(results.nth(0).locator("mark").first).to_have_text(term)
    expect(results.nth(1).locator(".search-snippet mark")).to_have_text(term)
    screenshot(page, "blog-search-as-you-type")

    box.press_sequentially("qqq", delay=40)
    expect(page.locator("#blog-search-live .search-empty")).to_contain_text("No posts match")

    box.fill(term)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/blog/search/\?q="))
    expect(page.get_by_role("heading", level=1)).to_contain_text(term)
    expect(page.locator(".search-page .search-result")).to_have_count(2)
    page.locator(".search-page .search-result a").first.click()
    expect(page).to_have_url(re.compile(rf"/blog/{strong.slug}/$"))
