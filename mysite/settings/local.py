"""Development on the local emulator stack (`make run`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import environ

_BASE_DIR = Path(__file__).resolve().parent.parent.parent
environ.Env.read_env(_BASE_DIR / ".env")

# Local defaults, overridable from the environment or .env (see .env.example).
for _name, _value in {
    "DJANGO_SECRET_KEY": "local-development-only-not-a-secret",
    "DYNAMODB_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('DEVSTACK_DYNAMODB_PORT', '8100')}",
    "COGNITO_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('DEVSTACK_COGNITO_PORT', '9229')}",
    "S3_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('DEVSTACK_S3_PORT', '4569')}",
    # One moto server answers identity pools, STS and IAM.
    **dict.fromkeys(
        ("COGNITO_IDENTITY_ENDPOINT_URL", "STS_ENDPOINT_URL", "IAM_ENDPOINT_URL"),
        f"http://127.0.0.1:{os.environ.get('DEVSTACK_IDENTITY_PORT', '5050')}",
    ),
    "AWS_LOCAL_ACCESS_KEY_ID": "S3RVER",
    "AWS_LOCAL_SECRET_ACCESS_KEY": "S3RVER",
    "DYNAMODB_TABLE_PREFIX": "local-",
    "AWS_STORAGE_BUCKET_NAME": "mysite-local",
}.items():
    os.environ.setdefault(_name, _value)

from .base import *
from .base import BASE_DIR, STORAGES, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

DEVDATA_DIR = Path(env("DEVDATA_DIR", default=str(BASE_DIR / ".devdata")))
LOCAL_MAILBOX_DIR = env("LOCAL_MAILBOX_DIR", default=str(DEVDATA_DIR / "mail"))
LOCAL_S3_EVENT_LOG = env("LOCAL_S3_EVENT_LOG", default=str(DEVDATA_DIR / "s3" / "events.jsonl"))
EMAIL_BACKEND = "mysite.mail.MailboxBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
UPLOAD_ALLOWED_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000"])

# provision writes the ids it created (user pool, app client, identity pool, role) here.
STACK_OUTPUTS_FILE = DEVDATA_DIR / "stack.json"
if STACK_OUTPUTS_FILE.exists() and not os.environ.get("COGNITO_USER_POOL_ID"):
    _outputs = json.loads(STACK_OUTPUTS_FILE.read_text())
    COGNITO_USER_POOL_ID = _outputs.get("COGNITO_USER_POOL_ID", "")
    COGNITO_CLIENT_ID = _outputs.get("COGNITO_CLIENT_ID", "")
if STACK_OUTPUTS_FILE.exists() and not os.environ.get("COGNITO_IDENTITY_POOL_ID"):
    _outputs = json.loads(STACK_OUTPUTS_FILE.read_text())
    COGNITO_IDENTITY_POOL_ID = _outputs.get("COGNITO_IDENTITY_POOL_ID", "")
    COGNITO_IDENTITY_ROLE_ARN = _outputs.get("COGNITO_IDENTITY_ROLE_ARN", "")
