"""A release manager publishes a release in the browser; the public page then offers it."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from playwright.sync_api import expect

from mysite import aws, storage
from tests.e2e.conftest import screenshot, sign_in
from updates.constants import PART_SIZE

pytestmark = pytest.mark.e2e


@pytest.fixture
def release_manager(make_user):
    return make_user(groups=("release-managers",), name="Rita Release")


@pytest.fixture
def uploads_from_site(site_url):
    """Let the live server's origin (a random port) upload to the bucket, as provision does for the real site."""
    s3 = aws.client("s3")
    rules = s3.get_bucket_cors(Bucket=storage.bucket())["CORSRules"]
    if not any(site_url in rule.get("AllowedOrigins", []) for rule in rules):
        rules.append(
            {
                "AllowedOrigins": [site_url],
                "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3600,
            }
        )
        s3.put_bucket_cors(Bucket=storage.bucket(), CORSConfiguration={"CORSRules": rules})


def test_release_manager_creates_uploads_publishes_and_the_public_page_shows_it(
    page, release_manager, running_dispatcher, uploads_from_site
):
    slug = f"desk-{uuid.uuid4().hex[:8]}"
    sign_in(page, release_manager, next_path="/admin/updates/")

    page.get_by_label("Slug").fill(slug)
    page.get_by_label("Name", exact=True).fill("Desk Clock")
    page.get_by_label("Description").fill("A clock for your desktop.")
    page.get_by_role("button", name="Create product").click()
    page.wait_for_url(re.compile(rf"/admin/updates/{slug}/$"))

    page.get_by_label("Version", exact=True).fill("1.4.0")
    page.get_by_label("Notes").fill("## What's new\n\n- Alarms\n- Dark mode")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(rf"/admin/updates/{slug}/1.4.0/$"))

    # Larger than one part, so the browser takes the multipart path with presigned UploadPart URLs.
    content = bytes(range(256)) * (PART_SIZE // 256 + 1024)
    page.get_by_label("Platform").select_option("darwin-arm64")
    page.get_by_label("Minimum OS version").fill("13.0")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "DeskClock-1.4.0.zip", "mimeType": "application/zip", "buffer": content}
    )
    page.get_by_role("button", name="Upload").click()
    ready = page.locator("table.artifacts td.status-ready")
    ready.wait_for(timeout=30_000)
    expect(page.locator(".upload-progress")).to_be_hidden()  # the page reloaded once verification finished
    expect(page.locator("table.artifacts")).to_contain_text(hashlib.sha256(content).hexdigest())

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".release-status")).to_have_text("published")

    page.goto(f"/updates/{slug}/")
    release = page.locator("article.release")
    expect(release.locator(".release-head h2")).to_have_text("Version 1.4.0")
    expect(release.locator(".notes li")).to_have_text(["Alarms", "Dark mode"])
    download = release.get_by_role("link", name="Download for macOS (arm64)")
    expect(download).to_be_visible()
    screenshot(page, "updates-public")
    response = page.request.get(download.get_attribute("href"), headers={"Range": "bytes=0-9"})
    assert response.status == 206
    assert response.body() == content[:10]
