"""Blog posts' Markdown (through mysite.richtext), excerpts, and responsive `<img>` markup for processed images."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from mysite import richtext
from mysite.cdn import cdn_url
from mysite.richtext import ALLOWED_ATTRIBUTES as ALLOWED_ATTRIBUTES  # earlier public names, kept
from mysite.richtext import ALLOWED_TAGS as ALLOWED_TAGS
from mysite.richtext import plain_text

# Editors insert `![alt](image:<image_id>)`; rendering swaps in the image's renditions.
IMAGE_REFERENCE = re.compile(r"^image:([0-9a-f]{32})$")
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(src|alt|title)="([^"]*)"')
EXCERPT_WORDS = 40
BODY_SIZES = "(max-width: 760px) 100vw, 720px"

# `image:` is the editors' reference to an uploaded image, swapped for its renditions below.
URL_SCHEMES = richtext.URL_SCHEMES | {"image"}


def media_url(key: str) -> str:
    """The public URL of an object under `media/`: the CDN when configured, else the site's media view."""
    return cdn_url(key) or f"/{key.lstrip('/')}"


def srcset(renditions: list[dict], content_type: str) -> str:
    return ", ".join(f"{media_url(r['key'])} {r['width']}w" for r in renditions if r["type"] == content_type)


def picture_html(renditions: list[dict], *, alt: str, sizes: str = BODY_SIZES, lazy: bool = True) -> str:
    """A `<picture>` with a WebP source and a JPEG/PNG fallback, each at every width."""
    fallback = [r for r in renditions if r["type"] != "image/webp"]
    if not fallback:
        return ""
    largest = max(fallback, key=lambda r: r["width"])
    default = min(fallback, key=lambda r: abs(r["width"] - 960))
    loading = ' loading="lazy" decoding="async"' if lazy else ""
    return (
        "<picture>"
        f'<source type="image/webp" srcset="{html.escape(srcset(renditions, "image/webp"))}" '
        f'sizes="{html.escape(sizes)}">'
        f'<img src="{html.escape(media_url(default["key"]))}" '
        f'srcset="{html.escape(srcset(renditions, largest["type"]))}" sizes="{html.escape(sizes)}" '
        f'width="{largest["width"]}" height="{largest["height"]}" alt="{html.escape(alt)}"{loading}>'
        "</picture>"
    )


def sanitize(unsafe_html: str) -> str:
    """Only harmless markup survives (mysite.richtext), `image:` references included."""
    return richtext.sanitize(unsafe_html, url_schemes=URL_SCHEMES)


def image_references(body_markdown: str) -> set[str]:
    """The image ids a body refers to with `image:<id>`."""
    return set(re.findall(r"\(image:([0-9a-f]{32})\)", body_markdown))


def render_markdown(body_markdown: str, *, renditions_for: Callable[[set[str]], dict[str, list[dict]]]) -> str:
    """Markdown -> sanitised HTML; `image:<id>` references become responsive pictures."""
    clean = richtext.markdown_to_html(body_markdown, url_schemes=URL_SCHEMES)
    wanted = image_references(body_markdown)
    found = renditions_for(wanted) if wanted else {}

    def replace(match: re.Match) -> str:
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(match.group(0))}
        reference = IMAGE_REFERENCE.match(attributes.get("src", ""))
        if not reference:
            return match.group(0)
        renditions = found.get(reference.group(1))
        if not renditions:
            return f'<span class="missing-image">{html.escape(attributes.get("alt", ""))}</span>'
        return picture_html(renditions, alt=attributes.get("alt", ""))

    return _IMG_TAG.sub(replace, clean)


def excerpt_from(body_html: str, *, words: int = EXCERPT_WORDS) -> str:
    """The first words of the body, for lists, feeds and meta descriptions."""
    parts = plain_text(body_html).split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",.;:") + "…"
