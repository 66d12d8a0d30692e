"""Public pages and feeds: Sparkle appcast, electron endpoint, artifact Range downloads, admin access."""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from html import unescape

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client

SPARKLE = "{http://www.andymatuschak.org/xml-namespaces/sparkle}"


def download(client: Client, url: str, **headers) -> tuple[int, bytes, object]:
    response = client.get(url.removeprefix("http://testserver"), **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, response


def test_appcast_is_rss_whose_ed_signatures_verify_with_the_published_key(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.0.0", minimum_os_version="12.0")
    catalog.release(product, "1.1.0-beta.1", channel="beta", critical=True, rollout=40, minimum_version="1.0.0")
    response = client.get(f"/updates/{product.slug}/appcast.xml?channel=beta&bucket=10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "s-maxage=60" in response["Cache-Control"]
    items = ET.fromstring(response.content).find("channel").findall("item")
    assert [i.findtext(f"{SPARKLE}version") for i in items] == ["1.1.0-beta.1", "1.0.0"]
    beta, stable = items
    assert beta.findtext(f"{SPARKLE}shortVersionString") == "1.1.0-beta.1"
    assert beta.findtext(f"{SPARKLE}channel") == "beta"
    assert stable.find(f"{SPARKLE}channel") is None
    assert beta.find(f"{SPARKLE}criticalUpdate") is not None
    assert stable.find(f"{SPARKLE}criticalUpdate") is None
    # The server applied the 40% rollout to bucket 10; Sparkle's time-based phasing must not delay it again.
    assert beta.find(f"{SPARKLE}phasedRolloutInterval") is None
    assert beta.findtext(f"{SPARKLE}minimumAutoupdateVersion") == "1.0.0"
    assert stable.findtext(f"{SPARKLE}minimumSystemVersion") == "12.0"
    assert "<h1>1.0.0</h1>" in stable.findtext("description")
    key_b64 = client.get("/api/updates/keys").json()["keys"][0]["public_key_base64"]
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64))
    for item in items:
        enclosure = item.find("enclosure")
        status, body, _ = download(client, enclosure.get("url"))
        assert status == 200
        assert len(body) == int(enclosure.get("length"))
        public_key.verify(base64.b64decode(enclosure.get(f"{SPARKLE}edSignature")), body)
    stable_only = ET.fromstring(client.get(f"/updates/{product.slug}/appcast.xml").content)
    assert [i.findtext(f"{SPARKLE}version") for i in stable_only.iter("item")] == ["1.0.0"]
    in_bucket_50 = ET.fromstring(client.get(f"/updates/{product.slug}/appcast.xml?channel=beta&bucket=50").content)
    assert [i.findtext(f"{SPARKLE}version") for i in in_bucket_50.iter("item")] == ["1.0.0"]
    without_bucket = ET.fromstring(client.get(f"/updates/{product.slug}/appcast.xml?channel=beta").content)
    assert [i.findtext(f"{SPARKLE}version") for i in without_bucket.iter("item")] == ["1.0.0"]


def test_electron_endpoint_matches_update_electronjs_org(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.2.0", platforms=("darwin-arm64", "windows-x64"))
    response = client.get(f"/update/{product.slug}/darwin-arm64/1.0.0")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"url", "name", "notes", "pub_date"}
    assert body["name"] == "1.2.0"
    assert body["notes"] == "# 1.2.0"
    assert body["pub_date"].endswith("Z")
    assert client.get(f"/update/{product.slug}/win32-x64/v1.0.0").json()["name"] == "1.2.0"
    assert client.get(f"/update/{product.slug}/darwin-arm64/1.2.0").status_code == 204
    assert client.get(f"/update/{product.slug}/beos/1.0.0").status_code == 404
    assert client.get(f"/update/{product.slug}/darwin-arm64/one").status_code == 400


def test_artifact_download_supports_range_etag_and_immutable_caching(catalog):
    client = Client()
    product = catalog.product()
    content = bytes(range(256)) * 40
    catalog.release(product, "1.0.0", content=content)
    url = client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.9.0").json()["url"]
    status, body, response = download(client, url)
    assert (status, body) == (200, content)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    status, body, response = download(client, url, HTTP_RANGE="bytes=100-199")
    assert (status, body, response["Content-Range"]) == (206, content[100:200], f"bytes 100-199/{len(content)}")
    status, body, _ = download(client, url, HTTP_RANGE="bytes=10000-")
    assert (status, body) == (206, content[10000:])
    status, body, _ = download(client, url, HTTP_RANGE="bytes=-5")
    assert (status, body) == (206, content[-5:])
    status, _, response = download(client, url, HTTP_RANGE=f"bytes={len(content)}-")
    assert status == 416
    assert response["Content-Range"] == f"bytes */{len(content)}"
    status, body, _ = download(client, url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert (status, body) == (200, content)
    assert download(client, url, HTTP_IF_NONE_MATCH=response["ETag"])[0] == 304
    assert download(client, url.replace(url.rsplit("/", 2)[1], "0" * 64))[0] == 404


def test_artifact_urls_point_at_the_cdn_when_configured(catalog, settings):
    product = catalog.product()
    catalog.release(product, "1.0.0")
    settings.CDN_DOMAIN = "cdn.example.com"
    body = Client().get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.1.0").json()
    assert body["url"] == f"https://cdn.example.com/artifacts/{body['sha256']}/App-1.0.0-darwin-arm64.zip"


def test_tuf_metadata_caching(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.0.0")
    timestamp = client.get(f"/updates/{product.slug}/tuf/timestamp.json")
    assert timestamp.json()["signed"]["_type"] == "timestamp"
    assert "s-maxage=60" in timestamp["Cache-Control"]
    assert "immutable" not in timestamp["Cache-Control"]
    targets = client.get(f"/updates/{product.slug}/tuf/1.targets.json")
    assert "immutable" in targets["Cache-Control"]
    assert client.get(f"/updates/{product.slug}/tuf/9.targets.json").status_code == 404
    assert client.get(f"/updates/{product.slug}/tuf/..%2Fsecret").status_code == 404


def test_public_page_lists_published_releases_with_downloads(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("darwin-arm64", "linux-x64"))
    catalog.release(product, "1.1.0", publish=False)
    response = Client().get(f"/updates/{product.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "s-maxage" in response["Cache-Control"]
    assert "Version 1.0.0" in html
    assert "Version 1.1.0" not in html
    assert "Download for macOS (arm64)" in html
    assert "Download for Linux (x64)" in html
    # The index pages through every product by slug; the session's other tests made many.
    url, listed = "/updates/", ""
    while url:
        listed = Client().get(url).content.decode()
        if product.name in listed:
            break
        more = re.search(r'href="(\?cursor=[^"]+)">More products', listed)
        url = f"/updates/{unescape(more.group(1))}" if more else None
    assert product.name in listed
    assert Client().get("/updates/no-such-product/").status_code == 404


def admin_index_pages(client, *, most: int = 20):
    """The HTML of each page of the admin product list, following its cursor (products from every test share it)."""
    url = "/admin/updates/"
    for _ in range(most):
        html = client.get(url).content.decode()
        yield html
        more = re.search(r'href="(\?cursor=[^"]+)">More<', html)
        if more is None:
            return
        url = f"/admin/updates/{more.group(1)}"


def test_admin_pages_are_404_for_non_managers_and_work_for_managers(browser_client, user, release_manager, catalog):
    product = catalog.product()
    outsider = browser_client(user)
    assert outsider.get("/admin/updates/").status_code == 404
    assert outsider.get(f"/admin/updates/{product.slug}/").status_code == 404
    manager = browser_client(release_manager)
    assert any(product.name in page for page in admin_index_pages(manager))
    response = manager.post(
        f"/admin/updates/{product.slug}/",
        {"version": "2.0.0", "channel": "beta", "notes": "", "rollout": 25, "minimum_version": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/updates/{product.slug}/2.0.0/")
    page = manager.get(response["Location"]).content.decode()
    assert "artifact-upload" in page
    assert "rollout 25%" in page
    bad = manager.post(f"/admin/updates/{product.slug}/", {"version": "2.0", "channel": "beta", "rollout": 100})
    assert bad.status_code == 400
    assert "not a semantic version" in bad.content.decode()


def test_a_range_header_with_non_ascii_digits_is_ignored_and_the_whole_file_sent(catalog):
    client = Client()
    product = catalog.product()
    content = bytes(range(256)) * 8
    catalog.release(product, "1.0.0", content=content)
    url = client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.9.0").json()["url"]
    for header in ("bytes=²-", "bytes=٣-٩", "bytes=\uff11-"):
        status, body, _ = download(client, url, HTTP_RANGE=header)
        assert (status, body) == (200, content), header


def test_electron_endpoint_offers_macs_the_universal_build_when_it_is_the_newest(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.1.0", platforms=("darwin-universal",))
    for platform in ("darwin-x64", "darwin-arm64"):
        body = client.get(f"/update/{product.slug}/{platform}/1.0.0").json()
        assert body["name"] == "1.1.0"
        assert "darwin-universal" in body["url"]
    # An arch build of the same version wins over the universal one; a newer universal one wins over an older arch.
    catalog.release(product, "1.2.0", platforms=("darwin-arm64", "darwin-universal"))
    assert "darwin-arm64" in client.get(f"/update/{product.slug}/darwin-arm64/1.0.0").json()["url"]
    assert "darwin-universal" in client.get(f"/update/{product.slug}/darwin-x64/1.0.0").json()["url"]
    catalog.release(product, "1.3.0", platforms=("darwin-universal",))
    arm = client.get(f"/update/{product.slug}/darwin-arm64/1.2.0").json()
    assert (arm["name"], "darwin-universal" in arm["url"]) == ("1.3.0", True)
    # Windows never falls back to a Mac build.
    assert client.get(f"/update/{product.slug}/win32-x64/1.0.0").status_code == 204


def test_an_unknown_release_transition_is_a_404(catalog, browser_client, make_user):
    manager = browser_client(make_user(groups=("release-managers",)))
    product = catalog.product()
    catalog.release(product, "1.0.0", publish=False)
    response = manager.post(f"/admin/updates/{product.slug}/1.0.0/bogus/", {})
    assert response.status_code == 404


def test_a_non_ascii_expected_version_on_a_transition_is_not_a_500(catalog, browser_client, make_user):
    manager = browser_client(make_user(groups=("release-managers",)))
    product = catalog.product()
    catalog.release(product, "1.0.0", publish=False)
    response = manager.post(f"/admin/updates/{product.slug}/1.0.0/publish/", {"expected_version": "²"})
    assert response.status_code == 302
    from updates.selectors import release_get

    assert release_get(product=product.slug, version="1.0.0").status == "draft"


def test_bodiless_answers_carry_no_content_length_and_a_cacheable_204_has_an_etag(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.2.0")
    up_to_date = client.get(f"/update/{product.slug}/darwin-arm64/1.2.0")
    assert up_to_date.status_code == 204
    assert not up_to_date.has_header("Content-Length")
    assert up_to_date["ETag"]
    again = client.get(f"/update/{product.slug}/darwin-arm64/1.2.0", HTTP_IF_NONE_MATCH=up_to_date["ETag"])
    assert again.status_code == 304
    assert not again.has_header("Content-Length")
    assert again["ETag"] == up_to_date["ETag"]


def test_artifact_conditional_requests_follow_rfc_9110(catalog):
    client = Client()
    product = catalog.product()
    content = b"artifact bytes " * 100
    catalog.release(product, "1.0.0", content=content)
    url = client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.9.0").json()["url"]
    status, _, full = download(client, url)
    etag, last_modified = full["ETag"], full["Last-Modified"]
    assert status == 200
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_NONE_MATCH": f"W/{etag}"},  # If-None-Match compares weakly
        {"HTTP_IF_NONE_MATCH": f'"other", W/{etag}'},
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_MODIFIED_SINCE": last_modified},  # not modified since exactly then
    ):
        status, body, response = download(client, url, **headers)
        assert (status, body) == (304, b""), headers
        assert response["ETag"] == etag
        assert not response.has_header("Content-Length")
    status, body, _ = download(client, url, HTTP_IF_NONE_MATCH='"other"')
    assert (status, body) == (200, content)
    status, body, _ = download(client, url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert (status, body) == (200, content)


def test_release_notes_render_with_the_blog_s_sanitiser_on_the_page_and_in_the_appcast(catalog):
    from blog.rendering import render_markdown
    from mysite.richtext import markdown_to_html
    from updates import services

    notes = (
        '# Fixed\n\n- crash on *start*\n\n<script>alert(1)</script><img src=x onerror="alert(2)">'
        "[docs](javascript:alert(3)) [site](https://example.com)"
    )
    product = catalog.product()
    catalog.release(product, "1.0.0", publish=False)
    services.release_update(product=product.slug, version="1.0.0", notes=notes)
    services.release_publish(product=product.slug, version="1.0.0")
    expected = markdown_to_html(notes)
    assert expected == render_markdown(notes, renditions_for=lambda wanted: {})  # the blog's sanitiser, one core
    assert "<em>start</em>" in expected
    assert 'rel="noopener noreferrer nofollow"' in expected  # the blog's link policy, not a bare nh3 default

    page = Client().get(f"/updates/{product.slug}/").content.decode()
    assert expected in page
    feed = ET.fromstring(Client().get(f"/updates/{product.slug}/appcast.xml").content)
    description = next(feed.iter("item")).findtext("description")
    assert description == expected
    for unsafe in ("<script", "onerror", "javascript:"):
        assert unsafe not in description


def _form_key(html: str) -> str:
    from mysite.idempotency import FORM_FIELD

    return re.search(rf'name="{FORM_FIELD}" value="([^"]+)"', html).group(1)


def test_the_new_product_and_new_release_forms_posted_twice_create_one_each(browser_client, release_manager):
    from mysite.idempotency import FORM_FIELD
    from updates import selectors

    manager = browser_client(release_manager)
    slug = f"twice-{hashlib.sha256(release_manager.sub.encode()).hexdigest()[:10]}"
    product = {"slug": slug, "name": "Twice", "description": "", "channels": "stable, beta"}
    product[FORM_FIELD] = _form_key(manager.get("/admin/updates/").content.decode())
    first, again = manager.post("/admin/updates/", product), manager.post("/admin/updates/", product)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/admin/updates/{slug}/"
    release = {"version": "1.0.0", "channel": "stable", "notes": "", "rollout": 100, "minimum_version": ""}
    release[FORM_FIELD] = _form_key(manager.get(f"/admin/updates/{slug}/").content.decode())
    first, again = manager.post(f"/admin/updates/{slug}/", release), manager.post(f"/admin/updates/{slug}/", release)
    assert first.status_code == again.status_code == 302  # without the key the second would be a taken version
    assert first["Location"] == again["Location"] == f"/admin/updates/{slug}/1.0.0/"
    releases, _ = selectors.releases_list(product=slug)
    assert [r.version_name for r in releases] == ["1.0.0"]
