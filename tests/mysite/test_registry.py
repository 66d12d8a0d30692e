"""Apps hand the core what it needs through declared modules and settings hooks, never by the core importing them."""

from __future__ import annotations

import accounts.selectors
import todos.provisioning
from mysite.event_sources import all_event_sources
from mysite.provisioning import app_steps
from mysite.registry import app_modules, declared, hook, profile_lookup


def test_declared_modules_are_found_in_installed_apps_order():
    names = [module.__name__ for module in app_modules("demo")]
    assert names == ["todos.demo", "blog.demo", "updates.demo"]


def test_declared_lists_are_concatenated_across_apps():
    functions = {source.function for source in declared("events", "EVENT_SOURCES")}
    assert "accounts.events.profile_stream_handler" in functions
    assert functions == {source.function for source in all_event_sources()}
    assert {type(step).__name__ for step in app_steps()} == {"UploadLifecycleStep", "IdentityPoolStep"}
    assert declared("provisioning", "STAGE_LOOKUPS") == [todos.provisioning.stage_lookups]


def test_the_profile_lookup_is_the_function_settings_name(settings, user):
    assert hook("PROFILE_LOOKUP") is accounts.selectors.profile_get_cached
    assert profile_lookup(sub=user.sub).email == user.email
    settings.PROFILE_LOOKUP = "accounts.selectors.profile_get"
    assert hook("PROFILE_LOOKUP") is accounts.selectors.profile_get
