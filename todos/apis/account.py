"""Per-user endpoints across lists: labels, incremental sync, temporary AWS credentials."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from mysite import cognito
from mysite.auth import InvalidToken, session_refresh_token, verify_token
from mysite.errors import Forbidden, InvalidInput
from mysite.schema import ErrorSerializer
from todos import selectors, services
from todos.apis._common import TodosApi, private_response, unstored_response
from todos.apis.serializers import AttachmentOutput, ListOutput, TaskOutput
from todos.errors import CredentialsNotConfigured


class LabelListApi(TodosApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosLabelListOutput"

        class LabelSerializer(serializers.Serializer):
            name = serializers.CharField()
            count = serializers.IntegerField(help_text="Open tasks with this label.")

        results = LabelSerializer(many=True)

    @extend_schema(operation_id="todos_labels_list", responses={200: OutputSerializer})
    def get(self, request):
        labels = selectors.labels_with_counts(owner=request.user.sub)
        body = self.OutputSerializer({"results": [{"name": n, "count": c} for n, c in labels]}).data
        return private_response(request, body)


class SyncApi(TodosApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosSyncOutput"

        class SharedListRoleSerializer(serializers.Serializer):
            list_id = serializers.CharField()
            role = serializers.ChoiceField(choices=services.ROLES)
            owner_name = serializers.CharField()

        class DeletedSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(choices=["list", "task", "attachment"])
            id = serializers.CharField(source="item_id")

        full = serializers.BooleanField(help_text="True: this is everything; replace the offline copy.")
        lists = ListOutput(many=True)
        tasks = TaskOutput(many=True)
        attachments = AttachmentOutput(many=True)
        deleted = DeletedSerializer(many=True)
        shared = SharedListRoleSerializer(many=True, help_text="The lists shared with you, and your role in each.")
        sync_token = serializers.CharField(source="token")

    @extend_schema(
        operation_id="todos_sync",
        parameters=[OpenApiParameter("since", str, description="The sync_token of your last sync; omit for all.")],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        changes = selectors.changes_since(owner=request.user.sub, token=request.query_params.get("since"))
        return unstored_response(self.OutputSerializer(changes).data)


class CredentialsApi(TodosApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosCredentialsOutput"

        identity_id = serializers.CharField()
        access_key_id = serializers.CharField()
        secret_access_key = serializers.CharField()
        session_token = serializers.CharField()
        expiration = serializers.DateTimeField()
        region = serializers.CharField()
        bucket = serializers.CharField()
        prefix = serializers.CharField(help_text="The only key prefix these credentials admit.")

    @extend_schema(
        operation_id="todos_credentials",
        parameters=[
            OpenApiParameter(
                "X-Id-Token", str, OpenApiParameter.HEADER, description="Bearer clients: your Cognito ID token."
            )
        ],
        responses={
            200: OutputSerializer,
            501: OpenApiResponse(ErrorSerializer, description="This stage has no Cognito identity pool"),
        },
    )
    def get(self, request):
        if not services.identity_pool_configured():
            raise CredentialsNotConfigured()
        credentials = services.credentials_for(owner=request.user.sub, id_token=self._id_token(request))
        return unstored_response(credentials)

    def _id_token(self, request) -> str:
        """The caller's ID token: sent along by API clients, refreshed from the session for browsers."""
        token = request.headers.get("X-Id-Token")
        if not token:
            refresh = session_refresh_token(request._request) if hasattr(request._request, "session") else None
            if request.auth is not None or not refresh:
                raise InvalidInput("Send your Cognito ID token in the X-Id-Token header.", field="X-Id-Token")
            token = cognito.refresh_tokens(refresh_token=refresh)["IdToken"]
        try:
            claims = verify_token(token, token_use="id")
        except InvalidToken as error:
            raise InvalidInput(f"The ID token is not valid: {error}.", field="X-Id-Token") from error
        if claims["sub"] != request.user.sub:
            raise Forbidden("The ID token belongs to another user.")
        return token
