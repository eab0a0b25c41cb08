"""Run every selected era of every rule against the tree and turn misses into findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import detectors
from .catalog import Era, Platform, Rule, Selection, format_ranges
from .detectors import Reader, Verdict
from .fix import insertion_for, respelled_line
from .model import Declaration, Finding, Fix, RequirementsTree, Severity
from .reqfile import canonical_key


@dataclass
class _Miss:
    rule: Rule
    platform: Platform
    decl: Declaration
    kind: str  # "missed" (not in what the platform reads) or "case" (spelling)
    releases: set[int] = field(default_factory=set)
    eras: list[tuple[Era, Verdict]] = field(default_factory=list)
    spelling: str = ""


def _relevant(rule: Rule, era: Era, decl: Declaration) -> bool:
    if not decl.installs:
        return False
    if rule.vcs:
        return decl.vcs in rule.vcs
    if decl.key not in rule.packages:
        return False
    if era.detector == "pip-grep":
        # a package the step did not know about in this era is not a blind spot of reading
        return decl.key in {canonical_key(n) for n in era.names if "[" not in n}
    return True


def _expected_spelling(era: Era, decl: Declaration) -> str:
    for name in era.names:
        if "[" not in name and canonical_key(name) == decl.key:
            return name
    return decl.name


def check(
    tree: RequirementsTree, selections: Iterable[Selection], read: Reader
) -> list[Finding]:
    misses: dict[tuple[str, str, str, int], _Miss] = {}
    verdicts: dict[tuple[str, int], Verdict] = {}
    for selection in selections:
        platform = selection.platform
        for rule in platform.rules:
            for era in rule.eras:
                releases = {r for r in selection.releases if era.first <= r <= era.last}
                if not releases:
                    continue
                relevant = [d for d in tree.declarations if _relevant(rule, era, d)]
                if not relevant:
                    continue
                cache_key = (rule.id, era.first)
                if cache_key not in verdicts:
                    verdicts[cache_key] = detectors.verdict(era, tree, read)
                result = verdicts[cache_key]
                if result.detected:
                    continue
                for decl in relevant:
                    kind = "missed"
                    spelling = ""
                    if era.detector == "pip-grep" and not result.why:
                        kind, spelling = "case", _expected_spelling(era, decl)
                    elif decl.file == tree.root and era.detector in ("shell", "in-req"):
                        kind = "missed"
                    miss = misses.setdefault(
                        (rule.id, kind, decl.file, decl.line),
                        _Miss(rule, platform, decl, kind, spelling=spelling),
                    )
                    miss.releases |= releases
                    miss.eras.append((era, result))
    findings = [_finding(m, tree, list(misses.values()), read) for m in misses.values()]
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    return findings


def _finding(miss: _Miss, tree: RequirementsTree, all_misses: list[_Miss], read: Reader) -> Finding:
    decl, rule = miss.decl, miss.rule
    labels = format_ranges(miss.platform, miss.releases)
    where = f"{decl.file} line {decl.line}"
    reasons = _reasons(miss)
    fix: Fix | None
    if miss.kind == "case":
        rule_id = f"{rule.id}:case"
        fix = respelled_line(tree, decl, miss.spelling)
        title = f"{decl.name}: spelled differently from what the buildpack compares"
        action = (
            f"Spell it `{miss.spelling}` on {where}."
            if fix
            else f"Spell it `{miss.spelling}`."
        )
        message = (
            f"'{decl.name}' ({where}) is missed by {', '.join(labels)}: {reasons}. "
            f"Then {rule.when_missed}. {action}"
        )
    else:
        rule_id = rule.id
        others = [
            m for m in all_misses if m.rule.id == rule.id and m.decl.key == decl.key
        ]
        fix, still_missed = insertion_for(tree, decl, others, read)
        title = f"{decl.name}: {miss.platform.name} will not notice it ({rule.id})"
        if decl.file == tree.root:
            lead = f"'{decl.name}' is declared in {where}, but {', '.join(labels)} miss it"
        else:
            lead = (
                f"'{decl.name}' is declared in {where}, not in {tree.root}; "
                f"{', '.join(labels)} miss it"
            )
        action = f"Add `{fix.text}` to {tree.root}." if fix else "No line added to the root file helps."
        if fix and still_missed:
            action += f" Even then {', '.join(still_missed)} miss it."
        message = f"{lead}: {reasons}. Then {rule.when_missed}. {action}"
    return Finding(
        rule=rule_id,
        package=decl.key,
        severity=_severity(rule, miss),
        file=decl.file,
        line=decl.line,
        platforms=tuple(labels),
        title=title,
        message=message,
        fix=fix,
    )


def _severity(rule: Rule, miss: _Miss) -> Severity:
    if all(era.stack for era, _ in miss.eras):
        return "warning"  # only bites on a retired stack
    return "error" if rule.severity == "error" else "warning"


def _reasons(miss: _Miss) -> str:
    parts: list[str] = []
    for era, result in miss.eras:
        versions = f"v{era.first}-v{era.last}" if era.first != era.last else f"v{era.first}"
        if result.why:
            text = f"{versions}: {result.why} (`{era.command}`)"
        elif era.detector == "shell":
            text = f"{versions} only grep the root file (`{era.command}`)"
        elif era.detector == "in-req":
            text = f"{versions} follow only lines containing '-r ' (`{era.command}`)"
        else:
            text = (
                f"{versions} compare names case-sensitively (`{era.command}`), "
                f"expecting '{miss.spelling}'"
            )
        if era.stack:
            text += f" [only on the {era.stack} stack]"
        if text not in parts:
            parts.append(text)
    return "; ".join(parts)
