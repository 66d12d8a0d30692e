"""The authors' API: POST /api/blog/admin/posts/<id>/newsletter emails a published post to the subscribers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from blog.apis._common import IsAuthor
from blog.newsletter.services import newsletter_send_start


class NewsletterSendApi(APIView):
    permission_classes = [IsAuthor]

    class OutputSerializer(serializers.Serializer):
        post_id = serializers.CharField()
        status = serializers.CharField(help_text="`fanning-out` while recipients are queued, then `queued`.")
        requested_by = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=None, responses={202: OutputSerializer}, operation_id="blog_admin_posts_newsletter")
    def post(self, request, post_id: str):
        send = newsletter_send_start(post_id=post_id, requested_by=request.user.sub, actor=request.user)
        return Response(self.OutputSerializer(send).data, status=status.HTTP_202_ACCEPTED)
