"""The suite runs against real emulators: one local stack per test process, started once."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import botocore.client
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from devstack.stack import LocalStack, Ports
from mysite.dispatcher import Dispatcher
from mysite.mail import mailbox_messages


@pytest.fixture(scope="session")
def local_stack(request) -> LocalStack:
    """DynamoDB Local, cognito-local, s3rver and moto on this process's free ports, provisioned.

    Their data folder (`mysite-test-*`, in /dev/shm where it has room) goes at the end of a passing run;
    after a failure it stays, with the emulators' logs in it (`logs/`), until a later run finds it more
    than a day old.
    """
    _remove_stale_data_folders(Path(settings.DEVDATA_DIR).parent)
    stack = LocalStack(Path(settings.DEVDATA_DIR), Ports.from_environment())  # ports from mysite/settings/test.py
    stack.start()
    call_command("provision", stdout=open(os.devnull, "w"))  # noqa: SIM115
    yield stack
    stack.stop()
    if not request.session.testsfailed:
        shutil.rmtree(stack.data_dir, ignore_errors=True)


def _remove_stale_data_folders(parent: Path, *, older_than_seconds: float = 24 * 3600) -> None:
    """Folders failed runs left (in RAM, under /dev/shm): no run of the suite lasts a day."""
    for folder in parent.glob("mysite-test-*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > older_than_seconds:
                shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def restart_stack(local_stack):
    """Stop and start the emulators (same ports, same data), then provision, as `make run` does at each start.

    moto's Cognito Identity/STS keep no state on disk, so provisioning re-creates the identity pool.
    """

    def restart() -> None:
        local_stack.stop()
        local_stack.start()
        call_command("provision", stdout=open(os.devnull, "w"))  # noqa: SIM115
        # A restarted `make run` is a new process that reads the new ids from stack.json; this process
        # goes on, so the ids go to its root settings, past the test's own overrides (undone after it).
        root = settings._wrapped
        while hasattr(root, "default_settings"):
            root = root.default_settings
        for name in ("COGNITO_IDENTITY_POOL_ID", "COGNITO_IDENTITY_ROLE_ARN"):
            setattr(root, name, getattr(settings, name))

    return restart


@pytest.fixture(autouse=True)
def _stack(local_stack, settings) -> None:
    """Every test gets the stack, the local mailbox (not Django's locmem outbox), a clean cache."""
    from django.core.cache import cache

    settings.EMAIL_BACKEND = "mysite.mail.MailboxBackend"
    cache.clear()


@contextlib.contextmanager
def dynamodb_calls():
    """Record the DynamoDB operations made inside the block (each still goes to DynamoDB Local)."""
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(client, operation_name, params):
        if client.meta.service_model.service_name == "dynamodb":
            calls.append(operation_name)
        return original(client, operation_name, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


_unique = itertools.count()


@contextlib.contextmanager
def live_server(*, static_files: bool = False):
    """The site on a real WSGI server thread on a free port of 127.0.0.1; yields its URL.

    (pytest-django's live_server wants a database.) `static_files` serves /static/ too, as the browser needs.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    wrap = StaticFilesHandler if static_files else (lambda handler: handler)
    server = LiveServerThread("127.0.0.1", wrap, connections_override={}, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}-{next(_unique)}@example.com"


@dataclass
class TestUser:
    email: str
    password: str
    name: str
    sub: str
    groups: tuple[str, ...] = ()

    def tokens(self) -> dict:
        from accounts.services import account_sign_in

        return account_sign_in(email=self.email, password=self.password)

    @property
    def access_token(self) -> str:
        return self.tokens()["AccessToken"]


@pytest.fixture
def make_user():
    """Create a confirmed user (optionally in groups) straight through Cognito's admin API.

    The users leave the pool after the test: cognito-local rewrites its whole pool file on every
    write (each sign-in stores a refresh token), so a pool that only grew would make every later
    Cognito call of the session slower. What they wrote to DynamoDB stays.
    """
    from accounts.services import user_create
    from mysite import cognito

    made: list[TestUser] = []

    def make(*, groups: tuple[str, ...] = (), name: str = "Test User") -> TestUser:
        email = unique_email()
        password = "correct-horse-9"
        created = user_create(email=email, password=password, display_name=name, groups=list(groups))
        made.append(TestUser(email=email, password=password, name=name, sub=created.sub, groups=groups))
        return made[-1]

    yield make
    for user in made:
        with contextlib.suppress(cognito.CognitoError):  # a test may have deleted its own account
            cognito.call("admin_delete_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=user.email)


@pytest.fixture
def user(make_user) -> TestUser:
    return make_user()


@pytest.fixture
def author(make_user) -> TestUser:
    """A user in the `authors` group."""
    return make_user(groups=("authors",), name="Ada Author")


@pytest.fixture
def contributor(make_user) -> TestUser:
    """A user in the `contributors` group: writes drafts, cannot publish."""
    return make_user(groups=("contributors",), name="Cora Contributor")


@pytest.fixture
def editor(make_user) -> TestUser:
    """A user in the `editors` group: every post."""
    return make_user(groups=("editors",), name="Eddie Editor")


@pytest.fixture
def administrator(make_user) -> TestUser:
    """A user in the `administrators` group: every post and the staff."""
    return make_user(groups=("administrators",), name="Alma Administrator")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def bearer_client():
    """An API client that sends `Authorization: Bearer <access token>` for a user."""

    def make(user: TestUser) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {user.access_token}")
        return client

    return make


@pytest.fixture
def api(bearer_client, user) -> APIClient:
    """An API client signed in as the `user` fixture (a bearer token)."""
    return bearer_client(user)


@pytest.fixture
def browser_client():
    """A Django test client signed in through the real sign-in form (session in DynamoDB)."""

    def make(user: TestUser, *, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        if enforce_csrf_checks:
            client.get("/accounts/sign-in/")
            token = client.cookies["csrftoken"].value
            response = client.post(
                "/accounts/sign-in/", {"email": user.email, "password": user.password, "csrfmiddlewaretoken": token}
            )
        else:
            response = client.post("/accounts/sign-in/", {"email": user.email, "password": user.password})
        assert response.status_code == 302, response.content[:500]
        return client

    return make


@pytest.fixture
def dispatcher() -> Dispatcher:
    return Dispatcher()


def latest_code(email: str, *, timeout: float = 5) -> str:
    """The newest verification code Cognito sent to `email`, read from the local mailbox.

    cognito-local prints the code and the stack relays it to the mailbox a moment later.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox_messages(to=email):
            match = re.search(r"verification code is (\d+)", message.subject)
            if match:
                return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no code mailed to {email}")


def welcome_emails(email: str) -> list:
    """The welcome emails sent to `email` so far, from the local mailbox."""
    return [message for message in mailbox_messages(to=email) if message.subject.startswith("Welcome")]


@contextlib.contextmanager
def edge_twin(origins: int):
    """`origins` origin processes on this test process's stack behind the edge twin generated from mysite/edge.py.

    Yields (nginx, the origins); both are stopped on leaving.
    """
    from benchmarks.servers import Nginx, Origins

    env = {
        "BENCH_DATA_DIR": str(settings.DEVDATA_DIR),
        **{
            f"BENCH_{name}_PORT": os.environ[f"DEVSTACK_{name}_PORT"]
            for name in ("DYNAMODB", "COGNITO", "S3", "IDENTITY")
        },
        "BENCH_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "BENCH_BUCKET": settings.AWS_STORAGE_BUCKET_NAME,
    }
    started = Origins(origins, env=env)
    try:
        nginx = Nginx(started.ports, bucket_port=int(os.environ["DEVSTACK_S3_PORT"]))
    except BaseException:
        started.stop()
        raise
    try:
        yield nginx, started
    finally:
        nginx.stop()
        started.stop()


def pytest_unconfigure(config) -> None:
    """The xdist controller imports the test settings too but starts no stack: its data folder stays empty."""
    with contextlib.suppress(OSError):
        os.rmdir(settings.DEVDATA_DIR)  # only an empty folder
