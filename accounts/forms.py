"""Account forms; a new password is checked against the pool's policy here and again by the service."""

from __future__ import annotations

from django import forms

from accounts.services import time_zone_names
from accounts.validators import PASSWORD_HELP, PASSWORD_MIN_LENGTH, PasswordValidator, validate_display_name


class SignUpForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=80, strip=True, validators=[validate_display_name])
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        min_length=PASSWORD_MIN_LENGTH,
        max_length=256,
        help_text=PASSWORD_HELP,
        validators=[PasswordValidator()],
    )


class ConfirmForm(forms.Form):
    email = forms.EmailField(max_length=254)
    code = forms.CharField(label="Confirmation code", max_length=12, strip=True)


class SignInForm(forms.Form):
    email = forms.EmailField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput, max_length=256)


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(max_length=254)


class ResetPasswordForm(forms.Form):
    email = forms.EmailField(max_length=254)
    code = forms.CharField(label="Reset code", max_length=12, strip=True)
    new_password = forms.CharField(
        widget=forms.PasswordInput,
        min_length=PASSWORD_MIN_LENGTH,
        max_length=256,
        help_text=PASSWORD_HELP,
        validators=[PasswordValidator()],
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    return [("", "Not set (UTC)"), *((name, name.replace("_", " ")) for name in sorted(time_zone_names()))]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=80, strip=True, validators=[validate_display_name])
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=_time_zone_choices,
        required=False,
        help_text='Dates you type in words ("tomorrow 9am") and reminder times are read in it.',
    )
