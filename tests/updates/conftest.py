"""Fixtures for the update catalog: products with unique slugs, releases with real uploads to s3rver."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import live_server
from updates import services
from updates.models import Product


@pytest.fixture
def release_manager(make_user):
    return make_user(groups=("release-managers",), name="Rita Release")


@dataclass
class Catalog:
    """Builds catalog content the way a release manager does: API services, presigned upload, S3 event."""

    dispatcher: object

    def product(self, *, channels: list[str] | None = None) -> Product:
        slug = f"app-{uuid.uuid4().hex[:12]}"
        return services.product_create(slug=slug, name=f"App {slug[-4:]}", description="Test app", channels=channels)

    def upload(self, product: str, version: str, platform: str, content: bytes, **declared) -> str:
        """Upload through the presigned POST and run the S3 event; returns the artifact's status."""
        start = services.artifact_upload_start(
            product=product,
            version=version,
            platform=platform,
            filename=declared.pop("filename", f"App-{version}-{platform}.zip"),
            size=declared.pop("size", len(content)),
            sha256=declared.pop("sha256", hashlib.sha256(content).hexdigest()),
            **declared,
        )
        response = requests.post(start["url"], data=start["fields"], files={"file": ("f", content)}, timeout=10)
        assert response.status_code in (200, 204), response.text
        return self.handle_upload(product, version, platform)

    def handle_upload(self, product: str, version: str, platform: str) -> str:
        """Run the S3 events until this artifact's is handled; returns its status.

        Other tests of this worker may have left S3 events behind, so it takes rounds until this one's.
        """
        for _ in range(50):
            handled = self.dispatcher.run_once(include_schedules=False)
            status = self.status(product, version, platform)
            if status != "pending" or not handled:
                return status
        return status

    def status(self, product: str, version: str, platform: str) -> str:
        from updates.selectors import artifact_get, release_get

        return artifact_get(release=release_get(product=product, version=version), platform=platform).status

    def release(
        self,
        product: Product,
        version: str,
        *,
        channel: str = "stable",
        platforms: tuple[str, ...] = ("darwin-arm64",),
        publish: bool = True,
        content: bytes | None = None,
        minimum_os_version: str | None = None,
        **fields,
    ):
        services.release_create(product=product.slug, version=version, channel=channel, notes=f"# {version}", **fields)
        for platform in platforms:
            body = content if content is not None else f"{product.slug} {version} {platform}".encode() * 50
            assert self.upload(product.slug, version, platform, body, minimum_os_version=minimum_os_version) == "ready"
        if publish:
            return services.release_publish(product=product.slug, version=version)
        from updates.selectors import release_get

        return release_get(product=product.slug, version=version)


@pytest.fixture
def catalog(dispatcher) -> Catalog:
    return Catalog(dispatcher)


@pytest.fixture(scope="session")
def live_url(local_stack) -> str:
    """The site on a real WSGI server thread, for clients that speak HTTP (tuf's ngclient)."""
    with live_server() as url:
        yield url
