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
import fnmatch
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable
from functools import cache

from .catalog import Platform, ProviderSpec, StartConfig
from .model import BuildPlan, StartSource

Reader = Callable[[str], bytes | None]


def plan_for(platform: Platform, repo_dir: str, read: Reader, scan_id: int) -> BuildPlan:
    """The build plan of `platform` for the app in `repo_dir` (read through `read`)."""
    spec = platform.plan
    if spec is None:
        return BuildPlan(platform.name)
    evidence: list[str] = []
    provider = "python"
    builds = True
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
            if provider != "python":
                builds = False
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
    ):
        evidence += says
    installer, installs = "", True
    if spec.installers and builds:
        installer, installs, said = _installer(platform, read)
        if not installs:  # evidence is for facts that gate rules
            evidence.append(said)
    return BuildPlan(platform.name, builds, provider, start, tuple(evidence), installer, installs)


def _installer(platform: Platform, read: Reader) -> tuple[str, bool, str]:
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
            matched = _provider_match(candidate, "", read, 0)
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
            f"({spec.installers_source}): its rules about it do not apply"
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


def _config_start(config: StartConfig, read: Reader) -> str:
    """The start command a configuration file sets, "" when none (or unreadable: the platform
    then fails on it itself, which is not this tool's finding)."""
    data = read(config.file)
    if data is None:
        return ""
    try:
        text = data.decode("utf-8")
        document: object = (
            json.loads(text) if config.file.endswith(".json") else tomllib.loads(text)
        )
    except (UnicodeDecodeError, ValueError):
        return ""
    for part in config.key.split("."):
        if not isinstance(document, dict):
            return ""
        document = document.get(part)
    return document.strip() if isinstance(document, str) else ""
