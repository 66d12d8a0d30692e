from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign-up"),
    path("confirm/", views.confirm, name="confirm"),
    path("confirm/resend/", views.confirm_resend, name="confirm-resend"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password/forgot/", views.forgot_password, name="forgot-password"),
    path("password/reset/", views.reset_password, name="reset-password"),
    path("profile/", views.profile, name="profile"),
    path("nav/", views.nav, name="nav"),
]
