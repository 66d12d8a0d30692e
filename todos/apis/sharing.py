"""Shared-list endpoints: invitations (sent, received, answered), members and their roles, leaving, activity.

The tasks of a shared list are read and written through the usual task endpoints (todos.apis.tasks):
the membership decides there too. Every decision is in todos.selectors.sharing.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import results_output
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent
from todos import selectors, services
from todos.apis._common import StrictSerializer, TodosApi, private_response, results_response, validated
from todos.apis.serializers import ListOutput

ROLES = services.ROLES
ROLE_HELP = "viewer: reads the list; editor: also adds, changes, completes and deletes its tasks."


class InviteOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosInvite"

    id = serializers.CharField(source="invite_id")
    list_id = serializers.CharField()
    list_name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=ROLES)
    invited_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class MemberOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosMember"

    id = serializers.CharField(
        source="member", help_text="The member's user id; `DELETE …/members/<id>` with your own id leaves."
    )
    display_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True, help_text="Shown to the list's owner only.")
    role = serializers.ChoiceField(choices=ROLES)
    joined_at = serializers.DateTimeField()

    def to_representation(self, member):
        body = super().to_representation(member)
        if not self.context.get("with_email"):
            body["email"] = None
        return body


class SharedListOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosSharedList"

    list = ListOutput(source="todo_list")
    role = serializers.ChoiceField(source="membership.role", choices=ROLES)
    owner_name = serializers.CharField(source="membership.owner_name")
    joined_at = serializers.DateTimeField(source="membership.joined_at")


class ActivityOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosActivity"

    actor_id = serializers.CharField(source="actor")
    actor_name = serializers.CharField()
    action = serializers.CharField(help_text='What was done: "added", "completed", "joined", "left", …')
    subject = serializers.CharField(help_text="The task's title, when a task was acted on.")
    task_id = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class ListInvitesApi(TodosApi):
    """GET: a list's pending invitations (its owner's); POST: invite someone by email."""

    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosInviteCreateInput"

        email = serializers.EmailField(max_length=254, help_text="Their email; an account is not needed yet.")
        role = serializers.ChoiceField(choices=ROLES, default="editor", help_text=ROLE_HELP)

    @extend_schema(
        operation_id="todos_list_invites_list", responses={200: results_output("TodosInviteListOutput", InviteOutput)}
    )
    def get(self, request, list_id: str):
        access = selectors.list_access(actor=request.user.sub, list_id=list_id)
        return results_response(request, selectors.invites_of_list(access=access), InviteOutput)

    @extend_schema(
        operation_id="todos_list_invites_create",
        request=InputSerializer,
        responses={201: InviteOutput},
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Mails an invitation link. The answer is the same whether or not the address has an account; "
            "inviting a pending address again renews its invitation. The Inbox cannot be shared."
        ),
    )
    @idempotent
    def post(self, request, list_id: str):
        data = validated(ListInvitesApi.InputSerializer, request.data)
        invite = services.list_share(user=request.user, list_id=list_id, **data)
        location = reverse("todos-api:list-invite", args=[list_id, invite.invite_id])
        return private_response(request, InviteOutput(invite).data, status=status.HTTP_201_CREATED, location=location)


class ListInviteApi(TodosApi):
    @extend_schema(operation_id="todos_list_invites_destroy", responses={204: None})
    def delete(self, request, list_id: str, invite_id: str):
        """The owner withdraws a pending invitation."""
        services.invite_cancel(user=request.user, list_id=list_id, invite_id=invite_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListMembersApi(TodosApi):
    @extend_schema(
        operation_id="todos_list_members_list", responses={200: results_output("TodosMemberListOutput", MemberOutput)}
    )
    def get(self, request, list_id: str):
        """The list's members besides its owner (the owner and every member may see who is in)."""
        access = selectors.list_access(actor=request.user.sub, list_id=list_id)
        members = selectors.members_of(access=access)
        return results_response(request, members, MemberOutput, context={"with_email": access.is_owner})


class ListMemberApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosMemberUpdateInput"

        role = serializers.ChoiceField(choices=ROLES, required=False, help_text=ROLE_HELP)

    @extend_schema(operation_id="todos_list_members_update", request=InputSerializer, responses={200: MemberOutput})
    def patch(self, request, list_id: str, member: str):
        """The owner changes a member's role."""
        data = validated(ListMemberApi.InputSerializer, request.data, partial=True)
        membership = services.member_role_set(user=request.user, list_id=list_id, member=member, **data)
        return private_response(request, MemberOutput(membership, context={"with_email": True}).data)

    @extend_schema(operation_id="todos_list_members_destroy", responses={204: None})
    def delete(self, request, list_id: str, member: str):
        """The owner removes a member; a member passing their own id (or `me`) leaves the list."""
        member = request.user.sub if member == "me" else member
        services.member_remove(user=request.user, list_id=list_id, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListActivityApi(TodosApi):
    @extend_schema(
        operation_id="todos_list_activity", responses={200: results_output("TodosActivityListOutput", ActivityOutput)}
    )
    def get(self, request, list_id: str):
        """Who did what on a shared list, newest first (the last 50, kept 90 days)."""
        access = selectors.list_access(actor=request.user.sub, list_id=list_id)
        return results_response(request, selectors.activity_of(access=access), ActivityOutput)


class SharedListsApi(TodosApi):
    @extend_schema(
        operation_id="todos_shared_lists",
        responses={200: results_output("TodosSharedListListOutput", SharedListOutput)},
    )
    def get(self, request):
        """The lists other people shared with you, by name; their tasks: `GET /api/todos/tasks?list_id=…`."""
        shared = selectors.shared_with(member=request.user.sub)
        return results_response(request, shared, SharedListOutput)


class MyInvitesApi(TodosApi):
    @extend_schema(
        operation_id="todos_invites_list", responses={200: results_output("TodosMyInviteListOutput", InviteOutput)}
    )
    def get(self, request):
        """The pending invitations to your (verified) email address, newest first."""
        return results_response(request, selectors.invites_for(email=request.user.email), InviteOutput)


class InviteAcceptApi(TodosApi):
    @extend_schema(operation_id="todos_invites_accept", request=None, responses={200: SharedListOutput})
    def post(self, request, invite_id: str):
        """Join the list of an invitation to your email; 404 for any other invitation."""
        membership = services.invite_accept(user=request.user, invite_id=invite_id)
        todo_list = selectors.list_get(owner=membership.owner, list_id=membership.list_id)
        return private_response(request, SharedListOutput({"todo_list": todo_list, "membership": membership}).data)


class InviteDeclineApi(TodosApi):
    @extend_schema(operation_id="todos_invites_decline", request=None, responses={204: None})
    def post(self, request, invite_id: str):
        """Turn down an invitation to your email."""
        services.invite_decline(user=request.user, invite_id=invite_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
