"""The newsletter: double opt-in, one-click unsubscribe (RFC 8058), SES notifications, a send of several pages."""

from __future__ import annotations

import email
import email.policy
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from blog import services as blog_services
from blog.newsletter import tokens
from blog.newsletter.events import EVENT_SOURCES, outbox_stream_handler, send_stream_handler, ses_notification_handler
from blog.newsletter.models import (
    CONFIRMED,
    CONFIRMED_LIST,
    OUTBOX_SENT,
    OUTBOX_SUPPRESSED,
    PENDING,
    QUEUED,
    UNSUBSCRIBED,
    NewsletterSend,
    OutboxMessage,
    Subscriber,
    SuppressedAddress,
)
from blog.newsletter.services import sending
from blog.newsletter.views import _sns_event
from mysite.dispatcher import Dispatcher
from mysite.mail import mailbox_messages
from tests.conftest import unique_email


def subscriber(address: str) -> Subscriber:
    return Subscriber.get(tokens.subscriber_id_for(address.lower()), consistent_read=True)


def confirm_link(address: str) -> str:
    [message] = [m for m in mailbox_messages(to=address) if "Confirm your subscription" in m.subject]
    return urlsplit(re.search(r"https?://\S+/newsletter/confirm/\S+/", message.body).group()).path


def subscribe(address: str) -> Subscriber:
    client = Client()
    client.post("/newsletter/", {"email": address})
    client.post(confirm_link(address))
    return subscriber(address)


def unsubscribe_path(item: Subscriber) -> str:
    return f"/newsletter/unsubscribe/{item.subscriber_id}/{tokens.unsubscribe_token(item.subscriber_id, item.email)}/"


# --- Double opt-in ----------------------------------------------------------------------------


def test_subscribing_takes_the_emailed_link_and_a_press_of_confirm():
    address = unique_email("reader")
    page = Client().post("/newsletter/", {"email": address})
    assert page.status_code == 200
    assert "Check your inbox" in page.content.decode()
    assert subscriber(address).status == PENDING
    link = confirm_link(address)
    client = Client()
    assert "Confirm your subscription" in client.get(link).content.decode()
    assert subscriber(address).status == PENDING  # opening the link (a mail scanner) confirms nothing
    done = client.post(link)
    assert done.status_code == 200
    confirmed = subscriber(address)
    assert (confirmed.status, confirmed.list_key) == (CONFIRMED, CONFIRMED_LIST)
    assert any(s.subscriber_id == confirmed.subscriber_id for s in Subscriber.confirmed.query(CONFIRMED_LIST))

    # The confirmed page (and the link opened again) offers the way out at once, not only in a later email.
    again = client.get(link).content.decode()
    assert "You are subscribed" in again
    unsubscribe = re.search(r'href="(/newsletter/unsubscribe/[^"]+)"', done.content.decode()).group(1)
    assert unsubscribe in again
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert subscriber(address).status == UNSUBSCRIBED


def test_a_confirmed_address_gets_the_same_answer_and_no_mail():
    address = unique_email("reader")
    subscribe(address)
    before = len(mailbox_messages(to=address))
    page = Client().post("/newsletter/", {"email": address})
    assert "Check your inbox" in page.content.decode()
    assert len(mailbox_messages(to=address)) == before


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "x" * 250 + "@example.com", ""])
def test_an_invalid_address_is_a_400_and_writes_nothing(address):
    page = Client().post("/newsletter/", {"email": address})
    assert page.status_code == 400
    assert "valid email address" in page.content.decode() or "at most 254" in page.content.decode()


def test_a_tampered_confirmation_link_is_a_400():
    address = unique_email("reader")
    Client().post("/newsletter/", {"email": address})
    link = confirm_link(address)
    assert Client().post(link[:-3] + "xx/").status_code == 400
    opened = Client().get(link[:-3] + "xx/")  # the page says so before it asks for a press of Confirm
    assert opened.status_code == 400
    assert "This link does not work" in opened.content.decode()
    assert "Confirm your subscription" in Client().get(link).content.decode()
    assert subscriber(address).status == PENDING


# --- One-click unsubscribe --------------------------------------------------------------------


def test_one_click_unsubscribe_needs_no_session_or_csrf_token():
    item = subscribe(unique_email("reader"))
    client = Client(enforce_csrf_checks=True)
    page = client.post(
        unsubscribe_path(item), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 200
    left = subscriber(item.email)
    assert (left.status, left.list_key) == (UNSUBSCRIBED, None)
    assert client.post(unsubscribe_path(item), {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: same


def test_a_tampered_or_foreign_token_is_a_400_and_changes_nothing():
    mine, theirs = subscribe(unique_email("reader")), subscribe(unique_email("reader"))
    their_token = tokens.unsubscribe_token(theirs.subscriber_id, theirs.email)
    my_token = tokens.unsubscribe_token(mine.subscriber_id, mine.email)
    body = {"List-Unsubscribe": "One-Click"}
    client = Client()
    for path in (
        f"/newsletter/unsubscribe/{mine.subscriber_id}/{their_token}/",  # another address's token
        f"/newsletter/unsubscribe/{mine.subscriber_id}/{my_token[:-2]}AA/",  # tampered
        f"/newsletter/unsubscribe/{'0' * 32}/{my_token}/",  # no such subscriber
    ):
        assert client.post(path, body).status_code == 400
        assert client.get(path).status_code == 400
    assert client.post(unsubscribe_path(mine), {"List-Unsubscribe": "Other"}).status_code == 400
    assert (subscriber(mine.email).status, subscriber(theirs.email).status) == (CONFIRMED, CONFIRMED)


# --- SES notifications ------------------------------------------------------------------------


def test_permanent_bounces_and_complaints_are_suppressed_and_the_rest_ignored():
    bounced, complained, transient = (unique_email("x") for _ in range(3))
    assert ses_notification_handler(_sns_event("Bounce", bounced), None) == {"suppressed": [bounced]}
    assert ses_notification_handler(_sns_event("Complaint", complained), None) == {"suppressed": [complained]}
    event = _sns_event("Bounce", transient)
    event["Records"][0]["Sns"]["Message"] = event["Records"][0]["Sns"]["Message"].replace("Permanent", "Transient")
    assert ses_notification_handler(event, None) == {"suppressed": []}
    assert ses_notification_handler({"Records": [{"Sns": {"Message": "{not json"}}, {"nothing": 1}]}, None) == {
        "suppressed": []
    }
    assert SuppressedAddress.get(bounced).reason == "bounce"
    assert SuppressedAddress.get(complained).reason == "complaint"
    assert SuppressedAddress.count(transient) == 0


def test_the_development_page_injects_notifications_only_in_debug(settings):
    address = unique_email("x")
    settings.DEBUG = False
    assert Client().post("/newsletter/dev/notifications/", {"email": address, "kind": "bounce"}).status_code == 404
    settings.DEBUG = True
    page = Client().post("/newsletter/dev/notifications/", {"email": address, "kind": "complaint"})
    assert f"suppressed {address}" in page.content.decode()
    assert SuppressedAddress.get(address).reason == "complaint"


# --- Sending ----------------------------------------------------------------------------------

# The fan-out's page is 500 subscribers in transactions of 100 puts; the same code over pages of 50 in
# transactions of 20 sends a tenth of the mail and still splits each page.
SUBSCRIBER_PAGE, OUTBOX_CHUNK = 50, 20
SUBSCRIBERS = 3 * SUBSCRIBER_PAGE + 1  # four fan-out steps, the last of one subscriber (and those of other tests)


def seed_subscribers(count: int, run: str) -> list[Subscriber]:
    items = []
    with Subscriber.batch_write() as batch:
        for number in range(count):
            address = f"bulk-{run}-{number}@example.com"
            item = Subscriber(
                tokens.subscriber_id_for(address), email=address, status=CONFIRMED, list_key=CONFIRMED_LIST
            )
            batch.save(item)
            items.append(item)
    return items


@pytest.fixture
def bulk_subscribers(monkeypatch):
    """SUBSCRIBERS confirmed subscribers, fanned out SUBSCRIBER_PAGE at a time, gone again afterwards (with
    their messages), so that no later newsletter test on this worker mails them all again."""
    monkeypatch.setattr(sending, "SUBSCRIBER_PAGE", SUBSCRIBER_PAGE)
    monkeypatch.setattr(sending, "OUTBOX_CHUNK", OUTBOX_CHUNK)
    run = uuid.uuid4().hex[:8]
    items = seed_subscribers(SUBSCRIBERS, run)
    yield run, items
    with Subscriber.batch_write() as batch:
        for item in items:
            batch.delete(item)
    for path in Path(settings.LOCAL_MAILBOX_DIR).glob("*.eml"):
        if f"bulk-{run}-" in path.read_text(errors="replace"):
            path.unlink()


def sent_to(subject: str) -> list[str]:
    """The recipients of the mailbox's messages with this subject (headers only: thousands of files)."""
    found = []
    for path in Path(settings.LOCAL_MAILBOX_DIR).glob("*.eml"):
        with path.open("rb") as handle:
            headers = email.parser.BytesHeaderParser(policy=email.policy.default).parse(handle)
        if str(headers["Subject"]) == subject:
            found.append(str(headers["To"]))
    return found


def drain(dispatcher: Dispatcher, *, seconds: float = 1800) -> None:
    deadline = time.monotonic() + seconds
    while dispatcher.run_once(include_schedules=False):
        assert time.monotonic() < deadline, "the send did not finish"


def test_a_send_over_several_fan_out_pages_mails_each_subscriber_once_minus_the_suppressed(
    make_post, author, bearer_client, bulk_subscribers
):
    run, bulk = bulk_subscribers
    # Everyone already in the list (from other tests) gets it too; the new ones are counted exactly.
    others = {s.email for s in Subscriber.confirmed.query(CONFIRMED_LIST)} - {s.email for s in bulk}
    suppressed = [bulk[n].email for n in (7, SUBSCRIBER_PAGE + 3, SUBSCRIBERS - 1)]
    for address in suppressed:
        ses_notification_handler(_sns_event("Bounce", address), None)
    left = bulk[42]
    Client().post(unsubscribe_path(left), {"List-Unsubscribe": "One-Click"})
    post = make_post(title=f"Newsletter {run}", body_markdown="Hello **subscribers**.")

    api = bearer_client(author)
    answer = api.post(f"/api/blog/admin/posts/{post.post_id}/newsletter")
    assert answer.status_code == 202
    assert answer.json()["status"] == "fanning-out"
    assert api.post(f"/api/blog/admin/posts/{post.post_id}/newsletter").json()["error"]["code"] == (
        "newsletter_already_sent"
    )

    dispatcher = Dispatcher(sources=EVENT_SOURCES)
    drain(dispatcher)
    send = NewsletterSend.get(post.post_id)
    assert send.status == QUEUED
    assert send.pages >= SUBSCRIBERS // SUBSCRIBER_PAGE + 1  # one fan-out step a page (and the others' page)
    expected = {s.email for s in bulk} - set(suppressed) - {left.email}
    recipients = sent_to(post.title)
    assert len(recipients) == len(set(recipients))  # nobody twice
    assert set(recipients) - others == expected
    statuses = {item.subscriber_id: item.status for item in OutboxMessage.query(post.post_id)}
    assert sum(1 for s in statuses.values() if s == OUTBOX_SENT) == len(recipients)
    assert statuses[bulk[7].subscriber_id] == OUTBOX_SUPPRESSED
    assert left.subscriber_id not in statuses  # unsubscribed before the send: never queued

    # A redelivered batch (the first 25 outbox records, and the send record) sends nothing twice.
    first = list(OutboxMessage.query(post.post_id, limit=25))
    records = [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"post_id": {"S": m.post_id}, "subscriber_id": {"S": m.subscriber_id}},
                "NewImage": {
                    k: {"S": v}
                    for k, v in (
                        ("post_id", m.post_id),
                        ("subscriber_id", m.subscriber_id),
                        ("email", m.email),
                        ("status", "pending"),
                    )
                },
                "SequenceNumber": str(n),
            },
        }
        for n, m in enumerate(first)
    ]
    assert outbox_stream_handler({"Records": records}, None) == {"batchItemFailures": [], "sent": 0}
    send_record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"post_id": {"S": post.post_id}}, "SequenceNumber": "1"}}
    assert send_stream_handler({"Records": [send_record]}, None) == {"batchItemFailures": [], "queued": 0}
    assert len(sent_to(post.title)) == len(recipients)


def test_each_message_has_text_html_and_a_working_one_click_unsubscribe(make_post, author, bearer_client, settings):
    address = unique_email("reader")
    item = subscribe(address)
    post = make_post(title=f"Headers {uuid.uuid4().hex[:6]}", body_markdown="Some *news*.")
    assert bearer_client(author).post(f"/api/blog/admin/posts/{post.post_id}/newsletter").status_code == 202
    drain(Dispatcher(sources=EVENT_SOURCES))
    [path] = [
        p
        for p in Path(settings.LOCAL_MAILBOX_DIR).glob("*.eml")
        if address in p.read_text(errors="replace") and post.title in p.read_text(errors="replace")
    ]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = "".join(str(message["List-Unsubscribe"]).split())  # a long header is folded
    url = re.fullmatch(r"<(https?://[^>]+)>", header).group(1)
    assert urlsplit(url).path == unsubscribe_path(item)
    assert message.get_body(("plain",)).get_content().strip().startswith(post.title)
    assert "<em>news</em>" in message.get_body(("html",)).get_content()
    settings.DEBUG = True  # the local mailbox shows the headers
    mailbox = Client().get("/dev/mail/", {"to": address}).content.decode()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in mailbox
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert subscriber(address).status == UNSUBSCRIBED


def test_only_authors_can_email_a_published_post(make_post, user, bearer_client, author):
    draft = make_post(publish=False)
    assert bearer_client(user).post(f"/api/blog/admin/posts/{draft.post_id}/newsletter").status_code == 403
    assert Client().post(f"/api/blog/admin/posts/{draft.post_id}/newsletter").status_code in (401, 403)
    answer = bearer_client(author).post(f"/api/blog/admin/posts/{draft.post_id}/newsletter")
    assert answer.status_code == 422
    assert bearer_client(author).post("/api/blog/admin/posts/nope/newsletter").status_code == 404
    assert NewsletterSend.count(draft.post_id) == 0


def test_only_a_writer_who_may_publish_the_post_can_email_it(make_post, make_user, bearer_client, contributor, editor):
    """A post another writer may not open is a 404 (as everywhere in the panel), one they may open but not
    publish a 403; nothing is sent, so its own authors can still send it."""
    others = make_post(title=f"Not yours {uuid.uuid4().hex[:6]}")
    others_draft = make_post(publish=False)
    own = blog_services.post_create(author_sub=contributor.sub, author_name=contributor.name, title="Mine")
    own = blog_services.post_publish(post_id=own.post_id, version=own.version)  # an editor published it
    other_author = make_user(groups=("authors",), name="Otto Other")

    def send(user, post):
        return bearer_client(user).post(f"/api/blog/admin/posts/{post.post_id}/newsletter")

    for user, post, status, code in [
        (contributor, others, 404, "post_not_found"),
        (contributor, others_draft, 404, "post_not_found"),  # not a 422 that tells a draft is there
        (other_author, others, 404, "post_not_found"),
        (contributor, own, 403, "forbidden"),  # contributors never publish, so never mail either
    ]:
        answer = send(user, post)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (user.name, post.title)
        assert NewsletterSend.count(post.post_id) == 0
    assert send(editor, others).status_code == 202
    assert NewsletterSend.get(others.post_id).requested_by == editor.sub


def test_asking_again_soon_mails_no_second_link_and_a_non_ascii_token_is_a_400():
    address = unique_email("reader")
    Client().post("/newsletter/", {"email": address})
    Client().post("/newsletter/", {"email": address})
    assert len([m for m in mailbox_messages(to=address) if "Confirm" in m.subject]) == 1
    item = subscriber(address)
    assert (
        Client()
        .post(f"/newsletter/unsubscribe/{item.subscriber_id}/é€ü/", {"List-Unsubscribe": "One-Click"})
        .status_code
        == 400
    )
