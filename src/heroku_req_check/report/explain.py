"""A rule's full story (what the step does, each release's detection line and its source), for
`--explain RULE`, `--verbose` and the job summary: said once per rule, not per finding."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from .. import catalog
from ..catalog import Era, PlanSpec, Platform, ProviderSpec, Rule
from ..model import Finding


def find_rule(rule_id: str, extra: Iterable[Platform] = ()) -> tuple[Platform, Rule] | None:
    """The catalog rule behind `rule_id` (its `:case`/`:broken`/`:overmatch` variants too), or
    one of `extra` (a configuration's in-house rules)."""
    base = rule_id.strip().partition(":")[0]
    for platform in (*catalog.load(), *extra):
        for rule in platform.rules:
            if rule.id == base:
                return platform, rule
    return None


def releases_of(platform: Platform, labels: Iterable[str]) -> set[int]:
    """The releases that labels like `heroku@v3-v11` or `heroku@v42` name (a label of an
    unversioned platform names its one release)."""
    releases: set[int] = set()
    for label in labels:
        name, _, version = label.partition("@")
        if name != platform.name:
            continue
        if not version or not platform.versioned:
            releases.update(platform.releases)
            continue
        with contextlib.suppress(ValueError):  # a label this catalog never printed
            releases.update(catalog.release_numbers(platform, version))
    return releases


def explain(rule_id: str, labels: Iterable[str] = (), extra: Iterable[Platform] = ()) -> str | None:
    """The rule's story; with `labels` (a finding's platforms), only the releases they cover;
    `extra`: platforms beyond the catalog (in-house rules). None when there is no such rule or
    variant."""
    found = find_rule(rule_id, extra)
    variant = rule_id.strip().partition(":")[2]
    if found is None or variant not in ("", "case", "broken", "overmatch"):
        return None
    platform, rule = found
    wanted = releases_of(platform, labels)
    lines = [f"{rule.id} ({platform.title}, severity {rule.severity})", ""]
    if rule.summary:
        lines.append(f"{rule.summary}.")
    lines += [
        f"When the buildpack detects it: it {rule.on_detect}.",
        f"When it misses it: {rule.when_missed}.",
    ]
    if rule.needs:
        needs = [f"{key}[{extra}]" if extra else key for key, extra in rule.needs]
        lines.append(f"Needed by (PEP 503 names): {', '.join(needs)}")
    if rule.exempt:
        exempt = ", ".join(f"{key}[{extra}]" for key, extra in rule.exempt)
        lines.append(f"Never needed by: {exempt}")
    if rule.fix_with:
        lines.append(f"For a need the step cannot see by name, the fix adds: {rule.fix_with}")
    if rule.vcs:
        lines.append(f"Requirements using: {', '.join(s + '+' for s in rule.vcs)}")
    if (rule.packages or rule.vcs) and not wanted:
        lines += [
            "",
            "Variants: the rule id alone = declared where the release does not read; "
            "':case' = a release compares names case-sensitively and the spelling "
            "differs (the fix respells the line); ':broken' = a release never detects "
            "it (no fix); ':overmatch' = the detector fires on text that installs "
            "nothing, with a real consequence.",
        ]
    heading = "Releases and what they run:"
    if wanted:
        heading = "The selected releases and what they run:"
    lines += ["", heading]
    for era in rule.eras:
        if wanted and not any(era.first <= r <= era.last for r in wanted):
            continue
        stack = f" (only on the {era.stack} stack)" if era.stack else ""
        span = platform.span(era.first, era.last) if platform.versioned else "current release"
        lines.append(f"  {span} [{era.detector}]{stack}: {era.command}")
        if era.note:
            lines.append(f"      note: {era.note}")
        pips = sorted({platform.pip_for(r) for r in range(era.first, era.last + 1)} - {""})
        for label, value in (
            ("only when one of these exists", ", ".join(era.requires)),
            ("only when it also uses", ", ".join(era.with_packages)),
            ("only when a .py file matches", era.requires_code),
            ("also detected when a .py file matches", era.detected_by_code),
            ("turned off by any text containing", ", ".join(era.unless)),
            ("a generated start command: moot with a Procfile", era.step == "start"),
            ("when missed here", era.when_missed),
            ("the fix deploys only when a .py file matches", era.fix_requires_code),
            ("over-match", era.overmatch),
            ("installs with pip", ", ".join(pips)),
            ("missing it costs nothing when", _decided_first(era)),
        ):
            if value is True:
                lines.append(f"      {label}")
            elif value:
                lines.append(f"      {label}: {value}")
        for choice in era.choices:
            gives = f" -> {choice.gives}" if choice.gives else ""
            patterns = " or ".join(choice.patterns)
            lines.append(
                f"      {choice.spelling}: {patterns}{gives}"
                if patterns
                else f"      fix line: {choice.spelling}"
            )
        if era.fallback:
            lines.append(f"      otherwise: {era.fallback}")
        lines.append(
            f"      source: {era.source.repo} {era.source.tag} "
            f"({era.source.commit[:12]}) {era.source.path}"
        )
    if platform.plan is not None and not wanted:
        lines += ["", *_plan_lines(platform.plan)]
    return "\n".join(lines) + "\n"


def stories(findings: Iterable[Finding]) -> list[tuple[str, str]]:
    """(rule id, its story for the releases the findings cover), once per rule, in the order
    the findings first name them: the explanation reports print after the findings."""
    labels: dict[str, list[str]] = {}
    for finding in findings:
        labels.setdefault(finding.rule.partition(":")[0], []).extend(finding.platforms)
    told = ((rule_id, explain(rule_id, platforms)) for rule_id, platforms in labels.items())
    return [(rule_id, story) for rule_id, story in told if story]


def _plan_lines(plan: PlanSpec) -> list[str]:
    """What decides whether the platform's steps run at all (plans.py), for --explain."""
    lines = ["Build plan (the rule applies only when it runs):"]
    if plan.providers:
        order = ", ".join(p.title for p in plan.providers)
        lines += [
            f"  providers, first detected wins: {order}",
            f"      source: {plan.providers_source}",
        ]
    if plan.procfile:
        lines += [
            f"  a Procfile's {', '.join(plan.procfile)} process is the start command",
            f"      source: {plan.procfile_source}",
        ]
    for config in plan.start_configs:
        lines += [
            f"  {config.file} {config.key} is the start command",
            f"      source: {config.source}",
        ]
    if plan.installers:
        order = ", ".join(f"{i.title} ({_conditions(i) or 'otherwise'})" for i in plan.installers)
        lines.append(f"  package manager, first detected wins: {order}")
        if plan.installer_config is not None:
            named = f"{plan.installer_config.file} {plan.installer_config.key}"
            lines.append(f"      named outright by {named} ({plan.installer_config.source})")
        lines += [
            f"      only {', '.join(plan.requirements_installers)} installs the requirements tree",
            f"      source: {plan.installers_source}",
        ]
    return lines


def _conditions(provider: ProviderSpec) -> str:
    """A provider's or installer's detect conditions in words."""
    found = [" and ".join(condition) for condition in provider.detect]
    found += [f"{name} text matching {pattern}" for name, pattern in provider.contains]
    return ", ".join(found)


def _decided_first(era: Era) -> str:
    """An era's decided_first cases in words."""
    cases = []
    for case in era.decided_first:
        parts = []
        if case.seen:
            parts.append(f"the platform sees {' or '.join(case.seen)}")
        if case.files:
            parts.append(f"{' or '.join(case.files)} exists")
        cases.append(" and ".join(parts))
    return "; or ".join(cases)
