"""Findings an earlier failure of the same build makes moot.

A rule whose catalog entry has `stops` describes a failure that ends the build at its step
(Cloud Foundry v1.6.0-v1.6.23's include-not-copied: pip cannot open the include while parsing
the tree, supply.go RunPip, so no package is built and finalize never runs). On the releases
where such an error holds, what a later step would do never happens: those findings of the same
platform are dropped, and the stopping finding says so. Stopping rules come in step order in the
catalog: an earlier one shadows a later one; every other rule of the platform comes after them
all (each models a step after the one that failed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from . import catalog
from .model import Finding


def _releases(label: str) -> tuple[str, frozenset[int]] | None:
    """(platform name, releases) of a finding's platform label (`cloudfoundry@v1.6.0-v1.6.23`,
    `heroku@v81`, `digitalocean (heroku@v322)`); None for a label the catalog cannot read."""
    try:
        [selection] = catalog.select([label.split(" (", 1)[0]])
    except (catalog.SelectionError, ValueError):
        return None
    return selection.platform.name, selection.releases


def _stopping(rule_id: str) -> tuple[int, str] | None:
    """(position among the platform's stopping rules, the `stops` text) or None."""
    platform = catalog.find(rule_id.split("/", 1)[0])
    if platform is None:
        return None
    stopping = [r for r in platform.rules if r.stops]
    for position, rule in enumerate(stopping):
        if rule.id == rule_id:
            return position, rule.stops
    return None


def unshadowed(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` without those a stopping error of the same tree and platform makes moot on
    every release they name (a finding with releases the error leaves running is kept whole);
    each stopping finding that shadowed something names the rules dropped."""
    findings = list(findings)
    # (index of the stopping finding, its position among the stopping rules, platform, releases)
    stops: list[tuple[int, int, str, frozenset[int]]] = []
    texts: dict[int, str] = {}
    for index, finding in enumerate(findings):
        stopping = _stopping(finding.rule)
        if stopping is None or finding.severity != "error":
            continue
        texts[index] = stopping[1]
        for label in finding.platforms:
            parsed = _releases(label)
            if parsed is not None:
                stops.append((index, stopping[0], parsed[0], parsed[1]))
    if not stops:
        return findings
    dropped: dict[int, set[str]] = {}
    kept: list[int] = []
    for index, finding in enumerate(findings):
        own = _stopping(finding.rule)
        by = _shadowed_by(finding, own[0] if own is not None else None, stops)
        for stop in by:
            dropped.setdefault(stop, set()).add(finding.rule)
        if not by:
            kept.append(index)
    out: list[Finding] = []
    for index in kept:
        finding = findings[index]
        if index in dropped:
            rules = ", ".join(sorted(dropped[index]))
            text = texts[index]
            note = f" {text[:1].upper()}{text[1:]}: {rules} not reported for these releases."
            finding = dataclasses.replace(finding, message=finding.message + note)
        out.append(finding)
    return out


def _shadowed_by(
    finding: Finding, position: int | None, stops: list[tuple[int, int, str, frozenset[int]]]
) -> set[int]:
    """The stopping findings that together cover every release `finding` names (empty when a
    release is left running, or a label cannot be read). A stopping rule is shadowed only by
    one before it in the catalog (`position`: its own place among them, None for the rest)."""
    by: set[int] = set()
    if not finding.platforms:
        return by
    for label in finding.platforms:
        parsed = _releases(label)
        if parsed is None:
            return set()
        name, releases = parsed
        left = set(releases)
        for index, order, platform, stopped in stops:
            if platform != name or (position is not None and order >= position):
                continue
            if left & stopped:
                by.add(index)
            left -= stopped
        if left:
            return set()
    return by
