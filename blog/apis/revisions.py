"""The authors' revisions API: a post's saves, newest first, and restoring one as a new save."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from blog import selectors, services
from blog.apis._common import CURSOR, IF_MATCH, LIMIT, PRECONDITION_REQUIRED, PageQuery, expected_version, validated
from blog.apis.posts import AdminPostOutput, PostApi, VersionConflictOutput, by
from mysite.apis import results_output
from mysite.concurrency import VersionInput


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    action = serializers.CharField()
    saved_at = serializers.DateTimeField()
    saved_by_id = serializers.CharField(source="saved_by_sub")
    saved_by_name = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    slug = serializers.CharField()
    body_markdown = serializers.CharField()
    custom_excerpt = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField(), source="tag_names")
    feature_image_id = serializers.CharField(allow_null=True)
    feature_image_alt = serializers.CharField()
    restored_from = serializers.IntegerField(allow_null=True)


class RevisionListApi(PostApi):
    OutputSerializer = results_output("RevisionListApiOutput", RevisionOutput, paged=True)

    @extend_schema(
        parameters=[CURSOR, LIMIT], responses={200: OutputSerializer}, operation_id="blog_admin_revisions_list"
    )
    def get(self, request, post_id: str):
        query = validated(PageQuery, request.query_params)
        selectors.post_get(post_id=post_id, actor=request.user)  # 404 for a post that is not there (for them)
        revisions, next_cursor = selectors.post_revisions(
            post_id=post_id, limit=query["limit"], cursor=query.get("cursor")
        )
        return Response(self.OutputSerializer({"results": revisions, "next_cursor": next_cursor}).data)


class RevisionRestoreApi(PostApi):
    @extend_schema(
        request=VersionInput,
        parameters=[IF_MATCH],
        responses={200: AdminPostOutput, 409: VersionConflictOutput, 428: PRECONDITION_REQUIRED},
        operation_id="blog_admin_revisions_restore",
    )
    def post(self, request, post_id: str, number: int):
        data = validated(VersionInput, request.data)
        version = expected_version(request, data, required=True)
        post = services.post_restore(
            post_id=post_id, number=number, version=version, by=by(request), actor=request.user
        )
        return self.answer(request, post)
