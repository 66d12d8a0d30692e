"""Declarations of which handler each event source feeds.

Each app lists its sources in `<app>/events.py` as `EVENT_SOURCES`. The local
dispatcher reads them to call the handlers, and the deployment renders the
same list into Zappa's `events` — one declaration for both worlds.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB Stream of the table of `model` (dotted path)."""

    function: str
    model: str
    batch_size: int = 25

    def table_model(self):
        return import_string(self.model)


@dataclass(frozen=True)
class UploadSource:
    """S3 ObjectCreated events under `prefix` of the site's bucket."""

    function: str
    prefix: str


@dataclass(frozen=True)
class ScheduleSource:
    """A scheduled event; `rate` is a CloudWatch expression such as `rate(1 minute)`."""

    function: str
    rate: str

    @property
    def seconds(self) -> int:
        amount, unit = self.rate.removeprefix("rate(").removesuffix(")").split()
        return int(amount) * {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400}[unit]


def all_event_sources() -> list[StreamSource | UploadSource | ScheduleSource]:
    """The sources declared by every installed app."""
    sources = []
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.events")
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.events":
                raise
            continue
        sources.extend(getattr(module, "EVENT_SOURCES", []))
    return sources
