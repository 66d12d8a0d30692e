"""The release managers' admin panel under /admin/updates/ (everyone else gets 404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mysite.constants import RELEASE_MANAGERS
from mysite.decorators import group_required
from mysite.errors import ApplicationError
from mysite.forms import form_error_apply
from mysite.idempotency import form_once
from updates import selectors, services
from updates.constants import PLATFORMS
from updates.forms import ProductForm, ReleaseEditForm, ReleaseForm
from updates.ramp import release_history

release_managers_only = group_required(RELEASE_MANAGERS)


_apply = form_error_apply


def _page(request: HttpRequest, template: str, form: forms.Form, **context) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=400 if form.is_bound and form.errors else 200)


@release_managers_only
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A double click or a retry redirects to the product made the first time.
            slug = form_once(request, lambda: services.product_create(**form.cleaned_data).slug)
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Created {form.cleaned_data['name']}.")
            return redirect("updates-admin:product", slug)
    products, cursor = selectors.products_list(cursor=request.GET.get("cursor"))
    return _page(request, "updates/admin/index.html", form, products=products, next_cursor=cursor)


@release_managers_only
@require_http_methods(["GET", "POST"])
def product(request: HttpRequest, product: str) -> HttpResponse:
    owner = selectors.product_get(slug=product)
    form = ReleaseForm(request.POST or None, channels=owner.channels)
    if request.method == "POST" and form.is_valid():
        try:
            version = form_once(
                request,
                lambda: (
                    services.release_create(
                        product=owner.slug, actor=request.user.email, **form.cleaned_data
                    ).version_name
                ),
            )
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Created draft {version}. Upload its artifacts next.")
            return redirect("updates-admin:release", owner.slug, version)
    releases, cursor = selectors.releases_list(product=owner.slug, cursor=request.GET.get("cursor"))
    return _page(request, "updates/admin/product.html", form, product=owner, releases=releases, next_cursor=cursor)


@release_managers_only
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, product: str, version: str) -> HttpResponse:
    owner = selectors.product_get(slug=product)
    current = selectors.release_get(product=owner.slug, version=version)
    initial = {
        "notes": current.notes,
        "critical": current.critical,
        "minimum_version": current.minimum_version or "",
        "rollout": int(current.rollout),
        "expected_version": int(current.version),
    }
    form = ReleaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_update(
                product=owner.slug, version=current.version_name, actor=request.user.email, **form.cleaned_data
            )
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("updates-admin:release", owner.slug, current.version_name)
    artifacts = sorted(selectors.release_artifacts(release=current), key=lambda a: PLATFORMS.index(a.platform))
    context = {
        "product": owner,
        "release": current,
        "artifacts": artifacts,
        "platforms": PLATFORMS,
        "upload_url": reverse("updates-api:artifact-upload", args=[owner.slug, current.version_name]),
        "history": release_history(product=owner.slug, version=current.version_name),
    }
    return _page(request, "updates/admin/release.html", form, **context)


_TRANSITIONS = {
    "publish": (services.release_publish, "Published {version}."),
    "pause": (services.release_pause, "Paused {version}."),
    "resume": (services.release_resume, "Resumed {version}."),
    "yank": (services.release_yank, "Yanked {version}; it will never be offered again."),
}


@release_managers_only
@require_POST
def transition(request: HttpRequest, product: str, version: str, action: str) -> HttpResponse:
    if action not in _TRANSITIONS:
        raise Http404
    service, done = _TRANSITIONS[action]
    expected = request.POST.get("expected_version", "").strip()
    # ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() refuses or reads differently.
    if expected and not (expected.isascii() and expected.isdigit() and len(expected) <= 18):
        messages.error(request, "This page is out of date; reload it and try again.")
        return redirect("updates-admin:release", product, version)
    try:
        release = service(
            product=product,
            version=version,
            expected_version=int(expected) if expected else None,
            actor=request.user.email,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(version=release.version_name))
    return redirect("updates-admin:release", product, version)
