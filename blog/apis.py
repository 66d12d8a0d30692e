"""Blog API: the public read API (CORS for configured origins) and the authors' API (403 for others)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.selectors import profile_count, profile_list
from blog import selectors, services
from blog.constants import STATUSES
from blog.rendering import media_url, render_markdown
from mysite import apis
from mysite.apis import PrivateApi, PublicApi, group_permission, validated
from mysite.constants import AUTHORS
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent

CURSOR = OpenApiParameter("cursor", str, description="The `next_cursor` of the previous page.")
LIMIT = OpenApiParameter("limit", int, description="Page size, 1-50 (default 10).")


_validated = validated  # the core's (mysite.apis)


class PageQuery(apis.PageQuery):
    limit = apis.page_limit(maximum=50, default=10)


class RenditionOutput(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    type = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, rendition: dict) -> str:
        return media_url(rendition["key"])


class FeatureImageOutput(serializers.Serializer):
    alt = serializers.CharField(source="feature_image_alt")
    renditions = RenditionOutput(source="feature_image.renditions", many=True)


class PostOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    excerpt = serializers.CharField()
    tags = serializers.ListField(
        child=serializers.CharField(), help_text="URL slugs, as in /api/blog/tags/<slug>/posts."
    )
    tag_names = serializers.ListField(
        child=serializers.CharField(), source="tag_labels", help_text="The tags as written."
    )
    author_name = serializers.CharField()
    author_id = serializers.CharField(source="author_sub")
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    feature_image = serializers.SerializerMethodField()

    @extend_schema_field(FeatureImageOutput(allow_null=True))
    def get_feature_image(self, post) -> dict | None:
        return FeatureImageOutput(post).data if post.feature_image else None


class PostDetailOutput(PostOutput):
    body_html = serializers.CharField()


class PostPageOutput(serializers.Serializer):
    results = PostOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


# --- Public read API -----------------------------------------------------------------------


class PublicReadApi(PublicApi):
    """Anonymous GETs that CloudFront and API Gateway may cache; no session, hence no CSRF or cookies."""

    max_age, s_maxage, stale_while_revalidate = 60, 300, 60


def _post_page(posts, next_cursor) -> dict:
    return {"results": PostOutput(posts, many=True).data, "next_cursor": next_cursor}


class PostListApi(PublicReadApi):
    @extend_schema(parameters=[CURSOR, LIMIT], responses={200: PostPageOutput}, operation_id="blog_posts_list")
    def get(self, request):
        query = _validated(PageQuery, request.query_params)
        return Response(_post_page(*selectors.published_posts(limit=query["limit"], cursor=query.get("cursor"))))


class PostDetailApi(PublicReadApi):
    @extend_schema(responses={200: PostDetailOutput}, operation_id="blog_posts_retrieve")
    def get(self, request, slug: str):
        return Response(PostDetailOutput(selectors.post_get_published(slug=slug)).data)


class TagPostListApi(PublicReadApi):
    @extend_schema(parameters=[CURSOR, LIMIT], responses={200: PostPageOutput}, operation_id="blog_tag_posts_list")
    def get(self, request, tag: str):
        query = _validated(PageQuery, request.query_params)
        return Response(
            _post_page(*selectors.published_posts_tagged(tag=tag, limit=query["limit"], cursor=query.get("cursor")))
        )


# --- Authors' API ----------------------------------------------------------------------------


# Signed in and in the `authors` group; others get 403 (401 without credentials).
IsAuthor = group_permission(AUTHORS, message="Only authors can do this.")


class AuthorApi(PrivateApi):
    permission_classes = [IsAuthor]


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
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    scheduled_for = serializers.DateTimeField(allow_null=True)


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


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class AdminPostListApi(AuthorApi):
    class FilterSerializer(PageQuery):
        status = serializers.ChoiceField(choices=STATUSES, required=False)
        q = serializers.CharField(required=False, max_length=100, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        results = AdminPostOutput(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        parameters=[FilterSerializer], responses={200: OutputSerializer}, operation_id="blog_admin_posts_list"
    )
    def get(self, request):
        query = _validated(self.FilterSerializer, request.query_params)
        posts, next_cursor = selectors.post_list(
            status=query.get("status"), search=query.get("q", ""), limit=query["limit"], cursor=query.get("cursor")
        )
        return Response({"results": AdminPostOutput(posts, many=True).data, "next_cursor": next_cursor})


class AdminPostCreateApi(AuthorApi):
    class InputSerializer(PostContentInput):
        pass

    @extend_schema(
        request=InputSerializer,
        responses={201: AdminPostOutput},
        operation_id="blog_admin_posts_create",
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        data = _validated(self.InputSerializer, request.data)
        post = services.post_create(author_sub=request.user.sub, author_name=request.user.display_name, **data)
        return Response(AdminPostOutput(post).data, status=status.HTTP_201_CREATED)


class AdminPostDetailApi(AuthorApi):
    @extend_schema(responses={200: AdminPostOutput}, operation_id="blog_admin_posts_retrieve")
    def get(self, request, post_id: str):
        return Response(AdminPostOutput(selectors.post_get(post_id=post_id)).data)


class AdminPostUpdateApi(AuthorApi):
    class InputSerializer(PostContentInput, VersionInput):
        pass

    @extend_schema(request=InputSerializer, responses={200: AdminPostOutput}, operation_id="blog_admin_posts_update")
    def post(self, request, post_id: str):
        post = services.post_update(post_id=post_id, **_validated(self.InputSerializer, request.data))
        return Response(AdminPostOutput(post).data)


class AdminPostPublishApi(AuthorApi):
    @extend_schema(request=VersionInput, responses={200: AdminPostOutput}, operation_id="blog_admin_posts_publish")
    def post(self, request, post_id: str):
        post = services.post_publish(post_id=post_id, **_validated(VersionInput, request.data))
        return Response(AdminPostOutput(post).data)


class AdminPostScheduleApi(AuthorApi):
    class InputSerializer(VersionInput):
        publish_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={200: AdminPostOutput}, operation_id="blog_admin_posts_schedule")
    def post(self, request, post_id: str):
        post = services.post_schedule(post_id=post_id, **_validated(self.InputSerializer, request.data))
        return Response(AdminPostOutput(post).data)


class AdminPostUnpublishApi(AuthorApi):
    @extend_schema(request=VersionInput, responses={200: AdminPostOutput}, operation_id="blog_admin_posts_unpublish")
    def post(self, request, post_id: str):
        post = services.post_unpublish(post_id=post_id, **_validated(VersionInput, request.data))
        return Response(AdminPostOutput(post).data)


class AdminPostDeleteApi(AuthorApi):
    @extend_schema(request=VersionInput, responses={204: None}, operation_id="blog_admin_posts_delete")
    def post(self, request, post_id: str):
        services.post_delete(post_id=post_id, **_validated(VersionInput, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AdminPreviewApi(AuthorApi):
    class InputSerializer(serializers.Serializer):
        body_markdown = serializers.CharField(max_length=200_000, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        body_html = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, operation_id="blog_admin_preview")
    def post(self, request):
        body = _validated(self.InputSerializer, request.data)["body_markdown"]
        return Response({"body_html": render_markdown(body, renditions_for=selectors.image_renditions)})


class ImageOutput(serializers.Serializer):
    id = serializers.CharField(source="image_id")
    status = serializers.CharField()
    reason = serializers.CharField()
    filename = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = serializers.SerializerMethodField()

    @extend_schema_field(RenditionOutput(many=True))
    def get_renditions(self, image) -> list[dict]:
        return RenditionOutput(image.renditions or [], many=True).data


class ImageUploadApi(AuthorApi):
    class InputSerializer(serializers.Serializer):
        filename = serializers.CharField(max_length=200)
        content_type = serializers.CharField(max_length=100)
        size = serializers.IntegerField(min_value=0)

    class OutputSerializer(serializers.Serializer):
        class UploadOutput(serializers.Serializer):
            url = serializers.URLField()
            fields = serializers.DictField(child=serializers.CharField())
            key = serializers.CharField()
            max_bytes = serializers.IntegerField()
            expires_in = serializers.IntegerField()

        image = ImageOutput()
        upload = UploadOutput()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, operation_id="blog_admin_images_upload")
    def post(self, request):
        image, upload = services.image_upload_start(
            uploaded_by=request.user.sub, **_validated(self.InputSerializer, request.data)
        )
        return Response({"image": ImageOutput(image).data, "upload": upload}, status=status.HTTP_201_CREATED)


class ImageDetailApi(AuthorApi):
    @extend_schema(responses={200: ImageOutput}, operation_id="blog_admin_images_retrieve")
    def get(self, request, image_id: str):
        return Response(ImageOutput(selectors.image_get(image_id=image_id)).data)


class ReaderListApi(AuthorApi):
    class OutputSerializer(serializers.Serializer):
        class ReaderOutput(serializers.Serializer):
            email = serializers.EmailField()
            display_name = serializers.CharField()
            joined_at = serializers.DateTimeField()
            welcome_email_sent_at = serializers.DateTimeField(allow_null=True)

        count = serializers.IntegerField()
        results = ReaderOutput(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        parameters=[CURSOR, LIMIT], responses={200: OutputSerializer}, operation_id="blog_admin_readers_list"
    )
    def get(self, request):
        query = _validated(PageQuery, request.query_params)
        profiles, next_cursor = profile_list(limit=query["limit"], cursor=query.get("cursor"))
        return Response(
            {
                "count": profile_count(),
                "results": self.OutputSerializer.ReaderOutput(profiles, many=True).data,
                "next_cursor": next_cursor,
            }
        )
