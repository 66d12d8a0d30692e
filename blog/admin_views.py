"""The authors' panel under /admin/blog/: post list, editor, preview, delete, readers.

Only the blog's staff get in (any role of blog.permissions); everyone else gets a 404, as does a post
or page their role may not see. What a role may do with a post is asked of blog.permissions.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import profile_count, profile_list
from blog import permissions, selectors, services
from blog.constants import STATUSES
from blog.errors import RevisionNotFound, RoleForbidden
from blog.forms import DeleteForm, PostForm, StaffRoleForm
from blog.rendering import render_markdown
from blog.services import staff as staff_services
from mysite.decorators import login_required
from mysite.errors import ApplicationError, InvalidInput
from mysite.forms import form_error_apply
from mysite.idempotency import form_once

if TYPE_CHECKING:
    from blog.models import Post


def role_required(check):
    """Signed in, and `check(user)` (a blog.permissions function) holds; otherwise 404, revealing nothing."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


authors_only = role_required(permissions.is_staff)  # every staff role


_apply = form_error_apply
ROLE_CHOICES = [(role, permissions.ROLE_LABELS[role]) for role in permissions.ROLES] + [("none", "No role")]


@authors_only
def post_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    search = request.GET.get("q", "")[:100]
    posts, next_cursor = selectors.post_list(
        status=status if status in STATUSES else None,
        search=search,
        cursor=request.GET.get("cursor"),
        actor=request.user,
    )
    return render(
        request,
        "blog/admin/post_list.html",
        {
            "posts": posts,
            "next_cursor": next_cursor,
            "status": status,
            "search": search,
            "statuses": STATUSES,
            "coauthored": []
            if permissions.sees_every_post(request.user) or status or search
            else selectors.posts_coauthored(author_sub=request.user.sub)[0],
            "may_see_readers": permissions.can_see_readers(request.user),
            "may_manage_staff": permissions.can_manage_staff(request.user),
        },
    )


def _editor(request: HttpRequest, form: PostForm, post: Post | None, *, status: int = 200) -> HttpResponse:
    if form.is_bound and form.errors and status == 200:
        status = 400
    user = request.user
    may = {
        "edit": post is None or permissions.can_edit(user, post),
        "publish": permissions.can_publish(user, post),
        "submit": post is not None and permissions.can_submit(user, post),
        "delete": post is not None and permissions.can_delete(user, post),
        "coauthors": post is not None and permissions.can_add_coauthor(user, post),
    }
    return render(request, "blog/admin/editor.html", {"form": form, "post": post, "may": may}, status=status)


def _by(request: HttpRequest) -> services.SavedBy:
    return services.SavedBy(request.user.sub, request.user.display_name)


PUBLISHING = {"publish", "schedule", "unpublish"}


def _action_allowed(request: HttpRequest, post: Post | None, action: str) -> None:
    """Refuse an action the user's role does not allow before anything is saved (the services check again)."""
    if action in PUBLISHING and not permissions.can_publish(request.user, post):
        raise RoleForbidden("Your role does not allow publishing; submit the draft for review instead.")
    if action == "submit" and post is not None and not permissions.can_submit(request.user, post):
        raise RoleForbidden("Only a draft can be submitted for review.")


def _run_action(request: HttpRequest, post: Post, action: str, publish_at) -> Post:
    by, actor = _by(request), request.user
    if action == "publish":
        return services.post_publish(post_id=post.post_id, version=post.version, by=by, actor=actor)
    if action == "schedule":
        if not publish_at:
            raise InvalidInput("Choose when to publish.", field="publish_at")
        return services.post_schedule(
            post_id=post.post_id, version=post.version, publish_at=publish_at, by=by, actor=actor
        )
    if action == "unpublish":
        return services.post_unpublish(post_id=post.post_id, version=post.version, by=by, actor=actor)
    if action == "submit":
        return services.post_submit(post_id=post.post_id, version=post.version, by=by, actor=actor)
    return post


_DONE = {
    "save": "Saved.",
    "publish": "Published.",
    "schedule": "Scheduled.",
    "unpublish": "Unpublished: it is a draft again.",
    "submit": "Submitted for review: an editor will publish it.",
}


@authors_only
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"] or "save"

        def create() -> str:
            post = services.post_create(
                author_sub=request.user.sub,
                author_name=request.user.display_name,
                by=_by(request),
                actor=request.user,
                **form.content(),
            )
            return _run_action(request, post, action, form.cleaned_data["publish_at"]).post_id

        try:
            _action_allowed(request, None, action)
            post_id = form_once(request, create)  # a double click or a retry redirects to the post made first
        except ApplicationError as error:
            _apply(form, error)
            return _editor(request, form, None, status=error.status)
        messages.success(request, _DONE[action])
        return redirect("blog-admin:edit", post_id=post_id)
    return _editor(request, form, None)


def _initial(post: Post) -> dict:
    """The editor form's fields for `post` as it is."""
    return {
        "title": post.title,
        "slug": post.slug,
        "body_markdown": post.body_markdown,
        "custom_excerpt": post.custom_excerpt,
        "tags": ", ".join(post.tag_labels),
        "feature_image_id": post.feature_image_id or "",
        "feature_image_alt": post.feature_image_alt,
        "publish_at": post.scheduled_for.strftime("%Y-%m-%dT%H:%M") if post.scheduled_for else "",
        "version": post.version,
    }


@authors_only
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: str) -> HttpResponse:
    post = selectors.post_get(post_id=post_id, actor=request.user)
    if request.method == "GET":
        return _editor(request, PostForm(initial=_initial(post)), post)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _editor(request, form, post)
    action = form.cleaned_data["action"] or "save"
    try:
        _action_allowed(request, post, action)
        post = services.post_update(
            post_id=post_id,
            version=form.cleaned_data["version"] or 0,
            by=_by(request),
            actor=request.user,
            **form.content(),
        )
        post = _run_action(request, post, action, form.cleaned_data["publish_at"])
    except services.PostVersionConflict as error:
        form.add_error(
            None,
            f"{error.message} It is now at version {error.current.version if error.current else '?'}; "
            "copy your changes, reload, and apply them again.",
        )
        return _editor(request, form, post, status=409)
    except ApplicationError as error:
        _apply(form, error)
        return _editor(request, form, selectors.post_get(post_id=post_id, actor=request.user), status=error.status)
    messages.success(request, _DONE[action])
    return redirect("blog-admin:edit", post_id=post.post_id)


@authors_only
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, post_id: str) -> HttpResponse:
    post = selectors.post_get(post_id=post_id, actor=request.user)
    form = DeleteForm(request.POST or None, initial={"version": post.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_delete(post_id=post_id, version=form.cleaned_data["version"], actor=request.user)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, f"Deleted “{post.title}”.")
            return redirect("blog-admin:posts")
    else:
        status = 409 if form.errors else 200
    refused = not permissions.can_delete(request.user, post)
    if refused and request.method == "GET":
        status = 403
    context = {"post": post, "form": form, "refused": refused}
    return render(request, "blog/admin/delete.html", context, status=status)


@authors_only
@require_POST
def post_authors(request: HttpRequest, post_id: str) -> HttpResponse:
    """Add a co-author (staff, by email) or take one off; the editor's page shows the result."""
    post = selectors.post_get(post_id=post_id, actor=request.user)
    subs = [byline["sub"] for byline in post.bylines]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        if request.POST.get("remove"):
            subs = [sub for sub in subs if sub != request.POST["remove"]]
        else:
            email = request.POST.get("email", "").strip()
            if not email:
                raise InvalidInput("Give the co-author's email.", field="email")
            subs.append(staff_services.staff_member(email=email).sub)
        services.post_authors_set(
            post_id=post_id, version=version, author_ids=subs, by=_by(request), actor=request.user
        )
    except selectors.PostNotFound:
        raise Http404 from None
    except ApplicationError as error:  # the editor again, with the reason (403 for a role, 409 for a stale page ...)
        messages.error(request, error.message)
        post = selectors.post_get(post_id=post_id, actor=request.user)
        return _editor(request, PostForm(initial=_initial(post)), post, status=error.status)
    messages.success(request, "Authors saved.")
    return redirect("blog-admin:edit", post_id=post_id)


HISTORY_PAGE = 20


@authors_only
def post_history(request: HttpRequest, post_id: str) -> HttpResponse:
    """Every save of the post, newest first, each with what it changed against the save before."""
    post = selectors.post_get(post_id=post_id, actor=request.user)
    revisions, next_cursor = selectors.post_revisions(
        post_id=post_id, limit=HISTORY_PAGE, cursor=request.GET.get("cursor")
    )
    entries = []
    for index, revision in enumerate(revisions):
        older = revisions[index + 1] if index + 1 < len(revisions) else None
        if older is None and revision.number > 1:
            try:
                older = selectors.revision_get(post_id=post_id, number=int(revision.number) - 1)
            except RevisionNotFound:  # saved before revisions were kept
                older = None
        entries.append({"revision": revision, "diff": selectors.revision_diff(revision, older)})
    context = {"post": post, "entries": entries, "next_cursor": next_cursor}
    return render(request, "blog/admin/history.html", context)


@authors_only
@require_POST
def post_restore(request: HttpRequest, post_id: str, number: int) -> HttpResponse:
    """Save revision `number`'s content again, as a new revision (the version guards against a stale page)."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.post_restore(post_id=post_id, number=number, version=version, by=_by(request), actor=request.user)
    except services.PostVersionConflict as error:
        messages.error(request, f"{error.message} Look at the history again before restoring.")
        return redirect("blog-admin:history", post_id=post_id)
    except selectors.PostNotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("blog-admin:history", post_id=post_id)
    messages.success(request, f"Restored revision {number} as a new revision.")
    return redirect("blog-admin:edit", post_id=post_id)


@authors_only
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview (htmx): the body rendered exactly as readers will see it."""
    body_html = render_markdown(
        request.POST.get("body_markdown", "")[:200_000], renditions_for=selectors.image_renditions
    )
    return render(request, "blog/admin/_preview.html", {"body_html": body_html})


@role_required(permissions.can_see_readers)
def readers(request: HttpRequest) -> HttpResponse:
    profiles, next_cursor = profile_list(limit=50, cursor=request.GET.get("cursor"))
    return render(
        request,
        "blog/admin/readers.html",
        {"profiles": profiles, "next_cursor": next_cursor, "count": profile_count()},
    )


@role_required(permissions.can_manage_staff)
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    """Administrators: every staff member with their role; a form per member (and one by email) changes it."""
    form = StaffRoleForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_services.staff_role_set(actor=request.user, **form.target())
        except ApplicationError as error:
            _apply(form, error)
            status = error.status
        else:
            messages.success(request, f"{member.name or member.email} is now: {member.role_label}.")
            return redirect("blog-admin:staff")
    elif form.is_bound:
        status = 400
    context = {"members": staff_services.staff_list(actor=request.user), "form": form, "roles": ROLE_CHOICES}
    return render(request, "blog/admin/staff.html", context, status=status)
