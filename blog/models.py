"""Blog data in DynamoDB: posts, slug claims, tag listings, term counts and images."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import KeysOnlyProjection
from pynamodb.models import Model

from blog.constants import (  # noqa: F401 (the earlier home of these names)
    DRAFT,
    IMAGE_PENDING,
    IMAGE_READY,
    IMAGE_REJECTED,
    PUBLISHED,
    SCHEDULED,
    STATUSES,
)
from mysite.dynamo import BaseMeta, global_index, table_name, utcnow


class Post(Model):
    class Meta(BaseMeta):
        table_name = table_name("blog-posts")
        stream_view_type = "NEW_AND_OLD_IMAGES"  # read by blog.search.events (the search index)

    post_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="post")
    title = UnicodeAttribute()
    title_search = UnicodeAttribute()  # lower-cased title for the authors' search
    slug = UnicodeAttribute()
    body_markdown = UnicodeAttribute(default="")
    body_html = UnicodeAttribute(default="")
    excerpt = UnicodeAttribute(default="")
    custom_excerpt = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)  # URL slugs, the keys of TaggedPost and Term
    tag_names = ListAttribute(of=UnicodeAttribute, null=True)  # the names as written, one per slug
    feature_image_id = UnicodeAttribute(null=True)
    feature_image_alt = UnicodeAttribute(default="")
    feature_image = JSONAttribute(null=True)  # renditions copied from the Image item, for rendering
    author_sub = UnicodeAttribute()  # the primary byline (the first of author_subs)
    author_name = UnicodeAttribute()
    author_subs = ListAttribute(of=UnicodeAttribute, null=True)  # every byline, primary first (absent: author_sub)
    author_names = ListAttribute(of=UnicodeAttribute, null=True)  # their names, one per sub
    status = UnicodeAttribute(default=DRAFT)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    published_at = UTCDateTimeAttribute(null=True)
    scheduled_for = UTCDateTimeAttribute(null=True)
    feed = UnicodeAttribute(null=True)
    author_feed = UnicodeAttribute(null=True)
    published_month = UnicodeAttribute(null=True)
    schedule_queue = UnicodeAttribute(null=True)
    submitted_at = UTCDateTimeAttribute(null=True)  # a draft its writer submitted for review (cleared on publish)
    version = VersionAttribute()

    # Every post in one partition, most recently edited first: the authors' unfiltered list.
    everything = global_index("by-updated", kind=UnicodeAttribute, updated_at=UTCDateTimeAttribute)
    # One writer's posts, most recently edited first: the list contributors and authors see (their own only).
    by_writer = global_index("by-writer", author_sub=UnicodeAttribute, updated_at=UTCDateTimeAttribute)
    # The authors' list: posts of one status, most recently edited first.
    by_status = global_index("by-status", status=UnicodeAttribute, updated_at=UTCDateTimeAttribute)
    # Sparse: only published posts carry `feed`, so the home page, feeds and sitemap never see drafts.
    published = global_index("by-published", feed=UnicodeAttribute, published_at=UTCDateTimeAttribute)
    # Sparse: the primary author's published posts (`author_feed` is set only while published). The author
    # pages read AuthoredPost, which lists co-written posts too.
    by_author = global_index("by-author", author_feed=UnicodeAttribute, published_at=UTCDateTimeAttribute)
    # Sparse: the month archive (`published_month` like `2024-05`, only while published).
    by_month = global_index("by-month", published_month=UnicodeAttribute, published_at=UTCDateTimeAttribute)
    # Sparse: scheduled posts by due time, for the every-minute publisher (a Query, never a Scan).
    scheduled = global_index(
        "by-schedule",
        schedule_queue=UnicodeAttribute,
        scheduled_for=UTCDateTimeAttribute,
        projection=KeysOnlyProjection(),
    )

    @property
    def bylines(self) -> list[dict[str, str]]:
        """Every author of the post, primary first, as {"sub", "name"} (posts from before co-authors: one)."""
        subs = list(self.author_subs or []) or [self.author_sub]
        names = list(self.author_names or [])
        return [
            {"sub": sub, "name": names[i] if i < len(names) else self.author_name if sub == self.author_sub else ""}
            for i, sub in enumerate(subs)
        ]

    @property
    def byline_names(self) -> str:
        """The authors' names as one line ("Ada and Grace", "Ada, Grace and Linus")."""
        names = [byline["name"] for byline in self.bylines]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    @property
    def tag_labels(self) -> list[str]:
        """The tags' names as written (their slugs for posts saved before names were kept)."""
        names = list(self.tag_names or [])
        return [names[i] if i < len(names) else slug for i, slug in enumerate(self.tags)]

    @property
    def tag_links(self) -> list[tuple[str, str]]:
        """(slug, name) per tag: the slug for the URL, the name to show."""
        return list(zip(self.tags, self.tag_labels, strict=True))


class SlugClaim(Model):
    """One item per slug a post ever had; claimed in the same transaction as the post, so slugs stay unique.

    A claim outlives a rename (the old address answers 301 to the post's slug) and the post's
    deletion (410): an address once given out never points at another post.
    """

    class Meta(BaseMeta):
        table_name = table_name("blog-slugs")

    slug = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute()


class PostRevision(Model):
    """One saved state of a post: who saved it, when, what it held (number = the post's version after the save)."""

    class Meta(BaseMeta):
        table_name = table_name("blog-revisions")

    post_id = UnicodeAttribute(hash_key=True)
    number = NumberAttribute(range_key=True)
    action = UnicodeAttribute()  # create, edit, submit, authors, publish, schedule, unpublish, restore
    saved_at = UTCDateTimeAttribute(default=utcnow)
    saved_by_sub = UnicodeAttribute(default="")
    saved_by_name = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    body_markdown = UnicodeAttribute(default="")
    custom_excerpt = UnicodeAttribute(default="")
    tag_names = ListAttribute(of=UnicodeAttribute, default=list)
    feature_image_id = UnicodeAttribute(null=True)
    feature_image_alt = UnicodeAttribute(default="")
    restored_from = NumberAttribute(null=True)


class TaggedPost(Model):
    """A published post listed under one tag, newest first (DynamoDB cannot index a list)."""

    class Meta(BaseMeta):
        table_name = table_name("blog-tagged-posts")

    tag = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # `<published_at ISO>#<post_id>`
    post_id = UnicodeAttribute()


class AuthoredPost(Model):
    """A published post listed under each of its authors, newest first: every author's archive, co-written posts too."""

    class Meta(BaseMeta):
        table_name = table_name("blog-authored-posts")

    author_sub = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # `<published_at ISO>#<post_id>`
    post_id = UnicodeAttribute()


class CoauthoredPost(Model):
    """A post (any status) listed under each of its authors but the primary: the co-author's own posts in the panel.

    The primary author's posts come from the posts' `by-writer` index; these items change only with the
    bylines (and go with the post), in the same transaction.
    """

    class Meta(BaseMeta):
        table_name = table_name("blog-coauthored-posts")

    author_sub = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)


class Term(Model):
    """How many published posts a tag or an archive month holds (kind `tag` or `month`).

    The counts change in the transaction of every publish, unpublish, retag and delete
    (services.posts), so no read ever counts posts.
    """

    class Meta(BaseMeta):
        table_name = table_name("blog-terms")

    kind = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    post_count = NumberAttribute(default=0)
    display_name = UnicodeAttribute(null=True)  # a tag's name as written ("C++"); `name` is its slug

    # Tags (or months) of one kind, most posts first: the archive's top tags without reading every tag.
    by_count = global_index("by-count", kind=UnicodeAttribute, post_count=NumberAttribute)

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Image(Model):
    """An uploaded image: the original's key, and its renditions once the pipeline made them."""

    class Meta(BaseMeta):
        table_name = table_name("blog-images")

    image_id = UnicodeAttribute(hash_key=True)
    upload_key = UnicodeAttribute()
    filename = UnicodeAttribute(default="")
    uploaded_by = UnicodeAttribute()
    status = UnicodeAttribute(default=IMAGE_PENDING)
    reason = UnicodeAttribute(default="")
    content_hash = UnicodeAttribute(null=True)
    original_format = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    # [{"width": 640, "height": 427, "key": "media/blog/<hash>-640.webp", "type": "image/webp"}, ...]
    renditions = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    processed_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
