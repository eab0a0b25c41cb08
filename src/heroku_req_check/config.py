"""Project configuration: `.heroku-req-check.toml`, or `[tool.heroku-req-check]` in
`pyproject.toml`, in the checked directory. Unknown keys are errors (a typo must not silently
turn a check off).

    platforms = ["heroku@v42"]                 # instead of the deployment configuration
                                               # (--platform and the platform input win)

    [extra-rules]                              # in-house buildpacks: package -> why it matters
    pyvips = "our buildpack installs libvips only when requirements.txt names pyvips"

    [[ignore]]                                 # a reason is required
    rule = "heroku/pylibmc"                    # a rule id (its :case/:broken variants too)
    path = "requirements/dev*.txt"             # optional, a glob on the finding's file
    package = "pylibmc"                        # optional
    reason = "dev requirements are never deployed"

On a declaration line, `# heroku-req-check: ignore[heroku/pylibmc]` ignores that rule there.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .model import Finding, Problem, SourceFile
from .reqfile import canonical_key
from .tree import DEFAULT_LIMITS

FILE_NAME = ".heroku-req-check.toml"
TOP_KEYS = {"platforms", "extra-rules", "ignore"}
IGNORE_KEYS = {"rule", "path", "package", "reason"}
INLINE_RE = re.compile(r"#\s*heroku-req-check:\s*ignore\[([^\]]*)\]")


class ConfigError(ValueError):
    """The configuration is not valid: a usage error, reported with its file."""


@dataclass(frozen=True)
class Ignore:
    rule: str
    reason: str
    path: str = ""
    package: str = ""

    def matches(self, finding: Finding) -> bool:
        if self.rule not in (finding.rule, finding.rule.partition(":")[0]):
            return False
        if self.path and not fnmatch.fnmatchcase(finding.file, self.path):
            return False
        return not self.package or canonical_key(self.package) == finding.package


@dataclass(frozen=True)
class Config:
    source: str = ""  # the file it came from, "" when there is none
    platforms: tuple[str, ...] = ()
    extra_rules: dict[str, str] = field(default_factory=dict)  # PEP 503 key -> reason
    ignores: tuple[Ignore, ...] = ()
    problems: tuple[Problem, ...] = ()  # a pyproject.toml that could not be read


def load(directory: Path) -> Config:
    """The configuration in `directory`. ConfigError when the dedicated file is unusable or
    a configuration is invalid (a typo must not silently turn a check off). A pyproject.toml
    that cannot be read (not TOML, not UTF-8, a symlink out of the repository) is the project's
    problem, not a usage error: the run goes on with the defaults and `problems` says why."""
    dedicated = directory / FILE_NAME
    if os.path.lexists(dedicated):
        data, why = _read(directory, FILE_NAME)
        if data is None:
            raise ConfigError(f"{FILE_NAME}: {why}")
        return _parse(data, FILE_NAME, "")
    if not os.path.lexists(directory / "pyproject.toml"):
        return Config()
    data, why = _read(directory, "pyproject.toml")
    if data is None:
        line = re.search(r"at line (\d+)", why)
        problem = Problem(
            "pyproject.toml",
            int(line.group(1)) if line else None,
            f"pyproject.toml {why}; its [tool.heroku-req-check] settings are not read, so "
            "the check runs with the defaults",
        )
        return Config(problems=(problem,))
    tool = data.get("tool", {})
    section = tool.get("heroku-req-check") if isinstance(tool, dict) else None
    if section is not None:
        if not isinstance(section, dict):
            raise ConfigError("pyproject.toml: [tool.heroku-req-check] must be a table")
        return _parse(section, "pyproject.toml", "tool.heroku-req-check.")
    return Config()


def _read(directory: Path, name: str) -> tuple[dict[str, object] | None, str]:
    """The TOML in `directory/name`, or None and why not; never read outside `directory`."""
    root = os.path.realpath(directory)
    real = os.path.realpath(directory / name)
    if not real.startswith(root + os.sep):
        return None, "resolves outside the repository: never read"
    if not os.path.isfile(real):
        return None, "is not a regular file: not read"
    limit = DEFAULT_LIMITS.max_file_bytes
    if os.path.getsize(real) > limit:
        return None, f"is over the {limit}-byte limit: not read"
    try:
        with open(real, "rb") as handle:
            text = handle.read(limit).decode("utf-8")
        return tomllib.loads(text), ""
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    except RecursionError:
        return None, "is nested too deeply to be parsed"
    except UnicodeDecodeError as exc:
        return None, f"is not valid UTF-8 (byte {exc.start})"
    except tomllib.TOMLDecodeError as exc:
        return None, f"is not valid TOML ({exc})"


def _parse(data: dict[str, object], source: str, prefix: str) -> Config:
    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        known = ", ".join(sorted(TOP_KEYS))
        raise fail(f"unknown key {prefix}{unknown[0]} (known: {known})")
    platforms = data.get("platforms", [])
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        raise fail(f'{prefix}platforms must be a list of strings like "heroku@v42"')
    extra = data.get("extra-rules", {})
    if not isinstance(extra, dict):
        raise fail(f'{prefix}extra-rules must be a table of package = "reason"')
    extra_rules: dict[str, str] = {}
    for package, reason in extra.items():
        if not isinstance(reason, str) or not reason.strip():
            raise fail(f"{prefix}extra-rules.{package} needs a reason (a non-empty string)")
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", package):
            raise fail(f"{prefix}extra-rules.{package} is not a package name")
        extra_rules[canonical_key(package)] = reason.strip()
    raw_ignores = data.get("ignore", [])
    if not isinstance(raw_ignores, list):
        raise fail(f"{prefix}ignore must be an array of tables ([[ignore]])")
    ignores = []
    for index, item in enumerate(raw_ignores, start=1):
        where = f"{prefix}ignore #{index}"
        if not isinstance(item, dict):
            raise fail(f"{where} must be a table")
        bad = sorted(set(item) - IGNORE_KEYS)
        if bad:
            raise fail(f"{where}: unknown key {bad[0]} (known: {', '.join(sorted(IGNORE_KEYS))})")
        if not all(isinstance(v, str) for v in item.values()):
            raise fail(f"{where}: every value must be a string")
        if not item.get("rule"):
            raise fail(f"{where}: `rule` is required")
        if not str(item.get("reason", "")).strip():
            raise fail(f"{where}: `reason` is required (say why it is safe to ignore)")
        ignores.append(
            Ignore(
                rule=str(item["rule"]),
                reason=str(item["reason"]).strip(),
                path=str(item.get("path", "")),
                package=str(item.get("package", "")),
            )
        )
    return Config(source, tuple(platforms), extra_rules, tuple(ignores))


def inline_ignores(source: SourceFile, line: int) -> set[str]:
    """Rule ids named by `# heroku-req-check: ignore[...]` on physical line `line`."""
    lines = source.text.splitlines()
    if not 0 < line <= len(lines):
        return set()
    match = INLINE_RE.search(lines[line - 1])
    if not match:
        return set()
    return {part.strip() for part in match.group(1).split(",") if part.strip()}
