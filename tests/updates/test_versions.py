from __future__ import annotations

import random

import pytest

from mysite.errors import InvalidInput
from updates.versions import InvalidVersion, SemVer, os_version_tuple

# The precedence example of semver.org section 11, plus core-number cases strings get wrong.
ORDERED = [
    "0.9.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.2.0",
    "1.10.0",
    "2.0.0-0",
    "2.0.0",
    "10.0.0",
]


def test_versions_compare_by_semver_precedence_not_as_strings():
    shuffled = [SemVer.parse(v) for v in ORDERED]
    random.Random(7).shuffle(shuffled)
    assert [str(v) for v in sorted(shuffled)] == ORDERED


def test_sort_key_orders_bytes_exactly_like_precedence():
    keys = [SemVer.parse(v).sort_key for v in ORDERED]
    assert sorted(keys) == keys
    assert len(set(keys)) == len(keys)


def test_build_metadata_does_not_change_precedence():
    assert SemVer.parse("1.0.0+build.5") == SemVer.parse("1.0.0")
    assert SemVer.parse("1.0.0+build.5").sort_key == SemVer.parse("1.0.0").sort_key
    assert str(SemVer.parse("1.0.0-rc.1+sha.abc")) == "1.0.0-rc.1+sha.abc"


@pytest.mark.parametrize("text", ["1.0", "01.0.0", "1.0.0-", "v1.0.0", "1.0.0-01", "", "1.0.0.0", "a.b.c"])
def test_malformed_versions_are_rejected_with_a_field_message(text):
    with pytest.raises(InvalidVersion) as caught:
        SemVer.parse(text, field_name="current_version")
    assert caught.value.status == 400
    assert "current_version" in caught.value.fields


def test_os_versions_compare_numerically():
    assert os_version_tuple("10.15") < os_version_tuple("11")
    assert os_version_tuple("13.0") == os_version_tuple("13")
    with pytest.raises(Exception, match="not an OS version"):
        os_version_tuple("ventura")


@pytest.mark.parametrize("text", ["1٣.0.0", "\uff11.0.0", "1.0.0-rc.\u0661", "1.0.0\n", "1.0.0-beta\n", "².0.0"])
def test_versions_with_non_ascii_digits_or_a_trailing_newline_are_rejected(text):
    with pytest.raises(InvalidVersion) as caught:
        SemVer.parse(text, field_name="version")
    assert caught.value.status == 400
    assert "version" in caught.value.fields


@pytest.mark.parametrize("text", ["1٣.0", "14.2\n", "²", "\uff11\uff14"])
def test_os_versions_with_non_ascii_digits_or_a_trailing_newline_are_rejected(text):
    with pytest.raises(InvalidInput) as caught:
        os_version_tuple(text, field_name="os")
    assert "os" in caught.value.fields
