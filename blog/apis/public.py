"""The public read API: published posts, one post, a tag's posts (CORS for configured origins, cacheable)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from blog import selectors
from blog.apis._common import CURSOR, LIMIT, PageQuery, validated
from blog.errors import PostMoved
from blog.rendering import media_url
from mysite.apis import PublicApi, results_output


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


class BylineOutput(serializers.Serializer):
    id = serializers.CharField(source="sub")
    name = serializers.CharField()


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
    author_name = serializers.CharField(help_text="The primary author's name (the first of `authors`).")
    author_id = serializers.CharField(source="author_sub")
    authors = BylineOutput(many=True, source="bylines", help_text="Every author, primary first.")
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    feature_image = serializers.SerializerMethodField()

    @extend_schema_field(FeatureImageOutput(allow_null=True))
    def get_feature_image(self, post) -> dict | None:
        return FeatureImageOutput(post).data if post.feature_image else None


class PostDetailOutput(PostOutput):
    body_html = serializers.CharField()


PostPageOutput = results_output("PostPageOutput", PostOutput, paged=True)


def post_page(posts, next_cursor) -> dict:
    """A page of posts, as PostPageOutput shows it (the one source of its body and its schema)."""
    return PostPageOutput({"results": posts, "next_cursor": next_cursor}).data


class PublicReadApi(PublicApi):
    """Anonymous GETs that CloudFront and API Gateway may cache; no session, hence no CSRF or cookies."""

    max_age = 60
    s_maxage = 300
    stale_while_revalidate = 60


class PostListApi(PublicReadApi):
    @extend_schema(parameters=[CURSOR, LIMIT], responses={200: PostPageOutput}, operation_id="blog_posts_list")
    def get(self, request):
        query = validated(PageQuery, request.query_params)
        return Response(post_page(*selectors.published_posts(limit=query["limit"], cursor=query.get("cursor"))))


class PostDetailApi(PublicReadApi):
    @extend_schema(responses={200: PostDetailOutput}, operation_id="blog_posts_retrieve")
    def get(self, request, slug: str):
        try:
            post = selectors.post_get_published(slug=slug)
        except PostMoved as moved:  # an earlier slug: 301 to where the post is now
            return Response(status=301, headers={"Location": reverse("blog-api:post", args=[moved.slug])})
        return Response(PostDetailOutput(post).data)


class TagPostListApi(PublicReadApi):
    @extend_schema(parameters=[CURSOR, LIMIT], responses={200: PostPageOutput}, operation_id="blog_tag_posts_list")
    def get(self, request, tag: str):
        query = validated(PageQuery, request.query_params)
        return Response(
            post_page(*selectors.published_posts_tagged(tag=tag, limit=query["limit"], cursor=query.get("cursor")))
        )
