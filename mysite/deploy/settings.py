"""Settings for the deploy commands, run from a workstation against one stage on AWS.

    DEPLOY_STAGE=production DJANGO_SETTINGS_MODULE=mysite.deploy.settings python manage.py provision

The stage's environment_variables in zappa_settings.json become this process's
environment (what is already set wins), then the production settings load: the
commands see the same table prefix, bucket, user pool and secrets as the function.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DEPLOY_STAGE = os.environ.get("DEPLOY_STAGE", "production")
_FILE = Path(os.environ.get("ZAPPA_SETTINGS_FILE") or Path(__file__).resolve().parents[2] / "zappa_settings.json")
_stage = json.loads(_FILE.read_text()).get(DEPLOY_STAGE)
if _stage is None:
    raise RuntimeError(f"No stage {DEPLOY_STAGE!r} in {_FILE}.")
for _name, _value in _stage.get("environment_variables", {}).items():
    os.environ.setdefault(_name, str(_value))
os.environ.setdefault("AWS_REGION", _stage.get("aws_region", "us-east-1"))
os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
# The deploy commands sign nothing, and the key's secret may not exist yet (provision creates it).
os.environ.setdefault("DJANGO_SECRET_KEY", "deploy-commands-sign-nothing")

from mysite.settings.production import *  # noqa: E402, F403

ZAPPA_SETTINGS_FILE = str(_FILE)
