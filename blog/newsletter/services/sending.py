"""Emailing a post to the subscribers: one send record per post, an outbox item per recipient, sent once.

`newsletter_send_start` creates the post's send record (conditionally: a post is emailed once).
Its Stream calls `newsletter_fan_out`, which writes one page of confirmed subscribers into the
outbox (conditional puts: a redelivered page adds nobody twice) and moves the record's cursor on
(conditional on the cursor it read), which puts the record in the Stream again for the next page.
The outbox's Stream calls `newsletter_messages_deliver` with the new items: each is claimed with a
conditional update (pending -> sending) before its message is handed to SES and marked sent after
(25 marks to a BatchWriteItem), so a redelivered batch sends nothing twice. A failed hand-over
puts the claim back and is retried; a delivery that dies between SES accepting a message and the
sent mark leaves it `sending`, never sent twice (at most once in that window).
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from accounts.validators import header_safe
from blog import permissions, selectors
from blog.errors import SendAlreadyStarted
from blog.models import PUBLISHED, Post
from blog.newsletter.models import (
    CONFIRMED,
    CONFIRMED_LIST,
    FANNING_OUT,
    OUTBOX_PENDING,
    OUTBOX_SENDING,
    OUTBOX_SENT,
    OUTBOX_SUPPRESSED,
    QUEUED,
    NewsletterSend,
    OutboxMessage,
    Subscriber,
    SuppressedAddress,
    utcnow,
)
from blog.newsletter.services.subscriptions import site_url, unsubscribe_path
from blog.services.transaction import post_allowed
from mysite.dynamo import chunks
from mysite.errors import Unprocessable

logger = logging.getLogger(__name__)

SUBSCRIBER_PAGE = 500  # subscribers per fan-out step
OUTBOX_CHUNK = 100  # conditional puts per transaction (DynamoDB's limit)


SEND_REFUSAL = "Your role does not allow emailing posts to the subscribers; an author or an editor can send it."


def newsletter_send_start(*, post_id: str, requested_by: str, actor=None) -> NewsletterSend:
    """Email a published post to every confirmed subscriber (once per post).

    `actor` (None: the system itself) must be allowed to publish the post (blog.permissions.can_publish):
    a post they may not see is a PostNotFound, one they may see but not publish a RoleForbidden.
    """
    post = selectors.post_get(post_id=post_id)
    post_allowed(post, actor, permissions.can_publish, SEND_REFUSAL)
    if post.status != PUBLISHED:
        raise Unprocessable("Only a published post can be emailed to the subscribers.")
    send = NewsletterSend(post_id, requested_by=requested_by)
    try:
        send.save(condition=NewsletterSend.post_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise SendAlreadyStarted() from None
        raise
    return send


def _outbox_put(items: list[OutboxMessage]) -> int:
    """Write the items that are not in the outbox yet; returns how many were new."""
    condition = OutboxMessage.post_id.does_not_exist()
    try:
        with TransactWrite(connection=OutboxMessage._get_connection().connection) as transaction:
            for item in items:
                transaction.save(item, condition=condition)
        return len(items)
    except TransactWriteError:
        pass  # some are there already (a redelivered page): one by one, keeping what exists
    new = 0
    for item in items:
        try:
            item.save(condition=condition)
            new += 1
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    return new


def newsletter_fan_out(*, post_id: str) -> int:
    """Put the send's next page of subscribers in the outbox and move its cursor on; returns how many."""
    try:
        send = NewsletterSend.get(post_id, consistent_read=True)
    except DoesNotExist:
        return 0
    if send.status != FANNING_OUT:
        return 0
    start = json.loads(send.cursor) if send.cursor else None
    results = Subscriber.confirmed.query(CONFIRMED_LIST, limit=SUBSCRIBER_PAGE, last_evaluated_key=start)
    items = [OutboxMessage(post_id, s.subscriber_id, email=s.email, status=OUTBOX_PENDING) for s in results]
    following = results.last_evaluated_key
    new = sum(_outbox_put(chunk) for chunk in chunks(items, OUTBOX_CHUNK))
    actions = [NewsletterSend.pages.add(1), NewsletterSend.recipients.add(new)]
    actions.append(NewsletterSend.cursor.set(json.dumps(following)) if following else NewsletterSend.cursor.remove())
    if not following:
        actions.append(NewsletterSend.status.set(QUEUED))
    same_cursor = NewsletterSend.cursor == send.cursor if send.cursor else NewsletterSend.cursor.does_not_exist()
    try:
        send.update(actions=actions, condition=same_cursor & (NewsletterSend.status == FANNING_OUT))
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("Newsletter %s: this page was done by another delivery", post_id)
    return new


# --- Delivery ------------------------------------------------------------------------------


def newsletter_message(post: Post, *, subscriber_id: str, email: str) -> EmailMultiAlternatives:
    """The email of a post to one subscriber: text and HTML, with RFC 8058 one-click unsubscribe."""
    unsubscribe_url = site_url(unsubscribe_path(subscriber_id=subscriber_id, email=email))
    context = {
        "post": post,
        "post_url": site_url(reverse("blog:post", args=[post.slug])),
        "unsubscribe_url": unsubscribe_url,
        "site_name": settings.SITE_NAME,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    if settings.NEWSLETTER_SES_CONFIGURATION_SET:
        headers["X-SES-CONFIGURATION-SET"] = settings.NEWSLETTER_SES_CONFIGURATION_SET
    message = EmailMultiAlternatives(
        subject=header_safe(post.title),
        body=render_to_string("blog_newsletter/post_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers=headers,
    )
    message.attach_alternative(render_to_string("blog_newsletter/post_email.html", context), "text/html")
    return message


def _set_status(item: OutboxMessage, status: str, *, expected: str) -> bool:
    actions = [OutboxMessage.status.set(status)]
    try:
        item.update(actions=actions, condition=OutboxMessage.status == expected)
        return True
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False


def newsletter_messages_deliver(*, messages: list[tuple[str, str, str]]) -> tuple[int, int | None]:
    """Send new outbox items (post id, subscriber id, email) once each; (sent, position of the first failure).

    Suppressed addresses and subscribers who left since the fan-out are skipped. At most
    NEWSLETTER_SEND_RATE messages a second leave one invocation (SES's sending rate).
    """
    emails = {email.lower() for _, _, email in messages}
    suppressed = {item.email for item in SuppressedAddress.batch_get(sorted(emails))} if emails else set()
    ids = sorted({subscriber_id for _, subscriber_id, _ in messages})
    confirmed = (
        {
            s.subscriber_id
            for s in Subscriber.batch_get(ids, attributes_to_get=["subscriber_id", "status"])
            if s.status == CONFIRMED
        }
        if ids
        else set()
    )
    posts: dict[str, Post | None] = {}
    interval = 1 / settings.NEWSLETTER_SEND_RATE if settings.NEWSLETTER_SEND_RATE else 0
    connection = get_connection()
    sent, last_send = 0, 0.0
    done: list[OutboxMessage] = []
    for position, (post_id, subscriber_id, email) in enumerate(messages):
        item = OutboxMessage(post_id, subscriber_id)
        if email.lower() in suppressed or subscriber_id not in confirmed:
            _set_status(item, OUTBOX_SUPPRESSED, expected=OUTBOX_PENDING)
            continue
        if post_id not in posts:
            try:
                posts[post_id] = Post.get(post_id)
            except DoesNotExist:
                posts[post_id] = None
        post = posts[post_id]
        if post is None or post.status != PUBLISHED:
            _set_status(item, OUTBOX_SUPPRESSED, expected=OUTBOX_PENDING)
            continue
        if not _set_status(item, OUTBOX_SENDING, expected=OUTBOX_PENDING):
            continue  # sent (or being sent) by an earlier delivery of this record
        if interval:
            time.sleep(max(0.0, last_send + interval - time.monotonic()))
        try:
            connection.send_messages([newsletter_message(post, subscriber_id=subscriber_id, email=email)])
            last_send = time.monotonic()
        except Exception:
            logger.exception("Newsletter %s to %s: SES did not take the message", post_id, subscriber_id)
            _set_status(item, OUTBOX_PENDING, expected=OUTBOX_SENDING)  # retried with the record
            _mark_sent(done)
            return sent, position
        done.append(OutboxMessage(post_id, subscriber_id, email=email, status=OUTBOX_SENT, sent_at=utcnow()))
        sent += 1
    _mark_sent(done)
    return sent, None


def _mark_sent(items: list[OutboxMessage]) -> None:
    """Mark handed-over messages sent, 25 to a BatchWriteItem (only the claim needs a condition)."""
    with OutboxMessage.batch_write() as batch:
        for item in items:
            batch.save(item)
