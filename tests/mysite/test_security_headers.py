"""Content-Security-Policy and Permissions-Policy on every page, and a clean `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

BASE_DIR = Path(django_settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url", ["/", "/blog/", "/updates/", "/accounts/sign-in/", "/blog/archive/"])
def test_public_pages_carry_a_strict_content_security_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_signed_in_pages_allow_the_bucket_for_uploads_and_thumbnails(browser_client, user):
    response = browser_client(user).get("/todos/")
    csp = policy(response)
    bucket_origin = re.match(r"https?://[^/]+", django_settings.S3_ENDPOINT_URL).group(0)
    assert bucket_origin in csp["connect-src"]
    assert bucket_origin in csp["img-src"]
    assert csp["script-src"] == ["'self'"]


def test_every_page_sends_a_permissions_policy_that_turns_off_powerful_features():
    header = Client().get("/blog/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header


def test_htmx_is_configured_to_need_neither_inline_styles_nor_eval():
    body = Client().get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", body).group(1)
    assert '"includeIndicatorStyles":false' in config
    assert '"allowEval":false' in config
    assert '"attributesToSettle":["class","width","height"]' in config  # settling "style" sets an inline style


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in BASE_DIR.glob("*/templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text) or re.search(r'\sstyle="', text):
            offenders.append(str(template.relative_to(BASE_DIR)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(template.relative_to(BASE_DIR)))
    assert offenders == []


def test_api_docs_get_only_the_inline_styles_their_renderers_need():
    for url in ("/api/docs/", "/api/redoc/"):
        csp = policy(Client().get(url))
        assert csp["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" in csp["style-src"], url


def test_check_deploy_with_the_production_settings_gives_no_warning():
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "mysite.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "www.example.com",
        "DYNAMODB_TABLE_PREFIX": "prod-",
        "AWS_STORAGE_BUCKET_NAME": "mysite-production-site",
        "COGNITO_USER_POOL_ID": "us-east-1_example",
        "COGNITO_CLIENT_ID": "client",
        "CDN_DOMAIN": "www.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
