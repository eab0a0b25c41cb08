"""Environment markers on the build image: does pip install a requirement there?

pip evaluates a requirement's marker (`pywin32; sys_platform == "win32"`) with the values of
the interpreter it installs for, and skips the requirement when it is false (a requirements
file line with `extra` set to ""; pip/_internal/req/req_install.py `match_markers`). A
platform's build runs Linux on a known machine with a Python the app or the release chooses
(plans.py), so most markers have one answer there. Where something is not known (which
Python an existing app keeps, the kernel release, an arm64 or amd64 host), every value that
can change the answer is tried: the marker is true, false, or "both ways", and then the
variables it depends on are named.

Markers are evaluated with `packaging.markers.Marker.evaluate` (the implementation pip
vendors), once per marker and environment, with every variable given explicitly so the
interpreter running this tool never leaks in.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

# The CPython minors a build could run when the version is not known (an unknown minor is one
# of these): 2.6 through the newest a catalogued platform ships, and one more.
KNOWN_MINORS = ("2.6", "2.7", *(f"3.{n}" for n in range(16)))

# The dimensions a candidate environment varies along; each sets these marker variables.
PYTHON = "python"  # python_version, python_full_version, implementation_version
MACHINE = "machine"  # platform_machine
SYSTEM = "system"  # os_name, sys_platform, platform_system
IMPLEMENTATION = "implementation"  # platform_python_implementation, implementation_name
RELEASE = "release"  # platform_release
KERNEL = "kernel"  # platform_version
EXTRA = "extra"  # extra
_VARIABLES = {
    "python_version": PYTHON,
    "python_full_version": PYTHON,
    "implementation_version": PYTHON,
    "platform_machine": MACHINE,
    "os_name": SYSTEM,
    "sys_platform": SYSTEM,
    "platform_system": SYSTEM,
    "platform_python_implementation": IMPLEMENTATION,
    "implementation_name": IMPLEMENTATION,
    "platform_release": RELEASE,
    "platform_version": KERNEL,
    "extra": EXTRA,
}
_NAME_RE = re.compile(r"\b(" + "|".join(_VARIABLES) + r")\b")
_LITERAL_RE = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class BuildPython:
    """The interpreter and machine releases `first`-`last` of a platform build this app with,
    for environment markers (markers.py; chosen in plans.py from the catalog's data).

    `versions`: "3.12.7", or "3.12" when the release picks the patch later; several when the
    source leaves it open; empty when unknown (no data, or sticky: an app built before keeps
    the Python of its build cache). `origin`: the file that named it (`runtime.txt`,
    `.python-version`, `Pipfile.lock`, ...), "default", "cache" (sticky) or "" (no data).
    `default`: the release's own default, for messages. `machines`: platform_machine values
    ("x86_64", "aarch64"), empty when unknown; `os`: "Linux" or "" (unknown). `source`: where
    the rule that chose it was read.
    """

    first: int
    last: int
    versions: tuple[str, ...] = ()
    origin: str = ""
    implementation: str = "CPython"
    machines: tuple[str, ...] = ()
    os: str = ""
    default: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Environment:
    """What is known of the interpreter pip runs in a build.

    `pythons`: candidate versions, "3.12" (the patch unknown) or "3.12.7"; empty = unknown.
    `machines`: platform_machine candidates ("x86_64", "aarch64"); empty = unknown.
    `os`: "Linux" or "" (unknown). `implementation`: "CPython", "PyPy" or "" (unknown).
    `extra_known`: True for a requirements-file line, which pip evaluates with extra == "".
    """

    pythons: tuple[str, ...] = ()
    machines: tuple[str, ...] = ()
    os: str = ""
    implementation: str = ""
    extra_known: bool = True


UNKNOWN = Environment(extra_known=False)


@dataclass(frozen=True)
class Outcome:
    """The marker's value there: True, False, or None (true for some candidates and false for
    others); `depends` names the dimensions whose unknown value decides it (None only)."""

    value: bool | None
    depends: tuple[str, ...] = ()


def uses(marker: str) -> frozenset[str]:
    """The dimensions a marker's text mentions (a cheap test before evaluating)."""
    return frozenset(_VARIABLES[name] for name in _NAME_RE.findall(marker))


@lru_cache(maxsize=8192)
def evaluate(marker: str, env: Environment) -> Outcome:
    """`marker` (PEP 508 text, as packaging prints it) in `env`. A marker packaging cannot
    parse or compare is "both ways" on every dimension it mentions (pip would fail on it;
    that is reported elsewhere, as a problem)."""
    # imported here: a tree without markers never pays for packaging.markers (~12 ms)
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison
    from packaging.version import InvalidVersion

    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return Outcome(None, tuple(sorted(uses(marker))))
    literals = tuple(a or b for a, b in _LITERAL_RE.findall(marker))
    dimensions = sorted(uses(marker))
    full = "python_full_version" in marker or "implementation_version" in marker
    # a substring test (`"3.1" in python_version`) or a wildcard can change anywhere: every
    # candidate is tried; otherwise only where a comparison can change (see _pythons)
    everywhere = " in " in marker or any("*" in literal for literal in literals)
    choices = [_candidates(d, env, literals, full, everywhere) for d in dimensions]
    results: dict[tuple[int, ...], bool] = {}
    for picks in itertools.product(*(range(len(c)) for c in choices)):
        variables: dict[str, str] = {}
        for options, pick in zip(choices, picks, strict=True):
            variables.update(options[pick])
        try:
            results[picks] = parsed.evaluate(_complete(variables))
        except (UndefinedComparison, InvalidVersion, ValueError, TypeError):
            return Outcome(None, tuple(dimensions))
    values = set(results.values())
    if len(values) == 1:
        return Outcome(values.pop())
    depends = []
    for index, dimension in enumerate(dimensions):
        # the dimension matters when changing it alone changes the answer
        if any(
            results[picks] != results[(*picks[:index], other, *picks[index + 1 :])]
            for picks in results
            for other in range(len(choices[index]))
        ):
            depends.append(dimension)
    return Outcome(None, tuple(depends))


# A complete environment (the keys of packaging's default_environment) so that nothing of
# the interpreter running this tool is used; values a marker does not mention never matter.
_NEUTRAL = {
    "implementation_name": "cpython",
    "implementation_version": "0",
    "os_name": "posix",
    "platform_machine": "",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "0",
    "platform_python_implementation": "CPython",
    "python_version": "0",
    "sys_platform": "linux",
    "extra": "",
}


def _complete(variables: dict[str, str]) -> dict[str, str]:
    return {**_NEUTRAL, **variables}


def _candidates(
    dimension: str,
    env: Environment,
    literals: tuple[str, ...],
    full: bool = True,
    everywhere: bool = True,
) -> list[dict[str, str]]:
    """Every value of `dimension` that can change the marker's answer: the known value, or
    the plausible values plus the marker's own literals (a comparison with a literal can only
    change at that literal, so trying each, and each neighbour, covers every outcome)."""
    if dimension == PYTHON:
        return [
            {"python_version": minor, "python_full_version": f, "implementation_version": f}
            for minor, f in _pythons(env, literals, full, everywhere)
        ]
    if dimension == MACHINE:
        machines = env.machines or ("x86_64", "aarch64", "AMD64", "arm64", *literals, "")
        return [{"platform_machine": m} for m in dict.fromkeys(machines)]
    if dimension == SYSTEM:
        systems = [("posix", "linux", "Linux")]
        if env.os != "Linux":
            systems += [("nt", "win32", "Windows"), ("posix", "darwin", "Darwin")]
            systems += [(lit, lit, lit) for lit in literals]
        return [
            {"os_name": o, "sys_platform": s, "platform_system": p}
            for o, s, p in dict.fromkeys(systems)
        ]
    if dimension == IMPLEMENTATION:
        known = {"CPython": [("CPython", "cpython")], "PyPy": [("PyPy", "pypy")]}
        pairs = known.get(env.implementation) or [
            ("CPython", "cpython"),
            ("PyPy", "pypy"),
            *((lit, lit) for lit in literals),
        ]
        return [
            {"platform_python_implementation": p, "implementation_name": n}
            for p, n in dict.fromkeys(pairs)
        ]
    if dimension == EXTRA and env.extra_known:
        return [{"extra": ""}]
    key = {RELEASE: "platform_release", KERNEL: "platform_version", EXTRA: "extra"}[dimension]
    # `in` tests need a value holding every literal at once, and one holding none
    values = ("", *literals, " ".join(literals))
    return [{key: v} for v in dict.fromkeys(values)]


def _pythons(
    env: Environment, literals: tuple[str, ...], full: bool = True, everywhere: bool = True
) -> list[tuple[str, str]]:
    """(python_version, python_full_version) candidates. With `full` False the marker never
    reads the full version: one per minor. Unless `everywhere`, an unknown minor is tried only
    where a comparison can change: the first and last known minor, and each minor a literal
    names with its neighbours (a version comparison only changes at a literal)."""
    found: dict[tuple[str, str], None] = {}
    versions = env.pythons or (KNOWN_MINORS if everywhere else _near(literals))
    for version in versions:
        match = _VERSION_RE.fullmatch(version)
        if match is None:
            continue
        major, minor, patch = match.groups()
        short = f"{major}.{minor}"
        if patch is not None:
            found[(short, version)] = None
            continue
        if not full:
            found[(short, f"{short}.0")] = None
            continue
        # the patch is unknown: the extremes, and each literal of this minor and its
        # neighbours (where a comparison with that literal can flip)
        patches = {0, 999}
        for literal in literals:
            lit = _VERSION_RE.fullmatch(literal)
            if lit and lit.group(1) == major and lit.group(2) == minor and lit.group(3):
                z = int(lit.group(3))
                patches |= {max(z - 1, 0), z, z + 1}
        for z in sorted(patches):
            found[(short, f"{short}.{z}")] = None
    return list(found)


def _near(literals: tuple[str, ...]) -> tuple[str, ...]:
    """KNOWN_MINORS where a comparison with one of `literals` can change: the ends, and each
    literal's minor (or where it would sit) with the minors on either side."""
    keep = {0, len(KNOWN_MINORS) - 1}
    order = [(int(m.split(".")[0]), int(m.split(".")[1])) for m in KNOWN_MINORS]
    for literal in literals:
        match = _VERSION_RE.fullmatch(literal.strip())
        if match is None:
            continue
        wanted = (int(match.group(1)), int(match.group(2)))
        at = next((i for i, m in enumerate(order) if m >= wanted), len(order))
        keep |= {i for i in (at - 1, at, at + 1) if 0 <= i < len(order)}
    return tuple(KNOWN_MINORS[i] for i in sorted(keep))


def minor_of(version: str) -> str:
    """ "3.12" of "3.12.7" (or of "3.12"); "" when it names no version."""
    match = _VERSION_RE.match(version)
    return f"{match.group(1)}.{match.group(2)}" if match else ""


def newest_first(versions: tuple[str, ...]) -> tuple[str, ...]:
    """Versions sorted newest first."""
    from packaging.version import InvalidVersion, Version

    def key(v: str) -> Version:
        try:
            return Version(v)
        except InvalidVersion:
            return Version("0")

    return tuple(sorted(versions, key=key, reverse=True))
