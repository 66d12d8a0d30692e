"""The edge table: CloudFront's behaviours and the nginx twin from one declaration, and the app's headers under it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver

from mysite import aws, edge

ROOT = Path(__file__).resolve().parents[2]
TWIN = ROOT / "benchmarks" / "twin"
SHARED_CACHEABLE = re.compile(r"\bs-maxage=[1-9]")


def routes(patterns=None, prefix: str = "") -> list[tuple[str, str]]:
    """(route template, name) of every URL the app serves, from the URLconf."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


# --- The table itself ----------------------------------------------------------------------------


def test_a_pattern_matches_as_cloudfront_does():
    assert edge.pattern_regex("/api/*").match("/api/blog/posts/x")
    assert edge.pattern_regex("/api/*").match("/api/")
    assert not edge.pattern_regex("/api/*").match("/apiary")
    assert not edge.pattern_regex("/api/*").match("/x/api/y")
    assert edge.pattern_regex("/v?/a").match("/v1/a")
    assert not edge.pattern_regex("/v?/a").match("/v12/a")
    assert edge.pattern_regex("/sitemap.xml").match("/sitemap.xml")
    assert not edge.pattern_regex("/sitemap.xml").match("/sitemapxxml")


def test_specific_patterns_come_first_and_none_is_shadowed():
    for behavior in edge.BEHAVIORS:
        example = behavior.path_pattern.replace("*", "example/path").replace("?", "x")
        assert edge.behavior_for(example) is behavior, behavior.path_pattern
    assert len(edge.BEHAVIORS) + 1 <= edge.MAX_BEHAVIORS


def test_public_apis_are_cached_and_signed_in_apis_pass_through():
    cached = ["/api/blog/posts", "/api/blog/posts/a-post", "/api/updates/app/stable/linux-x64/1.0.0"]
    cached += ["/api/updates/keys", "/update/app/linux-x64/1.0.0", "/updates/app/appcast.xml", "/sitemap.xml"]
    cached += ["/updates/app/tuf/timestamp.json", "/blog/rss.xml", "/blog/a-post/"]
    for path in cached:
        assert edge.behavior_for(path).cache_policy is edge.ORIGIN_HEADERS, path
    passed = ["/api/blog/admin/posts", "/api/updates/products", "/api/updates/products/app/releases"]
    passed += ["/api/updates/products/", "/api/todos/lists", "/api/accounts/me", "/todos/"]
    passed += ["/accounts/sign-in/", "/admin/blog/", "/"]
    for path in passed:
        behavior = edge.behavior_for(path)
        assert behavior.cache_policy is edge.CACHING_DISABLED, path
        assert behavior.origin_request_policy == edge.ALL_VIEWER_EXCEPT_HOST
        assert "POST" in behavior.methods
    # `/api/*` is no longer uncached as a whole.
    assert any(b.caches and b.path_pattern.startswith("/api/") for b in edge.BEHAVIORS)


def test_a_cached_behaviour_sends_the_origin_nothing_of_the_viewer():
    for behavior in edge.BEHAVIORS:
        if behavior.caches:
            assert behavior.origin_request_policy is None, behavior.path_pattern
            assert "POST" not in behavior.methods


def test_every_query_parameter_a_public_view_reads_is_in_the_cache_key():
    public_modules = ["blog/views.py", "blog/apis/public.py", "updates/views.py", "updates/apis/public.py"]
    read = set()
    for module in public_modules:
        source = (ROOT / module).read_text()
        read |= set(re.findall(r"""(?:GET|query_params)\.get\(\s*["'](\w+)["']""", source))
    read |= {"cursor", "limit"}  # blog/apis/_common.py's PageQuery serializer
    assert read <= set(edge.PUBLIC_QUERY_STRINGS), read - set(edge.PUBLIC_QUERY_STRINGS)
    assert len(edge.PUBLIC_QUERY_STRINGS) <= 10  # CloudFront's quota per cache policy


def test_the_committed_twin_is_what_the_generator_renders():
    assert (TWIN / "edge-maps.conf").read_text() == edge.nginx_maps(), "run: python -m mysite.edge"
    assert (TWIN / "edge-locations.conf").read_text() == edge.nginx_locations(), "run: python -m mysite.edge"


def test_the_twin_has_one_location_per_behaviour_in_table_order():
    rendered = edge.nginx_locations()
    regexes = re.findall(r"^location ~ (\S+) \{$", rendered, re.MULTILINE)
    assert regexes == [edge.pattern_regex(b.path_pattern).pattern for b in edge.BEHAVIORS]
    assert rendered.count("\nlocation / {") == 1
    blocks = rendered.split("\n# ")[1:]
    for behavior, block in zip((*edge.BEHAVIORS, edge.DEFAULT), blocks, strict=True):
        assert ("proxy_cache edge;" in block) == behavior.caches, behavior.path_pattern
        assert ("proxy_cache off;" in block) == (not behavior.caches)
        if behavior.caches:
            assert 'proxy_set_header Authorization "";' in block
            assert re.search(r"proxy_ignore_headers [^;]*Set-Cookie", block)


# --- The app's answers under the table ------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(local_stack) -> dict:
    """A published blog and a product with two releases and their artifacts, on the test stack."""
    from benchmarks.seed import _blog, _updates
    from blog.selectors import post_get_published
    from mysite.dispatcher import Dispatcher

    author_email, author_sub, slugs, tags = _blog(2)
    release_email, product, versions, sizes = _updates(Dispatcher())
    post = post_get_published(slug=slugs[0])
    artifact = sorted(sizes)[0]
    sha256, filename = artifact.rsplit("/", 2)[-2:]
    return {
        "slug": slugs[0],
        "tag": tags[0],
        "year": f"{post.published_at:%Y}",
        "month": f"{post.published_at:%m}",
        "author_sub": author_sub,
        "author_email": author_email,
        "product": product,
        "channel": "stable",
        "platform": "linux-x64",
        "version": versions[0],
        "current_version": versions[0],
        "sha256": sha256,
        "filename": filename,
        "path": f"linux-x64/{versions[0]}/{sha256}.{filename}",
        "name": "timestamp.json",
        "release_email": release_email,
    }


def concrete(template: str, name: str, values: dict) -> str:
    """A URL for a route template: the catalog's values, made-up ids for personal routes."""
    if name == "media":
        values = {**values, "name": "missing.png"}
    made_up = "x" + uuid.uuid4().hex[:8]
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), made_up)), template)


def test_every_route_that_a_shared_cache_may_store_is_under_a_caching_behaviour(catalog):
    client = Client()
    shared = {}
    for template, name in routes():
        url = concrete(template, name, catalog)
        response = client.get(url)
        cache_control = response.get("Cache-Control", "")
        if SHARED_CACHEABLE.search(cache_control) and "private" not in cache_control:
            shared[url] = cache_control
            assert edge.behavior_for(url).caches, (url, cache_control, edge.behavior_for(url).path_pattern)
    # The walk reached the public answers it is about: all four update protocols, the blog and its API.
    product, slug = catalog["product"], catalog["slug"]
    for url in (
        f"/api/updates/{product}/stable/linux-x64/{catalog['version']}",
        f"/update/{product}/linux-x64/{catalog['version']}",
        f"/updates/{product}/appcast.xml",
        f"/updates/{product}/tuf/timestamp.json",
        f"/blog/{slug}/",
        f"/api/blog/posts/{slug}",
        "/blog/rss.xml",
        "/sitemap.xml",
    ):
        assert url in shared, url


def test_a_bearer_token_on_a_cached_route_never_changes_a_shared_answer(catalog, make_user):
    """Authorization is not in the cache key: what a shared cache may store must be the anonymous answer."""
    author = make_user(groups=("authors", "release-managers"))
    anonymous, signed_in = Client(), Client(HTTP_AUTHORIZATION=f"Bearer {author.access_token}")
    checked = 0
    for template, name in routes():
        url = concrete(template, name, catalog)
        if not edge.behavior_for(url).caches:
            continue
        answer = signed_in.get(url)
        cache_control = answer.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control or not SHARED_CACHEABLE.search(cache_control):
            continue
        assert answer.content == anonymous.get(url).content, url
        checked += 1
    assert checked >= 8


def test_every_path_the_app_invalidates_is_cached_by_some_behaviour(catalog, monkeypatch):
    """The app's own invalidations, sent to a local CloudFront stand-in: each names a cached path."""
    from benchmarks.servers import Purger
    from blog import services as blog_services
    from blog.search.services import search_index_update
    from blog.selectors import post_get_published
    from updates.services.releases import client_paths_invalidate

    purger = Purger()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", f"http://127.0.0.1:{purger.port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "edge-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "edge-test")
    monkeypatch.setattr(settings, "CLOUDFRONT_DISTRIBUTION_ID", "EEDGETEST")
    aws._client.cache_clear()
    try:
        post = post_get_published(slug=catalog["slug"])
        blog_services.post_update(
            post_id=post.post_id,
            version=post.version,
            title=f"Retitled {uuid.uuid4().hex[:6]}",
            body_markdown=post.body_markdown,
            slug=post.slug,
            tags=list(post.tags),
        )
        search_index_update(post_ids=[post.post_id])  # the retitled post changes the search index
        client_paths_invalidate(product=catalog["product"])
    finally:
        aws._client.cache_clear()
        purger.stop()
    paths = {path for batch in purger.invalidations for path in batch}
    assert f"/blog/{catalog['slug']}/" in paths
    assert f"/api/updates/{catalog['product']}/*" in paths
    assert "/api/blog/search*" in paths
    for path in paths:
        if path.endswith("*"):
            for example in (path[:-1], path[:-1] + "deeper/path.json"):
                assert edge.behavior_for(example).caches, (path, example)
        else:
            assert edge.behavior_for(path).caches, path


def test_only_known_services_invalidate():
    """A new caller of invalidate_paths must be added to the invalidation test above."""
    callers = {
        str(path.relative_to(ROOT))
        for app in ("accounts", "blog", "todos", "updates", "mysite")
        for path in (ROOT / app).rglob("*.py")
        if "invalidate_paths(" in path.read_text() and path.name != "cdn.py"
    }
    assert callers == {
        "blog/services/posts.py",
        "blog/search/services.py",
        "updates/services/releases.py",
        "mysite/management/commands/invalidate_cdn.py",
    }
