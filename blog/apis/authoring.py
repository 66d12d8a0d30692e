"""The authors' other APIs: the editor's preview, image uploads, and the readers list."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.selectors import profile_count, profile_list
from blog import permissions, selectors, services
from blog.apis._common import CURSOR, LIMIT, AuthorApi, PageQuery, RoleRequired, validated
from blog.apis.public import RenditionOutput
from blog.rendering import render_markdown
from blog.services.images import ACCEPTED_CONTENT_TYPES, image_max_bytes
from mysite.apis import UploadOutput
from mysite.parsers import SafeJSONParser


class AdminPreviewApi(AuthorApi):
    parser_classes = [SafeJSONParser]  # the editor sends its Markdown as JSON; a form body is a 415

    class InputSerializer(serializers.Serializer):
        body_markdown = serializers.CharField(max_length=200_000, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        body_html = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, operation_id="blog_admin_preview")
    def post(self, request):
        body = validated(self.InputSerializer, request.data)["body_markdown"]
        body_html = render_markdown(body, renditions_for=selectors.image_renditions)
        return Response(self.OutputSerializer({"body_html": body_html}).data)


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


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": image_max_bytes()})
class ImageSizeField(serializers.IntegerField):
    """Bytes; over the maximum the service answers 413 (too large), not a 400."""


class ImageUploadApi(AuthorApi):
    class InputSerializer(serializers.Serializer):
        filename = serializers.CharField(max_length=200)
        content_type = serializers.ChoiceField(
            choices=sorted(ACCEPTED_CONTENT_TYPES),
            error_messages={"invalid_choice": "Upload a JPEG, PNG, WebP or GIF image."},
        )
        size = ImageSizeField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        image = ImageOutput()
        upload = UploadOutput()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, operation_id="blog_admin_images_upload")
    def post(self, request):
        image, upload = services.image_upload_start(
            uploaded_by=request.user.sub, **validated(self.InputSerializer, request.data)
        )
        response = Response(
            self.OutputSerializer({"image": image, "upload": upload}).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = reverse("blog-api:image-detail", args=[image.image_id])
        return response


class ImageDetailApi(AuthorApi):
    @extend_schema(responses={200: ImageOutput}, operation_id="blog_admin_images_retrieve")
    def get(self, request, image_id: str):
        return Response(ImageOutput(selectors.image_get(image_id=image_id)).data)


class ReaderListApi(AuthorApi):
    """Editors and administrators only (403 for the other roles)."""

    permission_classes = [RoleRequired]
    role_check = staticmethod(permissions.can_see_readers)

    class OutputSerializer(serializers.Serializer):
        class ReaderOutput(serializers.Serializer):
            email = serializers.EmailField()
            display_name = serializers.CharField()
            joined_at = serializers.DateTimeField()
            welcome_email_sent_at = serializers.DateTimeField(allow_null=True)

        count = serializers.IntegerField(help_text="Every reader, from the counts sign-ups keep (not a recount).")
        results = ReaderOutput(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        parameters=[CURSOR, LIMIT], responses={200: OutputSerializer}, operation_id="blog_admin_readers_list"
    )
    def get(self, request):
        query = validated(PageQuery, request.query_params)
        profiles, next_cursor = profile_list(limit=query["limit"], cursor=query.get("cursor"))
        body = {"count": profile_count(), "results": profiles, "next_cursor": next_cursor}
        return Response(self.OutputSerializer(body).data)
