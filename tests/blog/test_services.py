"""Post life cycle against DynamoDB Local: states, slugs, versions, tags, scheduling, CDN invalidation."""

from __future__ import annotations

import threading
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from blog import selectors, services
from blog.errors import PostGone, PostMoved
from blog.models import DRAFT, PUBLISHED, SCHEDULED, Post, SlugClaim, Term, utcnow
from mysite import aws
from mysite.errors import InvalidInput
from tests.blog.conftest import unique_tag, unique_title


def test_new_post_is_a_draft_with_a_slug_from_its_title_and_invisible(make_post):
    title = unique_title("Hello World")
    post = make_post(title=title, publish=False)

    assert post.status == DRAFT
    assert post.slug == title.lower().replace(" ", "-")
    assert post.version == 1
    assert SlugClaim.get(post.slug).post_id == post.post_id
    with pytest.raises(selectors.PostNotFound):
        selectors.post_get_published(slug=post.slug)


def test_publish_makes_a_post_public_and_unpublish_hides_it_again(make_post):
    tag = unique_tag()
    post = make_post(tags=[tag], publish=False)

    published = services.post_publish(post_id=post.post_id, version=post.version)
    assert published.status == PUBLISHED
    assert published.published_at is not None
    assert selectors.post_get_published(slug=post.slug).title == post.title
    assert [p.post_id for p in selectors.published_posts_tagged(tag=tag)[0]] == [post.post_id]
    assert Term.get("tag", tag).post_count == 1

    draft = services.post_unpublish(post_id=post.post_id, version=published.version)
    assert draft.status == DRAFT
    with pytest.raises(selectors.PostNotFound):
        selectors.post_get_published(slug=post.slug)
    assert selectors.published_posts_tagged(tag=tag)[0] == []
    assert Term.get("tag", tag).post_count == 0


def test_publishing_twice_is_an_invalid_state(make_post):
    post = make_post()
    with pytest.raises(services.PostStateInvalid):
        services.post_publish(post_id=post.post_id, version=post.version)


def test_same_title_gets_a_numbered_slug(make_post):
    title = unique_title("Same")
    first = make_post(title=title, publish=False)
    second = make_post(title=title, publish=False)
    assert second.slug == f"{first.slug}-2"


def test_an_explicit_slug_in_use_is_a_conflict_and_nothing_is_written(make_post, author):
    first = make_post(publish=False)
    title = unique_title()
    with pytest.raises(services.SlugTaken) as caught:
        services.post_create(author_sub=author.sub, author_name="A", title=title, slug=first.slug)
    assert caught.value.status == 409
    assert caught.value.fields == {"slug": ["Another post already uses this slug."]}
    assert [p.title for p in selectors.post_list(search=title)[0]] == []


def test_concurrent_creates_with_one_slug_leave_exactly_one_post(author):
    slug = f"race-{unique_tag()}"
    outcomes: list[str] = []

    def create() -> None:
        try:
            services.post_create(author_sub=author.sub, author_name="A", title="Race", slug=slug)
            outcomes.append("created")
        except services.SlugTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "taken", "taken", "taken"]


def test_invalid_and_reserved_slugs_are_rejected(author):
    for slug in ("Not A Slug", "archive", "a--b"):
        with pytest.raises(InvalidInput) as caught:
            services.post_create(author_sub=author.sub, author_name="A", title="T", slug=slug)
        assert "slug" in caught.value.fields


def test_renaming_the_slug_keeps_the_old_one_pointing_at_the_post(make_post):
    post = make_post()
    old_slug, new_slug = post.slug, f"renamed-{unique_tag()}"
    updated = services.post_update(
        post_id=post.post_id, version=post.version, title=post.title, body_markdown="New", slug=new_slug
    )
    assert updated.slug == new_slug
    assert selectors.post_get_published(slug=new_slug).body_markdown == "New"
    with pytest.raises(PostMoved) as moved:
        selectors.post_get_published(slug=old_slug)
    assert moved.value.slug == new_slug
    assert SlugClaim.get(old_slug).post_id == post.post_id  # no other post can take the old address


@pytest.mark.parametrize("published", [False, True])
def test_renaming_to_a_slug_another_post_holds_is_slug_taken_and_changes_nothing(make_post, published):
    holder = make_post()
    post = make_post(publish=published, tags=[unique_tag()])
    with pytest.raises(services.SlugTaken) as caught:
        services.post_update(
            post_id=post.post_id, version=post.version, title="Renamed", body_markdown="x", slug=holder.slug
        )
    assert (caught.value.status, caught.value.code) == (409, "slug_taken")
    assert caught.value.fields == {"slug": [caught.value.message]}
    unchanged = selectors.post_get(post_id=post.post_id)
    assert (unchanged.slug, unchanged.title, unchanged.version) == (post.slug, post.title, post.version)
    assert SlugClaim.get(holder.slug).post_id == holder.post_id
    assert SlugClaim.get(post.slug).post_id == post.post_id


def test_a_lost_race_during_a_slug_rename_is_a_version_conflict(make_post):
    post = make_post(tags=[unique_tag()])
    stale = Post.get(post.post_id)
    services.post_update(post_id=post.post_id, version=post.version, title="Winner", body_markdown="w")
    before = services.visibility.PublicState.of(stale)
    stale.slug = f"renamed-{unique_tag()}"
    with pytest.raises(services.PostVersionConflict) as caught:
        services.transaction.post_transact(stale, before, old_slug=post.slug, is_new=False)
    assert caught.value.current.title == "Winner"
    assert selectors.post_get(post_id=post.post_id).slug == post.slug


def test_editing_a_stale_copy_is_a_conflict_carrying_the_current_post(make_post):
    post = make_post(publish=False)
    services.post_update(post_id=post.post_id, version=post.version, title="First edit", body_markdown="one")

    with pytest.raises(services.PostVersionConflict) as caught:
        services.post_update(post_id=post.post_id, version=post.version, title="Stale edit", body_markdown="two")
    assert caught.value.status == 409
    assert (caught.value.current.title, caught.value.current.version) == ("First edit", 2)
    assert selectors.post_get(post_id=post.post_id).title == "First edit"


def test_a_lost_race_inside_the_transaction_is_also_a_conflict(make_post):
    post = make_post(publish=False)
    stale = Post.get(post.post_id)
    services.post_update(post_id=post.post_id, version=post.version, title="Winner", body_markdown="w")
    stale.title = "Loser"
    with pytest.raises(services.PostVersionConflict):
        services.transaction.post_transact(stale, services.visibility.PublicState(), old_slug=stale.slug, is_new=False)
    assert selectors.post_get(post_id=post.post_id).title == "Winner"


def test_excerpt_is_derived_from_the_body_unless_given(make_post):
    derived = make_post(body_markdown="# Heading\n\n" + "word " * 60, publish=False)
    assert derived.excerpt == "Heading " + " ".join(["word"] * 39) + "…"
    given = make_post(custom_excerpt="A short summary.", publish=False)
    assert given.excerpt == "A short summary."


def test_tags_are_normalised_and_limited(make_post, author):
    post = make_post(tags="Python, django ,python,  Web Dev", publish=False)
    assert post.tags == ["python", "django", "web-dev"]
    with pytest.raises(InvalidInput) as caught:
        services.post_create(author_sub=author.sub, author_name="A", title="T", tags=[f"t{i}" for i in range(11)])
    assert "tags" in caught.value.fields


def test_schedule_needs_a_future_time_and_keeps_the_post_hidden(make_post):
    post = make_post(publish=False)
    with pytest.raises(InvalidInput) as caught:
        services.post_schedule(post_id=post.post_id, version=post.version, publish_at=utcnow() - timedelta(minutes=1))
    assert "publish_at" in caught.value.fields

    when = utcnow() + timedelta(hours=1)
    scheduled = services.post_schedule(post_id=post.post_id, version=post.version, publish_at=when)
    assert scheduled.status == SCHEDULED
    assert post.slug not in services.posts_publish_due(now=utcnow())
    with pytest.raises(selectors.PostNotFound):
        selectors.post_get_published(slug=post.slug)

    published = services.posts_publish_due(now=when + timedelta(seconds=1))
    assert post.slug in published
    visible = selectors.post_get_published(slug=post.slug)
    assert visible.published_at == when
    assert visible.schedule_queue is None
    assert post.slug not in services.posts_publish_due(now=when + timedelta(seconds=2))


def test_delete_removes_the_post_and_its_tag_listing_and_keeps_its_slug_gone(make_post):
    tag = unique_tag()
    post = make_post(tags=[tag])
    services.post_delete(post_id=post.post_id, version=post.version)
    with pytest.raises(selectors.PostNotFound):
        selectors.post_get(post_id=post.post_id)
    assert selectors.published_posts_tagged(tag=tag)[0] == []
    assert Term.get("tag", tag).post_count == 0
    with pytest.raises(PostGone):
        selectors.post_get_published(slug=post.slug)
    assert SlugClaim.get(post.slug).post_id == post.post_id


def test_admin_list_filters_by_status_and_searches_titles(make_post):
    marker = unique_tag()
    draft = make_post(title=f"Draft {marker}", publish=False)
    live = make_post(title=f"Live {marker}")
    assert [p.post_id for p in selectors.post_list(status=DRAFT, search=marker)[0]] == [draft.post_id]
    assert [p.post_id for p in selectors.post_list(status=PUBLISHED, search=marker.upper())[0]] == [live.post_id]
    assert {p.post_id for p in selectors.post_list(search=marker)[0]} == {draft.post_id, live.post_id}


@pytest.fixture
def cloudfront(settings):
    """A moto CloudFront distribution configured as the site's; only the cloudfront client is mocked."""
    with mock_aws():
        aws._client.cache_clear()
        client = boto3.client("cloudfront", region_name="us-east-1")
        distribution = client.create_distribution(
            DistributionConfig={
                "CallerReference": unique_tag(),
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "o",
                            "DomainName": "example.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0},
                "Comment": "blog test",
                "Enabled": True,
            }
        )["Distribution"]["Id"]
        settings.CLOUDFRONT_DISTRIBUTION_ID = distribution

        def invalidations() -> list[list[str]]:
            listed = client.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
            return [
                client.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"][
                    "InvalidationBatch"
                ]["Paths"]["Items"]
                for item in listed
            ]

        yield invalidations
    aws._client.cache_clear()


def test_publishing_invalidates_exactly_the_affected_paths_in_one_request(make_post, author, cloudfront):
    tag = unique_tag()
    post = make_post(tags=[tag], publish=False)
    assert cloudfront() == []  # a draft is invisible: nothing to invalidate

    published = services.post_publish(post_id=post.post_id, version=post.version)
    month = published.published_at.strftime("%Y/%m")
    assert cloudfront() == [
        sorted(
            {
                "/blog/",
                "/blog/rss.xml",
                "/blog/atom.xml",
                "/blog/archive/",
                "/sitemap.xml",
                "/api/blog/posts",
                f"/blog/{post.slug}/",
                f"/api/blog/posts/{post.slug}",
                f"/blog/author/{author.sub}/",
                f"/blog/archive/{month}/",
                f"/blog/tag/{tag}/",
                f"/api/blog/tags/{tag}/posts",
            }
        )
    ]


def test_editing_a_published_post_invalidates_old_and_new_slug_and_tags(make_post, cloudfront):
    old_tag, new_tag = unique_tag(), unique_tag()
    post = make_post(tags=[old_tag])
    before = len(cloudfront())
    services.post_update(
        post_id=post.post_id,
        version=post.version,
        title=post.title,
        body_markdown="x",
        slug=f"n-{new_tag}",
        tags=[new_tag],
    )
    batches = cloudfront()
    assert len(batches) == before + 1
    newest = set(next(b for b in batches if f"/blog/n-{new_tag}/" in b))
    assert {f"/blog/{post.slug}/", f"/blog/n-{new_tag}/", f"/blog/tag/{old_tag}/", f"/blog/tag/{new_tag}/"} <= newest


def test_editing_a_draft_invalidates_nothing(make_post, cloudfront):
    post = make_post(publish=False)
    services.post_update(post_id=post.post_id, version=post.version, title="Changed", body_markdown="x")
    assert cloudfront() == []


def test_scheduled_publishing_invalidates_once_for_the_batch(make_post, cloudfront):
    when = utcnow() + timedelta(minutes=5)
    posts = [make_post(publish=False) for _ in range(2)]
    for post in posts:
        services.post_schedule(post_id=post.post_id, version=post.version, publish_at=when)
    published = services.posts_publish_due(now=when + timedelta(seconds=1))
    assert {p.slug for p in posts} <= set(published)
    batches = cloudfront()
    assert len(batches) == 1
    assert {f"/blog/{p.slug}/" for p in posts} <= set(batches[0])


def test_editing_only_the_text_of_a_published_post_invalidates_its_pages(make_post, cloudfront):
    post = make_post()
    assert len(cloudfront()) == 1  # the publication
    services.post_update(post_id=post.post_id, version=post.version, title="Typo fixed", body_markdown="x")
    batches = cloudfront()
    assert len(batches) == 2
    assert all(f"/blog/{post.slug}/" in batch and "/blog/" in batch for batch in batches)


def test_tags_keep_their_display_name_and_get_distinct_url_safe_slugs(make_post):
    suffix = unique_tag()[4:]
    names = [f"C++{suffix}", f"C{suffix}", f"Node.js{suffix}", f"日本語{suffix}", f"C#{suffix}"]
    post = make_post(tags=names)
    assert post.tags == [
        f"c-plus-plus{suffix}",
        f"c{suffix}",
        f"node-js{suffix}",
        f"日本語{suffix}",
        f"c-sharp{suffix}",
    ]
    assert post.tag_names == names
    assert len(set(post.tags)) == len(names)
    shown = dict(selectors.post_get_published(slug=post.slug).tag_links)
    assert shown[f"c-plus-plus{suffix}"] == f"C++{suffix}"
    assert Term.get("tag", f"日本語{suffix}").display_name == f"日本語{suffix}"


def test_two_tag_names_with_one_slug_are_refused_not_merged(make_post, author):
    suffix = unique_tag()[4:]
    make_post(tags=[f"C++{suffix}"])
    with pytest.raises(InvalidInput) as caught:
        make_post(tags=[f"C plus plus{suffix}"])
    assert "tags" in caught.value.fields
    assert f"C++{suffix}" in caught.value.message
    with pytest.raises(InvalidInput):
        services.post_create(
            author_sub=author.sub, author_name="A", title="T", tags=[f"Node.js{suffix}", f"node js{suffix}"]
        )
    same = make_post(tags=[f"c++{suffix}"])  # the same name in another case is the same tag
    assert same.tags == [f"c-plus-plus{suffix}"]


def test_a_tag_without_a_letter_or_digit_is_refused(author):
    with pytest.raises(InvalidInput) as caught:
        services.post_create(author_sub=author.sub, author_name="A", title="T", tags=["!!!", "…"])
    assert "tags" in caught.value.fields


def test_a_post_create_whose_transaction_was_applied_but_timed_out_is_not_a_conflict(author):
    """botocore gives TransactWriteItems an idempotency token, the same on its retry: DynamoDB answers it as done."""
    from botocore.exceptions import ReadTimeoutError
    from botocore.httpsession import URLLib3Session

    client = Post._get_connection().connection.client
    state = {"done": False}

    def apply_then_time_out(request, **kwargs):
        if state["done"] or not request.headers.get("X-Amz-Target", b"").endswith(b".TransactWriteItems"):
            return None
        state["done"] = True
        URLLib3Session().send(request)
        raise ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register_first("before-send.dynamodb", apply_then_time_out)
    try:
        title = unique_title("Once")
        post = services.post_create(author_sub=author.sub, author_name=author.name, title=title)
    finally:
        client.meta.events.unregister("before-send.dynamodb", apply_then_time_out)
    assert state["done"]
    assert post.slug == title.lower().replace(" ", "-")
    assert selectors.post_get(post_id=post.post_id).title == title
    assert SlugClaim.get(post.slug).post_id == post.post_id
