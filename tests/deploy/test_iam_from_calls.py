"""The Lambda role allows exactly what the code calls: recorded from real flows, evaluated against the rendered policy.

The flows run against the emulators (sign-up and the profile stream, todos with an
attachment, a blog post with an image rendition, an update release with a multipart upload
that is replaced and so aborted, the scheduled handlers, public pages and a signed-in
session). What only happens on AWS is driven against moto: the SES send of the mail the
flows wrote to the local mailbox, the secrets read at cold start, a CDN invalidation.
Lambda's own use of the role (logs, stream polling, the dead-letter queue) comes from the
rendered stage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.test.utils import override_settings
from moto import mock_aws

from mysite.deploy import botocalls, stages
from mysite.deploy.local_stage import local_stream_arns, production_on_local_stack
from mysite.deploy.permissions import (
    Need,
    denied,
    platform_needs,
    policy_statements,
    required_for,
    unused_actions,
)
from mysite.deploy.render import Lookups, render_attach_policy
from mysite.dispatcher import Dispatcher
from mysite.event_sources import ScheduleSource
from tests.blog.conftest import image_bytes
from tests.conftest import latest_code, unique_email
from tests.updates.conftest import Catalog

ACCOUNT = "000000000000"
DISTRIBUTION = "E2IAMFLOWS"
PASSWORD = "correct-horse-9"
SET_UP: list[botocalls.Call] = []  # calls the test made to prepare moto, left out of the function's


def local_stage() -> dict:
    """The production stage rendered for the stack in use: its names, its stream ARNs, an invalidatable CDN."""
    return production_on_local_stack(
        account=ACCOUNT,
        # DynamoDB Local puts "ddblocal" where AWS puts the region.
        stream_arns={t: a.replace(":ddblocal:", f":{settings.AWS_REGION}:") for t, a in local_stream_arns().items()},
        values={"CLOUDFRONT_DISTRIBUTION_ID": DISTRIBUTION},
    )


def drive_local_flows() -> None:
    """Every kind of work the function does, through its services, views and handlers, on the emulators."""
    from accounts import services as accounts
    from blog import services as blog
    from mysite.auth import CognitoUser
    from todos import selectors as todo_selectors
    from todos.services import attachments, lists, shared_access, sharing, task_deletes, tasks
    from todos.services.trash_restore import trash_purge, trash_restore
    from updates import services as updates

    dispatcher = Dispatcher()

    # Sign-up, confirmation, the welcome email from the profile stream, a rename.
    address = unique_email("iam")
    accounts.account_sign_up(email=address, password=PASSWORD, display_name="Iris")
    profile = accounts.account_confirm(email=address, code=latest_code(address))
    dispatcher.run_once(include_schedules=False)
    accounts.profile_update(sub=profile.sub, display_name="Iris IAM")

    # A browser session: sign in through the form, a page that reads the session, sign out.
    browser = Client()
    assert browser.post("/accounts/sign-in/", {"email": address, "password": PASSWORD}).status_code == 302
    assert browser.get("/todos/").status_code == 200
    browser.post("/accounts/sign-out/")

    # Todos: a list, a task, an attachment uploaded through its POST policy, the S3 event, a download, deletion.
    owner = profile.sub
    todo_list = lists.list_create(owner=owner, name="Errands")
    task = tasks.task_create(owner=owner, list_id=todo_list.list_id, title="Post the letter")
    attachment, post = attachments.attachment_start(
        owner=owner, task_id=task.task_id, file_name="letter.txt", size=5, content_type="text/plain"
    )
    assert requests.post(post.url, data=post.fields, files={"file": ("letter.txt", b"hello")}, timeout=10).ok
    dispatcher.run_once(include_schedules=False)
    ready = attachments.attachment_complete(owner=owner, task_id=task.task_id, attachment_id=attachment.attachment_id)
    attachments.attachment_download_url(attachment=ready)
    second = tasks.task_create(owner=owner, list_id=todo_list.list_id, title="Buy stamps")
    tasks.tasks_reorder(owner=owner, items=[{"id": second.task_id, "position": 0.5}])
    tasks.task_complete(owner=owner, task_id=task.task_id)
    trash_id = task_deletes.task_delete(owner=owner, task_id=task.task_id)  # to the Trash, back, and for good
    todo_selectors.trash_page(owner=owner)
    trash_restore(owner=owner, trash_id=trash_id)
    task_deletes.task_delete(owner=owner, task_id=task.task_id)
    trash_purge(owner=owner, trash_id=trash_id)
    attachments.attachment_start(
        owner=owner, task_id=second.task_id, file_name="stamps.txt", size=5, content_type="text/plain"
    )
    # Sharing: an invitation mailed and accepted, a member's write, the activity, leaving.
    iris = CognitoUser(sub=owner, username=address, email=address, name="Iris IAM")
    guest_address = unique_email("iam-guest")
    accounts.account_sign_up(email=guest_address, password=PASSWORD, display_name="Gus")
    guest_profile = accounts.account_confirm(email=guest_address, code=latest_code(guest_address))
    guest = CognitoUser(sub=guest_profile.sub, username=guest_address, email=guest_address, name="Gus")
    invite = sharing.list_share(user=iris, list_id=todo_list.list_id, email=guest_address, role="editor")
    sharing.invite_accept(user=guest, invite_id=invite.invite_id)
    shared_access.on_task(
        user=guest,
        task_id=second.task_id,
        note="completed",
        run=lambda on: tasks.task_complete(owner=on, task_id=second.task_id),
    )
    assert browser.post("/accounts/sign-in/", {"email": guest_address, "password": PASSWORD}).status_code == 302
    assert browser.get(f"/todos/lists/{todo_list.list_id}/").status_code == 200
    assert Client().get("/api/todos/sync").status_code in (401, 403)
    sharing.member_remove(user=guest, list_id=todo_list.list_id, member=guest.sub)
    lists.list_delete(owner=owner, list_id=todo_list.list_id)  # its tasks in transactions, their files in batches

    # Blog: an image and its renditions, a post published now and one published by the schedule.
    content = image_bytes()
    _image, upload = blog.image_upload_start(
        uploaded_by=owner, filename="cover.jpg", content_type="image/jpeg", size=len(content)
    )
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("cover.jpg", content)}, timeout=10).ok
    dispatcher.run_once(include_schedules=False)
    post = blog.post_create(author_sub=owner, author_name="Iris", title=f"IAM {uuid.uuid4().hex[:8]}", tags=["iam"])
    post = blog.post_publish(post_id=post.post_id, version=post.version)
    assert Client().get(f"/blog/{post.slug}/").status_code == 200
    assert Client().get("/blog/").status_code == 200
    assert Client().get("/blog/tag/iam/").status_code == 200

    # Updates: a release with a POST upload (hashed, signed, copied), a multipart upload replaced (aborted).
    catalog = Catalog(dispatcher)
    product = catalog.product()
    catalog.release(product, "1.0.0")
    updates.release_create(product=product.slug, version="1.1.0", channel="stable")
    body = b"multipart artifact"
    declared = {"filename": "App.zip", "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    updates.artifact_upload_start(
        product=product.slug, version="1.1.0", platform="linux-x64", multipart=True, **declared
    )
    updates.artifact_upload_start(
        product=product.slug, version="1.1.0", platform="linux-x64", multipart=True, **declared
    )
    assert Client().get(f"/updates/{product.slug}/").status_code == 200
    assert Client().get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.9.0").status_code == 200

    # A beacon, and a ramp that halts on it: the release managers are listed (ListUsersInGroup) and mailed.
    from datetime import UTC, datetime, timedelta

    from updates import beacons, ramp

    started = datetime.now(UTC)
    ramp.ramp_start(
        product=product.slug, version="1.0.0", steps=[50, 100], interval_seconds=60,
        failure_threshold=0.5, minimum_sample=1, actor="iam", now=started,
    )  # fmt: skip
    beacons.beacon_record(product=product.slug, version="1.0.0", platform="darwin-arm64", outcome="failed")
    ramp.ramp_tick(now=started + timedelta(seconds=61))

    # The schedules: due posts and the TUF refresh, as EventBridge would fire them.
    dispatcher.run_schedules([s for s in dispatcher.sources if isinstance(s, ScheduleSource)], force=True)
    dispatcher.run_once(include_schedules=False)


def drive_aws_only_paths(mails: list[EmailMessage], stage: dict) -> None:
    """What the function does only on AWS, against moto: SES sends, cold-start secrets, a CDN invalidation."""
    from django.core.mail import get_connection

    from mysite import aws, cdn
    from mysite.deploy.secrets import load_django_secret_key
    from updates import signing

    env = stage["environment_variables"]
    aws._client.cache_clear()
    try:
        with mock_aws(), pytest.MonkeyPatch.context() as patch:
            ses = boto3.client("ses", region_name=settings.AWS_REGION)
            secrets = boto3.client("secretsmanager", region_name=settings.AWS_REGION)
            with botocalls.record() as setup:
                ses.verify_domain_identity(Domain=env["DEFAULT_FROM_EMAIL"].rsplit("@", 1)[1].rstrip(">"))
                secrets.create_secret(Name=env["DJANGO_SECRET_KEY_SECRET_ID"], SecretString="cold-start-key")
                secrets.create_secret(Name=env["UPDATES_SIGNING_KEY_SECRET_ID"], SecretString="AAAA")
            SET_UP.extend(setup.calls)  # the test's own set-up is not the function's
            # As mysite/settings/production.py configures it: no per-process throttle.
            with override_settings(AWS_SES_AUTO_THROTTLE=None):
                ses_backend = get_connection("django_ses.SESBackend")
            # The messages the flows sent, now through the production backend.
            assert ses_backend.send_messages(mails) == len(mails)
            patch.setenv("AWS_REGION", settings.AWS_REGION)
            patch.delenv("DJANGO_SECRET_KEY", raising=False)
            patch.setenv("DJANGO_SECRET_KEY_SECRET_ID", env["DJANGO_SECRET_KEY_SECRET_ID"])
            load_django_secret_key()
            signing._load.cache_clear()
            with contextlib.suppress(ValueError):  # the call is what counts here; moto holds no real key
                signing._load(env["UPDATES_SIGNING_KEY_SECRET_ID"], None)
            signing._load.cache_clear()
            # moto knows no such distribution; the request was made, which is what counts.
            with override_settings(CLOUDFRONT_DISTRIBUTION_ID=DISTRIBUTION), contextlib.suppress(ClientError):
                cdn.invalidate_paths(["/blog/"])
    finally:
        aws._client.cache_clear()


@pytest.fixture(scope="module")
def recorded(local_stack) -> tuple[list[botocalls.Call], dict, dict]:
    """(the function's calls, the rendered stage, its attach_policy), from one run of every flow."""
    stage = local_stage()
    policy = render_attach_policy("production", stage, Lookups(account=ACCOUNT))
    # The function sends from the stage's address; SES authorises that identity.
    from_email = stage["environment_variables"]["DEFAULT_FROM_EMAIL"]
    mail.outbox = []
    Dispatcher().run_once(include_schedules=False)  # earlier tests' events, handled before recording starts
    with botocalls.record(every_thread=True) as recording:
        with override_settings(
            DEFAULT_FROM_EMAIL=from_email, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            drive_local_flows()
        mails = list(mail.outbox)
        assert mails, "the flows sent no mail"
        drive_aws_only_paths(mails, stage)
    # The local dispatcher stands in for Lambda's own stream polling (platform_needs has that).
    set_up = {id(c) for c in SET_UP}
    calls = [c for c in recording.calls if not c.origin.startswith("mysite.dispatcher") and id(c) not in set_up]
    return calls, stage, policy


@pytest.fixture(scope="module")
def needs(recorded) -> list[Need]:
    """The authorisations the recorded calls and the platform need, worked out once for the tests below."""
    calls, stage, _policy = recorded
    needs = [n for call in calls for n in required_for(call, region=settings.AWS_REGION, account=ACCOUNT)]
    dead_letters = stage["async_event_failures"]["on_failure_destination"]
    return needs + platform_needs(
        stage, function_name="mysite-production", account=ACCOUNT, dead_letter_queue_arn=dead_letters
    )


def test_the_flows_exercise_every_service_the_function_uses(recorded):
    calls, _stage, _policy = recorded
    seen = {(c.service, c.operation) for c in calls}
    expected = {
        ("dynamodb", "TransactWriteItems"),
        ("s3", "PutObject"),
        ("s3", "AbortMultipartUpload"),
        ("s3", "CopyObject"),
        ("cognito-idp", "AdminGetUser"),
        ("cognito-idp", "SignUp"),
        ("ses", "SendRawEmail"),
        ("secretsmanager", "GetSecretValue"),
        ("cloudfront", "CreateInvalidation"),
    }
    assert expected <= seen, (expected - seen, sorted(seen))


def test_the_rendered_policy_allows_every_call_the_code_makes(recorded, needs):
    _calls, stage, policy = recorded
    missing = denied(policy_statements(stage, policy), needs)
    assert missing == [], "\n".join(map(str, missing))


def test_the_rendered_policy_allows_nothing_the_code_does_not_call(recorded, needs):
    _calls, stage, policy = recorded
    unused = unused_actions(policy_statements(stage, policy), needs)
    assert unused == [], unused


def granted_actions() -> list[tuple[str, str]]:
    """(Sid, action) of every grant in the committed production stage and its attach_policy."""
    config = stages.read_stage("production")
    policy = json.loads((stages.settings_path().parent / config["attach_policy"]).read_text())
    return [(s["Sid"], a) for s in [*policy["Statement"], *config["extra_permissions"]] for a in s["Action"]]


@pytest.mark.parametrize(("sid", "action"), granted_actions(), ids=lambda value: str(value))
def test_removing_any_granted_action_makes_the_check_fail(recorded, needs, sid, action):
    _calls, stage, policy = recorded
    statements = policy_statements(stage, policy)
    without = [
        {**s, "Action": [a for a in s["Action"] if a != action]} if s.get("Sid") == sid else s for s in statements
    ]
    missing = denied(without, needs)
    assert missing
    assert {n.action for n in missing} == {action}


def test_the_evaluator_reads_wildcards_conditions_and_denies():
    need = Need("s3:ListBucket", "arn:aws:s3:::site", (("s3:prefix", "users/abc/"),))
    allow = {"Effect": "Allow", "Action": "s3:List*", "Resource": "arn:aws:s3:::sit?"}
    assert denied([allow], [need]) == []
    assert denied([{**allow, "Condition": {"StringLike": {"s3:prefix": ["media/*"]}}}], [need]) == [need]
    assert denied([{**allow, "Condition": {"StringLike": {"s3:prefix": ["users/*"]}}}], [need]) == []
    assert denied([allow, {"Effect": "Deny", "Action": "*", "Resource": "*"}], [need]) == [need]
    assert denied([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::other"}], [need]) == [need]
