"""The blog's staff: who holds which role, and changing a role (administrators only, blog.permissions).

Roles are Cognito groups (mysite.constants.BLOG_ROLE_GROUPS); a change goes through the pool's admin
API (AdminAddUserToGroup / AdminRemoveUserFromGroup) and then revokes the user's tokens, as a sign-out
everywhere does: tokens name their groups, so the old ones must stop working at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts.selectors import profile_get
from accounts.services import tokens_revoke
from blog import permissions
from blog.errors import LastAdministrator, RoleForbidden, StaffMemberNotFound
from mysite import cognito
from mysite.constants import BLOG_ROLE_GROUPS
from mysite.errors import InvalidInput

GROUP_OF_ROLE = {role: group for group, role in BLOG_ROLE_GROUPS.items()}
NO_ROLE = "none"  # what the staff page and API call taking every role away
ROLE_CHOICES = (*permissions.ROLES, NO_ROLE)


@dataclass(frozen=True)
class StaffMember:
    sub: str
    email: str
    name: str
    role: str | None

    @property
    def role_label(self) -> str:
        return permissions.ROLE_LABELS.get(self.role, "No role")


def _attributes(user: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes", user.get("UserAttributes", []))}


def _group_members(group: str) -> list[dict]:
    """Every user of a Cognito group (ListUsersInGroup, page by page)."""
    users: list[dict] = []
    params = {"UserPoolId": settings.COGNITO_USER_POOL_ID, "GroupName": group, "Limit": 60}
    while True:
        answer = cognito.call("list_users_in_group", **params)
        users.extend(answer.get("Users", []))
        if not answer.get("NextToken"):
            return users
        params["NextToken"] = answer["NextToken"]


def _administrators() -> set[str]:
    """The subs of the administrators group's members."""
    return {
        _attributes(user).get("sub") or user["Username"]
        for user in _group_members(GROUP_OF_ROLE[permissions.ADMINISTRATOR])
    }


def staff_list(*, actor=None) -> list[StaffMember]:
    """Everyone holding a blog role, with the highest of their roles, administrators first, then by name."""
    if actor is not None and not permissions.can_manage_staff(actor):
        raise RoleForbidden("Only administrators manage the staff.")
    members: dict[str, StaffMember] = {}
    for group, role in BLOG_ROLE_GROUPS.items():  # lowest first: a higher role replaces a lower one
        for user in _group_members(group):
            attributes = _attributes(user)
            sub = attributes.get("sub") or user["Username"]
            members[sub] = StaffMember(sub, attributes.get("email", ""), attributes.get("name", ""), role)
    return sorted(members.values(), key=lambda m: (-permissions.rank(m.role), m.name.lower(), m.email))


def _user(*, sub: str = "", email: str = "") -> dict:
    """The pool's user by sub (the API's id, through their profile) or by email (the staff page's form)."""
    if not email:
        profile = profile_get(sub=sub) if sub and len(sub) <= 64 else None
        if profile is None:
            raise StaffMemberNotFound()
        email = profile.email
    try:
        return cognito.call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email.strip().lower())
    except cognito.CognitoError as error:
        if error.reason == "UserNotFoundException":
            raise StaffMemberNotFound(field="email" if not sub else None) from None
        raise


@dataclass(frozen=True)
class _PoolUser:
    member: StaffMember
    username: str  # the pool's own name for the user (group operations take it; an email alias is not enough locally)
    groups: frozenset[str]


def _pool_user(*, sub: str = "", email: str = "") -> _PoolUser:
    user = _user(sub=sub, email=email)
    attributes = _attributes(user)
    username = user["Username"]
    answer = cognito.call("admin_list_groups_for_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=username)
    groups = frozenset(g["GroupName"] for g in answer.get("Groups", [])) & set(BLOG_ROLE_GROUPS)
    roles = [BLOG_ROLE_GROUPS[group] for group in groups]
    role = max(roles, key=permissions.rank) if roles else None
    member = StaffMember(
        attributes.get("sub") or username, attributes.get("email", ""), attributes.get("name", ""), role
    )
    return _PoolUser(member, username, groups)


def staff_member(*, sub: str = "", email: str = "") -> StaffMember:
    """One user (by sub or email) with their blog role (None: no role); StaffMemberNotFound if there is none."""
    return _pool_user(sub=sub, email=email).member


def staff_role_set(*, actor, role: str, sub: str = "", email: str = "") -> StaffMember:
    """Give the user exactly `role` (NO_ROLE: none), then revoke their tokens so the change applies at once.

    The last administrator cannot lose the role (409): the staff page would have no one left to manage it.
    """
    if not permissions.can_manage_staff(actor):
        raise RoleForbidden("Only administrators manage the staff.")
    if role not in ROLE_CHOICES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLE_CHOICES)}.", field="role")
    found = _pool_user(sub=sub, email=email)
    member, new_role = found.member, None if role == NO_ROLE else role
    demoting = member.role == permissions.ADMINISTRATOR and new_role != permissions.ADMINISTRATOR
    if demoting and _administrators() <= {member.sub}:
        raise LastAdministrator()
    wanted = {GROUP_OF_ROLE[new_role]} if new_role else set()
    if found.groups == wanted:
        return member
    pool = settings.COGNITO_USER_POOL_ID
    for group in sorted(wanted - found.groups):
        cognito.call("admin_add_user_to_group", UserPoolId=pool, Username=found.username, GroupName=group)
    for group in sorted(found.groups - wanted):
        cognito.call("admin_remove_user_from_group", UserPoolId=pool, Username=found.username, GroupName=group)
    if demoting and not _administrators():
        # Two administrators demoted each other at the same moment: both checks passed. Put this one back.
        for group in sorted(found.groups - wanted):
            cognito.call("admin_add_user_to_group", UserPoolId=pool, Username=found.username, GroupName=group)
        for group in sorted(wanted - found.groups):
            cognito.call("admin_remove_user_from_group", UserPoolId=pool, Username=found.username, GroupName=group)
        raise LastAdministrator()
    tokens_revoke(email=member.email)  # their tokens still name the old groups
    return StaffMember(member.sub, member.email, member.name, new_role)
