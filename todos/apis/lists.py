"""List (project) endpoints."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import results_output
from mysite.concurrency import IF_MATCH, PRECONDITION_REQUIRED, VersionInput, version_field
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent
from todos import selectors, services
from todos.apis._common import (
    FORMAT_JSON,
    BrowsableFilter,
    StrictSerializer,
    TodosApi,
    expected_version,
    item_response,
    results_response,
    validated,
)
from todos.apis.serializers import ListOutput, position_field


class ListListApi(TodosApi):
    class FilterSerializer(BrowsableFilter):
        class Meta:
            ref_name = "TodosListListFilter"

        archived = serializers.BooleanField(required=False, default=False, help_text="Include archived lists.")

    OutputSerializer = results_output("TodosListListOutput", ListOutput)

    @extend_schema(
        operation_id="todos_lists_list",
        parameters=[FilterSerializer, FORMAT_JSON],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        if not selectors.lists_of(owner=request.user.sub, include_archived=True):
            services.inbox_ensure(owner=request.user.sub)
        include = validated(ListListApi.FilterSerializer, request.query_params)["archived"]
        lists = selectors.lists_of(owner=request.user.sub, include_archived=include)
        return results_response(request, lists, ListOutput)


class ListCreateApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosListCreateInput"

        name = serializers.CharField(max_length=120)
        colour = serializers.ChoiceField(choices=services.COLOURS, default="grey")
        position = position_field(required=False)

    @extend_schema(
        operation_id="todos_lists_create",
        request=InputSerializer,
        responses={201: ListOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        data = validated(ListCreateApi.InputSerializer, request.data)
        todo_list = services.list_create(owner=request.user.sub, **data)
        location = reverse("todos-api:list", args=[todo_list.list_id])
        return item_response(request, todo_list, ListOutput, status=status.HTTP_201_CREATED, location=location)


class ListsApi(ListListApi, ListCreateApi):
    """GET: the user's lists; POST: a new list."""


class ListDetailApi(TodosApi):
    @extend_schema(operation_id="todos_lists_retrieve", responses={200: ListOutput})
    def get(self, request, list_id: str):
        todo_list = services.on_list(
            user=request.user,
            list_id=list_id,
            edit=False,
            run=lambda owner: selectors.list_get(owner=owner, list_id=list_id),
        )
        return item_response(request, todo_list, ListOutput)


class ListUpdateApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosListUpdateInput"

        name = serializers.CharField(max_length=120, required=False)
        colour = serializers.ChoiceField(choices=services.COLOURS, required=False)
        position = position_field(required=False)
        archived = serializers.BooleanField(required=False)
        version = version_field()

    @extend_schema(
        operation_id="todos_lists_update",
        request=InputSerializer,
        responses={200: ListOutput, 428: PRECONDITION_REQUIRED},
        parameters=[IF_MATCH],
    )
    def patch(self, request, list_id: str):
        data = validated(ListUpdateApi.InputSerializer, request.data, partial=True)
        version = expected_version(request, data, required=True)
        todo_list = services.on_list(
            user=request.user,
            list_id=list_id,
            owner_only=True,
            run=lambda owner: services.list_update(owner=owner, list_id=list_id, expected_version=version, **data),
        )
        return item_response(request, todo_list, ListOutput)


class ListDeleteApi(TodosApi):
    @extend_schema(
        operation_id="todos_lists_destroy",
        request=VersionInput,
        responses={204: None, 428: PRECONDITION_REQUIRED},
        parameters=[IF_MATCH],
        description="Moves the list and its tasks to the Trash (trash id `list-<id>`) for 30 days.",
    )
    def delete(self, request, list_id: str):
        version = expected_version(request, validated(VersionInput, request.data), required=True)
        services.on_list(
            user=request.user,
            list_id=list_id,
            owner_only=True,
            run=lambda owner: services.list_delete(owner=owner, list_id=list_id, expected_version=version),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListApi(ListDetailApi, ListUpdateApi, ListDeleteApi):
    """GET, PATCH, DELETE one list."""
