"""The rule catalog: one TOML file per platform, loaded into frozen dataclasses.

A rule is one buildpack step (what it looks for and what it does). Its eras are the release
ranges in which that step's detection line stayed the same; each era quotes the line and cites
where it was read.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DETECTORS = (
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
    # generated start command (moot when a Procfile or configuration file sets one)
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
    # the Python package managers in the builder's order (zbpack DeterminePackageManager): the
    # first that detects installs; one with no detect and no contains is the fallback
    installers: tuple[ProviderSpec, ...] = ()
    installers_source: str = ""
    # a configuration key that names the installer outright (zbpack.json python.package_manager)
    installer_config: StartConfig | None = None
    # the installers that install the requirements tree this tool walks; with any other the
    # platform's rules about it do not apply
    requirements_installers: tuple[str, ...] = ()


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


def _ranges(spec: str) -> tuple[int, ...]:
    numbers: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().lstrip("v").partition("-")
        numbers.extend(range(int(first), int((last or first).lstrip("v")) + 1))
    return tuple(numbers)


def _strings(value: object) -> tuple[str, ...]:
    """A TOML string or array of strings."""
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _era(raw: dict[str, object], repo: str) -> Era:
    versions = str(raw["versions"])
    first, _, last = versions.partition("-")
    src = raw.get("source")
    if not isinstance(src, dict):
        raise CatalogError(f"era {versions} has no source")
    names = raw.get("names", [])
    files = raw.get("files", [])
    return Era(
        first=int(first.lstrip("v")),
        last=int(last.lstrip("v")),
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
    return PlanSpec(
        providers=providers,
        providers_source=(_source_text(raw.get("providers_source"), repo) if providers else ""),
        procfile=_strings(raw.get("procfile", [])),
        procfile_skip=_strings(raw.get("procfile_skip", [])),
        procfile_source=(
            _source_text(raw.get("procfile_source"), repo) if raw.get("procfile") else ""
        ),
        start_configs=configs,
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
    rules: list[Rule] = []
    raw_rules = data.get("rule", [])
    assert isinstance(raw_rules, list)
    for raw in raw_rules:
        eras = tuple(_era(e, repo) for e in raw["era"])
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
            )
        )
    return Platform(
        name=str(head["name"]),
        title=str(head["title"]),
        repo=repo,
        releases=_ranges(str(head["releases"])),
        aliases=tuple(str(a) for a in head.get("aliases", ())),
        rules=tuple(rules),
        versioned=bool(head.get("versioned", True)),
        plan=_plan(head.get("plan"), repo),
        pips=tuple(_pip(entry, repo) for entry in head.get("pip", [])),
        root_setting=str(head.get("root_setting", "")),
    )


def _pip(raw: dict[str, object], repo: str) -> tuple[int, int, str, str]:
    first, _, last = str(raw["versions"]).partition("-")
    return (
        int(first.lstrip("v")),
        int((last or first).lstrip("v")),
        str(raw["pip"]),
        _source_text(raw.get("source"), repo),
    )


@cache
def load() -> tuple[Platform, ...]:
    # the TOML files sit beside this module (the package is never zipped); reading them
    # directly skips importlib.resources and zipfile, ~5 ms of every run's start
    platforms = []
    for entry in sorted(Path(__file__).parent.glob("*.toml")):
        platforms.append(_platform(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return tuple(platforms)


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
                on_detect=reason,
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
    keeps the releases that exist); `all` every catalogued platform and release. Aliases
    (`scalingo`, `dokku`: the Heroku buildpack those platforms run) take versions the same way.
    No specs at all means `all`. SelectionError for a name or release the catalog lacks.
    """
    platforms = load()
    if not specs or any(spec.strip().lower() == "all" for spec in specs):
        return [
            Selection(p, frozenset(p.releases), label_of(p, frozenset(p.releases)))
            for p in platforms
        ]
    chosen: list[Selection] = []
    for spec in specs:
        name, _, version = spec.strip().partition("@")
        platform = find(name)
        if platform is None:
            known = ", ".join(n for p in platforms for n in (p.name, *p.aliases))
            raise SelectionError(f"unknown platform {name!r} (known: all, {known})")
        version = version.strip().lower()
        if version in ("", "latest"):
            releases = frozenset({platform.latest})
        elif version == "all":
            releases = frozenset(platform.releases)
        else:
            try:
                wanted = set(_ranges(version))
            except ValueError:
                raise SelectionError(
                    f"bad version {version!r} in {spec!r}: use vN, vN-vM, latest or all"
                ) from None
            missing = sorted(wanted - set(platform.releases))
            if missing and len(wanted) == 1:
                raise SelectionError(
                    f"{platform.name} has no release v{missing[0]} "
                    f"(catalogued: v{platform.releases[0]}-v{platform.latest})"
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
    if run[0] == run[-1]:
        return f"{name}@v{run[0]}"
    return f"{name}@v{run[0]}-v{run[-1]}"
