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
import stat
import tomllib
from collections.abc import Callable
from functools import cache

from .catalog import Platform, ProviderSpec, StartConfig
from .model import BuildPlan, StartSource

Reader = Callable[[str], bytes | None]


def plan_for(
    platform: Platform,
    repo_dir: str,
    read: Reader,
    scan_id: int,
    releases: frozenset[int] | None = None,
) -> BuildPlan:
    """The build plan of `platform` for the app in `repo_dir` (read through `read`). The
    start command's source is named in the evidence only where a rule of `releases` (all
    when None) depends on it."""
    spec = platform.plan
    if spec is None:
        return BuildPlan(platform.name)
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
    return BuildPlan(
        platform.name,
        builds,
        provider,
        start,
        tuple(evidence),
        provider_file=provider_file,
        python_detected=python_detected,
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
        for condition in provider.detect:
            if all(_detects(pattern, repo_dir, read, scan_id) for pattern in condition):
                return provider, " and ".join(condition)
    return None


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
    with contextlib.suppress(OSError), os.scandir(repo_dir) as entries:
        for entry in entries:
            if fnmatch.fnmatchcase(entry.name, pattern) and stat.S_ISREG(
                entry.stat(follow_symlinks=False).st_mode
            ):
                return True
    return False


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
