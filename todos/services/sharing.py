"""Shared lists: invite by email, accept or decline, change a member's role, revoke or leave.

The list and its tasks stay on the owner's partition; a member holds one `ListMember` item, and every
read or write of theirs goes through `todos.selectors.sharing` for the decision
(todos.services.shared_access runs it on the owner's partition once it is allowed).

An invitation never tells whether the address belongs to an account: it is stored and mailed, and
whoever signs in with that verified address may accept it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from mysite import cache
from mysite.dynamo import condition_failed
from mysite.throttling import Limit, attempt_throttle
from todos.errors import (
    InvalidTask,
    InviteNotFound,
    MemberNotFound,
    SharingRuleBroken,
)
from todos.models import (
    INVITE_DAYS,
    ROLES,
    ListInvite,
    ListMember,
    TodoList,
    changed_stamp,
)
from todos.selectors.lists import list_get
from todos.selectors.sharing import Access, invite_get, list_access, members_of, membership_get
from todos.services._common import INBOX_ID, tombstone
from todos.services.shared_access import activity_note

MAX_MEMBERS = 25  # members and pending invitations of one list together
# Invitation emails a user may send an hour, across their lists: the app is no relay for mass mail.
INVITES_PER_HOUR = Limit(attempts=50, period_seconds=3600)


def _clean_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidTask(f"A role is one of: {', '.join(ROLES)}.", field="role")
    return role


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidTask("Enter a valid email address.", field="email") from None
    return email


def _scopes(*subs: str) -> list[str]:
    return [cache.user_scope(sub) for sub in dict.fromkeys(subs)]


# --- Invitations ----------------------------------------------------------------------------------


def list_share(*, user, list_id: str, email: str, role: str = "editor") -> ListInvite:
    """Invite `email` to the user's list as `role` and mail them a link; the same answer for any address.

    Inviting an address again (still pending) renews that invitation with the new role. At most
    INVITES_PER_HOUR emails a user (429 beyond).
    """
    access = list_access(actor=user.sub, list_id=list_id).require_owner()
    if list_id == INBOX_ID:
        raise SharingRuleBroken("The Inbox is yours alone; share another list.", field="list_id")
    role, email = _clean_role(role), _clean_email(email)
    if user.email and email == user.email.strip().lower():
        raise SharingRuleBroken("This list is already yours; invite someone else.", field="email")
    members = members_of(access=access)
    if any(m.email == email for m in members):
        raise SharingRuleBroken("This person is a member already; change their role instead.", field="email")
    pending = [i for i in ListInvite.by_list.query(access.list_key) if not i.is_gone()]
    again = next((i for i in pending if i.email == email), None)
    if again is None and len(members) + len(pending) >= MAX_MEMBERS:
        raise SharingRuleBroken(f"A list can have at most {MAX_MEMBERS} members and invitations.", field="email")
    attempt_throttle(action="list_invite", scope="user", subject=user.sub, limit=INVITES_PER_HOUR)
    todo_list = list_get(owner=user.sub, list_id=list_id)
    invite = ListInvite(
        again.invite_id if again else secrets.token_urlsafe(16),
        owner=user.sub,
        list_id=list_id,
        list_key=access.list_key,
        list_name=todo_list.name,
        email=email,
        role=role,
        invited_by=user.display_name,
        expires_at=timedelta(days=INVITE_DAYS),
    )
    invite.save()
    _invite_email_send(invite)
    return invite


def _invite_email_send(invite: ListInvite) -> None:
    site = settings.SITE_URL.rstrip("/")
    context = {
        "invite": invite,
        "site_name": settings.SITE_NAME,
        "accept_url": f"{site}{reverse('todos:invite', args=[invite.invite_id])}?list={invite.list_id}",
        "days": INVITE_DAYS,
    }
    send_mail(
        subject=f"{invite.invited_by} shared “{invite.list_name}” with you",
        message=render_to_string("todos/invite_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
    )


def invite_cancel(*, user, list_id: str, invite_id: str) -> None:
    """The owner withdraws a pending invitation."""
    access = list_access(actor=user.sub, list_id=list_id).require_owner()
    try:
        invite = ListInvite.get(invite_id, consistent_read=True)
    except DoesNotExist:
        raise InviteNotFound() from None
    if invite.list_key != access.list_key:
        raise InviteNotFound()
    invite.delete()


def invite_accept(*, user, invite_id: str) -> ListMember:
    """Join the list of an invitation addressed to the user's email: the membership, the list's count, one write."""
    invite = invite_get(invite_id=invite_id, email=user.email)
    if invite.owner == user.sub:
        invite.delete()
        raise InviteNotFound()
    current = membership_get(member=user.sub, list_id=invite.list_id)
    if current is not None and current.owner == invite.owner:
        invite.delete()
        return current
    membership = ListMember(
        user.sub,
        invite.list_id,
        owner=invite.owner,
        list_key=invite.list_key,
        role=invite.role,
        email=invite.email,
        display_name=user.display_name,
        owner_name=invite.invited_by,
    )
    try:
        with cache.transaction() as write:
            write.save(membership, condition=ListMember.member.does_not_exist(), label="member")
            write.delete(invite, label="invite")
            _member_count_add(write, owner=invite.owner, list_id=invite.list_id, delta=1)
            cache.stamp_bump(write, *_scopes(invite.owner, user.sub))
    except TransactWriteError as error:
        if condition_failed(error, transaction=write, label="list"):
            invite.delete()
            raise InviteNotFound("The list of this invitation was deleted.") from None
        if condition_failed(error):
            raise SharingRuleBroken("You are a member of this list already.") from None
        raise
    access = Access(actor=user.sub, owner=invite.owner, list_id=invite.list_id, role=invite.role)
    activity_note(access=access, actor_name=user.display_name, action="joined")
    return membership


def _member_count_add(write, *, owner: str, list_id: str, delta: int) -> None:
    """Count a member in or out in `write`: the list's version moves on (no condition on it), the list must exist."""
    try:
        todo_list = TodoList.get(owner, list_id, consistent_read=True)
    except DoesNotExist:
        raise InviteNotFound("The list of this invitation was deleted.") from None
    write.update(
        todo_list,
        actions=[TodoList.member_count.add(delta), TodoList.changed.set(changed_stamp())],
        condition=TodoList.list_id.exists(),
        add_version_condition=False,
        label="list",
    )


def invite_decline(*, user, invite_id: str) -> None:
    """Turn down an invitation addressed to the user."""
    invite_get(invite_id=invite_id, email=user.email).delete()


# --- Members ----------------------------------------------------------------------------------------


def _member_for_write(access: Access, member: str) -> ListMember:
    found = membership_get(member=member, list_id=access.list_id)
    if found is None or found.owner != access.owner:
        raise MemberNotFound(field="member")
    return found


def member_role_set(*, user, list_id: str, member: str, role: str | None = None) -> ListMember:
    """The owner makes a member a viewer or an editor (no role: the member as they are)."""
    access = list_access(actor=user.sub, list_id=list_id).require_owner()
    role = _clean_role(role) if role is not None else None
    membership = _member_for_write(access, member)
    if role is None or membership.role == role:
        return membership
    with cache.transaction() as write:
        write.update(
            membership,
            actions=[ListMember.role.set(role), ListMember.changed.set(changed_stamp())],
            condition=ListMember.member.exists(),
            label="member",
        )
        cache.stamp_bump(write, *_scopes(access.owner, member))
    membership.role = role
    activity_note(access=access, actor_name=user.display_name, action=f"made {membership.display_name} {role}")
    return membership


def member_remove(*, user, list_id: str, member: str) -> None:
    """The owner revokes a member, or a member leaves (`member` is themselves); their sync drops the list."""
    access = list_access(actor=user.sub, list_id=list_id)
    if member != user.sub:
        access.require_owner()
    membership = _member_for_write(access, member)
    try:
        with cache.transaction() as write:
            write.delete(membership, condition=ListMember.member.exists(), label="member")
            write.save(tombstone(owner=member, kind="list", item_id=list_id))
            _member_count_add(write, owner=access.owner, list_id=list_id, delta=-1)
            cache.stamp_bump(write, *_scopes(access.owner, member))
    except TransactWriteError as error:
        if condition_failed(error, transaction=write, label="member"):
            raise MemberNotFound(field="member") from None
        raise
    action = "left" if member == user.sub else f"removed {membership.display_name}"
    activity_note(access=access, actor_name=user.display_name, action=action)
