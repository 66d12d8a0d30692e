"""The authors' posts API: `admin/posts` lists and creates; `admin/posts/<id>` reads, edits, deletes; actions by POST.

Writes follow docs/api-conventions.md: the version read comes as `If-Match: "v<N>"` or `version` in
the body (required for PATCH and DELETE, optional for the actions, which are safe to repeat); a
stale one answers 409 `version_conflict` with the post as it is now under `current`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from blog import selectors, services
from blog.apis._common import (
    IF_MATCH,
    IF_NONE_MATCH,
    PRECONDITION_REQUIRED,
    AuthorApi,
    DeprecatedAlias,
    PageQuery,
    expected_version,
    item_response,
    validated,
)
from blog.apis.public import BylineOutput
from blog.constants import STATUSES
from mysite.apis import results_output
from mysite.concurrency import VersionInput, version_field
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent

if TYPE_CHECKING:
    from blog.models import Post


class AdminPostOutput(serializers.Serializer):
    id = serializers.CharField(source="post_id")
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES)
    title = serializers.CharField()
    slug = serializers.CharField()
    body_markdown = serializers.CharField()
    body_html = serializers.CharField()
    custom_excerpt = serializers.CharField()
    excerpt = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    feature_image_id = serializers.CharField(allow_null=True)
    feature_image_alt = serializers.CharField()
    author_id = serializers.CharField(source="author_sub")
    author_name = serializers.CharField()
    authors = BylineOutput(many=True, source="bylines", help_text="Every author, primary first.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    scheduled_for = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="When its writer submitted the draft for review (null once published)."
    )


class VersionConflictOutput(serializers.Serializer):
    class ErrorOutput(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        current = AdminPostOutput(allow_null=True, help_text="The post as it is now (null once deleted).")

    error = ErrorOutput()


class PostContentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body_markdown = serializers.CharField(max_length=200_000, allow_blank=True, required=False, default="")
    slug = serializers.CharField(max_length=80, allow_blank=True, required=False, default="")
    custom_excerpt = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=10, required=False, default=list
    )
    feature_image_id = serializers.CharField(
        max_length=32, allow_null=True, allow_blank=True, required=False, default=None
    )
    feature_image_alt = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class PostApi(AuthorApi):
    """An authors' post API: a version conflict answers with the post as this API shows it."""

    current_output = AdminPostOutput

    def answer(self, request, post, *, status: int = 200, location: str | None = None) -> Response:
        return item_response(
            request, AdminPostOutput(post).data, version=post.version, status=status, location=location
        )


def by(request) -> services.SavedBy:
    """The signed-in author, as the post's history names them."""
    return services.SavedBy(request.user.sub, request.user.display_name)


def _post_url(post) -> str:
    return reverse("blog-api:admin-post", args=[post.post_id])


class AdminPostListApi(PostApi):
    """GET lists the posts (paginated); POST creates a draft (201, Location, Idempotency-Key)."""

    class FilterSerializer(PageQuery):
        status = serializers.ChoiceField(choices=STATUSES, required=False)
        q = serializers.CharField(required=False, max_length=100, allow_blank=True)
        coauthored = serializers.BooleanField(
            required=False,
            default=False,
            help_text="true: the posts you co-write without being their primary author (status and q do not apply).",
        )

    OutputSerializer = results_output("AdminPostListApiOutput", AdminPostOutput, paged=True)

    class InputSerializer(PostContentInput):
        pass

    @extend_schema(
        parameters=[FilterSerializer], responses={200: OutputSerializer}, operation_id="blog_admin_posts_list"
    )
    def get(self, request):
        query = validated(self.FilterSerializer, request.query_params)
        if query["coauthored"]:
            posts, next_cursor = selectors.posts_coauthored(
                author_sub=request.user.sub, limit=query["limit"], cursor=query.get("cursor")
            )
            return Response(self.OutputSerializer({"results": posts, "next_cursor": next_cursor}).data)
        posts, next_cursor = selectors.post_list(
            status=query.get("status"),
            search=query.get("q", ""),
            limit=query["limit"],
            cursor=query.get("cursor"),
            actor=request.user,
        )
        return Response(self.OutputSerializer({"results": posts, "next_cursor": next_cursor}).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: AdminPostOutput},
        operation_id="blog_admin_posts_create",
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        post = services.post_create(
            author_sub=request.user.sub,
            author_name=request.user.display_name,
            by=by(request),
            actor=request.user,
            **data,
        )
        return self.answer(request, post, status=status.HTTP_201_CREATED, location=_post_url(post))


class AdminPostDetailApi(PostApi):
    """GET reads a post (ETag, 304); PATCH edits the fields given; DELETE removes it (204)."""

    class PatchSerializer(VersionInput):
        title = serializers.CharField(max_length=200, required=False)
        body_markdown = serializers.CharField(max_length=200_000, allow_blank=True, required=False)
        slug = serializers.CharField(max_length=80, allow_blank=True, required=False)
        custom_excerpt = serializers.CharField(max_length=500, allow_blank=True, required=False)
        tags = serializers.ListField(child=serializers.CharField(max_length=60), max_length=10, required=False)
        feature_image_id = serializers.CharField(max_length=32, allow_null=True, allow_blank=True, required=False)
        feature_image_alt = serializers.CharField(max_length=300, allow_blank=True, required=False)

    @extend_schema(
        parameters=[IF_NONE_MATCH], responses={200: AdminPostOutput}, operation_id="blog_admin_posts_retrieve"
    )
    def get(self, request, post_id: str):
        return self.answer(request, selectors.post_get(post_id=post_id, actor=request.user))

    @extend_schema(
        request=PatchSerializer,
        parameters=[IF_MATCH],
        responses={200: AdminPostOutput, 409: VersionConflictOutput, 428: PRECONDITION_REQUIRED},
        operation_id="blog_admin_posts_partial_update",
    )
    def patch(self, request, post_id: str):
        data = validated(self.PatchSerializer, request.data)
        version = expected_version(request, data, required=True)
        keep_image = "feature_image_id" not in data
        post = services.post_update(
            post_id=post_id, version=version, keep_feature_image=keep_image, by=by(request), actor=request.user, **data
        )
        return self.answer(request, post)

    @extend_schema(
        request=VersionInput,
        parameters=[IF_MATCH],
        responses={204: None, 409: VersionConflictOutput, 428: PRECONDITION_REQUIRED},
        operation_id="blog_admin_posts_destroy",
    )
    def delete(self, request, post_id: str):
        data = validated(VersionInput, request.data)
        services.post_delete(
            post_id=post_id, version=expected_version(request, data, required=True), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def post_action_schema(operation_id: str, *, request: type[serializers.Serializer] = VersionInput):
    """The schema of a post action: the version read (body or If-Match) in, the post back, 409 when stale."""
    return extend_schema(
        request=request,
        parameters=[IF_MATCH],
        responses={200: AdminPostOutput, 409: VersionConflictOutput},
        operation_id=operation_id,
    )


# `POST admin/posts/<id>/<action>`. (No docstring: the schema describes each action with PostApi's.)
class PostActionApi(PostApi):
    InputSerializer: type[serializers.Serializer] = VersionInput

    def act(self, request, post_id: str, action: Callable[..., Post]) -> Response:
        """`action(post_id=, version=, by=, **fields)` with the version read, then the post as it is now."""
        data = validated(self.InputSerializer, request.data)
        version = expected_version(request, data)
        post = action(post_id=post_id, version=version, by=by(request), actor=request.user, **data)
        return self.answer(request, post)


class AdminPostPublishApi(PostActionApi):
    @post_action_schema("blog_admin_posts_publish")
    def post(self, request, post_id: str):
        return self.act(request, post_id, services.post_publish)


class AdminPostScheduleApi(PostActionApi):
    class InputSerializer(VersionInput):
        publish_at = serializers.DateTimeField()

    @post_action_schema("blog_admin_posts_schedule", request=InputSerializer)
    def post(self, request, post_id: str):
        return self.act(request, post_id, services.post_schedule)


class AdminPostSubmitApi(PostActionApi):
    @post_action_schema("blog_admin_posts_submit")
    def post(self, request, post_id: str):
        return self.act(request, post_id, services.post_submit)


class AdminPostAuthorsApi(PostActionApi):
    class InputSerializer(VersionInput):
        author_ids = serializers.ListField(
            child=serializers.CharField(max_length=64),
            min_length=1,
            max_length=10,
            help_text="Every author's id (staff only), the primary first; 422 `unknown_author` for anyone else.",
        )

    @post_action_schema("blog_admin_posts_authors", request=InputSerializer)
    def post(self, request, post_id: str):
        return self.act(request, post_id, services.post_authors_set)


class AdminPostUnpublishApi(PostActionApi):
    @post_action_schema("blog_admin_posts_unpublish")
    def post(self, request, post_id: str):
        return self.act(request, post_id, services.post_unpublish)


# --- The earlier routes, answering for one release -------------------------------------------------


class LegacyPostUpdateApi(DeprecatedAlias, PostApi):
    """`POST admin/posts/<id>/update` (every field, `version` in the body): now `PATCH admin/posts/<id>`."""

    successor_name = "blog-api:admin-post"

    class InputSerializer(PostContentInput):
        version = version_field(required=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: AdminPostOutput, 409: VersionConflictOutput},
        operation_id="blog_admin_posts_update_deprecated",
        deprecated=True,
    )
    def post(self, request, post_id: str):
        return self.answer(
            request,
            services.post_update(
                post_id=post_id, by=by(request), actor=request.user, **validated(self.InputSerializer, request.data)
            ),
        )


class LegacyPostDeleteApi(DeprecatedAlias, PostApi):
    """`POST admin/posts/<id>/delete` (`version` in the body): now `DELETE admin/posts/<id>`."""

    successor_name = "blog-api:admin-post"

    class InputSerializer(serializers.Serializer):
        version = version_field(required=True)

    @extend_schema(
        request=InputSerializer,
        responses={204: None, 409: VersionConflictOutput},
        operation_id="blog_admin_posts_delete_deprecated",
        deprecated=True,
    )
    def post(self, request, post_id: str):
        services.post_delete(post_id=post_id, actor=request.user, **validated(self.InputSerializer, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)
