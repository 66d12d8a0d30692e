"""Settings shared by every environment; each value comes from the environment."""

from __future__ import annotations

from pathlib import Path

import environ

from mysite.constants import GROUPS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and ReDoc served from the site's own static files, not a third-party CDN.
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "storages",
    "mysite",
    "accounts",
    "todos",
    "blog",
    "blog.search",
    "blog.newsletter",
    "updates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Above sessions and CSRF: it drops the cookies they would add to a shared-cacheable answer.
    "mysite.middleware.SharedCacheSafetyMiddleware",
    "mysite.middleware.BodilessResponseMiddleware",
    "mysite.middleware.RequestSizeLimitMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "mysite.auth.CognitoSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mysite.errors.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "mysite.urls"
# A refused form is the site's own 403 page, like every other error.
CSRF_FAILURE_VIEW = "mysite.errors.csrf_failure"
WSGI_APPLICATION = "mysite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mysite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.messages.context_processors.messages",
                "mysite.context_processors.site",
            ],
        },
    },
]

# No relational database anywhere: every piece of data lives in DynamoDB.
DATABASES: dict = {}

SESSION_ENGINE = "mysite.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"

# Files go straight to S3, so request bodies stay small (API Gateway caps them at 10 MB anyway).
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- AWS -------------------------------------------------------------------
AWS_REGION = env("AWS_REGION", default="us-east-1")
# Endpoints are set only for the local emulators; unset means the real AWS service.
DYNAMODB_ENDPOINT_URL = env("DYNAMODB_ENDPOINT_URL", default=None)
DYNAMODB_TABLE_PREFIX = env("DYNAMODB_TABLE_PREFIX")
COGNITO_ENDPOINT_URL = env("COGNITO_ENDPOINT_URL", default=None)
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default=None)
# Identity pools, STS and IAM: locally moto's server, used only beside the local user pool.
COGNITO_IDENTITY_ENDPOINT_URL = env("COGNITO_IDENTITY_ENDPOINT_URL", default=None)
STS_ENDPOINT_URL = env("STS_ENDPOINT_URL", default=None)
IAM_ENDPOINT_URL = env("IAM_ENDPOINT_URL", default=None)
# Local emulators need some credentials; on Lambda the IAM role provides them.
AWS_LOCAL_ACCESS_KEY_ID = env("AWS_LOCAL_ACCESS_KEY_ID", default=None)
AWS_LOCAL_SECRET_ACCESS_KEY = env("AWS_LOCAL_SECRET_ACCESS_KEY", default=None)

COGNITO_USER_POOL_NAME = env("COGNITO_USER_POOL_NAME", default="mysite")
COGNITO_USER_POOL_ID = env("COGNITO_USER_POOL_ID", default="")
COGNITO_CLIENT_ID = env("COGNITO_CLIENT_ID", default="")
COGNITO_GROUPS = GROUPS
# The core reads a user's profile (name, email, token revocation stamp) through this app function.
PROFILE_LOOKUP = "accounts.selectors.profile_get_cached"
# Todos: temporary S3 credentials through a Cognito identity pool (`provision` creates both).
COGNITO_IDENTITY_POOL_ID = env("COGNITO_IDENTITY_POOL_ID", default="")
COGNITO_IDENTITY_ROLE_ARN = env("COGNITO_IDENTITY_ROLE_ARN", default="")

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_REGION_NAME = AWS_REGION
AWS_S3_ENDPOINT_URL = S3_ENDPOINT_URL
AWS_S3_ACCESS_KEY_ID = AWS_LOCAL_ACCESS_KEY_ID
AWS_S3_SECRET_ACCESS_KEY = AWS_LOCAL_SECRET_ACCESS_KEY
AWS_S3_ADDRESSING_STYLE = "path" if S3_ENDPOINT_URL else "virtual"
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = 300
AWS_S3_FILE_OVERWRITE = False
AWS_LOCATION = "media"
# Browsers upload straight to the bucket from these origins.
UPLOAD_ALLOWED_ORIGINS = env.list("UPLOAD_ALLOWED_ORIGINS", default=[])

STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CLOUDFRONT_DISTRIBUTION_ID = env("CLOUDFRONT_DISTRIBUTION_ID", default="")
CDN_DOMAIN = env("CDN_DOMAIN", default="")
# Secrets Manager secret holding the updates Ed25519 signing key (PEM); unset locally.
UPDATES_SIGNING_KEY_SECRET_ID = env("UPDATES_SIGNING_KEY_SECRET_ID", default="")
# TUF online keys in KMS, per role: {"targets": ["<key id>"], "snapshot": [...], "timestamp": [...], "root": [...]}.
# Empty: key files under DEVDATA_DIR/tuf-online-keys (local development). See updates/tuf_keys.py.
UPDATES_TUF_KMS_KEYS = env.json("UPDATES_TUF_KMS_KEYS", default={})

# --- Email -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MySite <no-reply@example.com>")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django_ses.SESBackend")

# --- Caching (the read cache in front of DynamoDB; see mysite/cache.py) ----
# Per process: entries are validated by generation stamps in DynamoDB, so N containers agree.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "items",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 1_000},
    }
}
READ_CACHE = {
    "TTL_SECONDS": env.int("READ_CACHE_TTL_SECONDS", default=300),
    "SETTLE_SECONDS": env.float("READ_CACHE_SETTLE_SECONDS", default=2.0),
    "MAX_ENTRY_BYTES": 256 * 1024,
}

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mysite.auth.BearerTokenAuthentication",
        "mysite.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "mysite.auth.AnonymousUser",
    "EXCEPTION_HANDLER": "mysite.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "mysite.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "mysite.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MySite API",
    "DESCRIPTION": "Todos, blog and software-update catalog on AWS Lambda + DynamoDB.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the one list of IANA time zones, whichever field takes one.
    "ENUM_NAME_OVERRIDES": {
        "TimeZoneEnum": "mysite.apis.TIME_ZONES",
        # Fields named `kind` with different choices: each set gets its own name.
        "TrashKindEnum": ["task", "list"],
        "SyncDeletedKindEnum": ["list", "task", "attachment"],
        "QuickTokenKindEnum": ["due", "time", "list", "label", "priority", "recurrence", "literal"],
        "ListRoleEnum": "todos.models.ROLES",
    },
}

CORS_URLS_REGEX = r"^/api/blog/.*$"
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = False


# --- Browser security headers ---------------------------------------------------------
def _origin(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Where browsers fetch from besides the site: the bucket (direct uploads, presigned downloads and
# thumbnails) and the CDN (static files, images). The emulator's endpoint locally, S3's names on AWS.
S3_BROWSER_ORIGINS = (
    [_origin(S3_ENDPOINT_URL)]
    if S3_ENDPOINT_URL
    else [
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_REGION}.amazonaws.com",
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3-accelerate.amazonaws.com",
    ]
)
_CDN_ORIGINS = [f"https://{CDN_DOMAIN}"] if CDN_DOMAIN else []

# One policy for every page, with no nonce: shared-cacheable pages must be the same bytes for
# everyone. Templates hold no inline script, style or event handler; htmx is told not to inject
# its indicator <style> nor to eval (see base.html's htmx-config). The API docs pages add the
# inline styles their renderers need (mysite/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_CDN_ORIGINS],
        "style-src": ["'self'", *_CDN_ORIGINS],
        "img-src": ["'self'", "data:", *S3_BROWSER_ORIGINS, *_CDN_ORIGINS],
        "font-src": ["'self'", *_CDN_ORIGINS],
        "connect-src": ["'self'", *S3_BROWSER_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features no page of the site uses; no frame of another origin gets them either.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}

SITE_NAME = "MySite"
# Absolute links in emails (newsletter confirmation and unsubscribe links).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The newsletter's SES configuration set (its event destination publishes bounces and complaints to SNS).
NEWSLETTER_SES_CONFIGURATION_SET = env("NEWSLETTER_SES_CONFIGURATION_SET", default="")
# Messages a second one outbox invocation hands to SES (0: no limit); keep it within the account's rate.
NEWSLETTER_SEND_RATE = env.float("NEWSLETTER_SEND_RATE", default=0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "pynamodb": {"level": "WARNING"}},
}
