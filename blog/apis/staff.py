"""The blog's staff API (administrators): who holds which role, and changing a user's role."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from blog import permissions
from blog.apis._common import AuthorApi, RoleRequired, validated
from blog.services import staff
from mysite.apis import results_output


class StaffMemberOutput(serializers.Serializer):
    id = serializers.CharField(source="sub")
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=permissions.ROLES, allow_null=True, help_text="Null: no blog role.")


class StaffApi(AuthorApi):
    """Administrators only (403 for the other roles)."""

    permission_classes = [RoleRequired]
    role_check = staticmethod(permissions.can_manage_staff)


class StaffListApi(StaffApi):
    OutputSerializer = results_output("StaffListApiOutput", StaffMemberOutput)

    @extend_schema(responses={200: OutputSerializer}, operation_id="blog_admin_staff_list")
    def get(self, request):
        return Response(self.OutputSerializer({"results": staff.staff_list(actor=request.user)}).data)


class StaffMemberApi(StaffApi):
    """GET reads a user's blog role; PATCH changes it (their tokens are revoked: they sign in again)."""

    class PatchSerializer(serializers.Serializer):
        role = serializers.ChoiceField(
            choices=staff.ROLE_CHOICES, required=False, help_text="`none` takes every blog role away."
        )

    @extend_schema(responses={200: StaffMemberOutput}, operation_id="blog_admin_staff_retrieve")
    def get(self, request, user_id: str):
        return Response(StaffMemberOutput(staff.staff_member(sub=user_id)).data)

    @extend_schema(
        request=PatchSerializer,
        responses={200: StaffMemberOutput},
        operation_id="blog_admin_staff_partial_update",
        description="409 `last_administrator` when it would leave the blog without an administrator.",
    )
    def patch(self, request, user_id: str):
        role = validated(self.PatchSerializer, request.data).get("role")
        if role is None:  # nothing to change
            return Response(StaffMemberOutput(staff.staff_member(sub=user_id)).data)
        member = staff.staff_role_set(actor=request.user, sub=user_id, role=role)
        return Response(StaffMemberOutput(member).data)
