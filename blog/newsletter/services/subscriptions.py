"""Double opt-in subscriptions and unsubscribing; answers never tell whether an address was known."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from pynamodb.exceptions import DoesNotExist, UpdateError

from blog.errors import InvalidLink
from blog.newsletter import tokens
from blog.newsletter.models import CONFIRMED, CONFIRMED_LIST, PENDING, UNSUBSCRIBED, Subscriber, utcnow
from mysite.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 254
# One confirmation email per address in this while: the form cannot be used to flood someone's inbox.
CONFIRMATION_INTERVAL = timedelta(minutes=10)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _normalized(email: str) -> str:
    email = email.strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput("An address is at most 254 characters.", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.", field="email") from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def subscription_request(*, email: str) -> bool:
    """Ask to subscribe: mail a confirmation link unless confirmed or mailed lately; True if a link was mailed."""
    email = _normalized(email)
    subscriber_id = tokens.subscriber_id_for(email.lower())
    try:
        subscriber = Subscriber.get(subscriber_id, consistent_read=True)
    except DoesNotExist:
        subscriber = Subscriber(subscriber_id, email=email, status=PENDING)
        subscriber.save()
    if subscriber.status == CONFIRMED:
        return False
    now = utcnow()
    recently = Subscriber.confirmation_sent_at > now - CONFIRMATION_INTERVAL
    try:
        subscriber.update(
            actions=[Subscriber.confirmation_sent_at.set(now)],
            condition=Subscriber.confirmation_sent_at.does_not_exist() | ~recently,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    link = site_url(reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber_id)]))
    context = {"link": link, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"Confirm your subscription to {settings.SITE_NAME}",
        message=render_to_string("blog_newsletter/confirm_email.txt", context),
        html_message=render_to_string("blog_newsletter/confirm_email.html", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[subscriber.email],
    )
    return True


def subscriber_for_confirm_link(*, token: str) -> Subscriber:
    """The subscriber a confirmation link names; InvalidLink if it is tampered or expired (nothing written)."""
    subscriber_id = tokens.confirm_token_subscriber(token)
    if subscriber_id is None:
        raise InvalidLink()
    try:
        return Subscriber.get(subscriber_id, consistent_read=True)
    except DoesNotExist:
        raise InvalidLink() from None


def subscription_confirm(*, token: str) -> Subscriber:
    """Confirm from the emailed link; InvalidLink if tampered or expired. Safe to repeat."""
    subscriber = subscriber_for_confirm_link(token=token)
    if subscriber.status != CONFIRMED:
        subscriber.update(
            actions=[
                Subscriber.status.set(CONFIRMED),
                Subscriber.list_key.set(CONFIRMED_LIST),
                Subscriber.confirmed_at.set(utcnow()),
            ]
        )
    return subscriber


def unsubscribe_path(*, subscriber_id: str, email: str) -> str:
    """The path of a subscriber's one-click unsubscribe link (every email carries it, the confirmed page too)."""
    token = tokens.unsubscribe_token(subscriber_id, email)
    return reverse("newsletter:unsubscribe", args=[subscriber_id, token])


def subscriber_for_link(*, subscriber_id: str, token: str) -> Subscriber:
    """The subscriber an unsubscribe link names, if its token is theirs; InvalidLink otherwise."""
    try:
        subscriber = Subscriber.get(subscriber_id[:64], consistent_read=True)
    except DoesNotExist:
        raise InvalidLink() from None
    if not tokens.unsubscribe_token_valid(subscriber.subscriber_id, subscriber.email, token):
        raise InvalidLink()
    return subscriber


def subscription_unsubscribe(*, subscriber_id: str, token: str) -> Subscriber:
    """Unsubscribe through a List-Unsubscribe link (RFC 8058 one-click: no session); safe to repeat."""
    subscriber = subscriber_for_link(subscriber_id=subscriber_id, token=token)
    if subscriber.status != UNSUBSCRIBED:
        subscriber.update(
            actions=[
                Subscriber.status.set(UNSUBSCRIBED),
                Subscriber.list_key.remove(),
                Subscriber.unsubscribed_at.set(utcnow()),
            ]
        )
        logger.info("Newsletter: %s unsubscribed", subscriber.subscriber_id)
    return subscriber
