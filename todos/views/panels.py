"""What the app shows of shared lists: the sidebar's "Shared with me", the invitation banner, and on a
list's page who shares it, the sharing panel and the latest activity.

An owner's list that was never shared costs nothing more than its page did; the panel's reads
(members, pending invitations) happen only while it is open (`?share=1`).
"""

from __future__ import annotations

from accounts.selectors import profile_get_cached
from todos import selectors

ROLE_CHOICES = (("editor", "can edit"), ("viewer", "can view"))
ACTIVITY_SHOWN = 10


def app_sharing(user) -> dict:
    """The sidebar's lists shared with `user`."""
    return {"shared_lists": selectors.shared_with(member=user.sub)}


def banner(user) -> dict:
    """The pending invitations to `user`'s email, for the banner above the app (whole pages only)."""
    return {"invites": selectors.invites_for(email=user.email)}


def _owner_name(owner: str) -> str:
    profile = profile_get_cached(sub=owner)
    return profile.display_name if profile else "its owner"


def list_sharing(user, access, todo_list, state) -> dict:
    """The sharing part of list `todo_list`'s page for `user`, whose access to it is `access`."""
    context: dict = {
        "access": access,
        "role_choices": ROLE_CHOICES,
        "can_edit": access.can_edit,
        "mine": access.is_owner,  # reminders, uploads and moves to another list are the owner's
    }
    if not access.is_owner:
        context["shared_by"] = _owner_name(access.owner)
    shareable = access.is_owner and todo_list.list_id != "inbox"
    context["shareable"] = shareable
    if todo_list.member_count or not access.is_owner:
        context["activity"] = selectors.activity_of(access=access, limit=ACTIVITY_SHOWN)
    if state.share and (shareable or not access.is_owner):
        context["sharing_open"] = True
        context["members"] = selectors.members_of(access=access)
        context["pending"] = selectors.invites_of_list(access=access) if access.is_owner else []
    context["share_url"] = state.url(share="" if context.get("sharing_open") else "1")  # the toggle's
    return context
