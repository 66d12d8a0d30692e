"""The load mix for `make bench`: todo users, blog readers, update clients and an author, reads and writes.

Run by benchmarks/load.py (headless, loopback only, bounded by --run-time). Every
write carries a unique marker; the acknowledged ones are written to BENCH_LOAD_OUT
for the harness to find (or miss) in DynamoDB afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"]).read())  # noqa: SIM115
ACKNOWLEDGED: dict[str, list] = {"tasks": [], "posts": [], "releases": []}
SERVER_ERRORS: list[str] = []
_todo_users = itertools.cycle(CONFIG["todo_users"])
_versions = itertools.count(1)


@events.request.add_listener
def count_server_errors(request_type, name, response, exception, **kwargs):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        SERVER_ERRORS.append(f"{request_type} {name} {response.status_code}")


@events.quitting.add_listener
def write_out(environment, **kwargs):
    with open(os.environ["BENCH_LOAD_OUT"], "w") as out:
        json.dump({"acknowledged": ACKNOWLEDGED, "server_errors": SERVER_ERRORS}, out)


class TodoUser(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self):
        user = next(_todo_users)
        self.owner, self.list_id = user["sub"], user["list_id"]
        self.client.headers["Authorization"] = f"Bearer {user['token']}"

    @task(5)
    def read_list(self):
        self.client.get(f"/api/todos/tasks?list_id={self.list_id}", name="/api/todos/tasks?list_id=")

    @task(1)
    def read_lists(self):
        self.client.get("/api/todos/lists")

    @task(3)
    def create_task(self):
        title = f"load {uuid.uuid4().hex}"
        response = self.client.post("/api/todos/tasks", json={"title": title, "list_id": self.list_id})
        if response.status_code == 201:
            ACKNOWLEDGED["tasks"].append({"owner": self.owner, "title": title, "id": response.json()["id"]})
            if random.random() < 0.5:
                task_id = response.json()["id"]
                self.client.post(f"/api/todos/tasks/{task_id}/complete", name="/api/todos/tasks/[id]/complete")


class BlogReader(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    @task(3)
    def home(self):
        self.client.get("/blog/")

    @task(6)
    def post(self):
        slug = random.choice(CONFIG["slugs"])
        self.client.get(f"/blog/{slug}/", name="/blog/[slug]/")

    @task(1)
    def feed(self):
        self.client.get("/blog/rss.xml")


class UpdateClient(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        self.platform = random.choice(["darwin-arm64", "windows-x64", "linux-x64"])
        self.bucket = random.randrange(100)

    @task(4)
    def json_check(self):
        self.client.get(
            f"/api/updates/{CONFIG['product']}/stable/{self.platform}/1.0.0?bucket={self.bucket}",
            name="/api/updates/[product]/stable/[platform]/1.0.0",
        )

    @task(2)
    def electron_check(self):
        platform = {"windows-x64": "win32-x64"}.get(self.platform, self.platform)
        self.client.get(f"/update/{CONFIG['product']}/{platform}/1.0.0", name="/update/[product]/[platform]/1.0.0")

    @task(1)
    def appcast(self):
        self.client.get(f"/updates/{CONFIG['product']}/appcast.xml", name="/updates/[product]/appcast.xml")


class Author(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {CONFIG['author_token']}"

    @task(2)
    def draft(self):
        title = f"Load draft {uuid.uuid4().hex}"
        response = self.client.post("/api/blog/admin/posts/create", json={"title": title, "body_markdown": "Hi"})
        if response.status_code == 201:
            ACKNOWLEDGED["posts"].append({"title": title, "id": response.json()["id"]})

    @task(1)
    def draft_release(self):
        version = f"0.{next(_versions)}.{random.randrange(10**6)}"
        response = self.client.post(
            f"/api/updates/products/{CONFIG['product']}/releases",
            json={"version_name": version, "channel": "beta", "notes": "load"},
            headers={"Authorization": f"Bearer {CONFIG['release_token']}"},
            name="/api/updates/products/[product]/releases",
        )
        if response.status_code == 201:
            ACKNOWLEDGED["releases"].append({"version": version})
