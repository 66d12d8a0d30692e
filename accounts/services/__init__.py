"""Writes of the accounts app: the account life cycle, profiles, and the welcome email.

Other apps may import from here (the declared interface, see pyproject's import contracts).
"""

from __future__ import annotations

from accounts.errors import AccountNotConfirmed, InvalidCode, InvalidCredentials
from accounts.services.account import (
    account_confirm,
    account_sign_in,
    account_sign_out,
    account_sign_up,
    confirmation_code_resend,
    password_forgot,
    password_reset,
)
from accounts.services.profiles import (
    CreatedUser,
    profile_ensure,
    profile_ensure_for,
    profile_update,
    time_zone_names,
    tokens_revoke,
    user_create,
)
from accounts.services.welcome import WELCOME_CLAIM_OPEN, welcome_email_send, welcome_email_sweep

__all__ = [
    "WELCOME_CLAIM_OPEN",
    "AccountNotConfirmed",
    "CreatedUser",
    "InvalidCode",
    "InvalidCredentials",
    "account_confirm",
    "account_sign_in",
    "account_sign_out",
    "account_sign_up",
    "confirmation_code_resend",
    "password_forgot",
    "password_reset",
    "profile_ensure",
    "profile_ensure_for",
    "profile_update",
    "time_zone_names",
    "tokens_revoke",
    "user_create",
    "welcome_email_send",
    "welcome_email_sweep",
]
