"""The edge: one table of cache behaviours, rendered as CloudFront's DistributionConfig and as its nginx twin.

`BEHAVIORS` is matched in order, first match wins (CloudFront's rule), so specific
patterns come first; `DEFAULT` takes every path no pattern matches. Public GET routes
(update checks in all four protocols, the blog read API, feeds, sitemap, public pages,
TUF metadata, appcasts) sit under `ORIGIN_HEADERS`: cached exactly as long as the app's
`Cache-Control` says (`s-maxage`, then `max-age`; nothing without one, since DefaultTTL
is 0), keyed on the path and the query strings in `PUBLIC_QUERY_STRINGS`, with no cookies
and no `Authorization` in the key or sent to the origin. Those behaviours have no origin
request policy, so the origin sees exactly the cache key: a signed-in reader gets the
anonymous answer, never another user's. Authenticated and write routes pass through with
`CachingDisabled` and every viewer header, cookie and query string.

A public route that reads a query parameter must list it in `PUBLIC_QUERY_STRINGS`, or
CloudFront drops it (tests/mysite/test_edge.py reads the public views for them).

`nginx_edge()` renders the same table as nginx `location` blocks (regex locations in table
order, `location /` for the default) for the local twin used by the bench and the tests.
Where the twin honours what CloudFront honours:

- Cached: `s-maxage`, then `max-age`, then `Expires`; `private`, `no-store`, `no-cache` are not
  stored (both). `stale-while-revalidate` is served while one request refreshes (both).
  Revalidation with `If-None-Match`/`If-Modified-Since` and request collapsing (both).
- `Set-Cookie` and `Vary` do not stop caching (CloudFront ignores them when cookies are not
  forwarded; the twin has `proxy_ignore_headers Set-Cookie Vary`), nor do nginx's own
  `X-Accel-*` headers, which CloudFront does not know.
- Compression happens at the edge; the origin is asked without `Accept-Encoding` on cached
  behaviours, as CloudFront normalises it out of the key.

What the twin cannot express, and does differently:

- MinTTL above 0 (`CachingOptimized`'s 1 s floor) and MaxTTL caps on header TTLs: nginx
  takes the header's TTL as it is. Only the bucket behaviours have such a policy.
- A query parameter present with an empty value (`?cursor=`) is dropped by the twin and
  forwarded by CloudFront; the twin keys on the first value of a repeated parameter and in
  a fixed order, CloudFront on all values in the viewer's order.
- CloudFront matches patterns against the path as sent, nginx against the decoded path.
- Error answers without Cache-Control: CloudFront would cache them for its error-caching
  minimum TTL (10 s by default), so the distribution sets it to 0 for every code
  (`ERROR_CODES`), which is what nginx does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BUCKET = "site-bucket"
API = "api-gateway"

READ_METHODS = ("GET", "HEAD")
PUBLIC_METHODS = ("GET", "HEAD", "OPTIONS")
ALL_METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")
# Every query parameter a public route reads; CloudFront forwards these and no others (limit: 10 per policy).
PUBLIC_QUERY_STRINGS = ("bucket", "channel", "cursor", "limit", "os", "platform", "q")
# Codes CloudFront would cache for a while without any header; the distribution sets that while to 0.
ERROR_CODES = (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504)
# Codes CloudFront caches for DefaultTTL when the origin sends no Cache-Control (206 is served from them).
DEFAULT_TTL_CODES = (200, 203, 300, 301, 410)
# AWS-managed origin request policy: every viewer header, cookie and query string except Host.
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@dataclass(frozen=True)
class CachePolicy:
    """What CloudFront stores, for how long, and under which key."""

    name: str
    managed_id: str | None  # an AWS-managed policy's fixed id; None for one this project creates
    min_ttl: int
    default_ttl: int
    max_ttl: int
    query_strings: tuple[str, ...] = ()  # in the key (and so sent to the origin)
    compress: bool = True  # gzip and Brotli at the edge, Accept-Encoding normalised into the key
    comment: str = ""

    @property
    def caches(self) -> bool:
        return self.max_ttl > 0


CACHING_OPTIMIZED = CachePolicy("Managed-CachingOptimized", "658327ea-f89d-4fab-a63d-7e88639e58f6", 1, 86400, 31536000)
CACHING_DISABLED = CachePolicy(
    "Managed-CachingDisabled", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", 0, 0, 0, compress=False
)
ORIGIN_HEADERS = CachePolicy(
    "origin-cache-control",
    None,
    0,
    0,
    31536000,
    query_strings=PUBLIC_QUERY_STRINGS,
    comment="The app's Cache-Control decides; key: path and the public query strings, no cookies, no headers",
)


@dataclass(frozen=True)
class Behavior:
    """One path pattern: where it goes, how it is cached, which methods it allows."""

    path_pattern: str
    origin: str
    cache_policy: CachePolicy
    methods: tuple[str, ...]
    origin_request_policy: str | None = None
    why: str = ""

    @property
    def caches(self) -> bool:
        return self.cache_policy.caches

    def matches(self, path: str) -> bool:
        return pattern_regex(self.path_pattern).match(path) is not None


def _bucket(pattern: str, why: str) -> Behavior:
    return Behavior(pattern, BUCKET, CACHING_OPTIMIZED, READ_METHODS, why=why)


def _cached(pattern: str, why: str) -> Behavior:
    return Behavior(pattern, API, ORIGIN_HEADERS, PUBLIC_METHODS, why=why)


def _passed(pattern: str, why: str) -> Behavior:
    return Behavior(pattern, API, CACHING_DISABLED, ALL_METHODS, ALL_VIEWER_EXCEPT_HOST, why=why)


BEHAVIORS: tuple[Behavior, ...] = (
    _bucket("/static/*", "hashed static files"),
    _bucket("/media/*", "media renditions"),
    _bucket("/artifacts/*", "content-addressed release artifacts"),
    _passed("/api/blog/admin/*", "authors' API"),
    _passed("/api/updates/products", "release managers' API: the products list and create"),
    _passed("/api/updates/products/*", "release managers' API"),
    _cached("/api/blog/*", "public blog read API"),
    _passed("/api/updates/beacons", "update outcome beacons: POST, never cached"),
    _cached("/api/updates/*", "JSON update checks, signing keys"),
    # The token in the path would make a shared entry per feed, but a revoked or regenerated URL must stop
    # answering at once, and the secret would sit in edge caches and logs: answers are `private`, with an
    # ETag the calendar client revalidates (304) at the origin.
    _passed("/api/todos/calendar/*", "secret calendar feeds: private answers, never in a shared cache"),
    _passed("/api/*", "accounts, todos, schema: signed-in or uncacheable"),
    _cached("/update/*", "Electron update checks"),
    _cached("/updates/*", "catalog pages, Sparkle appcasts, TUF metadata and targets, artifact route"),
    _cached("/blog/*", "public blog pages and feeds"),
    _cached("/sitemap.xml", "sitemap"),
    _cached("/robots.txt", "robots"),
)
DEFAULT = _passed("*", "everything else: sessions, todos, accounts, admin, home")
MAX_BEHAVIORS = 25  # CloudFront's default quota of cache behaviours per distribution


def pattern_regex(pattern: str) -> re.Pattern:
    """A CloudFront path pattern as an anchored regex: `*` is any run of characters, `?` exactly one."""
    parts = ["^"]
    for char in pattern:
        parts.append({"*": ".*", "?": "."}.get(char) or re.escape(char))
    parts.append("$")
    return re.compile("".join(parts))


def behavior_for(path: str) -> Behavior:
    """The behaviour CloudFront applies to `path`: the first pattern that matches, else the default."""
    return next((behavior for behavior in BEHAVIORS if behavior.matches(path)), DEFAULT)


def custom_cache_policies() -> list[CachePolicy]:
    """The policies this project creates (the others are AWS-managed), in table order."""
    found: list[CachePolicy] = []
    for behavior in (*BEHAVIORS, DEFAULT):
        if behavior.cache_policy.managed_id is None and behavior.cache_policy not in found:
            found.append(behavior.cache_policy)
    return found


def bucket_patterns() -> list[str]:
    return [behavior.path_pattern for behavior in BEHAVIORS if behavior.origin == BUCKET]


# --- CloudFront ------------------------------------------------------------------------------------


def cache_policy_config(policy: CachePolicy, *, name: str) -> dict:
    """CloudFront's CachePolicyConfig for a policy this project creates."""
    names = list(policy.query_strings)
    query_strings = (
        {"QueryStringBehavior": "whitelist", "QueryStrings": {"Quantity": len(names), "Items": names}}
        if names
        else {"QueryStringBehavior": "none"}
    )
    return {
        "Comment": policy.comment,
        "Name": name,
        "MinTTL": policy.min_ttl,
        "DefaultTTL": policy.default_ttl,
        "MaxTTL": policy.max_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": policy.compress,
            "EnableAcceptEncodingBrotli": policy.compress,
            "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": query_strings,
        },
    }


def cloudfront_behavior(behavior: Behavior, *, policy_ids: dict[str, str]) -> dict:
    """One CacheBehavior (or the DefaultCacheBehavior, without PathPattern) of the DistributionConfig."""
    policy = behavior.cache_policy
    methods = list(behavior.methods)
    rendered = {
        "TargetOriginId": behavior.origin,
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {
            "Quantity": len(methods),
            "Items": methods,
            "CachedMethods": {"Quantity": len(READ_METHODS), "Items": list(READ_METHODS)},
        },
        "Compress": policy.compress,
        "CachePolicyId": policy.managed_id or policy_ids[policy.name],
    }
    if behavior.origin_request_policy:
        rendered["OriginRequestPolicyId"] = behavior.origin_request_policy
    if behavior is not DEFAULT:
        rendered = {"PathPattern": behavior.path_pattern, **rendered}
    return rendered


# --- The nginx twin --------------------------------------------------------------------------------

_IGNORED_ORIGIN_HEADERS = (
    "X-Accel-Expires X-Accel-Redirect X-Accel-Limit-Rate X-Accel-Buffering X-Accel-Charset Set-Cookie Vary"
)
# CloudFront's compressible types (a subset: the ones this app serves).
_GZIP_TYPES = "application/json application/rss+xml application/atom+xml application/xml text/css text/plain"


def _nginx_query_maps() -> list[str]:
    """`$edge_query`: the public query strings of the request, in a fixed order, as the origin will get them."""
    lines = []
    for name in PUBLIC_QUERY_STRINGS:
        lines += [f"map $arg_{name} $edge_q_{name} {{", '    "" "";', f'    default "&{name}=$arg_{name}";', "}"]
    joined = "".join(f"$edge_q_{name}" for name in PUBLIC_QUERY_STRINGS)
    lines += [f'map "{joined}" $edge_query {{', '    "~^&(?<query>.*)$" "?$query";', '    default "";', "}"]
    lines += ["map $request_uri $edge_path {", '    "~^(?<path>[^?]*)" $path;', "}"]
    return lines


def _nginx_location(behavior: Behavior) -> list[str]:
    policy = behavior.cache_policy
    head = "location / {" if behavior is DEFAULT else f"location ~ {pattern_regex(behavior.path_pattern).pattern} {{"
    lines = [f"# {behavior.path_pattern} -> {behavior.origin}, {policy.name}: {behavior.why}", head]
    body = []
    if set(behavior.methods) != set(ALL_METHODS):
        # CloudFront answers 403 to a method the behaviour does not allow; GET implies HEAD in nginx.
        allowed = " ".join(m for m in behavior.methods if m != "HEAD")
        body.append(f"limit_except {allowed} {{ deny all; }}")
    body.append("proxy_set_header Host $edge_origin_host;")
    if policy.caches:
        target = "$edge_bucket_root$edge_path" if behavior.origin == BUCKET else "$edge_path"
        query = "$edge_query" if policy.query_strings else ""
        body += [
            f"proxy_pass http://{behavior.origin}{target}{query};",
            # No origin request policy: the origin sees the cache key and nothing else.
            'proxy_set_header Cookie "";',
            'proxy_set_header Authorization "";',
            'proxy_set_header Accept-Encoding "";',
            "proxy_cache edge;",
            f'proxy_cache_key "$edge_path{query}";',
            f"proxy_ignore_headers {_IGNORED_ORIGIN_HEADERS};",
        ]
        if policy.default_ttl:
            codes = " ".join(str(code) for code in DEFAULT_TTL_CODES)
            body.append(f"proxy_cache_valid {codes} {policy.default_ttl}s;")
        if policy.compress:
            body += ["gzip on;", "gzip_min_length 1000;", "gzip_proxied any;", f"gzip_types {_GZIP_TYPES};"]
    else:
        body += [f"proxy_pass http://{behavior.origin};", "proxy_cache off;"]
    return [*lines, *(f"    {line}" for line in body), "}"]


def nginx_maps() -> str:
    """The twin's `http`-level part rendered from the table: how the cache key's query string is built."""
    return "\n".join([_GENERATED, *_nginx_query_maps()]) + "\n"


def nginx_locations() -> str:
    """The twin's `server`-level part rendered from the table: one location per behaviour, in table order.

    It expects upstreams named after the origins (`api-gateway`, `site-bucket`), a
    `proxy_cache_path ... keys_zone=edge`, and `$edge_origin_host`/`$edge_bucket_root` set
    by the enclosing configuration (benchmarks/servers.py).
    """
    lines = [_GENERATED]
    for behavior in (*BEHAVIORS, DEFAULT):
        lines += _nginx_location(behavior)
    return "\n".join(lines) + "\n"


_GENERATED = "# Generated from mysite/edge.py by `python -m mysite.edge`: do not edit."


if __name__ == "__main__":
    import sys
    from pathlib import Path

    # Writes the twin's committed copies (benchmarks/twin/), which tests compare with the generator's output.
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "benchmarks" / "twin")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "edge-maps.conf").write_text(nginx_maps())
    (folder / "edge-locations.conf").write_text(nginx_locations())
