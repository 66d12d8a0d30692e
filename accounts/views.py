"""Browser pages for the account life cycle; the work happens in services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts import forms as account_forms
from accounts import services
from accounts.errors import TooManyAttempts
from accounts.selectors import profile_get
from mysite.auth import client_ip, session_refresh_token, session_rename, session_sign_in
from mysite.decorators import login_required
from mysite.errors import ApplicationError
from mysite.forms import form_error_apply


def _form_page(request: HttpRequest, template: str, form: forms.Form, **context) -> HttpResponse:
    status = getattr(form, "throttled_status", None) or (400 if form.is_bound and form.errors else 200)
    return render(request, template, {"form": form, **context}, status=status)


_apply = form_error_apply


def _with_email(name: str, email: str) -> str:
    """The URL of page `name` with `email` in its query string, encoded (`a+b@example.com` stays whole)."""
    return f"{reverse(name)}?{urlencode({'email': email})}"


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _form_flow(
    request: HttpRequest, form: forms.Form, service, template: str, *, done: tuple[int, str, str]
) -> HttpResponse:
    """A form page whose valid POST calls `service` with the form's fields and the client's address.

    A domain error shows on the form; success leaves message `done[1]` (at level `done[0]`) and goes on to
    page `done[2]` with the email filled in.
    """
    if request.method == "POST" and form.is_valid():
        try:
            service(**form.cleaned_data, client=client_ip(request))
        except ApplicationError as error:
            _apply(form, error)
        else:
            level, message, then = done
            messages.add_message(request, level, message)
            return redirect(_with_email(then, form.cleaned_data["email"]))
    return _form_page(request, template, form)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = account_forms.SignUpForm(request.POST or None)
    done = (messages.INFO, "We emailed you a confirmation code.", "accounts:confirm")
    return _form_flow(request, form, services.account_sign_up, "accounts/sign_up.html", done=done)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    form = account_forms.ConfirmForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    done = (messages.SUCCESS, "Your account is confirmed. Sign in to continue.", "accounts:sign-in")
    return _form_flow(request, form, services.account_confirm, "accounts/confirm.html", done=done)


@require_POST
def confirm_resend(request: HttpRequest) -> HttpResponse:
    """Send a new confirmation code and go back to the confirmation form."""
    form = account_forms.ForgotPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter your email address to get a new code.")
        return redirect("accounts:confirm")
    try:
        services.confirmation_code_resend(email=form.cleaned_data["email"], client=client_ip(request))
    except TooManyAttempts as error:
        messages.error(request, f"{error.message} You can try again in {error.retry_after} seconds.")
    else:
        messages.info(request, "If this account is waiting for confirmation, we emailed it a new code.")
    return redirect(_with_email("accounts:confirm", form.cleaned_data["email"]))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = account_forms.SignInForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            tokens = services.account_sign_in(**form.cleaned_data, client=client_ip(request))
        except services.AccountNotConfirmed:
            messages.info(request, "Confirm your account first with the code we emailed you.")
            return redirect(_with_email("accounts:confirm", form.cleaned_data["email"]))
        except ApplicationError as error:
            _apply(form, error)
        else:
            session_sign_in(request, tokens)
            return redirect(_safe_next(request))
    return _form_page(request, "accounts/sign_in.html", form, next=_safe_next(request, ""))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.account_sign_out(refresh_token=session_refresh_token(request))
    request.session.flush()
    messages.info(request, "You are signed out.")
    return redirect("home")


@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = account_forms.ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_forgot(email=form.cleaned_data["email"], client=client_ip(request))
        except TooManyAttempts as error:
            _apply(form, error)
            return _form_page(request, "accounts/forgot_password.html", form)
        messages.info(request, "If an account exists for this email, we sent it a reset code.")
        return redirect(_with_email("accounts:reset-password", form.cleaned_data["email"]))
    return _form_page(request, "accounts/forgot_password.html", form)


@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest) -> HttpResponse:
    form = account_forms.ResetPasswordForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    done = (messages.SUCCESS, "Your password was changed. Sign in with the new one.", "accounts:sign-in")
    return _form_flow(request, form, services.password_reset, "accounts/reset_password.html", done=done)


def nav(request: HttpRequest) -> HttpResponse:
    """The header's account links, fetched by cached public pages (which cannot know the user)."""
    response = render(request, "accounts/_nav.html")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The user's account page, with the form that changes their name and time zone."""
    current = profile_get(sub=request.user.sub)
    initial = {
        "display_name": current.display_name if current else request.user.display_name,
        "time_zone": getattr(current, "time_zone", None) or "",
    }
    form = account_forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(
                sub=request.user.sub,
                display_name=form.cleaned_data["display_name"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ApplicationError as error:
            _apply(form, error)
        else:
            session_rename(request, saved.display_name)
            messages.success(request, "Your account was saved.")
            return redirect("accounts:profile")
    return _form_page(request, "accounts/profile.html", form, profile=current)
