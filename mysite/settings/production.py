"""AWS Lambda behind API Gateway and CloudFront; secrets have no defaults."""

from __future__ import annotations

from mysite.deploy.secrets import load_django_secret_key

# The signing key (sessions, CSRF, cursors) comes from Secrets Manager; base.py requires it.
load_django_secret_key()

from .base import *
from .base import CDN_DOMAIN, env

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
COGNITO_USER_POOL_ID = env("COGNITO_USER_POOL_ID")
COGNITO_CLIENT_ID = env("COGNITO_CLIENT_ID")
# CloudFront reaches API Gateway under the API's own host name, so the browser's origin is the CDN's.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{CDN_DOMAIN}"] if CDN_DOMAIN else [])
# Zappa sets SCRIPT_NAME to /<stage> for requests to the execute-api host, which is also the host CloudFront
# sends; the site is served from the root of the CDN domain, so links must not carry the stage.
FORCE_SCRIPT_NAME = env("FORCE_SCRIPT_NAME", default="")
# Browser uploads through S3 Transfer Acceleration (provision enables it on the bucket).
S3_TRANSFER_ACCELERATION = env.bool("S3_TRANSFER_ACCELERATION", default=False)
# provision creates this secret; load_django_secret_key() above reads it at cold start.
DJANGO_SECRET_KEY_SECRET_ID = env("DJANGO_SECRET_KEY_SECRET_ID", default="")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# The decisions behind `check --deploy` (W008, W005, W021), which passes without silencing anything:
# - W008: CloudFront already redirects HTTP at the edge and API Gateway speaks HTTPS only (and says so
#   in X-Forwarded-Proto), so the redirect never fires in normal use; it stays on as the last guard
#   should a route ever reach the function over plain HTTP.
SECURE_SSL_REDIRECT = True
# - W005: the site has a domain of its own (CDN_DOMAIN) and every name under it is served by
#   CloudFront over HTTPS, so the HSTS promise covers the subdomains too.
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# - W021: `preload` only declares consent; the domain's owner still submits it to the browsers'
#   list. With a year's max-age and subdomains included, the site meets the list's terms.
SECURE_HSTS_PRELOAD = True

# SES; the packaged-function test swaps in Django's file backend (there is no SES emulator).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django_ses.SESBackend")
AWS_SES_REGION_NAME = env("AWS_SES_REGION_NAME", default=env("AWS_REGION", default="us-east-1"))
# django-ses's throttle counts sends in one process (GetSendQuota, which IAM grants only on "*"):
# meaningless across Lambda containers, and each invocation sends one message.
AWS_SES_AUTO_THROTTLE = None

STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    "staticfiles": {
        "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
        # Hashed names in the bucket's static/ folder, linked through CloudFront (the bucket admits nothing else).
        "OPTIONS": {
            "location": "static",
            "querystring_auth": False,
            "custom_domain": CDN_DOMAIN or None,
            # Hashed names never change content: browsers and CloudFront keep them for a year.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    },
}
