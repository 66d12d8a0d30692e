"""Semantic Versioning 2.0.0 precedence, and a sortable string key so DynamoDB orders releases correctly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering

from mysite.errors import InvalidInput
from updates.errors import InvalidVersion

# The regular expression suggested by semver.org, with `[0-9]` for `\d` (which also matches "٣" and fullwidth digits)
# and used with `fullmatch` (its `$` would let a trailing newline through).
SEMVER_REGEX = (
    r"(?P<major>0|[1-9][0-9]*)\.(?P<minor>0|[1-9][0-9]*)\.(?P<patch>0|[1-9][0-9]*)"
    r"(?:-(?P<prerelease>(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_SEMVER = re.compile(SEMVER_REGEX)
_NUMERIC_IDENTIFIER = re.compile(r"[0-9]+")
_OS_VERSION = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6}){0,3}")
_NUMBER_WIDTH = 10  # numeric parts are zero-padded to this width in the sort key
MAX_LENGTH = 64
# What SemVer.parse accepts, for an OpenAPI schema (ECMA-262 pattern; numbers of at most 10 digits).
_N = "(?:0|[1-9][0-9]{0,9})"
_PRERELEASE_PART = f"(?:{_N}|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
SEMVER_SCHEMA = {
    "type": "string",
    "maxLength": MAX_LENGTH,
    "pattern": rf"^{_N}\.{_N}\.{_N}(?:-{_PRERELEASE_PART}(?:\.{_PRERELEASE_PART})*)?"
    r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$",
}
OS_VERSION_SCHEMA = {"type": "string", "pattern": r"^[0-9]{1,6}(?:\.[0-9]{1,6}){0,3}$"}


@total_ordering
@dataclass(frozen=True)
class SemVer:
    """A parsed semantic version; compares by precedence (build metadata is ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()
    build: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str, *, field_name: str = "version") -> SemVer:
        """Parse `text` or raise InvalidVersion (400) naming `field_name`."""
        match = _SEMVER.fullmatch(text or "") if len(text or "") <= MAX_LENGTH else None
        if not match:
            raise InvalidVersion(f"“{text}” is not a semantic version such as 1.4.2 or 2.0.0-beta.1.", field=field_name)
        numbers = [int(match[name]) for name in ("major", "minor", "patch")]
        identifiers = tuple(
            int(part) if _NUMERIC_IDENTIFIER.fullmatch(part) else part
            for part in (match["prerelease"] or "").split(".")
            if part
        )
        too_big = any(n >= 10**_NUMBER_WIDTH for n in numbers) or any(
            isinstance(i, int) and i >= 10**_NUMBER_WIDTH for i in identifiers
        )
        if too_big:
            raise InvalidVersion(f"“{text}” has a number with more than {_NUMBER_WIDTH} digits.", field=field_name)
        return cls(*numbers, prerelease=identifiers, build=match["build"] or "")

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def _precedence(self) -> tuple:
        # A release ranks above its pre-releases; numeric identifiers rank below alphanumeric ones.
        identifiers = tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, identifiers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._precedence() == other._precedence()

    def __hash__(self) -> int:
        return hash(self._precedence())

    def __lt__(self, other: SemVer) -> bool:
        return self._precedence() < other._precedence()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(part) for part in self.prerelease)
        if self.build:
            text += "+" + self.build
        return text

    @property
    def sort_key(self) -> str:
        """A string whose byte order is the version's precedence (used as a DynamoDB range key).

        Numbers are zero-padded; a release ends with "~", which sorts after "-" that
        starts a pre-release; identifiers are separated by "!", which sorts below every
        identifier character, so a shorter set of identifiers ranks first.
        """
        core = ".".join(str(n).zfill(_NUMBER_WIDTH) for n in (self.major, self.minor, self.patch))
        if not self.prerelease:
            return core + "~"
        parts = [f"0{part:0{_NUMBER_WIDTH}d}" if isinstance(part, int) else f"1{part}" for part in self.prerelease]
        return core + "-" + "!".join(parts)


def os_version_tuple(text: str, *, field_name: str = "os_version") -> tuple[int, ...]:
    """A dotted numeric OS version (`14.2`, `10.0.19045`) as a tuple for comparison."""
    if not _OS_VERSION.fullmatch(text or ""):
        raise InvalidInput(f"“{text}” is not an OS version such as 13.0 or 10.0.19045.", field=field_name)
    parts = tuple(int(part) for part in text.split("."))
    return parts + (0,) * (4 - len(parts))
