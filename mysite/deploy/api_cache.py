"""API Gateway caching as a stage option: off by default, and when on, for the public GET routes only.

CloudFront already caches what the app's headers allow (`s-maxage`, `ETag`), so a cache
cluster in front of the function mostly pays for the same hits twice: it is off unless a
stage sets `"api_gateway_cache": true`. API Gateway reads no `Cache-Control`: it caches a
method for a fixed TTL under the key parameters it is told. So when the option is on,
Zappa's catch-all `{proxy+}` method (every authenticated route) keeps caching off, and each
route below gets its own `GET` method keyed by the path and the query strings its views
read, with the TTL its views send as `s-maxage` (the smallest, where views differ; a test
reads the headers). `mysite/deploy/zappa_callbacks.py` applies the rendered routes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# us-east-1 price of the smallest (0.5 GB) cluster, billed per hour whether used or not.
SMALLEST_CLUSTER = {"size": "0.5", "usd_per_hour": 0.02, "usd_per_month": round(0.02 * 730, 2)}


@dataclass(frozen=True)
class CachedRoute:
    """A public GET prefix (`blog` is `/blog/` and below) cached by path and these query strings."""

    path: str
    ttl_seconds: int
    query: tuple[str, ...] = ()


PUBLIC_GET_ROUTES = (
    # Blog pages are public_page (s-maxage 300; posts 86400, images immutable).
    CachedRoute("blog", ttl_seconds=300, query=("cursor",)),
    # Catalog pages (300), appcasts, TUF metadata and release notes (60).
    CachedRoute("updates", ttl_seconds=60, query=("cursor", "channel", "bucket", "platform", "os")),
    # Electron's update check (60).
    CachedRoute("update", ttl_seconds=60, query=("channel", "bucket", "os")),
)


def render_api_cache(enabled: bool) -> dict:
    """The stage keys for the option: Zappa's cache cluster settings and the routes the callback caches."""
    if not enabled:
        return {"cache_cluster_enabled": False, "api_gateway_cached_routes": []}
    return {
        "cache_cluster_enabled": True,
        "cache_cluster_size": SMALLEST_CLUSTER["size"],
        "cache_cluster_encrypted": True,
        "api_gateway_cached_routes": [{**asdict(route), "query": list(route.query)} for route in PUBLIC_GET_ROUTES],
    }
