"""What every API view shares: validated input, the public and the private base, group permissions.

Views built on these hold no state of their own; everything here is right with any number of
processes and threads.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.utils import html
from rest_framework.views import APIView

from mysite import constants
from mysite.constants import MAX_CURSOR_LENGTH
from mysite.errors import NO_CURRENT, Conflict
from mysite.http import make_cacheable
from mysite.parsers import JSONObject
from mysite.validation import json_type_errors

TIME_ZONES = sorted(constants.TIME_ZONES)


class TimeZoneField(serializers.ChoiceField):
    """An IANA time zone name such as Europe/Paris; the schema lists every one this server knows."""

    default_error_messages = {"invalid_choice": "Unknown time zone; use an IANA name such as Europe/Paris."}

    def __init__(self, **kwargs):
        super().__init__(choices=TIME_ZONES, **kwargs)


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not know, instead of ignoring them (the schema says
    `additionalProperties: false`, mysite.schema). A form field sent blank is refused too, where DRF
    would read it as absent: a blank that may not be blank is a wrong value, not a missing one."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        if html.is_html_input(data):
            blank = [
                name
                for name, field in self.fields.items()
                if not (field.read_only or field.required or field.allow_null or getattr(field, "allow_blank", False))
                and name in data
                and "" in data.getlist(name)
            ]
            if blank:
                raise serializers.ValidationError({name: ["This field may not be blank."] for name in blank})
        return super().to_internal_value(data)


class PageQuery(serializers.Serializer):
    """The paging of a list: an opaque `cursor`, and a `limit` whose bounds each list states (`page_limit`)."""

    cursor = serializers.CharField(required=False, max_length=MAX_CURSOR_LENGTH)


def page_limit(*, maximum: int, default: int) -> serializers.IntegerField:
    """A list's `limit`: 1 to `maximum` (the schema says so), `default` when absent."""
    return serializers.IntegerField(required=False, min_value=1, max_value=maximum, default=default)


class UploadOutput(serializers.Serializer):
    """How a browser uploads straight to S3 (`mysite.storage.PresignedPost`): a POST of `fields` and the file."""

    url = serializers.URLField()
    fields = serializers.DictField(child=serializers.CharField())
    key = serializers.CharField()
    max_bytes = serializers.IntegerField()
    expires_in = serializers.IntegerField()


def results_output(name: str, item: type[serializers.Serializer], *, paged: bool = False, **fields):
    """The serializer of a list answer, `{**fields, "results": [item…], "next_cursor"}`, named `name` in the schema.

    `next_cursor` (null on the last page) only when `paged`; `fields` are any others the answer has first.
    """
    attrs = {"Meta": type("Meta", (), {"ref_name": name}), **fields, "results": item(many=True)}
    if paged:
        attrs["next_cursor"] = serializers.CharField(allow_null=True)
    return type(name, (serializers.Serializer,), attrs)


def validated(serializer_class: type[serializers.Serializer], data, *, partial: bool = False) -> dict:
    """The serializer's validated data; a ValidationError (400 in the one error shape) otherwise.

    A JSON body keeps JSON's types (mysite.validation): 7 for a string or 1 for true is refused,
    where DRF alone would coerce it; forms and query strings are text and are read as DRF reads them.
    """
    serializer = serializer_class(data=data, partial=partial)
    if isinstance(data, JSONObject):
        errors = json_type_errors(serializer, data)
        if errors:
            raise serializers.ValidationError(errors)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PublicApi(APIView):
    """Endpoints for callers without a token (no session, so no CSRF either)."""

    # No session also means no cookies and no Vary: Cookie. Set `max_age` to make successful GET/HEAD
    # answers shareable by CloudFront and API Gateway (`s_maxage`, `stale_while_revalidate`, ETag and
    # 304 as for public pages); None keeps them private. (The docstring is the schema's description of
    # every subclass without its own, so it stays short.)

    authentication_classes: list = []
    permission_classes = [AllowAny]
    max_age: int | None = None
    s_maxage: int = 300
    stale_while_revalidate: int = 0
    cacheable_statuses: tuple[int, ...] = (200,)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            self.max_age is not None
            and request.method in ("GET", "HEAD")
            and response.status_code in self.cacheable_statuses
        ):
            response.render()
            response = make_cacheable(
                request._request,
                response,
                max_age=self.max_age,
                s_maxage=self.s_maxage,
                stale_while_revalidate=self.stale_while_revalidate,
            )
        return response


def group_permission(group: str, *, message: str | None = None) -> type[BasePermission]:
    """A permission for members of a Cognito group: 401 without credentials, 403 for everyone else."""

    class InGroup(BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.in_group(group))

    InGroup.message = message or f"Only members of {group} may do this."
    InGroup.__name__ = InGroup.__qualname__ = f"InGroup_{group.replace('-', '_')}"
    return InGroup


class PrivateApi(APIView):
    # Endpoints for a signed-in user (Bearer token or session with CSRF); `group` narrows them to a role.
    # No docstring: the schema would show it as the description of every subclass.

    # A 409 answers with the item as it is now in this API's own output shape: `current_output` (a
    # serializer), or `current_body()` where one API meets several kinds of item.

    permission_classes = [IsAuthenticated]
    group: str | None = None
    current_output: type[serializers.Serializer] | None = None

    def current_body(self, current):
        """The body of `current` in a 409: None once the item is gone; NO_CURRENT: this API shows none."""
        if self.current_output is None:
            return NO_CURRENT
        return None if current is None else self.current_output(current).data

    def handle_exception(self, exc):
        if isinstance(exc, Conflict) and exc.has_current and "current" not in exc.extra:
            body = self.current_body(exc.current)
            if body is not NO_CURRENT:
                exc.extra["current"] = body
        return super().handle_exception(exc)

    def get_permissions(self):
        permissions = super().get_permissions()
        if self.group:
            permissions.append(group_permission(self.group)())
        return permissions
