from __future__ import annotations

from django.urls import path

from accounts import apis

app_name = "accounts-api"

urlpatterns = [
    path("sign-up", apis.SignUpApi.as_view(), name="sign-up"),
    path("confirm", apis.ConfirmApi.as_view(), name="confirm"),
    path("confirm/resend", apis.ConfirmResendApi.as_view(), name="confirm-resend"),
    path("token", apis.TokenApi.as_view(), name="token"),
    path("token/refresh", apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("sign-out", apis.SignOutApi.as_view(), name="sign-out"),
    path("sign-out/everywhere", apis.SignOutEverywhereApi.as_view(), name="sign-out-everywhere"),
    path("password/forgot", apis.PasswordForgotApi.as_view(), name="password-forgot"),
    path("password/reset", apis.PasswordResetApi.as_view(), name="password-reset"),
    path("me", apis.MeApi.as_view(), name="me"),
]
