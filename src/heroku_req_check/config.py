"""Project configuration: `.heroku-req-check.toml`, or `[tool.heroku-req-check]` in
`pyproject.toml`, in the checked directory. Unknown keys are errors (a typo must not silently
turn a check off).

    platforms = ["heroku@v42"]                 # default for --platform / the platform input

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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .model import Finding, SourceFile
from .reqfile import canonical_key

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


def load(directory: Path) -> Config:
    dedicated = directory / FILE_NAME
    if dedicated.is_file():
        return _parse(_read(dedicated), FILE_NAME, "")
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        data = _read(pyproject)
        tool = data.get("tool", {})
        section = tool.get("heroku-req-check") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError("pyproject.toml: [tool.heroku-req-check] must be a table")
            return _parse(section, "pyproject.toml", "tool.heroku-req-check.")
    return Config()


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: {exc}") from None


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
