"""An author writes a post with an image in Debian's chromium and publishes it; a reader sees it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import expect

from tests.blog.conftest import unique_title
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def harbour_photo() -> bytes:
    """A dawn-coloured gradient JPEG, so the screenshots show a real picture."""
    sky = ImageOps.colorize(Image.linear_gradient("L").resize((1400, 900)), "#f6b26b", "#1c4587")
    sun = ImageOps.colorize(Image.radial_gradient("L").resize((500, 500)), "#ffe599", "#f6b26b")
    sky.paste(sun, (450, 500), Image.radial_gradient("L").resize((500, 500)).point(lambda v: 255 - v))
    out = io.BytesIO()
    sky.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_author_writes_and_publishes_a_post_with_an_image_and_a_reader_sees_it(
    browser, site_url, page, make_user, running_dispatcher, tmp_path
):
    author = make_user(groups=("authors",), name="Eve Author")
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(harbour_photo())
    title = unique_title("Harbour at dawn")

    sign_in(page, author, next_path="/admin/blog/new/")

    page.get_by_label("Title").fill(title)
    page.get_by_label("Body (Markdown)").fill("The **harbour** at first light.\n\n")
    page.get_by_label("Tags").fill("photos, travel")
    page.locator("#preview strong", has_text="harbour").wait_for()

    page.locator("#image-file").set_input_files(str(photo))
    page.get_by_label("Image description (alt text)", exact=True).fill("Boats in a calm harbour")
    page.get_by_role("button", name="Upload").click()
    page.locator("#upload-status", has_text="Ready").wait_for(timeout=30_000)
    expect(page.locator("#upload-progress")).to_have_js_property("value", 100)
    expect(page.get_by_label("Body (Markdown)")).to_have_value(re.compile(r"\(image:"))
    preview_image = page.locator("#preview picture img[alt='Boats in a calm harbour']")
    preview_image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview_image.element_handle())
    page.get_by_role("button", name="Use as feature image").click()
    screenshot(page, "blog-editor")

    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(re.compile(r"/admin/blog/[0-9a-f]{32}/$"))
    expect(page.locator("#post-status")).to_have_text("published")

    reader = browser.new_context(base_url=site_url, viewport={"width": 1200, "height": 900})
    home = reader.new_page()
    home.goto("/blog/")
    card = home.locator("article.post-card", has_text=title)
    card.wait_for()
    feature = card.locator("picture img")
    expect(feature).to_have_attribute("alt", "Boats in a calm harbour")
    expect(feature).to_have_attribute("loading", "lazy")
    expect(feature).to_have_attribute("srcset", re.compile(r"\b320w\b"))
    home.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=feature.element_handle())
    screenshot(home, "blog-home")

    card.get_by_role("link", name=title).click()
    home.wait_for_url(re.compile(r"/blog/harbour-at-dawn-[0-9a-f]+/$"))
    expect(home.locator(".prose strong")).to_have_text("harbour")
    expect(home.locator(".prose picture img")).to_have_attribute("alt", "Boats in a calm harbour")
    reader.close()


def test_author_restores_an_earlier_revision_from_the_history(browser, site_url, page, make_user):
    from blog import services

    author = make_user(groups=("authors",), name="Rita Reviser")
    post = services.post_create(
        author_sub=author.sub, author_name=author.name, title=unique_title("First draft"), body_markdown="Original"
    )
    services.post_update(post_id=post.post_id, version=post.version, title="Second thoughts", body_markdown="Rewritten")

    sign_in(page, author, next_path=f"/admin/blog/{post.post_id}/")
    expect(page.get_by_label("Title")).to_have_value("Second thoughts")

    page.get_by_role("link", name="History").click()
    page.wait_for_url(re.compile(r"/history/$"))
    first = page.locator("#revision-1")
    expect(first.locator(".diff-add")).to_contain_text(["Title: " + post.title])
    expect(page.locator("#revision-2 .diff-add")).to_contain_text(["Title: Second thoughts"])
    first.get_by_role("button", name="Restore revision 1").click()

    page.wait_for_url(re.compile(rf"/admin/blog/{post.post_id}/$"))
    expect(page.get_by_label("Title")).to_have_value(post.title)
    expect(page.get_by_label("Body (Markdown)")).to_have_value("Original")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#revision-3")).to_contain_text("restore")
    expect(page.locator("#revision-3")).to_contain_text("from revision 1")
    expect(page.locator("#revision-3")).to_contain_text("Rita Reviser")
