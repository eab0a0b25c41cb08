"""Build plans: what a platform will do with this app before any rule about a package applies.

The builders we model are written as ordered providers whose first `detect` match builds the
app (Nixpacks `src/lib.rs` `get_providers()` and `src/nixpacks/plan/generator.rs`; Railpack
`core/providers/provider.go` `GetLanguageProviders()`), and they take the start command from a
Procfile or a configuration file before generating one. A rule about a step only applies when
the plan runs that step: a `package.json` hides Nixpacks' Python provider altogether, and a
Procfile `web:` process makes every generated start command moot. The plan is computed from
the catalog's `[platform.plan]` data (each fact with its source) and the app's files, read
through the same contained reader the detectors use: nothing outside the repository, no
symlink or FIFO followed by the globs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import json
import os
import posixpath
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from .catalog import (
    Era,
    InstallRule,
    Platform,
    ProviderSpec,
    Rule,
    Selection,
    StartConfig,
    build_environment,
)
from .model import BuildInstall, BuildPlan, BuildStep, StartSource

if TYPE_CHECKING:
    from .catalog.build import BuildEnvironment, PythonDefault, PythonRule, VersionFile
    from .markers import BuildPython

Reader = Callable[[str], bytes | None]


def selected_eras(
    selections: Iterable[Selection], plans: dict[str, BuildPlan]
) -> Iterator[tuple[Selection, Rule, Era]]:
    """Every era that covers at least one selected release and whose step the plan runs."""
    for selection in selections:
        plan = plans.get(selection.platform.name)
        for rule in selection.platform.rules:
            for era in rule.eras:
                if plan is not None and not plan.runs(era.step):
                    continue
                if any(era.first <= r <= era.last for r in selection.releases):
                    yield selection, rule, era


def plan_for(
    platform: Platform,
    repo_dir: str,
    read: Reader,
    scan_id: int,
    releases: frozenset[int] | None = None,
    root: str = "requirements.txt",
) -> BuildPlan:
    """The build plan of `platform` for the app in `repo_dir` (read through `read`). The
    start command's source is named in the evidence only where a rule of `releases` (all
    when None) depends on it. `root` is the requirements file checked: an installer detected
    by `{requirements}` needs it (a platform told which file to read, as the Serverless
    plugin's `fileName`)."""
    spec = platform.plan
    installs = installs_for(platform, read)
    if spec is None:
        return BuildPlan(platform.name, installs=installs)
    evidence: list[str] = []
    provider = "python"
    builds = True
    provider_file = ""
    python_detected = False
    if spec.providers:
        winner = _first_provider(spec.providers, repo_dir, read, scan_id)
        if winner is None:
            builds, provider = False, ""
            evidence.append(
                f"no {platform.title} provider detects this app "
                f"({spec.providers_source}), so nothing is built"
            )
        else:
            spec_hit, matched = winner
            provider = spec_hit.name
            chosen = _configured_python(spec.provider_configs, read)
            if provider != "python" and chosen:
                provider = "python"
                evidence.append(f"{chosen}, so its Python provider runs")
            elif provider != "python":
                builds = False
                provider_file = matched.split(" and ")[0]
                python = next((p for p in spec.providers if p.name == "python"), None)
                python_detected = python is not None and any(
                    all(_detects(pattern, repo_dir, read, scan_id) for pattern in condition)
                    for condition in python.detect
                )
                evidence.append(
                    f"{matched} makes {platform.title} build the app with its "
                    f"{spec_hit.title} provider, which comes before Python "
                    f"({spec.providers_source}): its Python steps never run"
                )
    start: StartSource = "generated"
    # the start command's source is said only where a rule depends on it
    says: list[str] = []
    for config in spec.start_configs:
        command = _config_start(config, read)
        if command:
            start = "config"
            says.append(
                f"{config.file} sets the start command ({config.key} = {command!r}), "
                f"which {platform.title} uses instead of a generated one ({config.source})"
            )
            break
    if start == "generated" and spec.procfile:
        process = procfile_process(read("Procfile"), spec.procfile, spec.procfile_skip)
        if process is not None:
            start = "procfile"
            name, command = process
            says.append(
                f"the Procfile's `{name}:` process ({command!r}) is the start command "
                f"({spec.procfile_source}), not a generated one"
            )
    if builds and any(
        era.step == "start" or "start" in era.moot_if
        for rule in platform.rules
        for era in rule.eras
        if releases is None or any(era.first <= r <= era.last for r in releases)
    ):
        evidence += says
    installer, installs_requirements = "", True
    if spec.installers and builds:
        installer, installs_requirements, said = _installer(platform, read, root)
        if not installs_requirements:  # evidence is for facts that gate rules
            evidence.append(said)
    return BuildPlan(
        platform.name,
        builds,
        provider,
        start,
        tuple(evidence),
        provider_file=provider_file,
        python_detected=python_detected,
        installs=installs,
        installer=installer,
        installs_requirements=installs_requirements,
    )


REQUIREMENTS = "{requirements}"  # an installer's detect pattern: the requirements file checked


def _installer(platform: Platform, read: Reader, root: str) -> tuple[str, bool, str]:
    """(installer, whether it installs the requirements tree, the clause saying why), as the
    builder picks its Python package manager: a configuration key first, then the first
    installer of `spec.installers` whose files detect it (one with no condition is the
    fallback)."""
    spec = platform.plan
    assert spec is not None
    wanted = spec.requirements_installers
    chosen: ProviderSpec | None = None
    because = ""
    if spec.installer_config is not None:
        named = _config_start(spec.installer_config, read)
        chosen = next((i for i in spec.installers if i.name == named), None)
        if named:
            because = (
                f"{spec.installer_config.file} sets {spec.installer_config.key} = {named!r} "
                f"({spec.installer_config.source})"
            )
            if chosen is None:
                return (
                    named,
                    False,
                    (
                        f"{because}, which {platform.title} does not know: it installs nothing "
                        "from the requirements tree"
                    ),
                )
    if chosen is None:
        for candidate in spec.installers:
            detect = tuple(
                tuple(root if pattern == REQUIREMENTS else pattern for pattern in condition)
                for condition in candidate.detect
            )
            matched = _provider_match(dataclasses.replace(candidate, detect=detect), "", read, 0)
            if matched is not None:
                chosen, because = candidate, matched
                break
    if chosen is None:
        return (
            "",
            False,
            (
                f"no Python package manager of {platform.title} applies "
                f"({spec.installers_source}): nothing installs the requirements tree"
            ),
        )
    runs = f" (`{chosen.command}`)" if chosen.command else ""
    if chosen.name in wanted:
        lead = f"{because}: " if because else ""
        return (
            chosen.name,
            True,
            (
                f"{lead}{platform.title} installs with {chosen.title}{runs} "
                f"({spec.installers_source})"
            ),
        )
    return (
        chosen.name,
        False,
        (
            f"{because or 'nothing else applies'}: {platform.title} installs with "
            f"{chosen.title}{runs}, which never reads the requirements tree "
            f"({spec.installers_source}): {spec.installers_scope or 'its rules about it'} "
            "do not apply"
        ),
    )


def procfile_process(
    data: bytes | None, order: tuple[str, ...], skip: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """The (process, command) a builder takes from a Procfile's bytes, or None.

    Nixpacks and Railpack read the Procfile as a YAML mapping of strings and take the first
    process of `order` present ("*" = any process not in `skip`). A Procfile that is not such a
    mapping yields None here: those builders then fail on it, which is not this tool's finding.
    """
    if data is None:
        return None
    import yaml  # PyYAML: the builders parse Procfiles as YAML (serde_yaml, go-yaml)

    try:
        document = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(document, dict):
        return None
    commands = {
        str(name): str(command).strip()
        for name, command in document.items()
        if command is not None and str(command).strip()
    }
    for wanted in order:
        if wanted == "*":
            for name in sorted(commands):
                if name not in skip:
                    return name, commands[name]
        elif wanted in commands:
            return wanted, commands[wanted]
    return None


def _first_provider(
    providers: tuple[ProviderSpec, ...], repo_dir: str, read: Reader, scan_id: int
) -> tuple[ProviderSpec, str] | None:
    for provider in providers:
        matched = _provider_match(provider, repo_dir, read, scan_id)
        if matched is not None:
            return provider, matched
    return None


def _provider_match(
    provider: ProviderSpec, repo_dir: str, read: Reader, scan_id: int
) -> str | None:
    """What makes `provider` detect this app (files, or a file's text), or None; a provider
    with no condition at all is a fallback and always detects."""
    for condition in provider.detect:
        if all(_detects(pattern, repo_dir, read, scan_id) for pattern in condition):
            return " and ".join(_named(pattern, repo_dir, scan_id) for pattern in condition)
    for name, pattern in provider.contains:
        data = read(name)
        if data is not None and re.search(pattern, _text(data)):
            return f"{name} (its text matches `{pattern}`)"
    if not provider.detect and not provider.contains:
        return ""
    return None


def _text(data: bytes) -> str:
    """A configuration file's text as the Go builders decode it (golang.org/x/text's
    BOMOverride: a UTF-16 or UTF-8 BOM decides, UTF-8 otherwise, bad bytes replaced)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


def _detects(pattern: str, repo_dir: str, read: Reader, scan_id: int) -> bool:
    """A detect pattern: a plain app-root file name, a root glob (`*.csproj`), or a
    recursive glob (`**/*.fs`) over regular files (symlinks never followed)."""
    if not any(c in pattern for c in "*?["):
        return read(pattern) is not None
    return bool(repo_dir) and _glob_exists(repo_dir, scan_id, pattern)


@cache
def _glob_exists(repo_dir: str, scan_id: int, pattern: str) -> bool:
    if pattern.startswith("**/"):
        from .tree import find_files

        name = pattern[3:]
        return bool(find_files(repo_dir, lambda base: fnmatch.fnmatchcase(base, name)))
    return bool(_root_match(repo_dir, scan_id, pattern))


@cache
def _root_match(repo_dir: str, scan_id: int, pattern: str) -> str:
    """The first app-root regular file whose name matches `pattern`, or ""."""
    with contextlib.suppress(OSError), os.scandir(repo_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if fnmatch.fnmatchcase(entry.name, pattern) and stat.S_ISREG(
                entry.stat(follow_symlinks=False).st_mode
            ):
                return entry.name
    return ""


def _named(pattern: str, repo_dir: str, scan_id: int) -> str:
    """How evidence names a detect pattern that matched: a root glob by the file it found
    (`[Dd]ockerfile` -> `dockerfile`), anything else as written."""
    if "/" in pattern or not any(c in pattern for c in "*?[") or not repo_dir:
        return pattern
    return _root_match(repo_dir, scan_id, pattern) or pattern


def _configured_python(configs: tuple[StartConfig, ...], read: Reader) -> str:
    """A clause naming the configuration that makes the Python provider run, or ""."""
    for config in configs:
        value = _config_value(config, read)
        names = value if isinstance(value, list) else [value]
        if any(isinstance(n, str) and n.strip().lower() == "python" for n in names):
            return f"{config.file} {config.key} names python ({config.source})"
    return ""


def _config_value(config: StartConfig, read: Reader) -> object:
    """The value at `config.key` in the TOML/JSON file, or None."""
    data = read(config.file)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
        document: object = (
            json.loads(text) if config.file.endswith(".json") else tomllib.loads(text)
        )
    except (UnicodeDecodeError, ValueError):
        return None
    for part in config.key.split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(part)
    return document


def _config_start(config: StartConfig, read: Reader) -> str:
    """The start command a configuration file sets, "" when none (or unreadable: the platform
    then fails on it itself, which is not this tool's finding)."""
    value = _config_value(config, read)
    return value.strip() if isinstance(value, str) else ""


# -- the Python each release builds with ----------------------------------------------------


def pythons_for(platform: Platform, read: Reader) -> tuple[BuildPython, ...]:
    """The Python (and machine) of every release range of `platform` for this app, from the
    catalog's `[[platform.python_files]]` rules and `[[platform.python_default]]` entries: the first
    version file the rule reads that names a usable version, else the release's default (or,
    for a sticky rule, whatever an existing app's build cache holds). Consecutive releases
    with the same rule and default share one entry. Empty when the catalog has no data."""
    return pythons_in(build_environment(platform.name), platform.releases, read)


def pythons_in(
    environment: BuildEnvironment, releases: tuple[int, ...], read: Reader
) -> tuple[BuildPython, ...]:
    """pythons_for, given a platform's build environment and its releases."""
    if not environment.rules and not environment.defaults and environment.build is None:
        return ()
    from .markers import BuildPython  # only when a marker needs the Python

    build = environment.build
    machines = build.machines if build else ()
    os_name = build.os if build else ""
    values: dict[tuple[str, str], tuple[str, str] | None] = {}  # (file, key) -> what it says
    decided: dict[PythonRule, tuple[tuple[str, ...], str, str] | None] = {}
    found = []
    for first, last, rule, default in _python_segments(environment, releases):
        defaults = default.versions if default else ()
        versions, origin, implementation = defaults, "default" if defaults else "", "CPython"
        source = default.source if default else (rule.source if rule else "")
        if rule is not None:
            if rule not in decided:
                decided[rule] = _decide(rule, read, values)
            said = decided[rule]
            if said is not None:
                (versions, origin, implementation), source = said, rule.source
            elif rule.sticky:
                versions, origin, source = (), "cache", rule.source
        found.append(
            BuildPython(
                first, last, versions, origin, implementation, machines, os_name, defaults, source
            )
        )
    return tuple(found)


@cache
def _python_segments(
    environment: BuildEnvironment, releases: tuple[int, ...]
) -> tuple[tuple[int, int, PythonRule | None, PythonDefault | None], ...]:
    """(first, last, rule, default) runs of consecutive releases: catalog data, worked out
    once per process (Heroku's 336 releases fall into about 80 runs)."""
    segments: list[tuple[int, int, PythonRule | None, PythonDefault | None]] = []
    rules = sorted(environment.rules, key=lambda r: r.first)
    defaults = sorted(environment.defaults, key=lambda d: d.first)
    for release in releases:  # in order: each list is walked once
        while rules and rules[0].last < release:
            rules.pop(0)
        while defaults and defaults[0].last < release:
            defaults.pop(0)
        rule = rules[0] if rules and rules[0].first <= release else None
        default = defaults[0] if defaults and defaults[0].first <= release else None
        if segments and segments[-1][2:] == (rule, default):
            segments[-1] = (segments[-1][0], release, rule, default)
        else:
            segments.append((release, release, rule, default))
    return tuple(segments)


def _decide(
    rule: PythonRule, read: Reader, values: dict[tuple[str, str], tuple[str, str] | None]
) -> tuple[tuple[str, ...], str, str] | None:
    """(versions, origin, implementation) a version file decides under `rule`, or None when
    none does (the release's default applies, or the build cache's Python if sticky)."""
    for entry in rule.read:
        if entry.file == "requires-python":
            admitted = requires_python(entry, read)
            if admitted:
                return admitted, "requires-python", "CPython"
            continue
        if _is_constraint(entry):
            admitted = constraint_versions(entry, read)
            if admitted:
                return admitted, f"{entry.file} ({entry.key or entry.pattern})", "CPython"
            continue
        cache_key = (entry.file, entry.key)
        if cache_key not in values:
            values[cache_key] = read_version(entry, read)
        said = values[cache_key]
        if said is None:
            if rule.first_present and read(entry.file) is not None:
                return None  # the file decides, and names nothing usable: the default
            continue
        version, implementation = said
        if entry.minors and _minor(version) not in entry.minors:
            if rule.first_present:
                return None
            continue
        origin = f"{entry.file} ({entry.key})" if entry.key else entry.file
        return (version,), origin, implementation
    return None


_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def _minor(version: str) -> str:
    match = _VERSION.match(version)
    return f"{match.group(1)}.{match.group(2)}" if match else ""


def requires_python(entry: VersionFile, read: Reader) -> tuple[str, ...]:
    """The minors (of `entry.minors`, else every known one) that pyproject.toml's
    `[project] requires-python` admits, newest first; () when there is none. Which of them a
    platform picks is its own rule: they are all candidates here."""
    data = read("pyproject.toml")
    if data is None:
        return ()
    from packaging.specifiers import SpecifierSet

    try:
        project = tomllib.loads(data.decode("utf-8")).get("project", {})
        spec = (
            SpecifierSet(project.get("requires-python", "")) if isinstance(project, dict) else None
        )
    except (UnicodeDecodeError, ValueError, TypeError):
        return ()
    if spec is None or not str(spec):
        return ()
    from .markers import KNOWN_MINORS, newest_first

    minors = entry.minors or KNOWN_MINORS
    admitted = [m for m in minors if any(spec.contains(f"{m}.{z}") for z in (0, 999))]
    return newest_first(tuple(admitted))


def _is_constraint(entry: VersionFile) -> bool:
    return bool(entry.pattern) or (
        bool(entry.key) and entry.file.endswith(".json") and entry.file != "Pipfile.lock"
    )


def constraint_versions(entry: VersionFile, read: Reader) -> tuple[str, ...]:
    """The versions a constraint-valued entry names (`pattern`'s group 1 in the file's text,
    or the JSON file's dotted `key`): a plain `3.11` or `3.11.4` is itself; a range (PEP 440,
    or Poetry's `^3.9` / `~3.9`) gives every minor of `entry.minors` (else every known one)
    it admits, newest first, since which one the builder then picks is not modelled; a value
    that parses as neither gives every known minor (unknown). () when nothing is found."""
    data = read(entry.file)
    if data is None:
        return ()
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    value: object = None
    if entry.pattern:
        match = re.search(entry.pattern, text)
        value = match.group(1) if match else None
    else:
        try:
            value = json.loads(text)
        except ValueError:
            return ()
        for part in entry.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value.strip():
        return ()
    from .markers import KNOWN_MINORS, newest_first

    value = value.strip()
    if _VERSION.fullmatch(value):
        return (value,)
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    value = re.sub(r"(<=|>=|==|!=|~=|<|>|\^|~)\s+", r"\1", value)  # ">= 3.8" is one clause
    try:
        spec = SpecifierSet(",".join(_pep440(part) for part in re.split(r"[,\s]+", value) if part))
    except InvalidSpecifier:
        return KNOWN_MINORS
    minors = entry.minors or KNOWN_MINORS
    admitted = [m for m in minors if any(spec.contains(f"{m}.{z}") for z in (0, 999))]
    return newest_first(tuple(admitted)) or KNOWN_MINORS


def _pep440(part: str) -> str:
    """One clause of a Poetry constraint as PEP 440: `^3.9` is >=3.9,<4; `~3.9` is
    >=3.9,<3.10; a bare `3.9` is ==3.9.*; anything else as written."""
    match = re.fullmatch(r"([\^~])(\d+)(?:\.(\d+))?(?:\.\d+)?", part)
    if match:
        op, major, minor = match.group(1), int(match.group(2)), match.group(3)
        low = part[1:]
        if op == "^" or minor is None:
            return f">={low},<{major + 1}"
        return f">={low},<{major}.{int(minor) + 1}"
    if _VERSION.fullmatch(part):
        return f"=={part}.*"
    return part


def read_version(entry: VersionFile, read: Reader) -> tuple[str, str] | None:
    """(version, implementation) a version file names, or None (absent, unreadable, or no
    version in it). Versions are "X.Y" or "X.Y.Z"; a PyPy request names PyPy."""
    if entry.file == "requires-python":
        return None  # a range, not a version: see requires_python()
    data = read(entry.file)
    if data is None:
        return None
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    if entry.file == "Pipfile.lock":
        return _pipfile_lock(text, entry.key)
    if entry.file == "Pipfile":
        return _pipfile(text, entry.key)
    if entry.file == ".tool-versions":
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            if len(words) >= 2 and words[0] == "python":
                return _version_in(words[1])
        return None
    if entry.file == ".python-version":
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                return _version_in(line)
        return None
    return _version_in(text.strip())  # runtime.txt: `python-3.12.1`, `pypy3.6-7.3.2`


def _version_in(value: str) -> tuple[str, str] | None:
    """The Python version a request names: `3.12`, `python-3.12.1`, `pypy3.10-7.3.12`."""
    lowered = value.strip().lower()
    if lowered.startswith("pypy"):
        match = re.match(r"pypy(\d\.\d+)", lowered)
        if match:
            return match.group(1), "PyPy"
        return ("2.7", "PyPy") if lowered.startswith("pypy-") else None
    match = _VERSION.search(lowered)
    return (match.group(0), "CPython") if match else None


def _pipfile_lock(text: str, key: str) -> tuple[str, str] | None:
    """`_meta.requires.python_full_version` // `python_version` (or the one `key` names)."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    requires = document.get("_meta", {}).get("requires", {}) if isinstance(document, dict) else {}
    if not isinstance(requires, dict):
        return None
    for name in (key,) if key else ("python_full_version", "python_version"):
        value = requires.get(name)
        if isinstance(value, str) and _VERSION.fullmatch(value.strip()):
            return value.strip(), "CPython"
    return None


def _pipfile(text: str, key: str) -> tuple[str, str] | None:
    """[requires] python_full_version / python_version, found as the builders find them: a
    regex over the text (Nixpacks takes whichever comes first, Railpack names the key)."""
    names = key or "python_version|python_full_version"
    match = re.search(rf"(?:{names})\s*=\s*['\"]([0-9.]*)", text)
    if match and _VERSION.fullmatch(match.group(1)):
        return match.group(1), "CPython"
    return None


# -- what each release installs from ---------------------------------------------------------


def installs_for(platform: Platform, read: Reader) -> tuple[BuildInstall, ...]:
    """What every release range of `platform` installs this app from, by the catalog's
    `[[platform.install]]` rules (the first choice whose files all exist); consecutive releases
    with the same rule share one entry. Empty when the platform has no such data (it installs
    the app-root requirements.txt)."""
    found: list[BuildInstall] = []
    for rule in platform.installs:
        releases = [r for r in platform.releases if rule.first <= r <= rule.last]
        if releases:
            found.append(_install(releases[0], releases[-1], rule, platform.title, read))
    return tuple(found)


def _install(first: int, last: int, rule: InstallRule, title: str, read: Reader) -> BuildInstall:
    present = [c for c in rule.choices if all(read(f) is not None for f in c.when)]
    counted = [f for f in rule.exclusive if read(f) is not None]
    # a failing first choice (v351's lockless Pipfile) stops the build before files are counted
    if len(counted) > 1 and not (present and present[0].fails):
        why = (
            f"{', '.join(counted)} are all present, and {title} refuses more than one package "
            "manager: the build fails"
        )
        return BuildInstall(first, last, "", "", "skip", why, rule.source)
    if not present:
        return BuildInstall(first, last, "", "", "skip", rule.otherwise, rule.source)
    choice = present[0]
    if choice.fails:
        why = f"{choice.fails}: the build fails"
        return BuildInstall(first, last, choice.manager, "", "skip", why, rule.source)
    if choice.root == "requirements.txt" and choice.reads == "file":
        return BuildInstall(first, last, choice.manager, choice.root, source=rule.source)
    found = ", ".join(choice.when)
    if choice.manager and choice.root:
        lead = f"{choice.manager} installs the dependencies of {choice.root} (found: {found})"
    else:
        lead = f"found: {found}"
    why = f"{lead}; {choice.note}" if choice.note else lead
    return BuildInstall(first, last, choice.manager, choice.root, choice.reads, why, rule.source)


def with_settings(platform: Platform, plan: BuildPlan, steps: tuple[BuildStep, ...]) -> BuildPlan:
    """`plan` with the build settings the app's deploy workflows give `platform` (the catalog's
    `[[platform.setting]]`, read from the env of `steps`, deploy.BUILD_STEPS): a step turned
    off, or the requirements file named. A setting counts only when every step that builds
    the app sets it the same way (one workflow that leaves collectstatic on still runs it)."""
    off, root, evidence = list(plan.off), plan.root, list(plan.evidence)
    for spec in platform.settings:
        building = [step for step in steps if step.action in spec.steps]
        values = [step.value(spec.name) for step in building]
        if not building or any(v is None for v in values):
            continue
        found = [v for v in values if v is not None]
        said = {v for v, _line in found}
        first, where = building[0], found[0][1]
        place = f"{first.file}:{where}" if where else first.file
        steps_said = f"the env of {first.action} ({first.file}:{first.line})"
        if len(building) > 1:
            steps_said = f"the env of every {first.action} step ({len(building)})"
        if spec.off and all(v.strip().lower() in spec.when for v in said):
            off.append(spec.off)
            evidence.append(
                f"{spec.name}={found[0][0]} in {steps_said}, set at {place}, turns "
                f"{platform.title}'s {spec.off} step off ({spec.source})"
            )
        elif spec.names_root and len(said) == 1:
            # relative to the app's directory ("$SOURCE_DIR/$REQUIREMENTS_TXT_FILE"); a path
            # out of it is not followed
            named = posixpath.normpath(said.pop().strip())
            if not named.startswith(("/", "..")) and named != ".":
                root = named
                evidence.append(
                    f"{spec.name}={found[0][0]} in {steps_said}, set at {place}: "
                    f"{platform.title} installs and reads {root} ({spec.source})"
                )
    if (tuple(off), root) == (plan.off, plan.root):
        return plan
    return dataclasses.replace(plan, off=tuple(off), root=root, evidence=tuple(evidence))
