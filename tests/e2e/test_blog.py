"""An author writes a post with an image in Debian's chromium and publishes it; a reader sees it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import expect

from tests.blog.conftest import unique_title
from tests.e2e.conftest import screenshot

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

    page.goto("/accounts/sign-in/?next=/admin/blog/new/")
    page.get_by_label("Email").fill(author.email)
    page.get_by_label("Password").fill(author.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/blog/new/$"))

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
