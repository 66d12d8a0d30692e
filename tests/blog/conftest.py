"""Blog test helpers: posts with unique titles (by the `author` fixture), and real image files."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image as PILImage

from blog import services


def unique_title(prefix: str = "Post") -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def unique_tag() -> str:
    return f"tag-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_post(author):
    """Create a post (published unless told otherwise) by the `author` fixture."""

    def make(*, publish: bool = True, **fields):
        fields.setdefault("title", unique_title())
        fields.setdefault("body_markdown", "Hello **readers**. " * 5)
        post = services.post_create(author_sub=author.sub, author_name=author.name, **fields)
        if publish:
            post = services.post_publish(post_id=post.post_id, version=post.version)
        return post

    return make


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1000, 600), mode: str = "RGB", **save) -> bytes:
    image = PILImage.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    # A distinct pixel per call keeps content hashes (and rendition keys) unique per test.
    image.putpixel((0, 0), tuple(uuid.uuid4().bytes[:3]) + ((255,) if mode == "RGBA" else ()))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()
