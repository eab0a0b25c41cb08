"""The rule catalog: one TOML file per platform, loaded into frozen dataclasses.

A rule is one buildpack step (what it looks for and what it does). Its eras are the release
ranges in which that step's detection line stayed the same; each era quotes the line and cites
where it was read.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import BuildEnvironment

DETECTORS = (
    "provider",
    "shell",
    "in-req",
    "list-req",
    "pip-grep",
    "never",
    "cf-find-any",
    "substring",
    "substring-anywhere",
    "production-dep",
    "root-includes",
    "python-offered",  # pyversion.py: the app's Python against the versions a release offers
    "go-regex",
    "go-regex-choice",
    "root-digest",
    "oryx-no-requirements",
    "stale-uninstall",
    "stale-never",
    "stale-cache",
    "dockerfile",  # platforms/docker.py evaluates these rules; check.py never does
    # platforms/builders.py: Zeabur (zbpack), Fly.io's `fly launch` scanner, the Serverless
    # Framework's serverless-python-requirements (*-contains are per-package detectors; the
    # others are whole-tree traps, like root-includes)
    "zbpack-contains",
    "zbpack-stdin",
    "zbpack-sed",
    "flyctl-contains",
    "flyctl-template",
    "spr-inline",
    "spr-editable",
)
STALE_DETECTORS = ("stale-uninstall", "stale-never", "stale-cache")


class CatalogError(ValueError):
    """The catalog data is malformed (a bug in the package, caught by tests)."""


class SelectionError(ValueError):
    """A --platform value that names nothing in the catalog (a usage error)."""


@dataclass(frozen=True)
class Source:
    repo: str
    path: str
    tag: str
    commit: str


@dataclass(frozen=True)
class Choice:
    """One package a go-regex era looks for: the platform's regexps (any one matching the root
    text counts) and what finding it decides."""

    package: str  # PEP 503 key
    extra: str  # an extra the package must be declared with ("standard" in fastapi[standard])
    patterns: tuple[str, ...]  # Go regexp source, as in the platform's code
    spelling: str  # the bare line the fix adds (`uvicorn`, `fastapi[standard]`)
    gives: str = ""


@dataclass(frozen=True)
class DecidedFirst:
    """A case in which missing the package costs nothing, because another branch of the same
    step decides first: the platform's own test sees one of `seen` (when given) and one of
    `files` exists (when given; `**/name` anywhere in the app). flyctl's Django scanner serves
    an asgi.py with uvicorn or daphne before it looks for gunicorn; zbpack takes manage.py as
    Django before it looks for Flask."""

    seen: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Era:
    first: int
    last: int
    detector: str
    command: str
    source: Source
    names: tuple[str, ...] = ()
    pattern: str = ""
    note: str = ""
    stack: str = ""
    compare: str = "name"  # pip-grep: "name" as written, or pkg_resources "project_name"
    files: tuple[str, ...] = ()  # substring: the app-root files read
    # Conditions of the step besides the match; when one is not met, missing the package
    # costs nothing and a match without it does nothing.
    requires: tuple[str, ...] = ()  # one of these app-root files exists
    with_packages: tuple[str, ...] = ()  # one of these is used too (gunicorn beside flask)
    requires_code: str = ""  # a regex some *.py file in the app matches (Django's WSGI app)
    detected_by_code: str = ""  # a regex some *.py file matching also triggers the step
    overmatch: str = ""  # substring: what a match without the package does (a finding)
    # the build-plan step the era belongs to: "" = a Python build step, "start" = the
    # generated start command (moot when a Procfile or configuration file sets one), "scan" =
    # a step whose detector works out what installs the tree (not gated by the installer)
    step: str = ""
    # substrings that make the step decide the package is not needed (Railpack's
    # psycopg2-binary / psycopg[binary]: those wheels bundle libpq)
    unless: tuple[str, ...] = ()
    when_missed: str = ""  # this era's effect when it misses, where it differs from the rule's
    # a regex some *.py file must match for the fix to deploy (Nixpacks fails the build when
    # it sees Django but no WSGI_APPLICATION), and what to say when none does
    fix_requires_code: str = ""
    fix_requires: str = ""
    # conditions that, all together, make missing the step harmless: "start" (a Procfile or
    # start configuration sets the start command), "code:REGEX" (a .py file matches)
    moot_if: tuple[str, ...] = ()
    # go-regex / go-regex-choice: the platform's Go regexps over the root file's text, tried in
    # order (the first that matches decides); a package that is installed but matched by none
    # is missed. `gives` is what each decides, `fallback` what the platform does otherwise.
    choices: tuple[Choice, ...] = ()
    fallback: str = ""
    python_at_least: str = ""  # the step runs only on this Python or newer (see Platform.python)
    fix: str = ""  # "bare": the fix is the package's bare name at column 0 of the root file
    copy: bool = False  # pip-grep reads a copy of the root file in another directory
    # python-offered: the Python versions the releases install, "3.10" a minor (any patch),
    # "3.7.1" that version alone
    offers: tuple[str, ...] = ()
    # any one of these cases makes missing the package cost nothing (see DecidedFirst)
    decided_first: tuple[DecidedFirst, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    platform: str
    severity: str
    on_detect: str
    when_missed: str
    eras: tuple[Era, ...]
    # what needs the step, as PEP 503 keys (the index of declarations a rule looks at); a
    # `name[extra]` entry of the TOML `packages` list needs the step only with that extra
    # (requests[security] pulls in cryptography, hence cffi), and `exempt` entries never need
    # it (psycopg[binary] bundles libpq). The platform's own trigger list is the eras' `names`
    # or `pattern`: a trigger is not a need (Cloud Foundry lists pure-Python pymysql).
    packages: tuple[str, ...] = ()
    vcs: tuple[str, ...] = ()  # VCS schemes that trigger it (hg+...)
    summary: str = ""  # one line, for rules about something other than a package
    needs: tuple[tuple[str, str], ...] = ()  # (key, extra or "")
    exempt: tuple[tuple[str, str], ...] = ()  # (key, extra)
    fix_with: str = ""  # a root line the step notices for a need it cannot see by name
    # where an error of this rule ends the build (shadow.py): the findings of the platform's
    # later steps are moot on the releases where it holds
    stops: str = ""

    def needed_by(self, key: str, extras: tuple[str, ...]) -> bool:
        """Whether a declaration of `key` with `extras` needs the step."""
        lowered = {e.lower() for e in extras}
        if any(k == key and e in lowered for k, e in self.exempt):
            return False
        return any(k == key and (not e or e in lowered) for k, e in self.needs)


@dataclass(frozen=True)
class ProviderSpec:
    """One language provider in a builder's detection order."""

    name: str
    title: str
    # any of these conditions; a condition is one or more app files that must all exist
    # (root names, `*.x` root globs or `**/*.x` anywhere)
    detect: tuple[tuple[str, ...], ...]
    # (app-root file, regex): the provider also detects when that file's text (UTF-8, a BOM
    # honoured) matches, as zbpack's `strings.Contains(pyproject.toml, "[tool.poetry]")`
    contains: tuple[tuple[str, str], ...] = ()
    # installers: what the install step runs with this one (for reports)
    command: str = ""


@dataclass(frozen=True)
class StartConfig:
    """A configuration file key that sets the start command (e.g. railway.toml's
    deploy.startCommand), so no start command is generated."""

    file: str
    key: str  # dotted path in the TOML/JSON document
    source: str


@dataclass(frozen=True)
class PlanSpec:
    """The facts a platform's build plan is computed from (plans.py), each with its source."""

    providers: tuple[ProviderSpec, ...] = ()  # detection order; the first match builds
    providers_source: str = ""
    # the Procfile processes that give the start command, in order ("*" = any other one);
    # empty when the platform does not read a Procfile
    procfile: tuple[str, ...] = ()
    procfile_skip: tuple[str, ...] = ()  # processes never taken for "*" (Nixpacks' release)
    procfile_source: str = ""
    start_configs: tuple[StartConfig, ...] = ()
    # configuration keys that choose the provider (Nixpacks' `providers` list, Railpack's
    # `provider`): naming python there makes the Python provider run whatever is detected
    provider_configs: tuple[StartConfig, ...] = ()
    # the Python package managers in the builder's order (zbpack DeterminePackageManager): the
    # first that detects installs; one with no detect and no contains is the fallback
    installers: tuple[ProviderSpec, ...] = ()
    installers_source: str = ""
    # a configuration key that names the installer outright (zbpack.json python.package_manager)
    installer_config: StartConfig | None = None
    # the installers that install the requirements tree this tool walks; with any other the
    # platform's rules about it do not apply
    requirements_installers: tuple[str, ...] = ()
    # which rules the installer choice gates, as reports name them ("" = every rule about the
    # tree; eras of step "scan" are never gated: they work out the installer themselves)
    installers_scope: str = ""


@dataclass(frozen=True)
class InstallChoice:
    """One way a release installs the app: when every file of `when` exists at the app root,
    `manager` installs the dependencies `root` declares ("" = nothing). `reads` is what the
    release's requirements-file steps then read: "file" (the root itself), "-e ." (a
    requirements.txt the build writes holding `-e .`), "none" (a requirements.txt the app does
    not have) or "skip" (not checked: `note` says why). `fails`: the build stops here."""

    manager: str
    when: tuple[str, ...]
    root: str
    reads: str = "file"
    note: str = ""
    fails: str = ""


@dataclass(frozen=True)
class InstallRule:
    """How releases `first`-`last` choose what to install: the first choice that applies
    (unless it `fails`); more than one of the `exclusive` files (the package manager files the
    release counts) present fails the build; `otherwise`, when no choice applies, says what
    happens."""

    first: int
    last: int
    choices: tuple[InstallChoice, ...]
    source: str
    exclusive: tuple[str, ...] = ()
    otherwise: str = ""


READS = ("file", "-e .", "none", "skip")


@dataclass(frozen=True)
class SettingSpec:
    """A build setting (an environment variable) that changes the platform's plan, read from
    the env of the workflow steps in `steps` that build the app (deploy.BUILD_STEPS): `off`
    names the era `step` it turns off when its value is one of `when` (compared
    case-insensitively, spaces trimmed); `names_root` means its value is the requirements file
    the build installs and greps (the platform's root_setting)."""

    name: str
    steps: tuple[str, ...]
    source: str
    off: str = ""
    when: tuple[str, ...] = ()
    names_root: bool = False


@dataclass(frozen=True)
class Platform:
    name: str
    title: str
    repo: str
    releases: tuple[int, ...]
    aliases: tuple[str, ...]
    rules: tuple[Rule, ...]
    versioned: bool = True  # False for the in-house rules of a project's configuration
    plan: PlanSpec | None = None
    # (first, last, pip version, source) per release range; releases not listed install
    # with a current pip (the 2020 resolver)
    pips: tuple[tuple[int, int, str, str], ...] = ()
    # how the file the platform installs from is chosen: "" = always the app-root
    # requirements.txt; otherwise the setting that names another one (Oryx's
    # CUSTOM_REQUIREMENTSTXT_PATH, a Dockerfile's own pip command), so --requirements applies
    root_setting: str = ""
    # Dotted release names ("v1.6.0", ...): releases are then their 1-based positions in this
    # list, so ranges and eras compare as numbers; empty for `vN` numbering (Heroku's tags).
    release_names: tuple[str, ...] = ()
    default: str = "all"  # what `--platform NAME` selects: "all" releases or the "latest"
    # set when this platform is another's under a different name (DigitalOcean = Heroku v322)
    alias_of: str = ""
    alias_note: str = ""  # what the alias runs and the source that says so
    # (file, default version, source): where the platform reads the app's Python version
    python: tuple[str, str, str] = ("", "", "")

    def release_name(self, release: int) -> str:
        """`v42` for Heroku's tags, `v1.6.15` for dotted names."""
        if self.release_names:
            return self.release_names[release - 1]
        return f"v{release}"

    def span(self, first: int, last: int) -> str:
        if first == last:
            return self.release_name(first)
        return f"{self.release_name(first)}-{self.release_name(last)}"

    # what each release installs from (scan.py); empty: always the app-root requirements.txt
    installs: tuple[InstallRule, ...] = ()
    settings: tuple[SettingSpec, ...] = ()  # build settings that change the plan

    def pip_for(self, release: int) -> str:
        """The pip version release `release` installs with ("" = a current pip)."""
        for first, last, version, _source in self.pips:
            if first <= release <= last:
                return version
        return ""

    @property
    def latest(self) -> int:
        return self.releases[-1]


@dataclass(frozen=True)
class Selection:
    """Which releases of which platforms a scan models."""

    platform: Platform
    releases: frozenset[int]
    label: str


def _ranges(spec: str, names: tuple[str, ...] = ()) -> tuple[int, ...]:
    """`v3-v11,v15` -> release numbers; with dotted `names`, `v1.6.0-v1.6.23` -> positions.
    ValueError for anything else."""
    numbers: list[int] = []
    for part in spec.split(","):
        first, dash, last = part.strip().partition("-")
        if dash and not (first and last):
            raise ValueError(part)  # `v3-` is no range
        if names:
            start, end = _position(first, names), _position(last or first, names)
            if end < start:
                raise ValueError(part)
            numbers.extend(range(start, end + 1))
        else:
            numbers.extend(range(int(first.lstrip("v")), int((last or first).lstrip("v")) + 1))
    return tuple(numbers)


def release_numbers(platform: Platform, spec: str) -> tuple[int, ...]:
    """The releases a version spec names for `platform`: `v3-v11,v15` (numbered releases) or
    `v1.6.0-v1.6.23` (dotted release names, as labels print them). ValueError otherwise."""
    return _ranges(spec, platform.release_names)


def _position(name: str, names: tuple[str, ...]) -> int:
    wanted = "v" + name.strip().lstrip("v")
    if wanted not in names:
        raise ValueError(name)
    return names.index(wanted) + 1


def _dotted(spec: str) -> tuple[str, ...]:
    """`v1.6.0-v1.6.37,v1.7.0-v1.7.2`: every release name, the last component counted."""
    names: list[str] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        head, _, low = first.lstrip("v").rpartition(".")
        high = (last or first).lstrip("v").rpartition(".")
        if high[0] != head:
            raise CatalogError(f"a dotted range must differ only in its last number: {part}")
        names.extend(f"v{head}.{n}" for n in range(int(low), int(high[2]) + 1))
    return tuple(names)


def _strings(value: object) -> tuple[str, ...]:
    """A TOML string or array of strings."""
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _choice(raw: dict[str, object]) -> Choice:
    return Choice(
        package=str(raw["package"]),
        extra=str(raw.get("extra", "")),
        patterns=_strings(raw.get("patterns", [])),
        spelling=str(raw["spelling"]),
        gives=str(raw.get("gives", "")),
    )


def _era(raw: dict[str, object], repo: str, release_names: tuple[str, ...] = ()) -> Era:
    versions = str(raw["versions"])
    span = _ranges(versions, release_names)
    src = raw.get("source")
    if not isinstance(src, dict):
        raise CatalogError(f"era {versions} has no source")
    names = raw.get("names", [])
    files = raw.get("files", [])
    choices = raw.get("choice", [])
    return Era(
        first=span[0],
        last=span[-1],
        detector=str(raw["detector"]),
        command=str(raw["command"]),
        # an era may cite another repository than its platform's (docker cites pip's source)
        source=Source(
            str(src.get("repo", repo)), str(src["path"]), str(src["tag"]), str(src["commit"])
        ),
        names=tuple(str(n) for n in names) if isinstance(names, list) else (),
        pattern=str(raw.get("pattern", "")),
        note=str(raw.get("note", "")),
        stack=str(raw.get("stack", "")),
        compare=str(raw.get("compare", "name")),
        files=tuple(str(f) for f in files) if isinstance(files, list) else (),
        requires=_strings(raw.get("requires", [])),
        with_packages=_strings(raw.get("with_packages", [])),
        requires_code=str(raw.get("requires_code", "")),
        detected_by_code=str(raw.get("detected_by_code", "")),
        overmatch=str(raw.get("overmatch", "")),
        step=str(raw.get("step", "")),
        unless=_strings(raw.get("unless", [])),
        when_missed=str(raw.get("when_missed", "")),
        fix_requires_code=str(raw.get("fix_requires_code", "")),
        fix_requires=str(raw.get("fix_requires", "")),
        moot_if=_strings(raw.get("moot_if", [])),
        choices=tuple(_choice(c) for c in choices) if isinstance(choices, list) else (),
        fallback=str(raw.get("fallback", "")),
        python_at_least=str(raw.get("python_at_least", "")),
        fix=str(raw.get("fix", "")),
        copy=bool(raw.get("copy", False)),
        offers=_strings(raw.get("offers", [])),
        decided_first=tuple(
            DecidedFirst(_strings(m.get("seen", [])), _strings(m.get("files", [])))
            for m in raw.get("decided_first", [])  # type: ignore[attr-defined]
            if isinstance(m, dict)
        ),
    )


def _need(entry: str) -> tuple[str, str]:
    """`name` or `name[extra]` -> (PEP 503 key, extra or "")."""
    name, _, extra = entry.partition("[")
    return re.sub(r"[-_.]+", "-", name).lower(), extra.rstrip("]").strip().lower()


def _source_text(raw: object, repo: str) -> str:
    """`repo tag-or-commit path` for a plan fact's inline source table (its own `repo` when
    the fact comes from elsewhere, e.g. the platform's documentation)."""
    if not isinstance(raw, dict):
        raise CatalogError("a plan fact has no source")
    where = str(raw.get("tag") or str(raw.get("commit", ""))[:12])
    return f"{raw.get('repo', repo)} {where} {raw['path']}"


def _setting(raw: dict[str, object], repo: str) -> SettingSpec:
    spec = SettingSpec(
        name=str(raw["name"]),
        steps=_strings(raw.get("steps", [])),
        source=_source_text(raw.get("source"), repo),
        off=str(raw.get("off", "")),
        when=tuple(v.lower() for v in _strings(raw.get("when", []))),
        names_root=bool(raw.get("names_root", False)),
    )
    if not spec.steps or bool(spec.off) == spec.names_root or bool(spec.off) != bool(spec.when):
        raise CatalogError(
            f"setting {spec.name}: give steps and either off with when, or names_root"
        )
    return spec


def _plan(raw: object, repo: str) -> PlanSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogError("[platform.plan] must be a table")
    providers = tuple(_provider(p) for p in raw.get("providers", []))
    installers = tuple(_provider(p) for p in raw.get("installers", []))
    if providers and not any(p.name == "python" for p in providers):
        raise CatalogError("a provider order without the python provider")
    configs = tuple(
        StartConfig(str(c["file"]), str(c["key"]), _source_text(c.get("source"), repo))
        for c in raw.get("start_configs", [])
    )
    provider_configs = tuple(
        StartConfig(str(c["file"]), str(c["key"]), _source_text(c.get("source"), repo))
        for c in raw.get("provider_configs", [])
    )
    return PlanSpec(
        providers=providers,
        providers_source=(_source_text(raw.get("providers_source"), repo) if providers else ""),
        procfile=_strings(raw.get("procfile", [])),
        procfile_skip=_strings(raw.get("procfile_skip", [])),
        procfile_source=(
            _source_text(raw.get("procfile_source"), repo) if raw.get("procfile") else ""
        ),
        start_configs=configs,
        provider_configs=provider_configs,
        installers=installers,
        installers_source=(_source_text(raw.get("installers_source"), repo) if installers else ""),
        installer_config=(
            StartConfig(
                str(raw["installer_config"]["file"]),
                str(raw["installer_config"]["key"]),
                _source_text(raw["installer_config"].get("source"), repo),
            )
            if isinstance(raw.get("installer_config"), dict)
            else None
        ),
        requirements_installers=_strings(raw.get("requirements_installers", [])),
        installers_scope=str(raw.get("installers_scope", "")),
    )


def _provider(raw: dict[str, object]) -> ProviderSpec:
    detect = raw.get("detect", [])
    contains = raw.get("contains", [])
    return ProviderSpec(
        str(raw["name"]),
        str(raw.get("title", raw["name"])),
        tuple(_strings(c) for c in detect) if isinstance(detect, list) else (),
        tuple((str(c["file"]), str(c["matches"])) for c in contains if isinstance(c, dict))
        if isinstance(contains, list)
        else (),
        str(raw.get("command", "")),
    )


def _platform(data: dict[str, object]) -> Platform:
    head = data["platform"]
    if not isinstance(head, dict):
        raise CatalogError("missing [platform] table")
    repo = str(head["repo"])
    names = _dotted(str(head["release_names"])) if head.get("release_names") else ()
    rules: list[Rule] = []
    raw_rules = data.get("rule", [])
    assert isinstance(raw_rules, list)
    for raw in raw_rules:
        eras = tuple(_era(e, repo, names) for e in raw["era"])
        for era in eras:
            if era.detector not in DETECTORS:
                raise CatalogError(f"{raw['id']}: unknown detector {era.detector!r}")
        needs = tuple(_need(str(entry)) for entry in raw.get("packages", ()))
        rules.append(
            Rule(
                id=str(raw["id"]),
                platform=str(head["name"]),
                severity=str(raw["severity"]),
                on_detect=str(raw["on_detect"]),
                when_missed=str(raw["when_missed"]),
                eras=eras,
                packages=tuple(dict.fromkeys(key for key, _ in needs)),
                vcs=tuple(raw.get("vcs", ())),
                summary=str(raw.get("summary", "")),
                needs=needs,
                exempt=tuple(_need(str(entry)) for entry in raw.get("exempt", ())),
                fix_with=str(raw.get("fix_with", "")),
                stops=str(raw.get("stops", "")),
            )
        )
    python = head.get("python")
    return Platform(
        name=str(head["name"]),
        title=str(head["title"]),
        repo=repo,
        releases=(tuple(range(1, len(names) + 1)) if names else _ranges(str(head["releases"]))),
        aliases=tuple(str(a) for a in head.get("aliases", ())),
        rules=tuple(rules),
        versioned=bool(head.get("versioned", True)),
        plan=_plan(head.get("plan"), repo),
        root_setting=str(head.get("root_setting", "")),
        pips=tuple(_pip(entry, repo, names) for entry in head.get("pip", [])),
        release_names=names,
        installs=tuple(_install_rule(entry, repo, names) for entry in head.get("install", [])),
        settings=tuple(_setting(entry, repo) for entry in head.get("setting", [])),
        python=(
            (
                str(python["file"]),
                str(python["default"]),
                _source_text(python.get("source"), repo),
            )
            if isinstance(python, dict)
            else ("", "", "")
        ),
    )


def _install_rule(raw: dict[str, object], repo: str, names: tuple[str, ...]) -> InstallRule:
    first, last = _versions(raw, names)
    choices = []
    raw_choices = raw.get("choices", [])
    if not isinstance(raw_choices, list):
        raise CatalogError(f"install rule {raw['versions']}: `choices` must be a list")
    for entry in raw_choices:
        when = _strings(entry.get("when", []))
        reads = str(entry.get("reads", "file"))
        if not when or reads not in READS:
            raise CatalogError(f"install rule {raw['versions']}: bad choice {entry!r}")
        choices.append(
            InstallChoice(
                manager=str(entry.get("manager", "")),
                when=when,
                root=str(entry.get("root", when[0] if reads in ("file", "-e .") else "")),
                reads=reads,
                note=str(entry.get("note", "")),
                fails=str(entry.get("fails", "")),
            )
        )
    return InstallRule(
        first=first,
        last=last,
        choices=tuple(choices),
        source=_cited(raw.get("source"), repo),
        exclusive=_strings(raw.get("exclusive", [])),
        otherwise=str(raw.get("otherwise", "")),
    )


def _cited(raw: object, repo: str) -> str:
    """`repo tag (commit) path` for a Python fact's source table (repo, path, tag, commit)."""
    if not isinstance(raw, dict) or not raw.get("commit") or not raw.get("path"):
        raise CatalogError("a Python fact has no source with path and commit")
    return f"{raw.get('repo', repo)} {raw['tag']} ({str(raw['commit'])[:8]}) {raw['path']}"


def _versions(raw: dict[str, object], names: tuple[str, ...] = ()) -> tuple[int, int]:
    """(first, last) release of an entry's `versions` (`v3-v11`, or dotted names)."""
    span = _ranges(str(raw["versions"]), names)
    return span[0], span[-1]


def _pip(raw: dict[str, object], repo: str, names: tuple[str, ...]) -> tuple[int, int, str, str]:
    span = _ranges(str(raw["versions"]), names)
    return (span[0], span[-1], str(raw["pip"]), _source_text(raw.get("source"), repo))


@dataclass(frozen=True)
class Alias:
    """Another platform that runs one of this platform's releases (DigitalOcean App Platform
    runs Heroku classic v322): `--platform NAME` selects that release under this name."""

    name: str
    platform: str
    release: str  # a release name, or "latest"
    title: str
    source: str


def _aliases(data: dict[str, object]) -> list[Alias]:
    raw = data.get("alias", [])
    assert isinstance(raw, list)
    head = data["platform"]
    assert isinstance(head, dict)
    return [
        Alias(
            str(a["name"]),
            str(head["name"]),
            str(a["release"]),
            str(a["title"]),
            f"{a['source']['repo']} {a['source']['tag']} {a['source']['path']}",
        )
        for a in raw
    ]


@cache
def aliases() -> tuple[Alias, ...]:
    """Every `[[alias]]` of every catalog file."""
    return tuple(a for document in _documents() for a in _aliases(document))


@cache
def _documents() -> tuple[dict[str, object], ...]:
    # the TOML files sit beside this module (the package is never zipped); reading them
    # directly skips importlib.resources and zipfile, ~5 ms of every run's start
    documents = []
    for entry in sorted(Path(__file__).parent.glob("*.toml")):
        # the build-environment tail (BUILD_SENTINEL) is parsed only when a marker needs it
        text, _, tail = entry.read_text(encoding="utf-8").partition(BUILD_SENTINEL)
        document = tomllib.loads(text)
        head = document.get("platform")
        if tail and isinstance(head, dict):
            _BUILD_TEXT[str(head["name"])] = (str(head["repo"]), tail)
        documents.append(document)
    return tuple(documents)


# A platform's build-environment tables (`[platform.build]`, `[[platform.python_files]]`,
# `[[platform.python_default]]`) come last in its file, after this line: they are parsed only
# when a marker is evaluated (build_environment), so a tree without markers never pays for them.
BUILD_SENTINEL = "# === the build environment (markers.py) ==="
_BUILD_TEXT: dict[str, tuple[str, str]] = {}  # platform name -> (repo, TOML text of the tail)


@cache
def load() -> tuple[Platform, ...]:
    return tuple(_platform(document) for document in _documents())


@cache
def build_environment(name: str) -> BuildEnvironment:
    """The build environment of platform `name` (empty for a platform without the data)."""
    from .build import parse  # only when a marker is evaluated: its types cost at import

    platform = find(name)
    repo, text = _BUILD_TEXT.get(name, ("", ""))
    names = platform.release_names if platform is not None else ()
    python = platform.python if platform is not None else ("", "", "")
    return parse(tomllib.loads(text).get("platform", {}) if text else {}, repo, names, python)


def interest_keys(platforms: tuple[Platform, ...] | None = None) -> frozenset[str]:
    """Every PEP 503 key a rule can concern: the only declarations a check ever looks at."""
    keys: set[str] = set()
    for platform in platforms if platforms is not None else load():
        for rule in platform.rules:
            keys.update(rule.packages)
            for era in rule.eras:
                keys.update(re.sub(r"[-_.]+", "-", n).lower() for n in era.names if "[" not in n)
                keys.update(era.with_packages)
    return frozenset(keys)


def overmatch_substrings(platforms: tuple[Platform, ...] | None = None) -> frozenset[str]:
    """Patterns whose over-match check needs every installed name containing them."""
    return frozenset(
        era.pattern
        for platform in (platforms if platforms is not None else load())
        for rule in platform.rules
        for era in rule.eras
        if era.overmatch
    )


def in_house(extra_rules: dict[str, str], source: str) -> Platform:
    """A project's own rules (configuration `extra-rules`): its in-house buildpack is modelled
    like Heroku's classic steps, a case-insensitive grep of the root requirements.txt text."""
    rules = []
    for key, reason in sorted(extra_rules.items()):
        era = Era(
            first=1,
            last=1,
            detector="shell",
            command=f'grep -Fiq "{key}" requirements.txt',
            source=Source(source, source, "", ""),
        )
        rules.append(
            Rule(
                id=f"in-house/{key}",
                platform="in-house",
                severity="error",
                on_detect=f"does what {source} says: {reason}",
                when_missed=f"the in-house buildpack does not see {key} ({reason})",
                eras=(era,),
                packages=(key,),
                needs=((key, ""),),
            )
        )
    return Platform(
        name="in-house",
        title=f"in-house rules from {source}",
        repo=source,
        releases=(1,),
        aliases=(),
        rules=tuple(rules),
        versioned=False,
    )


def find(name: str) -> Platform | None:
    """The catalogued platform called `name` (or one of its aliases), None if there is none."""
    wanted = name.strip().lower()
    return next((p for p in load() if wanted in (p.name, *p.aliases)), None)


def label_of(platform: Platform, releases: frozenset[int]) -> str:
    """How a selection is named: `heroku@latest`, `heroku@all`, `heroku@v42`,
    `heroku@v3-v42`; an unversioned platform (one modelled release) by its name alone."""
    if not platform.versioned or len(platform.releases) == 1:
        return platform.name
    if platform.alias_of:  # `digitalocean (heroku@v322)`
        return ", ".join(format_ranges(platform, releases))
    if releases == frozenset({platform.latest}):
        return f"{platform.name}@latest"
    if releases == frozenset(platform.releases):
        return f"{platform.name}@all"
    return ", ".join(format_ranges(platform, releases))


def current() -> list[Selection]:
    """Every catalogued platform at its current release: the default with no evidence."""
    return [Selection(p, frozenset({p.latest}), label_of(p, frozenset({p.latest}))) for p in load()]


def select(specs: list[str]) -> list[Selection]:
    """Turn `--platform` values into selections.

    `NAME` is the platform's current release (what deploys today); `NAME@latest` the same;
    `NAME@all` every catalogued release; `NAME@vN` and `NAME@vN-vM` the releases named (a range
    keeps the releases that exist; Cloud Foundry's are `vN.N.N`); `all` every catalogued
    platform and release. An alias (`digitalocean`, `dokku`, `scalingo`, `koyeb`: the Heroku
    buildpack release those platforms run) selects that release under its own name. No specs
    at all means `all`. SelectionError for a name or release the catalog lacks.
    """
    platforms = load()
    if not specs or any(spec.strip().lower() == "all" for spec in specs):
        return [
            Selection(p, frozenset(p.releases), label_of(p, frozenset(p.releases)))
            for p in platforms
        ]
    chosen: list[Selection] = []
    for spec in specs:
        name, at, version = spec.strip().partition("@")
        if at and not version.strip():
            raise SelectionError(
                f"no version after '@' in {spec!r}: use NAME, NAME@latest or NAME@all"
            )
        if name.strip().lower() == "all":
            raise SelectionError(f"'all' takes no version ({spec!r}): it is every release already")
        alias = next((a for a in aliases() if a.name == name.strip().lower()), None)
        platform = find(alias.platform if alias else name)
        if platform is None:
            known = ", ".join(
                [n for p in platforms for n in (p.name, *p.aliases)] + [a.name for a in aliases()]
            )
            raise SelectionError(f"unknown platform {name!r} (known: all, {known})")
        if len(platform.releases) == 1 and version.strip().lower() not in ("", "latest", "all"):
            raise SelectionError(
                f"{platform.name} has one modelled release, its current one: use "
                f"{platform.name} (not {spec!r})"
            )
        if alias is not None:
            platform = dataclasses.replace(
                platform,
                name=alias.name,
                title=alias.title,
                alias_of=platform.name,
                alias_note=alias.source,
            )
            if not version:
                version = alias.release
        version = version.strip().lower()
        if version in ("", "latest"):
            releases = frozenset({platform.latest})
        elif version == "all":
            releases = frozenset(platform.releases)
        else:
            try:
                wanted = set(_ranges(version, platform.release_names))
            except ValueError:
                form = "vN.N.N" if platform.release_names else "vN"
                raise SelectionError(
                    f"bad version {version!r} in {spec!r}: use {form}, {form}-{form}, latest "
                    "or all"
                    + (
                        f" (catalogued: {platform.span(platform.releases[0], platform.latest)})"
                        if platform.release_names
                        else ""
                    )
                ) from None
            missing = sorted(wanted - set(platform.releases))
            if missing and len(wanted) == 1:
                raise SelectionError(
                    f"{platform.name} has no release {platform.release_name(missing[0])} "
                    f"(catalogued: {platform.span(platform.releases[0], platform.latest)})"
                )
            releases = frozenset(wanted & set(platform.releases))
            if not releases:
                raise SelectionError(f"{spec!r} names no catalogued release of {platform.name}")
        chosen.append(Selection(platform, releases, label_of(platform, releases)))
    return chosen


def format_ranges(platform: Platform, releases: set[int] | frozenset[int]) -> list[str]:
    """`heroku@v3-v11` style labels, grouping releases that are adjacent in the release list."""
    labels: list[str] = []
    run: list[int] = []
    for number in platform.releases:
        if number in releases:
            run.append(number)
            continue
        if run:
            labels.append(_label(platform, run))
            run = []
    if run:
        labels.append(_label(platform, run))
    return labels


def _label(platform: Platform, run: list[int]) -> str:
    name = platform.name
    if not platform.versioned:
        return name
    if platform.alias_of:
        # the output says what the alias runs: `digitalocean (heroku@v322)`
        return f"{name} ({platform.alias_of}@{platform.span(run[0], run[-1])})"
    return f"{name}@{platform.span(run[0], run[-1])}"
