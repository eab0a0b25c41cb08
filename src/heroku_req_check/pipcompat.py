"""What the pip a platform release installs with does with a project named twice.

Every requirement of every requirements file, nested ones included, goes into one requirement
set, and before the 2020 resolver pip refused some repeats with "Double requirement given"
(pypa/pip `RequirementSet.add_requirement`):
- up to 7.x: any repeat (1.5.6 pip/req.py:975-990; 6.x and 7.x pip/req/req_set.py);
- 8.0.x: a repeat with the same extras (8.0.2 req_set.py:243-248);
- 8.1.0-8.1.1: a repeat whose `specs` list differs (8.1.1 req_set.py:243-249);
- 8.1.2-20.2.x: a repeat whose specifier set differs (8.1.2 req_set.py:253-259; 20.2.4
  req_set.py:126-137), so a bare `name` beside `name==1.0` fails;
- 20.3+: the resolver combines repeats (20.3 resolution/resolvelib/resolver.py:84-104).
A repeat of a constraint (-c) is not one; pip up to 19.2 compares `project_name.lower()`, later
ones PEP 503 names (19.3 req_set.py). The tests run these pips themselves.
"""

from __future__ import annotations

from functools import cache

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .model import Declaration

# the pip releases whose behaviour changes (parsed once: fix planning asks per declaration)
_V8_0, _V8_1, _V8_1_2 = Version("8.0"), Version("8.1"), Version("8.1.2")
_V19_3, _V20_3 = Version("19.3"), Version("20.3")


@cache
def _version(pip: str) -> Version | None:
    return Version(pip) if pip else None


def may_reject(pip: str) -> bool:
    """Whether `pip` ("" = a current pip) rejects any repeat at all (before 20.3)."""
    version = _version(pip)
    return version is not None and version < _V20_3


def rejects_repeat(
    pip: str, existing: Declaration, specifier: str, extras: tuple[str, ...]
) -> bool:
    """Whether `pip` fails on a requirement with `specifier`/`extras` when `existing` (same
    project) is already in the set. `pip` is a version string; "" means a current pip."""
    version = _version(pip)
    if version is None or version >= _V20_3 or not existing.installs:
        return False
    if version < _V8_0:
        return True
    if tuple(sorted(existing.extras)) != tuple(sorted(extras)):
        return False  # 8.0+: different extras are not a repeat
    if version < _V8_1:
        return True
    if version < _V8_1_2:
        # pkg_resources' `specs`: the clauses as written, in order
        return _clauses(existing.specifier) != _clauses(specifier)
    return SpecifierSet(existing.specifier) != SpecifierSet(specifier)


def _clauses(specifier: str) -> list[str]:
    return [c.replace(" ", "") for c in specifier.split(",") if c.strip()]


def same_project(pip: str, a: str, b: str) -> bool:
    """Whether `pip` takes names `a` and `b` for one project."""
    from .reqfile import canonical_key

    version = _version(pip)
    if version is not None and version < _V19_3:
        from .detectors import project_name

        return project_name(a).lower() == project_name(b).lower()
    return canonical_key(a) == canonical_key(b)
