"""Attachment endpoints: start an upload (presigned POST), complete it, list, download, delete."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite import storage
from mysite.apis import UploadOutput, results_output
from todos import selectors, services
from todos.apis._common import (
    StrictSerializer,
    TodosApi,
    private_response,
    results_response,
    unstored_response,
    validated,
)
from todos.apis.serializers import AttachmentOutput


def _attachment(request, task_id: str, attachment_id: str):
    """An attachment of a task the caller may read (theirs, or in a list shared with them)."""
    return services.on_task(
        user=request.user,
        task_id=task_id,
        edit=False,
        run=lambda owner: selectors.attachment_get(owner=owner, task_id=task_id, attachment_id=attachment_id),
    )


class AttachmentListApi(TodosApi):
    OutputSerializer = results_output("TodosAttachmentListOutput", AttachmentOutput)

    @extend_schema(operation_id="todos_attachments_list", responses={200: OutputSerializer})
    def get(self, request, task_id: str):
        def read(owner: str):
            selectors.task_get(owner=owner, task_id=task_id)
            return selectors.attachments_of(owner=owner, task_id=task_id)

        attachments = services.on_task(user=request.user, task_id=task_id, edit=False, run=read)
        return results_response(request, attachments, AttachmentOutput)


class AttachmentStartApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosAttachmentStartInput"

        file_name = serializers.CharField(max_length=services.MAX_FILE_NAME)
        size = serializers.IntegerField(min_value=1, help_text="Bytes; at most 25 MB.")
        content_type = serializers.CharField(max_length=100, required=False, default="application/octet-stream")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosAttachmentStartOutput"

        attachment = AttachmentOutput()
        upload = UploadOutput()

    @extend_schema(
        operation_id="todos_attachments_create",
        request=InputSerializer,
        responses={201: OutputSerializer},
        description="POST the file to `upload.url` with `upload.fields` (multipart), then call `complete`.",
    )
    def post(self, request, task_id: str):
        data = validated(AttachmentStartApi.InputSerializer, request.data)
        attachment, upload = services.on_task(
            user=request.user,
            task_id=task_id,
            run=lambda owner: services.attachment_start(owner=owner, task_id=task_id, **data),
        )
        body = AttachmentStartApi.OutputSerializer({"attachment": attachment, "upload": upload}).data
        location = reverse("todos-api:attachment", args=[task_id, attachment.attachment_id])
        return private_response(request, body, status=status.HTTP_201_CREATED, location=location)


class AttachmentsApi(AttachmentListApi, AttachmentStartApi):
    """GET: a task's attachments; POST: start an upload."""


class AttachmentDetailApi(TodosApi):
    @extend_schema(operation_id="todos_attachments_retrieve", responses={200: AttachmentOutput})
    def get(self, request, task_id: str, attachment_id: str):
        attachment = _attachment(request, task_id, attachment_id)
        return private_response(request, AttachmentOutput(attachment).data)


class AttachmentDeleteApi(TodosApi):
    @extend_schema(operation_id="todos_attachments_destroy", responses={204: None})
    def delete(self, request, task_id: str, attachment_id: str):
        services.on_task(
            user=request.user,
            task_id=task_id,
            run=lambda owner: services.attachment_delete(owner=owner, task_id=task_id, attachment_id=attachment_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentApi(AttachmentDetailApi, AttachmentDeleteApi):
    """GET or DELETE one attachment."""


class AttachmentCompleteApi(TodosApi):
    @extend_schema(
        operation_id="todos_attachments_complete",
        request=None,
        responses={200: AttachmentOutput},
        description="Checks the object in S3 (exists, at most 25 MB) and marks the attachment ready.",
    )
    def post(self, request, task_id: str, attachment_id: str):
        attachment = services.on_task(
            user=request.user,
            task_id=task_id,
            run=lambda owner: services.attachment_complete(owner=owner, task_id=task_id, attachment_id=attachment_id),
        )
        return private_response(request, AttachmentOutput(attachment).data)


class AttachmentDownloadApi(TodosApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosAttachmentDownloadOutput"

        url = serializers.URLField()
        expires_in = serializers.IntegerField()

    @extend_schema(
        operation_id="todos_attachments_download",
        parameters=[
            OpenApiParameter("redirect", bool, description="Answer 302 to the URL instead of JSON."),
            OpenApiParameter("inline", bool, description="Display in the browser instead of downloading."),
        ],
        responses={200: OutputSerializer, 302: None},
    )
    def get(self, request, task_id: str, attachment_id: str):
        attachment = _attachment(request, task_id, attachment_id)
        inline = request.query_params.get("inline") in {"1", "true"}
        url = services.attachment_download_url(attachment=attachment, inline=inline)
        if request.query_params.get("redirect") in {"1", "true"}:
            return HttpResponseRedirect(url)
        return unstored_response(
            self.OutputSerializer({"url": url, "expires_in": storage.DOWNLOAD_EXPIRES_SECONDS}).data
        )
