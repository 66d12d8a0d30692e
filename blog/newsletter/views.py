"""Newsletter pages under /newsletter/: subscribe, confirm, one-click unsubscribe, a development page for SES events.

They sit outside /blog/ because the edge allows only reads there; none of them is cacheable.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from blog.newsletter import services
from blog.newsletter.events import ses_notification_handler
from blog.newsletter.services.subscriptions import subscriber_for_confirm_link, subscriber_for_link, unsubscribe_path
from mysite.errors import InvalidInput

TEMPLATE = "blog_newsletter/page.html"


def _page(request: HttpRequest, state: str, status: int = 200, **context) -> HttpResponse:
    return render(request, TEMPLATE, {"state": state, **context}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "subscribe")
    email = request.POST.get("email", "")
    try:
        services.subscription_request(email=email)
    except InvalidInput as error:
        return _page(request, "subscribe", status=400, error=error.message, email=email[:254])
    # The same answer for a new, a pending and a confirmed address.
    return _page(request, "check-inbox")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # Confirming takes a POST from the page: mail scanners that open links do not subscribe anyone.
    try:
        if request.method == "GET":
            subscriber = subscriber_for_confirm_link(token=token)  # a broken link says so before anything is asked
            if subscriber.status != services.CONFIRMED:
                return _page(request, "confirm", token=token)
        else:
            subscriber = services.subscription_confirm(token=token)
    except services.InvalidLink as error:
        return _page(request, "invalid", status=400, error=error.message)
    unsubscribe_url = unsubscribe_path(subscriber_id=subscriber.subscriber_id, email=subscriber.email)
    return _page(request, "confirmed", unsubscribe_url=unsubscribe_url)


@csrf_exempt  # RFC 8058: the mailbox provider POSTs without cookies; the token in the URL authorises it
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, subscriber_id: str, token: str) -> HttpResponse:
    try:
        subscriber = subscriber_for_link(subscriber_id=subscriber_id, token=token)
        if request.method == "GET":
            return _page(request, "unsubscribe", subscriber=subscriber)
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return _page(request, "invalid", status=400, error="Send List-Unsubscribe=One-Click to unsubscribe.")
        services.subscription_unsubscribe(subscriber_id=subscriber_id, token=token)
    except services.InvalidLink as error:
        return _page(request, "invalid", status=400, error=error.message)
    return _page(request, "unsubscribed")


def _sns_event(kind: str, address: str) -> dict:
    """An SNS notification carrying an SES event (configuration set event publishing), as Lambda receives it."""
    now = "2026-01-01T00:00:00.000Z"
    body = {"eventType": kind, "mail": {"timestamp": now, "messageId": uuid.uuid4().hex, "destination": [address]}}
    if kind == "Bounce":
        body["bounce"] = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1"}],
            "timestamp": now,
        }
    else:
        body["complaint"] = {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
            "timestamp": now,
        }
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:000000000000:ses-events:local",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": "arn:aws:sns:us-east-1:000000000000:ses-events",
                    "Subject": None,
                    "Message": json.dumps(body),
                    "Timestamp": now,
                    "SignatureVersion": "1",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@never_cache
@require_http_methods(["GET", "POST"])
def dev_notifications(request: HttpRequest) -> HttpResponse:
    """DEBUG only: hand the SNS handler a bounce or complaint in SNS's exact shape, as AWS would."""
    if not settings.DEBUG:
        raise Http404
    if request.method == "GET":
        return _page(request, "dev")
    kind = "Complaint" if request.POST.get("kind") == "complaint" else "Bounce"
    result = ses_notification_handler(_sns_event(kind, request.POST.get("email", "")[:254]), None)
    return _page(request, "dev", suppressed=result["suppressed"], kind=kind)
