"""`make run` on any port: the bucket's CORS admits browser uploads from the origin served (PORT), not a fixed :8000."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def local_upload_origins(**environment: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "UPLOAD_ALLOWED_ORIGINS", "DJANGO_SETTINGS_MODULE")}
    env.update(environment, DJANGO_SETTINGS_MODULE="mysite.settings.local")
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.UPLOAD_ALLOWED_ORIGINS))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_upload_origins_follow_the_port_make_run_serves():
    assert local_upload_origins(PORT="8310") == ["http://127.0.0.1:8310", "http://localhost:8310"]
    assert local_upload_origins() == ["http://127.0.0.1:8000", "http://localhost:8000"]


def test_upload_origins_set_in_the_environment_win():
    assert local_upload_origins(PORT="8310", UPLOAD_ALLOWED_ORIGINS="https://dev.example") == ["https://dev.example"]
