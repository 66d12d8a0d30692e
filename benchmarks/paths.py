"""The hot paths, and the fewest DynamoDB calls each one's access pattern allows (cold, then on a warm read cache)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks.seed import PASSWORD, Seed
from benchmarks.wsgi import call


@dataclass
class HotPath:
    name: str
    method: str
    url: str
    auth: str | None = None  # "session" (browser) or "bearer" (API)
    body: bytes = b""
    content_type: str = ""
    minimum_cold: int = 0
    minimum_warm: int = 0
    why: str = ""
    goal_ratio: float | None = None  # app/bare latency goal, where the issue sets one
    fresh_body: object = field(default=None, repr=False)  # callable giving a new body per call (writes)


@dataclass
class Credentials:
    session_cookie: str
    csrf_token: str
    bearer: str


def sign_in(app, email: str) -> Credentials:
    """The browser's way (form + CSRF, session in DynamoDB) and the API's way (access token)."""
    from accounts.services import account_sign_in

    form = call(app, "GET", "/accounts/sign-in/")
    csrf = form.cookies["csrftoken"]
    body = urlencode({"email": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf}).encode()
    signed_in = call(
        app,
        "POST",
        "/accounts/sign-in/",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
        body=body,
    )
    assert signed_in.status == 302, signed_in.body[:300]
    bearer = account_sign_in(email=email, password=PASSWORD)["AccessToken"]
    return Credentials(signed_in.cookies["sessionid"], csrf, bearer)


def headers_for(path: HotPath, creds: Credentials | None) -> dict:
    headers = {"Content-Type": path.content_type} if path.content_type else {}
    if path.auth == "session" and creds:
        headers["Cookie"] = f"sessionid={creds.session_cookie}; csrftoken={creds.csrf_token}"
    elif path.auth == "bearer" and creds:
        headers["Authorization"] = f"Bearer {creds.bearer}"
    elif path.auth == "csrf" and creds:
        headers["Cookie"] = f"csrftoken={creds.csrf_token}"
    return headers


def hot_paths(seed: Seed, creds: Credentials) -> list[HotPath]:
    product, post = seed.product, seed.post_slugs[len(seed.post_slugs) // 2]

    def new_task() -> bytes:
        return json.dumps({"title": f"Bench task {uuid.uuid4().hex[:8]}", "list_id": seed.list_id}).encode()

    def sign_in_form() -> bytes:
        return urlencode(
            {"email": seed.todo_email, "password": PASSWORD, "csrfmiddlewaretoken": creds.csrf_token}
        ).encode()

    return [
        HotPath(
            "todo list page",
            "GET",
            f"/todos/lists/{seed.list_id}/",
            "session",
            minimum_cold=6,
            minimum_warm=1,
            why=(
                "session GetItem + profile GetItem (token revocation) + lists Query (sidebar, the list itself "
                "among them) + counters GetItem (Today and label counts) + the list's open and done tasks Queries; "
                "warm: the session read (server-side sessions) + the user's stamp, under which the profile and "
                "the page's reads are cached"
            ),
        ),
        HotPath(
            "todo list API",
            "GET",
            f"/api/todos/tasks?list_id={seed.list_id}",
            "bearer",
            minimum_cold=2,
            minimum_warm=0,
            why=("the user's stamp (token -> profile, cached under it) + one Query on the list's GSI; warm: the stamp"),
        ),
        HotPath(
            "task create API",
            "POST",
            "/api/todos/tasks",
            "bearer",
            content_type="application/json",
            minimum_cold=2,
            minimum_warm=1,
            fresh_body=new_task,
            why=(
                "the user's stamp (the profile is cached under it) + one TransactWriteItems: the task, its list's "
                "ConditionCheck, the counters and the stamp's bump"
            ),
        ),
        HotPath(
            "blog home",
            "GET",
            "/blog/",
            minimum_cold=1,
            minimum_warm=0,
            why="one Query on the published-by-date GSI; warm: cached list",
        ),
        HotPath(
            "post page",
            "GET",
            f"/blog/{post}/",
            minimum_cold=2,
            minimum_warm=0,
            goal_ratio=1.5,
            why="slug GetItem (slugs are their own items for transactional uniqueness) + post GetItem; warm: cached",
        ),
        HotPath(
            "RSS feed",
            "GET",
            "/blog/rss.xml",
            minimum_cold=1,
            minimum_warm=0,
            why="one Query for the newest posts; warm: cached list",
        ),
        HotPath(
            "update check JSON",
            "GET",
            f"/api/updates/{product}/stable/linux-x64/1.0.0?bucket=7",
            minimum_cold=3,
            minimum_warm=0,
            goal_ratio=1.5,
            why=(
                "product GetItem + the channel's releases Query + the platform's artifact GetItem; warm: a read "
                "cache would answer"
            ),
        ),
        HotPath(
            "update check JSON cacheable",
            "GET",
            f"/api/updates/{product}/stable/linux-x64/1.0.0/rollout",
            minimum_cold=3,
            minimum_warm=0,
            goal_ratio=1.5,
            why="as the JSON check; one answer for every bucket (the client applies its own)",
        ),
        HotPath(
            "update check electron",
            "GET",
            f"/update/{product}/linux-x64/1.0.0?bucket=7",
            minimum_cold=3,
            minimum_warm=0,
            goal_ratio=1.5,
            why="as the JSON check",
        ),
        HotPath(
            "update check Sparkle",
            "GET",
            f"/updates/{product}/appcast.xml?platform=darwin-arm64",
            minimum_cold=3,
            minimum_warm=0,
            goal_ratio=1.5,
            why="product GetItem + releases Query + one BatchGetItem for the artifacts (not one GetItem each)",
        ),
        HotPath(
            "update check TUF",
            "GET",
            f"/updates/{product}/tuf/timestamp.json",
            minimum_cold=2,
            minimum_warm=0,
            goal_ratio=1.5,
            why="product GetItem + the metadata file GetItem; warm: the generation-keyed read cache answers",
        ),
        HotPath(
            "sign-in",
            "POST",
            "/accounts/sign-in/",
            "csrf",
            content_type="application/x-www-form-urlencoded",
            minimum_cold=5,
            minimum_warm=4,
            fresh_body=sign_in_form,
            why=(
                "two UpdateItems counting the attempt (per account and per client, mysite/throttling.py) + the "
                "profile GetItem (cached under the user's stamp when warm) + Django's cycle_key: a conditional "
                "PutItem to claim the key, a PutItem with the data (Cognito InitiateAuth is not DynamoDB)"
            ),
        ),
    ]


def slug_of(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")
