"""The welcome email: sent exactly once per profile, whatever the stream redelivers or a crash leaves."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from pynamodb.exceptions import UpdateError

from accounts.models import Profile, utcnow
from accounts.selectors import profile_get
from accounts.validators import header_safe

logger = logging.getLogger(__name__)


# How long a claim on the welcome email holds before another delivery may send. It must outlast one
# invocation of the handler (Lambda stops it at the function's timeout_seconds, 120 s at most here),
# so that a claim is only ever taken over from a delivery that is gone. Settings may shorten it.
WELCOME_EMAIL_LEASE_SECONDS = 300

WELCOME_CLAIM_OPEN = "open"


def _welcome_lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "WELCOME_EMAIL_LEASE_SECONDS", WELCOME_EMAIL_LEASE_SECONDS))


def welcome_email_send(*, sub: str, release_on_failure: bool = True) -> bool:
    """Send the welcome email of a profile; False when it was sent already or another delivery holds it.

    A delivery claims the send with a lease (`welcome_claimed_until` = now + the lease, a conditional
    write, which also puts the profile in the sparse index of open claims), sends, then marks it sent
    and leaves the index. A delivery that meets an unexpired claim does nothing: if that holder dies,
    the sweeper (`welcome_email_sweep`, every minute) sends once the lease is over. One that meets an
    expired claim claims anew and sends. A failed send releases the claim and re-raises, so the stream
    retries it; the sweeper keeps its claim instead (`release_on_failure=False`), so that it tries
    again after the lease. Duplicate window: a second email goes out only when a holder dies after the
    mail was handed over and before the sent mark is written (one UpdateItem), or when one send
    outlasts the lease.
    """
    profile = profile_get(sub=sub)
    if profile is None:
        logger.warning("Welcome email: no profile %s", sub)
        return False
    if profile.welcome_email_sent_at is not None:
        return False
    now = utcnow()
    claimed_until = now + _welcome_lease()
    try:
        # Not tied to the profile's version: a rename meanwhile must not make a claim (or the sent
        # mark below) fail, which would turn into a second send after the lease.
        profile.update(
            actions=[
                Profile.welcome_claimed_until.set(claimed_until),
                Profile.welcome_claim_open.set(WELCOME_CLAIM_OPEN),
            ],
            condition=Profile.welcome_email_sent_at.does_not_exist()
            & (Profile.welcome_claimed_until.does_not_exist() | (Profile.welcome_claimed_until < now)),
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("Welcome email of %s: sent, or claimed by a live delivery (the sweeper covers it)", sub)
        return False
    context = {"profile": profile, "site_name": settings.SITE_NAME}
    try:
        send_mail(
            # Names from before sign-up refused control characters may still hold them.
            subject=header_safe(f"Welcome to {settings.SITE_NAME}, {profile.display_name}!"),
            message=render_to_string("accounts/welcome_email.txt", context),
            html_message=render_to_string("accounts/welcome_email.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[profile.email],
        )
    except Exception:
        if release_on_failure:
            _welcome_claim_release(profile, claimed_until=claimed_until)
        raise
    profile.update(
        actions=[
            Profile.welcome_email_sent_at.set(utcnow()),
            Profile.welcome_claimed_until.remove(),
            Profile.welcome_claim_open.remove(),
        ],
        add_version_condition=False,
    )
    return True


def welcome_email_sweep(*, limit: int = 100) -> int:
    """Send the welcome emails whose claim expired unsent (its holder died); returns how many were sent.

    Reads the sparse index of open claims (a Query on one small partition, never a Scan). A send that
    fails keeps its fresh claim, so the next sweep after the lease tries again; the others go on.
    """
    sent = 0
    expired = Profile.open_welcome_claims.query(
        WELCOME_CLAIM_OPEN, Profile.welcome_claimed_until < utcnow(), limit=limit
    )
    for entry in expired:
        try:
            sent += welcome_email_send(sub=entry.sub, release_on_failure=False)
        except Exception:
            logger.exception("Welcome email sweep: sending to %s failed; retried after the lease", entry.sub)
    return sent


def _welcome_claim_release(profile: Profile, *, claimed_until) -> None:
    """Give up our own claim (only ours: a later holder's claim stays)."""
    try:
        profile.update(
            actions=[Profile.welcome_claimed_until.remove(), Profile.welcome_claim_open.remove()],
            condition=Profile.welcome_claimed_until == claimed_until,
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
