"""Squirrel.Windows' RELEASES and electron-builder's latest*.yml, read by parsers written from their docs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import requests
import yaml
from django.test import Client

from updates import services
from updates.selectors import artifact_get, release_get

# Squirrel.Windows ReleaseEntry: `SHA1 filename size`, the file name possibly an absolute URL whose last
# segment is `<id>-<version>[-full|-delta].nupkg` (Squirrel reads the version from it).
RELEASES_LINE = re.compile(r"^([0-9a-fA-F]{40})\s+(\S+)\s+(\d+)\r*$")
NUPKG_VERSION = re.compile(r"-(\d+(?:\.\d+){0,3}(?:-(?!full\.|delta\.)[a-z][0-9a-z.-]*?)?)(?:-full|-delta)?\.nupkg$")


def parse_releases(text: str) -> list[dict]:
    entries = []
    for line in text.lstrip("\ufeff").replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        sha1, filename, size = RELEASES_LINE.match(line).groups()
        entries.append({"sha1": sha1, "url": filename, "size": int(size), "version": NUPKG_VERSION.search(filename)[1]})
    return entries


def content(product: str, version: str, platform: str) -> bytes:
    return f"{product} {version} {platform} ".encode() * 64


def release(catalog, product, version: str, files: dict[str, str], *, rollout: int = 100, publish: bool = True):
    services.release_create(product=product.slug, version=version, channel="stable", rollout=rollout, notes="Faster.")
    for platform, filename in files.items():
        body = content(product.slug, version, platform)
        assert catalog.upload(product.slug, version, platform, body, filename=filename) == "ready"
    if publish:
        services.release_publish(product=product.slug, version=version)


def download(client: Client, url: str) -> bytes:
    """GET as the updaters do: following a redirect to the content-addressed file."""
    response = client.get(url.removeprefix("http://testserver"))
    if response.status_code == 302:
        response = client.get(response["Location"].removeprefix("http://testserver"))
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def test_declared_tool_hashes_are_checked_against_the_stored_bytes(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    body = b"an installer " * 100
    good = {"sha512": base64.b64encode(hashlib.sha512(body).digest()).decode(), "sha1": hashlib.sha1(body).hexdigest()}
    nupkg = "App-1.0.0-full.nupkg"
    assert catalog.upload(product.slug, "1.0.0", "windows-x64", body, filename=nupkg, **good) == "ready"
    stored = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="windows-x64")
    assert (stored.sha512, stored.sha1) == (good["sha512"], good["sha1"].upper())

    wrong = base64.b64encode(hashlib.sha512(b"other bytes").digest()).decode()
    assert catalog.upload(product.slug, "1.0.0", "linux-x64", body, filename="App.AppImage", sha512=wrong) == "rejected"
    rejected = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="linux-x64")
    assert "SHA-512" in rejected.rejection_reason
    assert catalog.upload(product.slug, "1.0.0", "darwin-arm64", body, filename="App.zip", sha1="0" * 40) == "rejected"


def test_squirrel_windows_replay_gets_the_rollout_s_package_and_verifies_it(catalog):
    client = Client()
    product = catalog.product()
    release(catalog, product, "1.0.0", {"windows-x64": "App-1.0.0-full.nupkg"})
    release(catalog, product, "1.1.0", {"windows-x64": "App-1.1.0-full.nupkg"})
    release(catalog, product, "1.2.0", {"windows-x64": "App-1.2.0-full.nupkg"}, rollout=30)

    def releases(installed: str, bucket: int) -> list[dict]:
        # Squirrel appends /RELEASES and its own query to the feed URL the app set.
        url = f"/update/{product.slug}/win32-x64/{installed}/RELEASES"
        response = client.get(url, {"bucket": bucket, "id": "App", "localVersion": installed, "arch": "amd64"})
        assert response.status_code == 200
        assert "s-maxage=60" in response["Cache-Control"]
        return parse_releases(response.content.decode("utf-8"))

    inside, outside = releases("1.0.0", 5), releases("1.0.0", 50)
    assert [e["version"] for e in inside] == ["1.2.0"]
    assert [e["version"] for e in outside] == ["1.1.0"]
    for entry in inside + outside:  # Squirrel downloads the package and checks its SHA-1 and size
        body = download(client, entry["url"])
        assert (hashlib.sha1(body).hexdigest().upper(), len(body)) == (entry["sha1"].upper(), entry["size"])
        assert body == content(product.slug, entry["version"], "windows-x64")
    # Up to date: its own package, which Squirrel takes as "nothing newer".
    assert [e["version"] for e in releases("1.2.0", 5)] == ["1.2.0"]

    services.release_pause(product=product.slug, version="1.2.0")
    assert [e["version"] for e in releases("1.0.0", 5)] == ["1.1.0"]
    services.release_resume(product=product.slug, version="1.2.0")
    services.release_yank(product=product.slug, version="1.2.0")
    assert [e["version"] for e in releases("1.0.0", 5)] == ["1.1.0"]
    assert client.get(f"/update/{product.slug}/darwin-x64/1.0.0/RELEASES").status_code == 404


def test_electron_builder_replay_reads_latest_yml_and_verifies_the_download(catalog):
    client = Client()
    product = catalog.product(channels=["stable", "beta"])
    files = {
        "windows-x64": "App-Setup-{v}.exe",
        "darwin-arm64": "App-{v}-arm64-mac.zip",
        "darwin-x64": "App-{v}-mac.zip",
        "linux-x64": "App-{v}.AppImage",
    }
    release(catalog, product, "1.0.0", {p: f.format(v="1.0.0") for p, f in files.items()})
    release(catalog, product, "1.1.0", {p: f.format(v="1.1.0") for p, f in files.items()}, rollout=25)

    def info(name: str) -> dict:
        response = client.get(f"/updates/{product.slug}/electron-builder/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/yaml")
        assert "s-maxage=60" in response["Cache-Control"]
        return yaml.safe_load(response.content)

    windows = info("latest.yml")
    # electron-builder's UpdateInfo: version, files [{url, sha512, size}], path, sha512, releaseDate, stagingPercentage.
    assert windows["version"] == "1.1.0"
    assert windows["stagingPercentage"] == 25
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", windows["releaseDate"])
    assert [f["url"].rsplit("/", 1)[1] for f in windows["files"]] == ["App-Setup-1.1.0.exe"]
    assert (windows["path"], windows["sha512"]) == (windows["files"][0]["url"], windows["files"][0]["sha512"])
    for feed in (windows, info("latest-mac.yml"), info("latest-linux.yml")):
        for file in feed["files"]:  # electron-updater checks the SHA-512 (base64) of what it downloaded
            body = download(client, file["url"])
            assert base64.b64encode(hashlib.sha512(body).digest()).decode() == file["sha512"]
            assert len(body) == file["size"]
    mac = info("latest-mac.yml")
    assert sorted(f["url"].rsplit("/", 1)[1] for f in mac["files"]) == ["App-1.1.0-arm64-mac.zip", "App-1.1.0-mac.zip"]
    assert info("beta.yml")["version"] == "1.1.0"  # a beta client is offered the stable channel's newer release

    services.release_pause(product=product.slug, version="1.1.0")  # paused: the release before, fully rolled out
    after = info("latest.yml")
    assert after["version"] == "1.0.0"
    assert "stagingPercentage" not in after
    services.release_yank(product=product.slug, version="1.1.0")
    assert info("latest-linux.yml")["version"] == "1.0.0"
    for name in ("nightly.yml", "latest-linux-arm64.yml", "latest.json", "latest-windows.yml"):
        assert client.get(f"/updates/{product.slug}/electron-builder/{name}").status_code == 404, name


def blockmap_of(body: bytes, block: int = 256) -> bytes:
    """A blockmap in electron-builder's format (fixed-size blocks here; the client only compares checksums)."""
    chunks = [body[i : i + block] for i in range(0, len(body), block)]
    checksums = [base64.b64encode(hashlib.sha256(c).digest()[:18]).decode() for c in chunks]
    document = {
        "version": "2",
        "files": [{"name": "file", "offset": 0, "checksums": checksums, "sizes": [256] * len(chunks)}],
    }
    return gzip.compress(json.dumps(document).encode())


def upload_with_blockmap(catalog, product, version: str, body: bytes) -> None:
    services.release_create(product=product.slug, version=version, channel="stable")
    blockmap = blockmap_of(body)
    start = services.artifact_upload_start(
        product=product.slug,
        version=version,
        platform="windows-x64",
        filename=f"App-Setup-{version}.exe",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        blockmap_size=len(blockmap),
    )
    # The blockmap first, then the file: either order ends with both served.
    for target, data in ((start["blockmap"], blockmap), (start, body)):
        response = requests.post(target["url"], data=target["fields"], files={"file": ("f", data)}, timeout=10)
        assert response.status_code in (200, 204), response.text
        catalog.dispatcher.run_once(include_schedules=False)
    services.release_publish(product=product.slug, version=version)


def test_electron_updater_replay_finds_both_blockmaps_by_version_and_fetches_changed_blocks(catalog):
    client = Client()
    product = catalog.product()
    old = bytes(range(256)) * 32
    new = old[:2048] + b"\xff" * 256 + old[2304:]  # block 8 changed
    upload_with_blockmap(catalog, product, "1.0.0", old)
    upload_with_blockmap(catalog, product, "1.1.0", new)

    info = yaml.safe_load(client.get(f"/updates/{product.slug}/electron-builder/latest.yml").content)
    url = info["files"][0]["url"]
    assert url.endswith(f"/updates/{product.slug}/electron-builder/1.1.0/App-Setup-1.1.0.exe")

    def follow(location: str) -> bytes:
        redirect = client.get(location.removeprefix("http://testserver"))
        assert redirect.status_code == 302, location
        return download(client, redirect["Location"])

    # electron-updater: the new blockmap next to the file, the installed one by writing its version into the path.
    new_map = json.loads(gzip.decompress(follow(url + ".blockmap")))
    old_map = json.loads(gzip.decompress(follow(url.replace("1.1.0", "1.0.0") + ".blockmap")))
    changed = [
        i
        for i, (a, b) in enumerate(zip(old_map["files"][0]["checksums"], new_map["files"][0]["checksums"], strict=True))
        if a != b
    ]
    assert changed == [8]
    target = client.get(url.removeprefix("http://testserver"))["Location"].removeprefix("http://testserver")
    ranges = client.get(target, HTTP_RANGE="bytes=0-9,2048-2303")
    assert ranges.status_code == 206
    assert ranges["Content-Type"].startswith("multipart/byteranges")
    assert b"\xff" * 256 in b"".join(ranges.streaming_content)
    assert base64.b64encode(hashlib.sha512(follow(url)).digest()).decode() == info["sha512"]

    services.release_yank(product=product.slug, version="1.1.0")
    assert client.get(url.removeprefix("http://testserver") + ".blockmap").status_code == 410
    assert client.get(f"/updates/{product.slug}/electron-builder/1.0.0/nothing.exe").status_code == 404
