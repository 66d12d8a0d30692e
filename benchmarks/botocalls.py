"""Every AWS call the process makes: the recorder lives in `mysite.deploy.botocalls` (the IAM test uses it too)."""

from __future__ import annotations

from mysite.deploy.botocalls import Call, Recording, record

__all__ = ["Call", "Recording", "record"]
