"""Reads of shared lists: the one access decision, a user's shared lists, a list's members, invitations, activity.

Every decision whether a user may read or change a list (or a task in it) is `list_access` or
`task_access`, and both read membership items only: an owner's list is theirs; anyone else needs a
`ListMember` item, read strongly consistently, so a revoked member is refused at once. A task named by
id alone is found through `by-task`, then its list is read strongly consistently (the index may lag a
move out of the shared list): a member's request costs a few reads more than the owner's, whatever the
number of members. Pure functions of DynamoDB: right with any number of
processes and threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from todos.errors import InviteNotFound, ListNotFound, OwnerOnly, TaskNotFound, ViewerCannotEdit
from todos.models import ListActivity, ListInvite, ListMember, Task, TodoList, utcnow
from todos.selectors.lists import list_get

OWNER = "owner"


@dataclass(frozen=True)
class Access:
    """What `actor` may do with one list: `role` "owner", "editor" or "viewer"; its data is on `owner`'s partition."""

    actor: str
    owner: str
    list_id: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    @property
    def can_edit(self) -> bool:
        return self.role in (OWNER, "editor")

    @property
    def list_key(self) -> str:
        return f"{self.owner}#{self.list_id}"

    def require_edit(self) -> Access:
        """This access, if it may change the list's tasks (ViewerCannotEdit, a 403, for a viewer)."""
        if not self.can_edit:
            raise ViewerCannotEdit()
        return self

    def require_owner(self) -> Access:
        """This access, if it is the owner's (OwnerOnly, a 403, for a member)."""
        if not self.is_owner:
            raise OwnerOnly()
        return self


def membership_get(*, member: str, list_id: str) -> ListMember | None:
    """`member`'s membership of list `list_id` (strongly consistent: a revocation counts at once)."""
    try:
        return ListMember.get(member, list_id, consistent_read=True)
    except DoesNotExist:
        return None


def list_access(*, actor: str, list_id: str, field: str | None = None) -> Access:
    """`actor`'s access to list `list_id`, their own or shared with them; ListNotFound (404) for anyone else."""
    try:
        list_get(owner=actor, list_id=list_id)
        return Access(actor=actor, owner=actor, list_id=list_id, role=OWNER)
    except ListNotFound:
        pass
    membership = membership_get(member=actor, list_id=list_id)
    if membership is None:
        raise ListNotFound(field=field)
    list_get(owner=membership.owner, list_id=list_id)  # deleted by its owner: gone for its members too
    return Access(actor=actor, owner=membership.owner, list_id=list_id, role=membership.role)


def task_access(*, actor: str, task_id: str) -> Access:
    """`actor`'s access to the list that holds task `task_id`; TaskNotFound (404) for a non-member."""
    located = next(iter(Task.by_task.query(task_id, limit=1)), None)
    if located is None:
        raise TaskNotFound()
    if located.owner == actor:
        return Access(actor=actor, owner=actor, list_id=located.list_id, role=OWNER)
    try:  # the index may lag a move: the list that counts is the task's own, read strongly consistently
        list_id = Task.get(located.owner, task_id, consistent_read=True, attributes_to_get=["list_id"]).list_id
    except DoesNotExist:
        raise TaskNotFound() from None
    membership = membership_get(member=actor, list_id=list_id)
    if membership is None or membership.owner != located.owner:
        raise TaskNotFound()
    return Access(actor=actor, owner=located.owner, list_id=list_id, role=membership.role)


@dataclass(frozen=True)
class SharedList:
    """A list shared with the user: the list itself (from its owner's partition) and their membership."""

    todo_list: TodoList
    membership: ListMember


def shared_with(*, member: str) -> list[SharedList]:
    """The lists shared with `member`, by name: one Query and one BatchGet, whatever the number of members."""
    memberships = list(ListMember.query(member))
    if not memberships:
        return []
    keys = [(m.owner, m.list_id) for m in memberships]
    found = {(x.owner, x.list_id): x for x in TodoList.batch_get(keys)}
    shared = [SharedList(found[(m.owner, m.list_id)], m) for m in memberships if (m.owner, m.list_id) in found]
    return sorted(shared, key=lambda s: (s.todo_list.name.lower(), s.todo_list.list_id))


def members_of(*, access: Access) -> list[ListMember]:
    """A list's members (the owner not included), by name; any member may see who else is in."""
    members = ListMember.by_list.query(access.list_key)
    return sorted(members, key=lambda m: (m.display_name.lower(), m.member))


def invites_of_list(*, access: Access) -> list[ListInvite]:
    """The list's pending invitations, newest first (its owner's to see)."""
    access.require_owner()
    now = utcnow()
    invites = ListInvite.by_list.query(access.list_key, scan_index_forward=False)
    return [invite for invite in invites if not invite.is_gone(now)]


def invites_for(*, email: str) -> list[ListInvite]:
    """The pending invitations addressed to `email` (the signed-in user's verified address), newest first."""
    if not email:
        return []
    now = utcnow()
    invites = ListInvite.by_email.query(email.strip().lower(), scan_index_forward=False)
    return [invite for invite in invites if not invite.is_gone(now)]


def invite_get(*, invite_id: str, email: str) -> ListInvite:
    """A pending invitation addressed to `email`; the same 404 for any other, expired or unknown one."""
    try:
        invite = ListInvite.get(invite_id, consistent_read=True)
    except DoesNotExist:
        raise InviteNotFound() from None
    if invite.is_gone() or not email or invite.email != email.strip().lower():
        raise InviteNotFound()
    return invite


def activity_of(*, access: Access, limit: int = 50) -> list[ListActivity]:
    """The list's latest activity, newest first (one Query)."""
    return list(ListActivity.query(access.list_key, scan_index_forward=False, limit=limit))
