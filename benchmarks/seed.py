"""The data every benchmark reads: a todo user with a list of tasks, a blog with a long tail, releases."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

import requests

PASSWORD = "correct-horse-9"
POSTS = 40
TASKS = 25
ARTIFACT_BYTES = 512 * 1024
PLATFORMS = ("darwin-arm64", "windows-x64", "linux-x64")


@dataclass
class Seed:
    todo_email: str
    todo_sub: str
    list_id: str
    author_sub: str
    author_email: str
    post_slugs: list[str]
    tags: list[str]
    product: str
    versions: list[str]
    artifact_paths: list[str] = field(default_factory=list)
    artifact_sizes: dict[str, int] = field(default_factory=dict)
    release_manager_email: str = ""


def _user(prefix: str, groups: list[str]) -> tuple[str, str]:
    from accounts.services import user_create

    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    created = user_create(email=email, password=PASSWORD, display_name=prefix.title(), groups=groups)
    return email, created.sub


def _todos() -> tuple[str, str, str]:
    from todos import services

    email, sub = _user("bench-todo", [])
    todo_list = services.list_create(owner=sub, name="Groceries")
    for i in range(TASKS):
        services.task_create(owner=sub, title=f"Buy item {i}", list_id=todo_list.list_id)
    return email, sub, todo_list.list_id


def _blog(posts: int) -> tuple[str, str, list[str], list[str]]:
    from blog import services

    email, sub = _user("bench-author", ["authors", "editors"])  # editors see the readers list
    tags = [f"topic-{i}" for i in range(5)]
    slugs = []
    paragraph = "Serverless Django on DynamoDB: **measured**, not guessed. " * 12
    for i in range(posts):
        post = services.post_create(
            author_sub=sub,
            author_name="Bench Author",
            title=f"Benchmark post {i} {uuid.uuid4().hex[:6]}",
            body_markdown=f"## Part {i}\n\n{paragraph}\n\n- one\n- two\n\n```python\nprint({i})\n```\n",
            tags=[tags[i % len(tags)]],
        )
        post = services.post_publish(post_id=post.post_id, version=post.version)
        slugs.append(post.slug)
    return email, sub, slugs, tags


def upload_artifact(dispatcher, product: str, version: str, platform: str, content: bytes) -> str:
    """Presigned POST to S3, then the S3 event through the dispatcher, as in production."""
    from updates import services

    start = services.artifact_upload_start(
        product=product,
        version=version,
        platform=platform,
        filename=f"App-{version}-{platform}.zip",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    response = requests.post(start["url"], data=start["fields"], files={"file": ("f", content)}, timeout=30)
    response.raise_for_status()
    dispatcher.run_once(include_schedules=False)
    return start["key"] if "key" in start else start["fields"]["key"]


def release(dispatcher, product: str, version: str, *, publish: bool = True) -> dict[str, int]:
    """A release with one artifact per platform; returns {artifact path on this site: size}."""
    from updates import services
    from updates.selectors import release_artifacts, release_get

    services.release_create(product=product, version=version, channel="stable", notes=f"# {version}\n\nFaster.")
    for platform in PLATFORMS:
        content = hashlib.sha256(f"{product}{version}{platform}".encode()).digest() * (ARTIFACT_BYTES // 32)
        upload_artifact(dispatcher, product, version, platform, content)
    if publish:
        services.release_publish(product=product, version=version)
    artifacts = release_artifacts(release=release_get(product=product, version=version))
    return {f"/updates/artifacts/{a.sha256}/{a.filename}": int(a.size) for a in artifacts}


def _updates(dispatcher) -> tuple[str, str, list[str], dict[str, int]]:
    from updates import services

    email, _ = _user("bench-release", ["release-managers"])
    product = f"bench-{uuid.uuid4().hex[:8]}"
    services.product_create(slug=product, name="Bench App", description="The benchmark's product")
    sizes: dict[str, int] = {}
    versions = ["1.0.0", "1.1.0"]
    for version in versions:
        sizes.update(release(dispatcher, product, version))
    return email, product, versions, sizes


def seed(*, posts: int = POSTS) -> Seed:
    from mysite.dispatcher import Dispatcher

    dispatcher = Dispatcher()
    todo_email, todo_sub, list_id = _todos()
    author_email, author_sub, slugs, tags = _blog(posts)
    rm_email, product, versions, sizes = _updates(dispatcher)
    dispatcher.run_once(include_schedules=False)  # welcome emails, image renditions: settle the streams
    return Seed(
        todo_email=todo_email,
        todo_sub=todo_sub,
        list_id=list_id,
        author_sub=author_sub,
        author_email=author_email,
        post_slugs=slugs,
        tags=tags,
        product=product,
        versions=versions,
        artifact_paths=sorted(sizes),
        artifact_sizes=sizes,
        release_manager_email=rm_email,
    )
