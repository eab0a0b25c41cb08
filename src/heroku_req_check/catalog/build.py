"""A platform's build environment, for environment markers: the machine its builds run on,
how each release chooses its Python, and its defaults. Catalog data, parsed from the tail of
each platform's TOML file only when a marker is evaluated (catalog.build_environment), and
kept in this module so that a run without markers never defines these types either."""

from __future__ import annotations

from dataclasses import dataclass

from . import CatalogError, _cited, _strings, _versions


@dataclass(frozen=True)
class BuildImage:
    """The machine a platform's builds run on, as environment markers see it (markers.py):
    `os` "Linux" fixes os_name, sys_platform and platform_system; `machines` are the
    platform_machine values a build may have (several: evaluated both ways)."""

    os: str
    machines: tuple[str, ...]
    source: str
    note: str = ""


@dataclass(frozen=True)
class VersionFile:
    """One place a release reads the requested Python from (plans.py reads it):
    `runtime.txt`, `.python-version`, `Pipfile.lock`, `Pipfile`, `.tool-versions` or
    `requires-python` (pyproject.toml). `key` narrows what is read (`python_version` of a
    Pipfile.lock: the short field only); with `minors`, a value of another minor is not used
    and the release's default applies (a release that maps only some versions)."""

    file: str
    key: str = ""
    minors: tuple[str, ...] = ()
    # a regex over the file's text whose group 1 is a version or a range (zbpack's
    # `requires-python = "(.*?)"`); with it, or with a `key` into a JSON file other than
    # Pipfile.lock, what is found is a constraint: every minor it admits is a candidate
    pattern: str = ""


@dataclass(frozen=True)
class PythonRule:
    """How releases `first`-`last` choose the Python: the files read, in precedence order.
    `first_present`: the first file present decides, even when it names no usable version
    (Nixpacks' `else if` chain); otherwise a file naming nothing passes to the next.
    `sticky`: with no file naming one, an app built before keeps the Python its build cache
    holds (only a new app, or a cleared cache, gets the default)."""

    first: int
    last: int
    read: tuple[VersionFile, ...]
    source: str
    sticky: bool = False
    first_present: bool = False


@dataclass(frozen=True)
class PythonDefault:
    """The Python releases `first`-`last` use when the app names none: one version ("3.14.7",
    or a minor "3.13" whose patch the release resolves later), or several candidates when the
    source leaves it open ("" = not established)."""

    first: int
    last: int
    versions: tuple[str, ...]
    source: str
    note: str = ""


@dataclass(frozen=True)
class BuildEnvironment:
    """What a platform's builds run on, for environment markers: the machine (None and no
    Python data: the catalog does not describe it, and markers are evaluated both ways), how
    each release chooses its Python, and its defaults."""

    build: BuildImage | None = None
    rules: tuple[PythonRule, ...] = ()
    defaults: tuple[PythonDefault, ...] = ()


def _build(raw: object, repo: str) -> BuildImage | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogError("[platform.build] must be a table")
    return BuildImage(
        os=str(raw["os"]),
        machines=_strings(raw.get("machines", [])),
        source=_cited(raw.get("source"), repo),
        note=str(raw.get("note", "")),
    )


def _version_file(raw: object) -> VersionFile:
    if isinstance(raw, str):
        return VersionFile(raw)
    if not isinstance(raw, dict):
        raise CatalogError(f"a version file entry must be a string or a table, not {raw!r}")
    return VersionFile(
        str(raw["file"]),
        str(raw.get("key", "")),
        _strings(raw.get("minors", [])),
        str(raw.get("pattern", "")),
    )


def _python_rule(raw: dict[str, object], repo: str, names: tuple[str, ...]) -> PythonRule:
    first, last = _versions(raw, names)
    read = raw.get("read", [])
    if not isinstance(read, list):
        raise CatalogError(f"python rule {raw['versions']}: `read` must be a list")
    return PythonRule(
        first=first,
        last=last,
        read=tuple(_version_file(entry) for entry in read),
        source=_cited(raw.get("source"), repo),
        sticky=bool(raw.get("sticky", False)),
        first_present=bool(raw.get("first_present", False)),
    )


def _python_default(raw: dict[str, object], repo: str, names: tuple[str, ...]) -> PythonDefault:
    first, last = _versions(raw, names)
    return PythonDefault(
        first=first,
        last=last,
        versions=_strings(raw.get("python", [])),
        source=_cited(raw.get("source"), repo),
        note=str(raw.get("note", "")),
    )


def parse(
    head: dict[str, object],
    repo: str,
    names: tuple[str, ...] = (),
    python: tuple[str, str, str] = ("", "", ""),
) -> BuildEnvironment:
    """The `[platform.build]`, `[[platform.python_files]]` and `[[platform.python_default]]`
    tables of one platform file's tail (`head` is its `platform` table; `names`, its dotted
    release names). Without them, the platform's one-line `python = {file, default, source}`
    (Platform.python, as google.toml gives it) is one rule and one default for every release;
    the machine stays unknown."""
    rules = head.get("python_files", [])
    defaults = head.get("python_default", [])
    environment = BuildEnvironment(
        build=_build(head.get("build"), repo),
        rules=(
            tuple(_python_rule(e, repo, names) for e in rules) if isinstance(rules, list) else ()
        ),
        defaults=(
            tuple(_python_default(e, repo, names) for e in defaults)
            if isinstance(defaults, list)
            else ()
        ),
    )
    file, default, source = python
    if environment.rules or environment.defaults or not (file or default):
        return environment
    every = (1, 1 << 30)  # every release
    return BuildEnvironment(
        build=environment.build,
        rules=(PythonRule(*every, (VersionFile(file),) if file else (), source),),
        defaults=(PythonDefault(*every, (default,) if default else (), source),),
    )
