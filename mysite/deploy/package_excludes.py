"""What the Lambda package leaves out: deploy-only code, development files, unused botocore data."""

from __future__ import annotations

from pathlib import Path

# Never copied: names that match at any depth, in the project and in site-packages alike.
EXCLUDE = [
    ".venv",
    "dist",
    "devstack",
    "node_modules",
    ".devdata",
    "test-artifacts",
    ".git",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "*.pyc",
]
# The project's own files the function does not need (top level only: botocore has docs/, Django staticfiles/).
PROJECT_EXCLUDE_GLOB = [
    "tests/",
    "docs/",
    "benchmarks/",
    "requirements/",
    "staticfiles/",
    ".ci/",
    ".github/",
    "*.md",
    ".env*",
    "Makefile",
    "pyproject.toml",
    "zappa_settings.json",
    # Source maps of vendored browser bundles (Swagger UI, ReDoc): only a developer's debugger reads them.
    "**/*.js.map",
    "**/*.css.map",
]

# Zappa's deploy-time dependencies, top level of the package only (botocore vendors its own `requests`):
# the handler needs only zappa, werkzeug, boto3 and durationpy.
DEPLOY_ONLY_GLOB = [
    f"{name}/"
    for name in (
        "argcomplete",
        "cfn_flip",
        "cfn_tools",
        "charset_normalizer",
        "click",
        "hjson",
        "pip",
        "pkg_resources",
        "placebo",
        "requests",
        "setuptools",
        "slugify",
        "text_unidecode",
        "toml",
        "tqdm",
        "troposphere",
        "wheel",
        "_distutils_hack",
    )
] + ["distutils-precedence.pth"]

# The AWS services the function calls; the rest of botocore's models (14 MB zipped) stay out of the package.
BOTOCORE_SERVICES = (
    "cloudfront",
    "cognito-identity",
    "cognito-idp",
    "dynamodb",
    "dynamodbstreams",
    "kms",  # the TUF online keys in production (updates/tuf_keys.py)
    "s3",
    "secretsmanager",
    "ses",
    "sesv2",
    "sts",
)
# Parts of Django this site never loads (USE_I18N is off; no admin, GIS or PostgreSQL).
DJANGO_EXCLUDE_GLOB = [
    "django/conf/locale/*/LC_MESSAGES/",
    "django/contrib/*/locale/",
    "django/contrib/flatpages/",
    "django/contrib/gis/",
    "django/contrib/postgres/",
    "django/contrib/redirects/",
    "rest_framework/locale/",
]

# The static files of installed packages: collectstatic puts them in the bucket from the deploying
# machine's virtualenv (docs/deploy.md), and the function only reads their manifest there. Django's
# admin is not installed at all. pip's install records are read by `pip uninstall` alone.
VENDOR_FILES_GLOB = [
    "django/contrib/admin/static/",
    "django_htmx/static/",
    "drf_spectacular_sidecar/static/",
    "rest_framework/static/",
    "*.dist-info/RECORD",
]


def botocore_exclude_glob(services: list[str], keep: tuple[str, ...] = BOTOCORE_SERVICES) -> list[str]:
    """Glob patterns (folders only) matching every botocore service model except `keep`."""
    patterns: list[str] = []

    def visit(prefix: str) -> None:
        kept_below = sorted({name[len(prefix)] for name in keep if name.startswith(prefix) and len(name) > len(prefix)})
        others = {name for name in services if name.startswith(prefix) and name not in keep}
        if not others:
            return
        if not kept_below:
            # Only `prefix` itself (if anything) is kept: drop every longer name.
            patterns.append(f"botocore/data/{prefix}?*/" if prefix in keep else f"botocore/data/{prefix}*/")
            return
        patterns.append(f"botocore/data/{prefix}[!{''.join(kept_below)}]*/")
        for char in kept_below:
            visit(prefix + char)

    visit("")
    return patterns


def botocore_older_api_versions_glob(keep: tuple[str, ...] = BOTOCORE_SERVICES) -> list[str]:
    """Folders of the API versions botocore never loads: every dated model of a kept service but its newest.

    botocore's loader takes a service's newest API version unless a client asks for another (this code
    never does); CloudFront alone carries 18 older models.
    """
    import botocore

    data = Path(botocore.__file__).parent / "data"
    patterns: list[str] = []
    for service in keep:
        versions = sorted(path.name for path in (data / service).iterdir() if path.is_dir())
        patterns += [f"botocore/data/{service}/{version}/" for version in versions[:-1]]
    return patterns


def installed_botocore_services() -> list[str]:
    import botocore

    data = Path(botocore.__file__).parent / "data"
    return sorted(path.name for path in data.iterdir() if path.is_dir())


# The stage's own values: kept from the file once there; a new stage starts from these.
