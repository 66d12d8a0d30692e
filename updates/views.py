"""Public, shared-cacheable pages and feeds: release pages, Sparkle appcast, TUF files, artifacts, electron."""

from __future__ import annotations

import functools
import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from mysite.cdn import cdn_url
from mysite.errors import as_domain_error
from mysite.http import make_cacheable, public_page
from updates import signing
from updates.apis.public import client_bucket, client_os
from updates.constants import ELECTRON_PLATFORM_ALIASES, FILENAME_PATTERN
from updates.delivery import artifact_response, artifact_url, artifact_withdrawn_check
from updates.desktop import (
    electron_builder_download,
    electron_builder_file,
    electron_builder_release,
    latest_yml,
    squirrel_windows_entry,
    squirrel_windows_package,
)
from updates.errors import PlatformNotFound, ReleaseNotFound, TufFileNotFound
from updates.selectors import (
    appcast_entries,
    product_get,
    products_list,
    release_offer,
    releases_public,
    tuf_file_get,
    tuf_target_check,
)
from updates.services.blockmaps import BLOCKMAP_SUFFIX
from updates.versions import SemVer

FEED_MAX_AGE = 60
_TUF_VERSIONED = re.compile(r"[1-9][0-9]{0,9}\.(root|targets|snapshot)\.json")


def client_errors_as_json(view):
    """Errors of a route that update clients call (not people) in the one JSON error shape, not an HTML page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception as exception:
            error = as_domain_error(exception)
            if error is None:
                raise
            response = JsonResponse({"error": error.as_dict()}, status=error.status)
            if error.status == 503:
                response["Retry-After"] = "1"
            return response

    return wrapper


@require_safe
@public_page
def index(request: HttpRequest) -> HttpResponse:
    products, cursor = products_list(cursor=request.GET.get("cursor"))
    return render(request, "updates/index.html", {"products": products, "next_cursor": cursor})


@require_safe
@public_page
def product_page(request: HttpRequest, product: str) -> HttpResponse:
    owner = product_get(slug=product)
    rows, cursor = releases_public(product=owner, cursor=request.GET.get("cursor"))
    releases = [
        {"release": release, "downloads": [(a, artifact_url(request, a)) for a in artifacts]}
        for release, artifacts in rows
    ]
    return render(
        request,
        "updates/product.html",
        {"product": owner, "releases": releases, "next_cursor": cursor, "public_key": signing.published_keys()[0]},
    )


@require_safe
@client_errors_as_json
def appcast(request: HttpRequest, product: str) -> HttpResponse:
    """Sparkle 2 appcast; `?channel=` picks the channel (and those above it), `?bucket=` the rollout bucket.

    The rollout is applied here, as on every protocol: no bucket is bucket 99 (full rollouts only), and
    no item carries `sparkle:phasedRolloutInterval`, whose time-based groups would delay (or, without a
    bucket, widen) a rollout the server has already decided.
    """
    owner = product_get(slug=product)
    channel = request.GET.get("channel") or owner.channels[0]
    entries = appcast_entries(
        product=owner,
        channel=channel,
        platform=request.GET.get("platform") or None,
        bucket=client_bucket(request.GET.get("bucket")),
    )
    items = [
        {
            "release": entry.release,
            "artifact": entry.artifact,
            "url": artifact_url(request, entry.artifact),
            "sparkle_channel": entry.release.channel if entry.release.channel != owner.channels[0] else None,
        }
        for entry in entries
    ]
    response = render(
        request,
        "updates/appcast.xml",
        {"product": owner, "items": items, "feed_url": request.build_absolute_uri()},
        content_type="application/rss+xml; charset=utf-8",
    )
    return make_cacheable(request, response, max_age=FEED_MAX_AGE, s_maxage=FEED_MAX_AGE)


@require_safe
@client_errors_as_json
def tuf_metadata(request: HttpRequest, product: str, name: str) -> HttpResponse:
    """`N.root.json`, `N.targets.json`, `N.snapshot.json` are immutable; `timestamp.json` is short-lived."""
    product_get(slug=product)
    if name not in ("timestamp.json", "root.json") and not _TUF_VERSIONED.fullmatch(name):
        raise TufFileNotFound()
    response = HttpResponse(tuf_file_get(product=product, name=name), content_type="application/json")
    if _TUF_VERSIONED.fullmatch(name):
        response = make_cacheable(request, response, max_age=31536000, s_maxage=31536000, immutable=True)
    else:
        response = make_cacheable(request, response, max_age=FEED_MAX_AGE, s_maxage=FEED_MAX_AGE)
    return response


@require_safe
@client_errors_as_json
def tuf_target(request: HttpRequest, product: str, path: str) -> HttpResponse:
    """A target of the product's current targets metadata, by its consistent-snapshot name; anything else is 404."""
    product_get(slug=product)
    try:
        sha256, filename = tuf_target_check(product=product, path=path)
    except TufFileNotFound:
        sha256, _, filename = path.rpartition("/")[2].partition(".")
        if re.fullmatch(r"[0-9a-f]{64}", sha256) and FILENAME_PATTERN.match(filename):
            artifact_withdrawn_check(sha256=sha256, filename=filename)  # a yanked release's target: 410
        raise
    return artifact_response(request, sha256=sha256, filename=filename)


@require_safe
def artifact(request: HttpRequest, sha256: str, filename: str) -> HttpResponse:
    return artifact_response(request, sha256=sha256, filename=filename)


@require_safe
@client_errors_as_json
def electron_update(request: HttpRequest, product: str, platform: str, version: str) -> HttpResponse:
    """update.electronjs.org's contract: 200 `{url, name, notes, pub_date}`, or 204; Macs fall back to universal."""
    owner = product_get(slug=product)
    if platform not in ELECTRON_PLATFORM_ALIASES:
        raise PlatformNotFound(f"Unknown platform “{platform}”.")
    offer = release_offer(
        product=owner,
        channel=request.GET.get("channel") or owner.channels[0],
        platform=ELECTRON_PLATFORM_ALIASES[platform],
        current=SemVer.parse(version.removeprefix("v")),
        bucket=client_bucket(request.GET.get("bucket")),
        os_version=client_os(request.GET.get("os")),
        universal=True,
    )
    if offer is None:
        response = HttpResponse(status=204)
    else:
        release = offer.release
        response = JsonResponse(
            {
                "url": artifact_url(request, offer.artifact),
                "name": release.version_name,
                "notes": release.notes,
                "pub_date": release.published_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
        )
    return make_cacheable(request, response, max_age=FEED_MAX_AGE, s_maxage=FEED_MAX_AGE)


@require_safe
@client_errors_as_json
def squirrel_windows_releases(request: HttpRequest, product: str, platform: str, version: str) -> HttpResponse:
    """Squirrel.Windows' `RELEASES` under the electron feed URL: `SHA1 URL size` of the package offered to this client.

    Squirrel appends `/RELEASES` (and `?id=&localVersion=&arch=`, in no cache key) to the feed URL the app
    set, so the app's `?bucket=` and `?os=` arrive as on the electron endpoint and mean the same.
    """
    owner = product_get(slug=product)
    target = ELECTRON_PLATFORM_ALIASES.get(platform, "")
    if not target.startswith("windows-"):
        raise PlatformNotFound(f"Squirrel.Windows serves Windows only, not “{platform}”.")
    package = squirrel_windows_package(
        product=owner,
        channel=request.GET.get("channel") or owner.channels[0],
        platform=target,
        current=SemVer.parse(version.removeprefix("v")),
        bucket=client_bucket(request.GET.get("bucket")),
        os_version=client_os(request.GET.get("os")),
    )
    line = squirrel_windows_entry(package, artifact_url(request, package)) if package is not None else None
    if line is None:
        raise ReleaseNotFound("No Squirrel package for this client.")
    response = HttpResponse(line + "\n", content_type="text/plain; charset=utf-8")
    return make_cacheable(request, response, max_age=FEED_MAX_AGE, s_maxage=FEED_MAX_AGE)


@require_safe
@client_errors_as_json
def electron_builder_feed(request: HttpRequest, product: str, name: str) -> HttpResponse:
    """electron-updater's generic provider: `latest.yml`, `latest-mac.yml`, `latest-linux.yml`, `beta.yml` ..."""
    owner = product_get(slug=product)
    feed = electron_builder_file(owner, name)
    if feed is None:
        raise TufFileNotFound("No such update file.")
    offers = electron_builder_release(product=owner, channel=feed[0], platforms=feed[1])
    if not offers:
        raise ReleaseNotFound("No release with electron-builder files on this channel.")
    urls = [
        request.build_absolute_uri(
            reverse("updates:electron-builder-file", args=[product, o.release.version_name, o.artifact.filename])
        )
        for o in offers
    ]
    body = latest_yml(offers, urls)
    response = HttpResponse(body, content_type="text/yaml; charset=utf-8")
    return make_cacheable(request, response, max_age=FEED_MAX_AGE, s_maxage=FEED_MAX_AGE)


@require_safe
@client_errors_as_json
def electron_builder_download_redirect(request: HttpRequest, product: str, version: str, filename: str) -> HttpResponse:
    """`<version>/<file>` and `<version>/<file>.blockmap` -> the content-addressed file (410 once yanked)."""
    owner = product_get(slug=product)
    artifact, blockmap = electron_builder_download(product=owner, version=version, filename=filename)
    if blockmap:
        url = cdn_url(artifact.blockmap_key) or request.build_absolute_uri(
            reverse("updates:artifact", args=[artifact.sha256, f"{artifact.filename}{BLOCKMAP_SUFFIX}"])
        )
    else:
        url = artifact_url(request, artifact)
    response = HttpResponseRedirect(url)
    # Where a published file lives never changes; a yank invalidates the product's paths at the CDN.
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}, s-maxage=86400"
    return response
