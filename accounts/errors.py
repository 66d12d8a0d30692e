"""The accounts app's domain errors (mysite.errors maps them to HTTP by their base class)."""

from __future__ import annotations

from mysite.errors import Conflict, InvalidInput, NotAuthenticated, Throttled

__all__ = ["AccountNotConfirmed", "InvalidCode", "InvalidCredentials", "TooManyAttempts"]


class TooManyAttempts(Throttled):
    """Over an account's or a client's limit for an action (accounts.throttling)."""


class AccountNotConfirmed(Conflict):
    code, message = "not_confirmed", "This account is not confirmed yet; enter the code we emailed you."


class InvalidCredentials(NotAuthenticated):
    code, message = "invalid_credentials", "Incorrect email or password."


class InvalidCode(InvalidInput):
    code, message = "invalid_code", "This code is wrong or has expired."
