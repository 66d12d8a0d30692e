"""The Lambda package, proven offline: Zappa's real LambdaHandler, run from the unzipped zip, against the emulators.

The zip is built once per test session by `make package`'s code (`zappa package`
from the runtime-only virtualenv), from a stage rendered like production's but
pointed at this test stack (its table prefix, bucket, user pool and the real
stream ARN of its profiles table). A separate python3.13 without site-packages
imports only what is inside the zip.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image as PillowImage

from mysite import aws
from mysite.deploy import build_package, stages
from mysite.deploy.local_stage import local_function_environment, local_stream_arns, stage_for_local_stack

pytestmark = pytest.mark.usefixtures("local_stack")

STAGE = "lambdatest"
API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
DRIVER = Path(__file__).with_name("lambda_driver.py")


class PackagedFunction:
    """The unzipped package in its own python3.13 process, fed one event at a time."""

    def __init__(self, root: Path, stage: dict):
        self.root = root
        self.stdout = ""
        env = local_function_environment()
        python = os.environ.get("LAMBDA_TEST_PYTHON", os.path.realpath(sys.executable))
        # -I: no user site, no PYTHONPATH, no current directory; -S: no site-packages at all.
        self.process = subprocess.Popen(
            [python, "-I", "-S", str(DRIVER), str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            env=env,
            text=True,
        )

    def send(self, event: dict) -> dict:
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the packaged function's process ended"
        answer = json.loads(line)
        assert "error" not in answer, answer["error"]
        self.stdout = answer.pop("stdout", "")
        return answer.get("result", answer)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def stage(local_stack) -> dict:
    return stage_for_local_stack()


@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory, stage) -> Path:
    """`zappa package` of the test stage (the runtime virtualenv is cached by its requirements' hash)."""
    folder = tmp_path_factory.mktemp("lambda")
    settings_file = folder / "zappa_settings.json"
    settings_file.write_text(stages.dumps({STAGE: stage}))
    return build_package.build(STAGE, folder / "package.zip", settings_file)


@pytest.fixture(scope="session")
def collected_static(stage) -> dict:
    """`collectstatic` with the production settings: hashed files and their manifest in the bucket's static/."""
    env = {
        **os.environ,
        **stage["environment_variables"],
        "DJANGO_SETTINGS_MODULE": "mysite.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    body = aws.client("s3").get_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key="static/staticfiles.json")["Body"]
    return json.loads(body.read())


@pytest.fixture(scope="session")
def packaged_function(lambda_package, collected_static, stage, tmp_path_factory):
    root = tmp_path_factory.mktemp("var-task")
    with zipfile.ZipFile(lambda_package) as archive:
        archive.extractall(root)
    function = PackagedFunction(root, stage)
    yield function
    function.close()


def api_event(
    method: str, path: str, *, headers: dict | None = None, query: dict | None = None, body: str = ""
) -> dict:
    """An API Gateway REST proxy event, as API Gateway sends it through CloudFront."""
    headers = {"Host": API_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443", **(headers or {})}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/production{path}",
            "stage": "production",
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "pytest"},
            "requestId": uuid.uuid4().hex,
        },
        "body": body or None,
        "isBase64Encoded": False,
    }


def header(response: dict, name: str) -> str:
    return {k.lower(): v for k, v in response.get("headers", {}).items()}.get(name.lower(), "")


def s3_event(key: str) -> dict:
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": settings.AWS_REGION,
                "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "mysite-lambdatest",  # Zappa names the notification after the function
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": key.replace(" ", "+"), "size": 1},
                },
            }
        ]
    }


def test_the_package_holds_only_runtime_code_within_the_budget(lambda_package):
    with zipfile.ZipFile(lambda_package) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"handler.py", "zappa_settings.py", "django_zappa_app.py", "zappa", "django", "mysite", "blog"} <= tops
    assert not tops & {"pytest", "_pytest", "moto", "playwright", "ruff", "tests", "devstack", "troposphere"}
    assert lambda_package.stat().st_size < build_package.BUDGET_BYTES


def test_the_function_runs_on_the_package_alone(packaged_function):
    assert packaged_function.send(api_event("GET", "/health"))["statusCode"] == 200
    modules = packaged_function.send({"driver": "modules"})
    assert modules == {"foreign": [], "site_enabled": False}


def test_collectstatic_puts_hashed_files_in_the_bucket(collected_static):
    hashed = collected_static["paths"]["mysite/site.css"]
    assert hashed != "mysite/site.css"
    assert hashed.startswith("mysite/site.")
    head = aws.client("s3").head_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=f"static/{hashed}")
    assert head["ContentLength"] > 0
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


def test_a_public_blog_page_is_served_and_cacheable(packaged_function, collected_static):
    response = packaged_function.send(api_event("GET", "/blog/"))
    assert response["statusCode"] == 200
    assert header(response, "Content-Type").startswith("text/html")
    assert response.get("isBase64Encoded", False) is False
    assert "s-maxage=" in header(response, "Cache-Control")
    assert "Set-Cookie" not in response["headers"]
    assert "</html>" in response["body"]
    assert collected_static["paths"]["mysite/site.css"] in response["body"]  # hashed static names


def test_an_authenticated_todo_api_call_reads_and_writes_dynamodb(packaged_function, user):
    auth = {"Authorization": f"Bearer {user.access_token}", "Content-Type": "application/json"}
    name = f"Packaged {uuid.uuid4().hex[:6]}"
    created = packaged_function.send(
        api_event("POST", "/api/todos/lists", headers=auth, body=json.dumps({"name": name}))
    )
    assert created["statusCode"] == 201, created.get("body")
    listed = packaged_function.send(api_event("GET", "/api/todos/lists", headers=auth))
    assert listed["statusCode"] == 200
    assert name in [item["name"] for item in json.loads(listed["body"])["results"]]
    anonymous = packaged_function.send(api_event("GET", "/api/todos/lists"))
    assert anonymous["statusCode"] == 401


def test_an_update_check_answers_up_to_date(packaged_function):
    from updates.services import product_create

    slug = f"app-{uuid.uuid4().hex[:8]}"
    product_create(slug=slug, name="Packaged App")
    response = packaged_function.send(api_event("GET", f"/update/{slug}/darwin/1.0.0"))
    assert response["statusCode"] == 204
    assert "max-age=" in header(response, "Cache-Control")


def test_a_new_profile_stream_record_sends_the_welcome_email(packaged_function, make_user):
    from accounts.models import Profile

    created = make_user(name="Stream Reader")
    stream_arn = local_stream_arns()[Profile.Meta.table_name]
    record = {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": settings.AWS_REGION,
        "dynamodb": {
            "ApproximateCreationDateTime": time.time(),
            "Keys": {"sub": {"S": created.sub}},
            "NewImage": {"sub": {"S": created.sub}, "email": {"S": created.email}},
            "SequenceNumber": str(time.time_ns()),
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": stream_arn,
    }
    assert packaged_function.send({"Records": [record]}) == {"batchItemFailures": [], "welcome_emails_sent": 1}
    assert f"To: {created.email}" in packaged_function.stdout
    assert "Subject: Welcome to" in packaged_function.stdout
    assert packaged_function.send({"Records": [record]}) == {"batchItemFailures": [], "welcome_emails_sent": 0}
    assert packaged_function.stdout == ""  # nothing sent the second time


def test_an_uploaded_image_is_rendered_and_served_as_binary(packaged_function, make_user):
    from blog.models import Image
    from blog.services import image_upload_start

    author = make_user(groups=("authors",))
    picture = io.BytesIO()
    PillowImage.new("RGB", (640, 480), (200, 60, 30)).save(picture, format="PNG")
    image, _post = image_upload_start(
        uploaded_by=author.sub, filename="sunset photo.png", content_type="image/png", size=len(picture.getvalue())
    )
    aws.client("s3").put_object(
        Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=image.upload_key, Body=picture.getvalue(), ContentType="image/png"
    )
    routed = packaged_function.send(s3_event(image.upload_key))["routed"]
    assert [r["function"] for r in routed] == ["blog.events.image_uploaded_handler"]
    processed = Image.get(image.image_id, consistent_read=True)
    assert processed.status == "ready", processed.reason
    rendition = processed.renditions[0]
    name = (rendition.get("key") or rendition["url"]).rsplit("/", 1)[-1]
    response = packaged_function.send(api_event("GET", f"/media/blog/{name}"))
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    body = base64.b64decode(response["body"])
    assert (
        body
        == aws.client("s3").get_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=f"media/blog/{name}")["Body"].read()
    )


def test_an_uploaded_artifact_is_hashed_and_checked_against_its_declaration(packaged_function):
    """The artifact handler hashes the upload in the package; a file that is not the declared one is refused.

    (A matching file is then signed with the updates key, which lives in Secrets Manager:
    there is no emulator for it, so the signing path is the updates app's own tests' business.)
    """
    import hashlib

    from updates.models import Artifact
    from updates.services import artifact_upload_start, product_create, release_create

    slug = f"app-{uuid.uuid4().hex[:8]}"
    product_create(slug=slug, name="Packaged App")
    release_create(product=slug, version="2.0.0", channel="stable")
    declared = b"the build the release manager declared"
    uploaded = b"a different build of the same length!!"
    assert len(uploaded) == len(declared)
    started = artifact_upload_start(
        product=slug,
        version="2.0.0",
        platform="darwin-arm64",
        filename="App-2.0.0.zip",
        size=len(declared),
        sha256=hashlib.sha256(declared).hexdigest(),
    )
    aws.client("s3").put_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=started["key"], Body=uploaded)
    routed = packaged_function.send(s3_event(started["key"]))["routed"]
    assert [r["function"] for r in routed] == ["updates.events.artifact_uploaded_handler"]
    [artifact] = [a for a in Artifact.query(slug) if a.upload_key == started["key"]]
    assert artifact.status == "rejected"
    assert hashlib.sha256(uploaded).hexdigest() in artifact.rejection_reason


def test_the_scheduled_event_publishes_due_posts(packaged_function, make_user):
    from blog.services import post_create, post_schedule

    author = make_user(groups=("authors",))
    post = post_create(author_sub=author.sub, author_name=author.name, title=f"Due {uuid.uuid4().hex[:8]}")
    publish_at = datetime.now(UTC) + timedelta(seconds=1)
    post = post_schedule(post_id=post.post_id, version=post.version, publish_at=publish_at)
    while datetime.now(UTC) <= publish_at:
        time.sleep(0.1)
    rule = f"mysite-{STAGE}-blog.events.publish_due_handler"
    event = {
        "version": "0",
        "id": uuid.uuid4().hex,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": settings.AWS_REGION,
        "resources": [f"arn:aws:events:{settings.AWS_REGION}:000000000000:rule/{rule}"],
        "detail": {},
    }
    result = packaged_function.send(event)
    assert post.slug in result["published"]
    page = packaged_function.send(api_event("GET", f"/blog/{post.slug}/"))
    assert page["statusCode"] == 200
