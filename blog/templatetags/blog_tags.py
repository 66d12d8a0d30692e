"""Template helpers for responsive images."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from blog.rendering import media_url, picture_html

register = template.Library()

FEATURE_SIZES = "(max-width: 760px) 100vw, 720px"
CARD_SIZES = "(max-width: 760px) 100vw, 340px"


@register.simple_tag
def feature_picture(post, sizes: str = FEATURE_SIZES, lazy: bool = True) -> str:
    """The post's feature image as a `<picture>` with srcset/sizes, or nothing."""
    if not post.feature_image:
        return ""
    return mark_safe(picture_html(post.feature_image["renditions"], alt=post.feature_image_alt, sizes=sizes, lazy=lazy))


@register.simple_tag
def feature_image_url(post) -> str:
    """The largest JPEG/PNG rendition of the feature image (for Open Graph), or ''."""
    if not post.feature_image:
        return ""
    fallback = [r for r in post.feature_image["renditions"] if r["type"] != "image/webp"]
    return media_url(max(fallback, key=lambda r: r["width"])["key"]) if fallback else ""
