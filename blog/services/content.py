"""What a post holds: its content and tags checked and rendered, its status and the index keys that follow it."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from django.utils.text import slugify
from pynamodb.exceptions import DoesNotExist

from blog import selectors
from blog.models import IMAGE_READY, PUBLISHED, SCHEDULED, Image, Post, Term, utcnow
from blog.rendering import excerpt_from, render_markdown
from mysite.errors import InvalidInput, Unprocessable

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_SLUG_LENGTH = 80
MAX_BODY_CHARS = 200_000
SLUG_ATTEMPTS = 20
# Slugs that would shadow a fixed URL under /blog/.
RESERVED_SLUGS = {"archive", "tag", "author", "rss", "atom", "feed", "page", "media", "search"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# Symbols that carry meaning in tag names; slugify would drop them ("C++" and "C" would both be "c").
_TAG_SYMBOLS = (("+", "-plus"), ("#", "-sharp"), ("&", "-and-"), ("@", "-at-"), (".", "-"))


def tag_slug(name: str) -> str:
    """A tag's URL slug: Unicode letters and digits kept ("日本語"), symbols spelt out ("C++" -> "c-plus-plus")."""
    text = name.lower()
    for symbol, word in _TAG_SYMBOLS:
        text = text.replace(symbol, word)
    return slugify(text, allow_unicode=True)[:MAX_TAG_LENGTH].strip("-")


def tags_normalize(tags: list[str] | tuple[str, ...] | str) -> list[tuple[str, str]]:
    """(slug, name) per tag, deduplicated, in the order given; two names sharing a slug are refused.

    A name already in use with a published post keeps its first spelling ("python" joins "Python");
    a different name that would share its address ("C plus plus" after "C++") is an error, never a merge.
    """
    if isinstance(tags, str):
        tags = tags.split(",")
    chosen: dict[str, str] = {}
    for tag in tags:
        name = " ".join(str(tag).split()).lstrip("#").strip()
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise InvalidInput(f"A tag is at most {MAX_TAG_LENGTH} characters.", field="tags")
        slug = tag_slug(name)
        if not slug:
            raise InvalidInput(f"The tag “{name}” needs at least one letter or digit.", field="tags")
        if slug in chosen and chosen[slug].casefold() != name.casefold():
            raise InvalidInput(f"“{chosen[slug]}” and “{name}” would share one tag page; keep one.", field="tags")
        chosen.setdefault(slug, name)
    if len(chosen) > MAX_TAGS:
        raise InvalidInput(f"A post can have at most {MAX_TAGS} tags.", field="tags")
    existing = {term.name: term for term in Term.batch_get([("tag", slug) for slug in chosen])} if chosen else {}
    for slug, name in chosen.items():
        term = existing.get(slug)
        if term is None or not term.display_name or term.post_count <= 0:
            continue
        if term.display_name.casefold() != name.casefold():
            raise InvalidInput(
                f"“{name}” would share the page of the tag “{term.display_name}”; use that name or another.",
                field="tags",
            )
        chosen[slug] = term.display_name
    return list(chosen.items())


def slug_checked(slug: str) -> str:
    slug = slug.strip().lower()
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        raise InvalidInput("Use lower-case letters, digits and single hyphens (at most 80 characters).", field="slug")
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"“{slug}” is reserved for a page of the blog.", field="slug")
    return slug


def slug_from_title(title: str) -> str:
    slug = slugify(title)[:MAX_SLUG_LENGTH].strip("-") or "post"
    return f"{slug}-post" if slug in RESERVED_SLUGS else slug


def slug_candidates(base: str):
    yield base
    for number in range(2, SLUG_ATTEMPTS):
        yield f"{base[: MAX_SLUG_LENGTH - len(str(number)) - 1]}-{number}"
    yield f"{base[: MAX_SLUG_LENGTH - 9]}-{uuid.uuid4().hex[:8]}"


def _feature_image(image_id: str | None) -> dict | None:
    if not image_id:
        return None
    try:
        image = Image.get(image_id)
    except DoesNotExist:
        raise Unprocessable("There is no such image.", field="feature_image_id") from None
    if image.status != IMAGE_READY:
        raise Unprocessable("This image is not processed (yet); wait until it is ready.", field="feature_image_id")
    return {"width": image.width, "height": image.height, "renditions": image.renditions}


def apply_content(
    post: Post,
    *,
    title: str,
    body_markdown: str,
    custom_excerpt: str,
    tags: list[str] | str,
    feature_image_id: str | None,
    feature_image_alt: str,
) -> None:
    title = title.strip()
    if not title:
        raise InvalidInput("A post needs a title.", field="title")
    if len(body_markdown) > MAX_BODY_CHARS:
        raise InvalidInput(f"The body is longer than {MAX_BODY_CHARS} characters.", field="body_markdown")
    feature_image_id = feature_image_id or None
    if feature_image_id and not feature_image_alt.strip():
        raise InvalidInput("Describe the feature image for readers who cannot see it.", field="feature_image_alt")
    post.title = title
    post.title_search = title.lower()
    post.body_markdown = body_markdown
    post.body_html = render_markdown(body_markdown, renditions_for=selectors.image_renditions)
    post.custom_excerpt = custom_excerpt.strip()
    post.excerpt = post.custom_excerpt or excerpt_from(post.body_html)
    normalized = tags_normalize(tags)
    post.tags = [slug for slug, _ in normalized]
    post.tag_names = [name for _, name in normalized]
    if feature_image_id != post.feature_image_id or (feature_image_id and not post.feature_image):
        post.feature_image = _feature_image(feature_image_id)
    post.feature_image_id = feature_image_id
    post.feature_image_alt = feature_image_alt.strip() if feature_image_id else ""


def apply_status(
    post: Post, status: str, *, published_at: datetime | None = None, scheduled_for: datetime | None = None
) -> None:
    """Set the status and the sparse index keys that make a post visible (or not) to each listing."""
    post.status = status
    post.scheduled_for = scheduled_for if status == SCHEDULED else None
    post.schedule_queue = "due" if status == SCHEDULED else None
    if status == PUBLISHED:
        post.published_at = published_at or post.published_at or utcnow()
        post.feed = "post"
        post.author_feed = post.author_sub
        post.published_month = post.published_at.strftime("%Y-%m")
    else:
        post.feed = post.author_feed = post.published_month = None
