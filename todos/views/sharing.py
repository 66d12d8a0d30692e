"""Shared lists in the browser: the invitation page (from the emailed link or the banner), and the
list's sharing panel: invite by email, change a member's role, remove a member, cancel an
invitation, leave a list shared with you.

The panel's forms answer with the `#todo-app` fragment; a refused one (an address that is not one,
the Inbox, yourself) answers with its 4xx status and its message in the panel, nothing changed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mysite.decorators import login_required
from mysite.errors import ApplicationError
from todos import selectors, services
from todos.errors import InviteNotFound, SharingRuleBroken
from todos.views.pages import PageState, render_app, request_state

ROLE_NAMES = {"editor": "can edit", "viewer": "can view"}


@login_required
@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest, invite_id: str) -> HttpResponse:
    """An invitation addressed to the signed-in user: who shares which list, as what; Accept or Decline.

    The emailed link names its list too (`?list=`): opened again once accepted, it leads to the list.
    """
    try:
        invite = selectors.invite_get(invite_id=invite_id, email=request.user.email)
    except InviteNotFound:
        joined = request.GET.get("list")
        known = request.method == "GET" and joined and len(joined) <= 64
        if known and selectors.membership_get(member=request.user.sub, list_id=joined):
            return redirect(reverse("todos:list", args=[joined]))
        raise
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "decline":
                services.invite_decline(user=request.user, invite_id=invite_id)
                return redirect(reverse("todos:index"))
            membership = services.invite_accept(user=request.user, invite_id=invite_id)
        except ApplicationError as error:
            context = {"invite": invite, "error": error, "title": "Invitation", "role": ROLE_NAMES.get(invite.role)}
            return render(request, "todos/invite.html", context, status=error.status)
        return redirect(reverse("todos:list", args=[membership.list_id]))
    context = {"invite": invite, "title": "Invitation", "role": ROLE_NAMES.get(invite.role)}
    response = render(request, "todos/invite.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _panel_state(request: HttpRequest, list_id: str) -> PageState:
    """The list's page with its sharing panel open (the page the form was on, if it is that list's)."""
    state = request_state(request)
    if state.kind != "list" or state.list_id != list_id:
        state = PageState(list_id=list_id)
    state.share = "1"
    return state


def _panel_action(request: HttpRequest, list_id: str, change, *, typed: dict | None = None) -> HttpResponse:
    """Run `change()` (a sharing service call returning the confirmation); show the panel again with it.

    A refusal keeps what was typed (`typed`) and answers with its status.
    """
    state = _panel_state(request, list_id)
    try:
        notice = change()
    except ApplicationError as error:
        return render_app(request, state=state, error=error, error_status=True, extra={"share_typed": typed or {}})
    return render_app(request, state=state, notice=notice)


@login_required
@require_POST
def list_share(request: HttpRequest, list_id: str) -> HttpResponse:
    """The owner invites an address, as editor or viewer; the same confirmation whether it has an account or not."""
    email, role = request.POST.get("email", "").strip(), request.POST.get("role", "editor")

    def share() -> str:
        invite = services.list_share(user=request.user, list_id=list_id, email=email, role=role)
        return f"Invitation sent to {invite.email}"

    return _panel_action(request, list_id, share, typed={"email": email, "role": role})


@login_required
@require_POST
def member_role(request: HttpRequest, list_id: str, member: str) -> HttpResponse:
    """The owner makes a member an editor or a viewer."""

    def change() -> str:
        membership = services.member_role_set(
            user=request.user, list_id=list_id, member=member, role=request.POST.get("role", "")
        )
        return f"{membership.display_name} {ROLE_NAMES[membership.role]} now"

    return _panel_action(request, list_id, change)


@login_required
@require_POST
def member_remove(request: HttpRequest, list_id: str, member: str) -> HttpResponse:
    """The owner removes a member: their very next request finds the list gone."""

    def remove() -> str:
        access = selectors.list_access(actor=request.user.sub, list_id=list_id).require_owner()
        name = next((m.display_name for m in selectors.members_of(access=access) if m.member == member), "")
        services.member_remove(user=request.user, list_id=list_id, member=member)
        return f"Removed {name or 'the member'} from the list"

    return _panel_action(request, list_id, remove)


@login_required
@require_POST
def invite_cancel(request: HttpRequest, list_id: str, invite_id: str) -> HttpResponse:
    """The owner withdraws a pending invitation."""

    def cancel() -> str:
        services.invite_cancel(user=request.user, list_id=list_id, invite_id=invite_id)
        return "Invitation cancelled"

    return _panel_action(request, list_id, cancel)


@login_required
@require_POST
def list_leave(request: HttpRequest, list_id: str) -> HttpResponse:
    """A member leaves a list shared with them, and is back in their Inbox."""
    try:
        access = selectors.list_access(actor=request.user.sub, list_id=list_id)
        if access.is_owner:
            raise SharingRuleBroken("This list is yours: delete it, or remove its members.")
        name = selectors.list_get(owner=access.owner, list_id=list_id).name
        services.member_remove(user=request.user, list_id=list_id, member=request.user.sub)
    except ApplicationError as error:
        if error.status == 404 and not request.htmx:
            raise
        state = PageState() if error.status == 404 else None  # not (or no longer) a member: their Inbox
        return render_app(request, state=state, error=error, error_status=True)
    return render_app(request, state=PageState(), notice=f"You left “{name}”")
