"""How apps hand the core what it needs, without the core importing any app.

Two explicit mechanisms, both read at run time:

- **Declared modules.** An installed app may have `<app>/events.py` (`EVENT_SOURCES`),
  `<app>/provisioning.py` (`STEPS`, `STAGE_LOOKUPS`), `<app>/demo.py` (`seed`) and
  `<app>/models.py` (its PynamoDB models); the core finds them through the app registry.
- **Settings hooks.** One function the core calls by dotted path: `PROFILE_LOOKUP`
  (settings/base.py), the app function that returns a user's profile (or None) by `sub`.

Lookups are cached per process after Django's app registry is ready; the modules are
imported once and are read-only, so this is right with any number of threads and processes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string


def app_modules(name: str, *, exclude: tuple[str, ...] = ()) -> list[ModuleType]:
    """`<app>.<name>` of every installed app that has one, in INSTALLED_APPS order."""
    found = []
    for app in apps.get_app_configs():
        if app.name in exclude:
            continue
        try:
            found.append(import_module(f"{app.name}.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.{name}":
                raise  # the module exists but imports something missing: a real error
    return found


def declared(name: str, attribute: str, *, exclude: tuple[str, ...] = ()) -> list:
    """The `attribute` lists of every app's `<app>.<name>` module, concatenated."""
    return [value for module in app_modules(name, exclude=exclude) for value in getattr(module, attribute, [])]


@functools.cache
def _function(dotted_path: str) -> Callable:
    return import_string(dotted_path)


def hook(setting: str) -> Callable:
    """The function a setting names by dotted path (read each call, so override_settings applies)."""
    return _function(getattr(settings, setting))


def profile_lookup(*, sub: str):
    """The profile of `sub` (display name, email, revocation stamp) from the app named by PROFILE_LOOKUP."""
    return hook("PROFILE_LOOKUP")(sub=sub)
