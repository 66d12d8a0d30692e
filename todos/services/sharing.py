"""Shared lists: invite by email, accept or decline, change a member's role, revoke or leave, and the activity.

The list and its tasks stay on the owner's partition; a member holds one `ListMember` item, and every
read or write of theirs goes through `todos.selectors.sharing` for the decision (`on_task`, `on_list`
here run the write with the owner's partition once it is allowed). A member's writes bump the owner's
read-cache scope, like the owner's own, so both see them on every container at once.

An invitation never tells whether the address belongs to an account: it is stored and mailed, and
whoever signs in with that verified address may accept it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
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
    ListNotFound,
    MemberNotFound,
    SharingRuleBroken,
    TaskNotFound,
    TaskRuleBroken,
    TrashNotFound,
)
from todos.models import (
    ACTIVITY_DAYS,
    INVITE_DAYS,
    ROLES,
    ListActivity,
    ListInvite,
    ListMember,
    Task,
    TodoList,
    changed_stamp,
)
from todos.selectors.lists import list_get
from todos.selectors.sharing import OWNER, Access, invite_get, list_access, members_of, membership_get, task_access
from todos.selectors.tasks import task_get
from todos.services._common import INBOX_ID, tombstone

MAX_MEMBERS = 25  # members and pending invitations of one list together
# Invitation emails a user may send an hour, across their lists: the app is no relay for mass mail.
INVITES_PER_HOUR = Limit(attempts=50, period_seconds=3600)
MAX_SUBJECT = 200


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


# --- Running a read or write with the owner's partition ---------------------------------------------


def on_task[T](
    *, user, task_id: str, run: Callable[[str], T], edit: bool = True, owner_only: bool = False, note: str | None = None
) -> T:
    """`run(owner)` on task `task_id`: the user's own, or one in a list shared with them.

    The user's own task is found through the read cache (what the page just read), so an owner pays no
    request for sharing; anyone else is let in by `task_access` (404 for a non-member, 403 for a
    viewer when `edit`, for any member when `owner_only`). `note` records the write in the list's
    activity when the list is shared (the owner's writes too).
    """
    try:
        own = task_get(owner=user.sub, task_id=task_id)
    except TaskNotFound:
        own = None
    if own is not None:
        access = Access(actor=user.sub, owner=user.sub, list_id=own.list_id, role=OWNER)
        subject = own.title
    else:
        access = task_access(actor=user.sub, task_id=task_id)
        if owner_only:
            access.require_owner()
        if edit:
            access.require_edit()
        subject = _task_title(access.owner, task_id) if note == "deleted" else ""
    result = run(access.owner)
    if note and (own is None or _is_shared(access)):
        _note(user, access, result, note=note, task_id=task_id, subject=subject)
    return result


def on_list[T](
    *, user, list_id: str, run: Callable[[str], T], edit: bool = True, owner_only: bool = False, note: str | None = None
) -> T:
    """`run(owner)` on list `list_id`: the user's own, or one shared with them (decided as in `on_task`).

    A list that is neither is left to the user's own partition, where the service answers as it always
    has (the Inbox is made on first use; an unknown list is its 404).
    """
    try:
        access = list_access(actor=user.sub, list_id=list_id, field="list_id")
    except ListNotFound:
        return run(user.sub)
    if owner_only:
        access.require_owner()
    if edit:
        access.require_edit()
    result = run(access.owner)
    if note and (not access.is_owner or _is_shared(access)):
        _note(user, access, result, note=note)
    return result


def new_task_owner(*, user, list_id: str | None = None, parent_id: str | None = None) -> tuple[str, Access | None]:
    """Whose partition a new task goes to, and the shared list whose activity records it (None: not shared).

    The owner of its parent or list if that is shared with the user as editor (403 as viewer), else the
    user's own partition, where the service answers an unknown reference as it always has.
    """
    try:
        if parent_id:
            try:
                parent = task_get(owner=user.sub, task_id=parent_id)
                access = Access(actor=user.sub, owner=user.sub, list_id=parent.list_id, role=OWNER)
            except TaskNotFound:
                access = task_access(actor=user.sub, task_id=parent_id)
        elif list_id:
            access = list_access(actor=user.sub, list_id=list_id)
        else:
            return user.sub, None
    except (TaskNotFound, ListNotFound):
        return user.sub, None
    access.require_edit()
    return access.owner, (access if not access.is_owner or _is_shared(access) else None)


def _is_shared(access: Access) -> bool:
    """Whether the list has members (read through the owner's read cache, before any write of this request)."""
    try:
        return bool(list_get(owner=access.owner, list_id=access.list_id).member_count)
    except ListNotFound:
        return False


def _task_title(owner: str, task_id: str) -> str:
    try:
        return task_get(owner=owner, task_id=task_id).title
    except TaskNotFound:
        return ""


def check_reference(*, user, owner: str, list_id: str | None = None, parent_id: str | None = None) -> None:
    """A member's write on `owner`'s partition may name another list (a move's target) or task (a new
    parent) only if that too is on `owner`'s partition and the member edits it; else the answer for an
    id that exists nowhere. The owner's own writes are checked by the services themselves."""
    if owner == user.sub:
        return
    if list_id is not None:
        target = list_access(actor=user.sub, list_id=list_id, field="list_id")
        if target.owner != owner:
            raise ListNotFound(field="list_id")
        target.require_edit()
    if parent_id is not None:
        target = task_access(actor=user.sub, task_id=parent_id)
        if target.owner != owner:
            raise TaskNotFound(field="parent_id")
        target.require_edit()


def owner_for_tasks(*, user, task_ids: list[str]) -> str:
    """Whose partition a write naming several tasks (a reorder) goes to: a shared list's owner's if every
    task is in a list shared with the user as editor. An unknown task is TaskRuleBroken (422), as ever."""
    accesses = []
    for task_id in dict.fromkeys(task_ids):
        try:
            accesses.append(task_access(actor=user.sub, task_id=task_id))
        except TaskNotFound:
            raise TaskRuleBroken(f"No such task: {task_id}.", field="items") from None
    owners = {a.owner for a in accesses}
    if len(owners) > 1:
        raise TaskRuleBroken("Reorder tasks of one owner's lists at a time.", field="items")
    for access in accesses:
        access.require_edit()
    return owners.pop() if owners else user.sub


def task_activity_note(*, user, access: Access | None, task: Task, action: str) -> None:
    """Record that the user did `action` to `task` on the shared list of `access` (nothing when None)."""
    if access is not None:
        _note(user, access, task, note=action, task_id=task.task_id)


def _note(user, access: Access, result, *, note: str, task_id: str | None = None, subject: str = "") -> None:
    task = result if isinstance(result, Task) else None
    activity_note(
        access=access,
        actor_name=user.display_name,
        action=note,
        subject=task.title if task is not None else subject,
        task_id=task.task_id if task is not None else task_id,
    )


def activity_note(*, access: Access, actor_name: str, action: str, subject: str = "", task_id: str | None = None):
    """One line of the list's activity: `actor_name` did `action` (to `subject`)."""
    ListActivity(
        access.list_key,
        f"{changed_stamp()}#{secrets.token_hex(3)}",
        actor=access.actor,
        actor_name=actor_name or "Someone",
        action=action,
        subject=" ".join((subject or "").split())[:MAX_SUBJECT],
        task_id=task_id,
        expires_at=timedelta(days=ACTIVITY_DAYS),
    ).save()


def trash_restore_shared(*, user, list_id: str, trash_id: str) -> tuple[str, object]:
    """Restore a task deleted from list `list_id`, as its owner or as one of its editors (the Undo of a
    member's delete): the entry is on the owner's Trash, and must be a task of that list."""
    from todos.services.trash import trash_entry_get
    from todos.services.trash_restore import trash_restore

    access = list_access(actor=user.sub, list_id=list_id, field="list_id").require_edit()
    entry = trash_entry_get(owner=access.owner, trash_id=trash_id)
    if not access.is_owner and (entry.kind != "task" or entry.list_id != list_id):
        raise TrashNotFound()
    kind, item = trash_restore(owner=access.owner, trash_id=trash_id)
    if not access.is_owner or _is_shared(access):
        _note(user, access, item, note="restored")
    return kind, item


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
        "accept_url": f"{site}{reverse('todos:invite', args=[invite.invite_id])}",
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
