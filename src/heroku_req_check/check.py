"""Run every selected era of every rule against the tree and turn misses into findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from . import detectors, pyversion, shadow
from .catalog import Era, Platform, Rule, Selection, format_ranges
from .detectors import Reader, Verdict
from .fix import comment_for, deployable, insertion_for, respelled_line
from .model import (
    BuildPlan,
    Declaration,
    Finding,
    Fix,
    RequirementsTree,
    Severity,
)
from .plans import plan_for, selected_eras
from .platforms import builders
from .reqfile import canonical_key, decode
from .tree import METADATA_ROOTS

if TYPE_CHECKING:
    from . import markers
    from .markers import BuildPython


# platform name -> (platform, pip version -> the releases installing with it)
Installers = dict[str, tuple[Platform, dict[str, set[int]]]]


@dataclass
class _Miss:
    rule: Rule
    platform: Platform
    decl: Declaration
    kind: str  # "missed" (not in what the platform reads) or "case" (spelling)
    releases: set[int] = field(default_factory=set)
    eras: list[tuple[Era, Verdict]] = field(default_factory=list)
    spelling: str = ""
    # environment markers on the build image: releases where the marker is false (nothing is
    # installed there, so nothing is missed), and why it could not be decided elsewhere
    skipped: dict[str, set[int]] = field(default_factory=dict)
    undecided: dict[str, set[int]] = field(default_factory=dict)


def _relevant(rule: Rule, era: Era, decl: Declaration) -> bool:
    if not decl.installs:
        return False
    if rule.vcs:
        return decl.vcs in rule.vcs
    if not rule.needed_by(decl.key, decl.extras):
        return False
    if era.detector == "pip-grep" or (era.detector == "never" and era.names):
        # a package the step did not know about in this era is not a blind spot of reading;
        # a `name[extra]` entry it lists but can never match (bare names) is one
        return decl.key in _era_keys(era) or bracket_entry(era, decl) != ""
    return True


@cache
def _era_keys(era: Era) -> frozenset[str]:
    """PEP 503 keys of an era's plain names (computed once per era, not per declaration)."""
    return frozenset(canonical_key(n) for n in era.names if "[" not in n)


def bracket_entry(era: Era, decl: Declaration) -> str:
    """The era's `name[extra]` entry naming this declaration (key and one of its extras),
    or "": pip-grep compares bare names, so such an entry never matches."""
    for name in era.names:
        base, _, extra = name.partition("[")
        wanted = extra.rstrip("]").lower()
        if extra and canonical_key(base) == decl.key and wanted in {e.lower() for e in decl.extras}:
            return name
    return ""


def _moot(era: Era, plan: BuildPlan | None, tree: RequirementsTree) -> bool:
    """Whether every one of the era's `moot_if` conditions holds for this app."""
    for condition in era.moot_if:
        if condition == "start":
            if plan is None or plan.start == "generated":
                return False
        elif condition.startswith("code:"):
            if not detectors.code_matches(tree, condition[5:]):
                return False
        else:
            return False
    return True


def plans_for(
    tree: RequirementsTree, selections: Iterable[Selection], read: Reader, asked: str = ""
) -> dict[str, BuildPlan]:
    """Each selected platform's build plan for this app (plans.py), by platform name. An alias
    (`digitalocean`) says which release of which platform it runs, and where that is stated.
    `asked`: the requirements file asked for (--requirements; the tree's root by default),
    which a platform told what to read looks for even when the tree is the app's metadata."""
    plans = {}
    for s in selections:
        plan = plan_for(
            s.platform, tree.repo_dir, read, tree.scan_id, s.releases, asked or tree.root
        )
        if s.platform.alias_of:
            runs = ", ".join(
                f"{s.platform.alias_of}@{s.platform.span(min(r), max(r))}"
                for r in _runs(s.platform, s.releases)
            )
            fact = f"{s.platform.title} runs {runs} ({s.platform.alias_note})"
            plan = dataclasses.replace(plan, evidence=(fact, *plan.evidence))
        plans[s.platform.name] = plan
    return plans


def _runs(platform: Platform, releases: frozenset[int]) -> list[list[int]]:
    """Selected releases grouped into runs adjacent in the platform's release list."""
    runs: list[list[int]] = [[]]
    for number in platform.releases:
        if number in releases:
            runs[-1].append(number)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _overmatches(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    read: Reader,
    plans: dict[str, BuildPlan],
) -> list[Finding]:
    """A substring detector that fires on a comment or a longer name, where firing has a real
    consequence (era.overmatch says which): reported on the line that makes it fire."""
    findings = []
    everywhere = frozenset(d.key for d in tree.declarations if d.installs and not d.marker)
    marked = [d for d in tree.declarations if d.installs and d.marker]
    outcomes: dict[tuple[str, str, bool], dict[int, markers.Outcome]] = {}
    tried: set[str] = set()
    for selection, rule, era in selected_eras(selections, plans):
        if not era.overmatch:
            continue
        # a declaration whose marker is false on the build image installs nothing there (only
        # those that could answer this era are evaluated)
        concerned = [d for d in marked if d.key in rule.packages or era.pattern in d.key]
        installed = everywhere
        if concerned:
            releases = {r for r in selection.releases if era.first <= r <= era.last}
            plan = _with_python(selection.platform, plans, read, tried)
            installed = everywhere | {
                d.key for d in concerned if _installs_on(d, releases, plan, outcomes)[0]
            }
        if set(rule.packages) & installed:
            continue
        if any(era.pattern in key for key in installed):
            continue  # a longer name that brings the package along (djangorestframework)
        hit = detectors.substring_hit(era, tree, read, era.pattern)
        if hit is None or not detectors.conditions_met(era, tree, read, installed=None):
            continue
        name, line = hit
        package = rule.packages[0] if rule.packages else era.pattern
        labels = format_ranges(selection.platform, selection.releases)
        findings.append(
            Finding(
                rule=f"{rule.id}:overmatch",
                package=package,
                severity="warning",
                file=name,
                line=line,
                platforms=tuple(labels),
                title=f"'{era.pattern}' in {name} line {line} misleads {labels[0]}",
                summary=(
                    f"'{era.pattern}' here makes {', '.join(labels)} act as if {package} were "
                    f"installed: {effect(era.overmatch)}"
                ),
                advice="reword that line, or set the start command yourself",
                message=(
                    f"{name} line {line} contains '{era.pattern}' ({era.command} "
                    f"matches any text, comments included) but nothing installs "
                    f"{package}: {era.overmatch}. Reword that line, or set the start "
                    "command yourself."
                ),
            )
        )
    return findings


def _other_providers(
    tree: RequirementsTree, selections: Iterable[Selection], plans: dict[str, BuildPlan]
) -> list[Finding]:
    """A Python app (the Python provider would detect it) that another language's provider
    builds, because that provider comes first: reported at the file that made it win."""
    findings = []
    for selection in selections:
        plan = plans.get(selection.platform.name)
        if plan is None or plan.builds_python or not plan.provider_file:
            continue
        if not plan.python_detected:
            continue  # nothing marks it a Python app: not this tool's business
        for rule in selection.platform.rules:
            for era in rule.eras:
                if era.detector != "provider":
                    continue
                labels = format_ranges(selection.platform, selection.releases)
                provider = next(
                    (
                        p.title
                        for p in (
                            selection.platform.plan.providers if selection.platform.plan else ()
                        )
                        if p.name == plan.provider
                    ),
                    plan.provider,
                )
                findings.append(
                    Finding(
                        rule=rule.id,
                        package=plan.provider_file,
                        severity=_severity(rule, None),
                        file=plan.provider_file,
                        line=1,
                        platforms=tuple(labels),
                        title=f"{plan.provider_file}: {labels[0]} builds a {provider} app",
                        summary=(
                            f"{plan.provider_file} makes {labels[0]} build a {provider} app: "
                            "its Python dependencies are never installed"
                        ),
                        message=(
                            f"{plan.provider_file} makes {labels[0]} build the app with its "
                            f"{provider} provider (`{era.command}`; the Python provider comes "
                            f"later), so {rule.when_missed}. No line of {tree.root} changes "
                            f"that: {era.fix_requires}."
                        ),
                    )
                )
    return findings


def root_local_paths(tree: RequirementsTree) -> list[tuple[int, str, str]]:
    """(line, target as written, kind) of every root-file line that needs a local file or
    directory at install time: an include ("include"), a local project or archive other than
    the app root itself ("project"), a `--find-links` directory ("find-links")."""
    from .tree import URL_RE

    found: list[tuple[int, str, str]] = []
    for include in tree.includes:
        if include.file == tree.root and not URL_RE.match(include.target):
            found.append((include.line, include.target, "include"))
    for project in tree.projects:
        if project.file == tree.root and project.kind != "url" and project.resolved != ".":
            found.append((project.line, project.target, "project"))
    for option in tree.options:
        value = option.value.removeprefix("file:").rstrip("/")
        if (
            option.file == tree.root
            and option.name == "find-links"
            and value not in ("", ".")
            and not URL_RE.match(option.value)
        ):
            found.append((option.line, option.value, "find-links"))
    return sorted(found)


def _root_includes(
    tree: RequirementsTree, selections: Iterable[Selection], plans: dict[str, BuildPlan]
) -> list[Finding]:
    """A platform that installs from a copy of the root file alone: each local path the root
    names is missing there, unless the root holds era.pattern (which copies everything).
    `-e .` is left alone: the app root is there, with only its dependency files in it."""
    from .fix import Unfixable, insert_line

    root = tree.root_file
    if root is None:
        return []
    no_index = any(o.name == "no-index" and o.file == tree.root for o in tree.options)
    findings = []
    for selection, rule, era in selected_eras(selections, plans):
        if era.detector != "root-includes":
            continue
        if era.pattern and era.pattern.encode() in root.data:
            continue  # Railpack's escape: `file://` anywhere copies the whole app
        fix: Fix | None = None
        if era.pattern:
            text = (
                f"# {era.pattern} (heroku-req-check: this text makes "
                f"{selection.platform.name} copy the whole app before pip install)"
            )
            try:
                fix = Fix(root.path, insert_line(root.data, text)[1], text)
            except Unfixable:
                fix = None
        labels = format_ranges(
            selection.platform, {r for r in selection.releases if era.first <= r <= era.last}
        )
        step = (
            f"{labels[0]} runs `pip install -r {tree.root}` in an install step that holds "
            f"only the app-root {tree.root}, pyproject.toml, Pipfile and lock files "
            f"(`{era.command}` is false)"
        )
        cure = (
            f"add a line containing '{era.pattern}' (the suggested comment) so the whole app "
            "is copied first"
        )
        for line, target, kind in root_local_paths(tree):
            severity = _severity(rule, None)
            if not era.pattern:
                # Cloud Foundry v1.6.0-v1.6.23: pip runs on a copy of the root file in another
                # directory; includes resolve there, local paths against the working directory
                # (the app), so only includes fail
                if kind != "include":
                    continue
                what = f"includes {target}"
                step = f"{', '.join(labels)} run `{era.command}`"
                outcome = rule.when_missed
                short = f"pip cannot open {target} there and the build fails"
                advice = f"Move its lines into {tree.root}, or deploy with a later release."
            elif kind == "include":
                what = f"includes {target}"
                outcome = f"pip cannot open {target} and the build fails"
                short = f"{target} is missing and the build fails"
                advice = f"Move its lines into {tree.root}, or {cure}."
            elif kind == "project":
                what = f"installs the local path {target}"
                outcome = f"pip finds no {target} there and the build fails"
                short = f"the local path {target} is missing and the build fails"
                advice = f"Install it from an index, or {cure}."
            else:
                what = f"names the --find-links directory {target}"
                short = f"the --find-links directory {target} is missing"
                if no_index:
                    outcome = (
                        f"with --no-index pip has nowhere else to look, so the packages "
                        f"only {target} holds are not found and the build fails"
                    )
                else:
                    severity = "warning"
                    outcome = (
                        f"pip ignores the missing directory and takes every package from the "
                        f"index, so the wheels in {target} are never used"
                    )
                advice = f"{cure[0].upper()}{cure[1:]}."
            findings.append(
                Finding(
                    rule=rule.id,
                    package=target,
                    severity=severity,
                    file=tree.root,
                    line=line,
                    platforms=tuple(labels),
                    title=f"{target}: not in {labels[0]}'s install step",
                    summary=(
                        f"{', '.join(labels)} {_verb(labels, 'installs', 'install')} from a copy "
                        f"of {tree.root} alone: {short}"
                    ),
                    message=(f"{tree.root} line {line} {what}, but {step}: {outcome}. {advice}"),
                    fix=fix,
                )
            )
    return findings


def _root_digest(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    plans: dict[str, BuildPlan],
    read: Reader,
    hashes: dict[str, str],
) -> list[Finding]:
    """Platforms whose cache is keyed on the root file's bytes: while those bytes stay the same,
    an edit to a file the root pulls in is not seen (Google skips the install, Heroku keeps
    removed packages). Reported at each root line that pulls in a local file, unless the root
    holds an up-to-date tree digest (digest.py); at the digest line when it is out of date."""
    from . import digest
    from .fix import Unfixable, insert_line, replace_line
    from .tree import URL_RE

    root = tree.root_file
    eras = [
        (s, r, e) for s, r, e in selected_eras(selections, plans) if e.detector == "root-digest"
    ]
    if root is None or not eras or tree.generated:
        # a root the build writes itself (`-e .`) is not the app's file: how the cache treats
        # it depends on when the build writes it, which is not modelled
        return []
    pulls = [
        (include.line, include.target)
        for include in tree.includes
        if include.file == tree.root and not URL_RE.match(include.target)
    ]
    pulls += [
        (project.line, project.target)
        for project in tree.projects
        if project.file == tree.root and project.kind != "url"
    ]
    if not pulls or any(p.pip_fails for p in tree.problems):
        # pip stops on the tree (a missing include, a line it rejects): no install is cached,
        # and a digest of files that do not exist would pin nothing
        return []
    paths = digest.inputs(tree, read)
    wanted = digest.line_for(digest.compute(paths, read, hashes))
    found = digest.find(root.text)
    if found is not None and digest.line_for(found[1]) == wanted:
        return []
    fix: Fix | None
    try:
        if found is None:
            fix = Fix(root.path, insert_line(root.data, wanted)[1], wanted)
        else:
            replace_line(root.data, found[0], wanted)
            fix = Fix(root.path, found[0], wanted, "replace")
    except Unfixable:
        fix = None
    findings = []
    by_rule: dict[str, tuple[Rule, list[Era], set[int], Selection]] = {}
    for selection, rule, era in eras:
        releases = {r for r in selection.releases if era.first <= r <= era.last}
        entry = by_rule.setdefault(
            f"{selection.platform.name}|{rule.id}", (rule, [], set(), selection)
        )
        entry[1].append(era)
        entry[2].update(releases)
    for rule, rule_eras, releases, selection in by_rule.values():
        ranges = tuple(format_ranges(selection.platform, releases))
        labels = ", ".join(ranges)
        commands = "; ".join(dict.fromkeys(f"`{e.command}`" for e in rule_eras))
        remedy = (
            f"Add the tree digest line (the suggested fix; `--fix` keeps it current): it "
            f"changes {tree.root} whenever a file it pulls in changes."
        )
        if fix is None:
            remedy = (
                f"{tree.root} cannot be edited safely here, so no digest line is offered: "
                "change a byte of it (a comment) whenever an included file changes."
            )
        note = " ".join(dict.fromkeys(e.note for e in rule_eras if e.note))
        if found is not None:
            findings.append(
                Finding(
                    rule=rule.id,
                    package=tree.root,
                    severity=_severity(rule, None),
                    file=tree.root,
                    line=found[0],
                    platforms=ranges,
                    title=(
                        f"tree digest out of date: {labels} "
                        f"{'reuses its' if len(ranges) == 1 else 'reuse their'} cache"
                    ),
                    message=(
                        f"The tree digest on {tree.root} line {found[0]} no longer matches the "
                        f"{len(paths)} file(s) {tree.root} pulls in, so {tree.root}'s bytes did "
                        f"not change with them and {labels} "
                        f"{'keys' if ', ' not in labels else 'key'} the cache on those bytes "
                        f"({commands}): {rule.when_missed}. {note} "
                        f"Update the line (the suggested fix, or `--fix`)."
                    ).replace("  ", " "),
                    fix=fix,
                )
            )
            continue
        for line, target in sorted(set(pulls)):
            findings.append(
                Finding(
                    rule=rule.id,
                    package=target,
                    severity=_severity(rule, None),
                    file=tree.root,
                    line=line,
                    platforms=ranges,
                    title=f"{target}: edits there leave {labels}'s cache in place",
                    message=(
                        f"{tree.root} line {line} pulls in {target}, but {labels} "
                        f"{'keys' if ', ' not in labels else 'key'} the cache on the bytes of "
                        f"{tree.root} alone ({commands}): {rule.when_missed}. {note} {remedy}"
                    ).replace("  ", " "),
                    fix=fix,
                )
            )
    return findings


def _choices(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    plans: dict[str, BuildPlan],
    read: Reader,
) -> list[Finding]:
    """A decision among packages (Google's smart default start command): the first choice the
    platform sees in the root file's text against the first one pip installs. When they differ,
    the package pip installs but the platform misses is reported where it is declared; the fix
    is its bare name at column 0 of the root file."""
    root = tree.root_file
    if root is None:
        return []
    findings = []
    for selection, rule, era in selected_eras(selections, plans):
        if era.detector != "go-regex-choice":
            continue
        platform = selection.platform
        version_file, default, python_source = platform.python
        if era.python_at_least and not detectors.python_runs(
            read(version_file) if version_file else None, default, era.python_at_least
        ):
            continue
        module = "main" if read("main.py") is not None else "app"
        seen = next(
            (i for i, c in enumerate(era.choices) if detectors.choice_seen(c, root.data)), None
        )
        wanted = next(
            (
                (i, decl)
                for i, c in enumerate(era.choices)
                if (decl := detectors.choice_installed(c, tree)) is not None
            ),
            None,
        )
        if wanted is None or (seen is not None and seen <= wanted[0]):
            continue
        index, decl = wanted
        choice = era.choices[index]
        has_main = read("main.py") is not None or read("app.py") is not None
        if has_main and (era.choices[seen].gives if seen is not None else era.fallback) == (
            choice.gives
        ):
            continue  # the platform lands on the same command (gunicorn is also the fallback)
        if seen is not None:
            gives = era.choices[seen].gives
            outcome = f"starts the app with `{_module(gives, module)}`"
        elif has_main:
            outcome = f"falls back to `{_module(era.fallback, module)}`"
        else:
            outcome = (
                "finds no main.py or app.py and stops the build ('for Python, provide a "
                "main.py or app.py file or set an entrypoint')"
            )
        if not has_main and index != len(era.choices) - 1:
            continue  # without main.py/app.py only google-adk makes a start command
        label = ", ".join(format_ranges(platform, selection.releases))
        fix: Fix | None = None
        from .fix import Unfixable, insert_line

        try:
            new, number = insert_line(root.data, choice.spelling)
            if new != root.data:
                fix = Fix(root.path, number, choice.spelling)
        except Unfixable:
            fix = None
        where = f"{decl.file} line {decl.line}"
        hidden = "" if decl.file == tree.root else f", not at column 0 of {tree.root}"
        findings.append(
            Finding(
                rule=rule.id,
                package=decl.key,
                severity=_severity(rule, None),
                file=decl.file,
                line=decl.line,
                platforms=(label,),
                title=f"{choice.spelling}: not seen by {label}'s start-command choice",
                message=(
                    f"'{choice.spelling}' is installed ({where}{hidden}), so {label} would "
                    f"start the app with `{_module(choice.gives, module)}`, but `{era.command}` "
                    "reads only the root requirements.txt text, with case-sensitive regexps "
                    f"at the start of a line ({', '.join(f'`{p}`' for p in choice.patterns)}): "
                    f"it {outcome}. This applies {era.note} ({python_source}). "
                    + (
                        f"Add `{choice.spelling}` on a line of its own to {tree.root} (pip "
                        "combines it with the pin where it is declared), or set the start "
                        "command with a Procfile."
                        if fix
                        else "Set the start command with a Procfile."
                    )
                ),
                fix=fix,
            )
        )
    return findings


def _no_requirements(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    plans: dict[str, BuildPlan],
    read: Reader,
) -> list[Finding]:
    """Oryx greps a requirements file for Django even when the app has none (uv, Poetry): the
    grep fails, so a Django app installed that way never gets collectstatic. Reported at the
    first line of pyproject.toml (or setup.py, Pipfile) that names Django."""
    if tree.root_file is not None:
        return []
    findings = []
    for selection, rule, era in selected_eras(selections, plans):
        if era.detector != "oryx-no-requirements":
            continue
        if era.requires and not any(read(name) is not None for name in era.requires):
            continue
        hit = next(
            (
                (name, number)
                for name in ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
                for number, line in enumerate(
                    (read(name) or b"").decode("utf-8", "replace").splitlines(), start=1
                )
                if "django" in line.lower() and not line.lstrip().startswith("#")
            ),
            None,
        )
        if hit is None:
            continue
        label = ", ".join(format_ranges(selection.platform, selection.releases))
        findings.append(
            Finding(
                rule=rule.id,
                package="django",
                severity=_severity(rule, None),
                file=hit[0],
                line=hit[1],
                platforms=(label,),
                title=f"Django app without {tree.root}: {label} never runs collectstatic",
                message=(
                    f"{hit[0]} line {hit[1]} names Django and manage.py exists, but there is "
                    f"no {tree.root}, and {label} runs `{era.command}` on it: {rule.when_missed}. "
                    f"Set the app setting POST_BUILD_COMMAND to `python manage.py collectstatic "
                    f"--noinput` ({era.note})."
                ),
            )
        )
    return findings


def _module(command: str, module: str) -> str:
    """The platform's command for an app whose module is `module` (main.py, else app.py)."""
    return command.replace("main:app", f"{module}:app").replace("main.py", f"{module}.py")


def _case_trap(era: Era, result: Verdict, decl: Declaration) -> bool:
    """The detector read the declaration but compares names case-sensitively."""
    if result.why or decl.via:
        return False  # a local project's metadata is never read by these detectors
    if era.detector == "pip-grep":
        # a need the step lists only as `name[extra]` is missed whatever the spelling
        return decl.key in _era_keys(era)
    return (
        era.detector == "cf-find-any"
        and decl.file in result.reads
        and _expected_spelling(era, decl) != decl.name
    )


def _expected_spelling(era: Era, decl: Declaration) -> str:
    for name in era.names:
        if "[" not in name and canonical_key(name) == decl.key:
            return name
    return decl.name


def check(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    read: Reader,
    plans: dict[str, BuildPlan] | None = None,
) -> list[Finding]:
    """Findings for every selected era whose step the build plan runs (`plans`: by platform
    name, from plans_for; computed here when not given)."""
    selections = list(selections)
    if plans is None:
        plans = plans_for(tree, selections, read)
    misses: dict[tuple[str, str, str, str, int], _Miss] = {}
    verdicts: dict[tuple[str, int], Verdict] = {}
    marked: dict[tuple[str, str, bool], dict[int, markers.Outcome]] = {}  # see _installs_on
    tried: set[str] = set()  # platforms whose Python was worked out (_with_python)
    # (rule, file, line) -> {build environment: releases where the marker is false}
    skips: dict[tuple[str, str, int], dict[str, set[int]]] = {}
    # declarations by key, in tree order: rules x eras x declarations would be quadratic
    by_key: dict[str, list[tuple[int, Declaration]]] = {}
    for position, decl in enumerate(tree.declarations):
        by_key.setdefault(decl.key, []).append((position, decl))
    for selection in selections:
        platform = selection.platform
        plan = plans.get(platform.name)
        for rule in platform.rules:
            if rule.vcs:
                # only URL requirements have a VCS scheme: `vcs` splits the URL on every call
                candidates = [d for d in tree.declarations if d.url and d.vcs in rule.vcs]
            else:
                candidates = [
                    d for _, d in sorted(p for key in rule.packages for p in by_key.get(key, ()))
                ]
            for era in rule.eras:
                if plan is not None and not plan.runs(era.step):
                    continue
                if era.moot_if and _moot(era, plan, tree):
                    continue
                if era.detector == "go-regex-choice":
                    continue  # a decision among packages: _choices
                releases = {r for r in selection.releases if era.first <= r <= era.last}
                if not releases:
                    continue
                relevant = [d for d in candidates if _relevant(rule, era, d)]
                if not relevant:
                    continue
                cache_key = (rule.id, era.first)
                if cache_key not in verdicts:
                    verdicts[cache_key] = detectors.verdict(era, tree, read)
                result = verdicts[cache_key]
                if result.detected:
                    continue
                for decl in relevant:
                    if decl.marker:
                        plan = _with_python(platform, plans, read, tried)
                    installs, skipped, undecided = _installs_on(decl, releases, plan, marked)
                    for words, where in skipped.items():
                        skips.setdefault((rule.id, decl.file, decl.line), {}).setdefault(
                            words, set()
                        ).update(where)
                    if not installs:
                        continue  # its marker is false wherever this era runs
                    kind, spelling = "missed", ""
                    if era.detector == "never":
                        kind = "broken"
                    elif _case_trap(era, result, decl):
                        kind, spelling = "case", _expected_spelling(era, decl)
                    # a broken release misses the package wherever it is: say it once
                    at = ("", 0) if kind == "broken" else (decl.file, decl.line)
                    miss = misses.setdefault(
                        (rule.id, decl.key, kind, *at),
                        _Miss(rule, platform, decl, kind, spelling=spelling),
                    )
                    miss.releases |= installs
                    for why, where in undecided.items():
                        miss.undecided.setdefault(why, set()).update(where)
                    if all(known is not era for known, _ in miss.eras):
                        # a broken release's miss gathers every declaration of the
                        # package: its eras are named once
                        miss.eras.append((era, result))
    for miss in misses.values():
        if miss.kind != "broken":
            miss.skipped = skips.get((miss.rule.id, miss.decl.file, miss.decl.line), {})
    findings = _reconciled(tree, list(misses.values()), read, selections)
    findings += _overmatches(tree, selections, read, plans)
    findings += _root_includes(tree, selections, plans)
    findings += _other_providers(tree, selections, plans)
    hashes: dict[str, str] = {}  # the digest's file hashes, shared with _settle_digest
    findings += _root_digest(tree, selections, plans, read, hashes)
    findings += _choices(tree, selections, plans, read)
    findings += _no_requirements(tree, selections, plans, read)
    findings += builders.findings(tree, selections, read, plans)
    findings += pyversion.findings(tree, selections, plans, read)
    findings = _settle_digest(shadow.unshadowed(findings), tree, read, hashes)
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    return findings


def _settle_digest(
    findings: list[Finding], tree: RequirementsTree, read: Reader, hashes: dict[str, str]
) -> list[Finding]:
    """A move (Fix.remove) edits a nested file: the digest line offered must cover the files
    as the fixes leave them, as `--fix` writes it (scan.apply_fixes), so that the SARIF fixes
    and `--fix` make the same bytes."""
    from . import digest
    from .fix import Unfixable, remove_logical_line

    removals: dict[str, set[int]] = {}
    for finding in findings:
        if finding.fix is not None and finding.fix.remove is not None:
            removals.setdefault(finding.fix.remove[0], set()).add(finding.fix.remove[1])
    if not removals or not any(f.fix and digest.is_digest(f.fix.text) for f in findings):
        return findings
    edited: dict[str, bytes] = {}
    try:
        for path, lines in removals.items():
            data = tree.files[path].data
            for line in sorted(lines, reverse=True):
                data = remove_logical_line(data, line)
            edited[path] = data
    except (Unfixable, KeyError):
        return findings  # apply_fixes refuses the move too, and the digest stays as planned

    def after(path: str) -> bytes | None:
        return edited[path] if path in edited else read(path)

    unchanged = {path: hex for path, hex in hashes.items() if path not in edited}
    settled = digest.line_for(digest.compute(digest.inputs(tree, read), after, unchanged))
    return [
        dataclasses.replace(f, fix=dataclasses.replace(f.fix, text=settled))
        if f.fix is not None and digest.is_digest(f.fix.text)
        else f
        for f in findings
    ]


def _installs_on(
    decl: Declaration,
    releases: set[int],
    plan: BuildPlan | None,
    cache: dict[tuple[str, str, bool], dict[int, markers.Outcome]],
) -> tuple[set[int], dict[str, set[int]], dict[str, set[int]]]:
    """Of `releases`, where pip may install `decl` on the platform's build image: (releases
    where it installs or may, {the build environment: releases where its marker is false},
    {why it cannot be decided: releases}). A declaration without a marker installs
    everywhere, at no cost."""
    if not decl.marker:
        return releases, {}, {}
    from . import markers  # only for a declaration with a marker

    platform = plan.platform if plan is not None else ""
    outcomes = cache.setdefault((platform, decl.marker, not decl.via), {})
    installs: set[int] = set()
    skipped: dict[str, set[int]] = {}
    undecided: dict[str, set[int]] = {}
    for release in releases:
        python = plan.python_at(release) if plan is not None else None
        if release not in outcomes:
            outcomes[release] = markers.evaluate(decl.marker, _environment(python, decl))
        outcome = outcomes[release]
        if outcome.value is False:
            skipped.setdefault(_environment_words(python), set()).add(release)
            continue
        installs.add(release)
        if outcome.value is None:
            undecided.setdefault(_undecided(outcome, python, platform), set()).add(release)
    return installs, skipped, undecided


def _with_python(
    platform: Platform, plans: dict[str, BuildPlan], read: Reader, tried: set[str]
) -> BuildPlan:
    """The platform's plan with the Python each release builds with (plans.pythons_for),
    worked out the first time a marker needs it (`tried`) and kept in `plans`."""
    plan = plans.get(platform.name) or BuildPlan(platform.name)
    if plan.python or platform.name in tried:
        return plan
    tried.add(platform.name)
    from .plans import pythons_for

    plan = dataclasses.replace(plan, python=pythons_for(platform, read))
    plans[platform.name] = plan
    return plan


def _environment(python: BuildPython | None, decl: Declaration) -> markers.Environment:
    """The marker environment of a release's build (plans.py), or an unknown one."""
    from . import markers

    if python is None:
        return markers.Environment(extra_known=not decl.via)
    return markers.Environment(
        pythons=python.versions,
        machines=python.machines,
        os=python.os,
        implementation=python.implementation if python.versions else "",
        extra_known=not decl.via,
    )


# markers.py's dimensions, in words
_DIMENSION_WORDS = {
    "machine": "the machine it builds on",
    "system": "the operating system",
    "implementation": "the Python implementation",
    "release": "the kernel release (platform_release)",
    "kernel": "the kernel version (platform_version)",
    "extra": "the extras asked for",
}


def _undecided(outcome: markers.Outcome, python: BuildPython | None, platform: str) -> str:
    """Why a marker is true on some candidate build environments and false on others."""
    if python is None or (not python.versions and not python.origin and not python.os):
        return f"the catalog does not describe {platform or 'this platform'}'s build environment"
    parts = []
    for dimension in outcome.depends:
        if dimension == "python":
            parts.append(_python_words(python))
        elif dimension == "machine" and python.machines:
            parts.append(f"the machine it builds on ({' or '.join(python.machines)})")
        else:
            parts.append(_DIMENSION_WORDS.get(dimension, dimension))
    return ", and ".join(parts) or "the build environment"


def _environment_words(python: BuildPython | None) -> str:
    """The build environment a marker was evaluated in, briefly."""
    if python is None:
        return "its build environment"
    machine = "/".join(python.machines)
    where = f"{python.os} {machine}".strip() or "its build image"
    if not python.versions:
        return where
    versions = " or ".join(python.versions)
    origin = "by default" if python.origin == "default" else f"from {python.origin}"
    return f"{where}, Python {versions} {origin}"


def _python_words(python: BuildPython) -> str:
    if python.origin == "cache":
        return (
            "the Python: no file names one, so a new app gets the release's default and an "
            "app built before keeps the Python of its build cache"
        )
    if not python.versions:
        return "the Python, which is not known"
    if len(python.versions) > 1:
        return f"the Python ({' or '.join(python.versions)}, {python.origin})"
    return f"the Python's patch release ({python.versions[0]}.x, {python.origin})"


def _marker_note(miss: _Miss) -> str:
    """What the requirement's marker does on the build image, for the message ("" when it
    has none, or is true wherever the miss applies)."""
    marker = miss.decl.marker
    notes = []
    for words, releases in sorted(miss.skipped.items()):
        labels = ", ".join(format_ranges(miss.platform, releases))
        notes.append(f"its marker `{marker}` is false on {labels} ({words}): nothing to miss there")
    for why, releases in sorted(miss.undecided.items()):
        labels = ", ".join(format_ranges(miss.platform, releases))
        notes.append(
            f"on {labels} its marker `{marker}` depends on {why}: evaluated both ways, it "
            "may install, so it is reported"
        )
    if not notes:
        return ""
    text = "; ".join(notes)
    return f" ({text[0].upper()}{text[1:]}.)"


def _reconciled(
    tree: RequirementsTree,
    misses: list[_Miss],
    read: Reader,
    selections: Sequence[Selection] = (),
) -> list[Finding]:
    """One finding per miss; where several rules (or platforms) propose different edits for
    one declaration, they get one edit that every one of them accepts: two fixes must never
    add a package twice in two spellings, nor respell a line another fix moves."""
    peers = _peers(misses)
    bystanders = _bystanders(selections)
    findings = {id(m): _finding(m, tree, peers, read, bystanders=bystanders) for m in misses}
    groups: dict[tuple[str, int, str], list[_Miss]] = {}
    for miss in misses:
        if miss.kind != "broken":
            groups.setdefault((miss.decl.file, miss.decl.line, miss.decl.key), []).append(miss)
    for group in groups.values():
        # a miss no root line can cure keeps its own message; it does not veto the others
        fixable = [m for m in group if findings[id(m)].fix is not None]
        if len({findings[id(m)].fix for m in fixable}) < 2:
            continue
        fix, note = _plan_fix(tree, group[0].decl, fixable, read, bystanders)
        shared = "one edit for every selected platform"
        note = f"{shared}: {note}" if note and fix else note
        for miss in fixable:
            findings[id(miss)] = _finding(miss, tree, peers, read, (fix, note), bystanders)
    return list(findings.values())


def _peers(misses: list[_Miss]) -> dict[tuple[str, str], list[_Miss]]:
    """(rule id, package) -> one miss for each distinct (platform, releases, eras) that misses
    it (broken misses aside). A fix is planned against what the releases read, which is the
    same for every declaration of the package: a monorepo's hundreds of nested declarations
    of one package plan against a handful of misses, not against each other."""
    peers: dict[tuple[str, str], dict[tuple[object, ...], _Miss]] = {}
    for miss in misses:
        if miss.kind == "broken":
            continue
        shape = (
            miss.platform.name,
            miss.kind,
            miss.spelling,
            frozenset(miss.releases),
            tuple(id(era) for era, _ in miss.eras),
        )
        peers.setdefault((miss.rule.id, miss.decl.key), {}).setdefault(shape, miss)
    return {key: list(shapes.values()) for key, shapes in peers.items()}


def _plan_fix(
    tree: RequirementsTree,
    decl: Declaration,
    misses: list[_Miss],
    read: Reader,
    bystanders: Installers | None = None,
) -> tuple[Fix | None, str]:
    """The root-file edit that makes every release of `misses` see `decl` and installs with
    the pip of each selected release (`bystanders`, from `_bystanders`: they install the
    edited root too, miss or not), or None; and one sentence on why it moves or why there is
    none."""
    if tree.generated:
        # the root is not the app's own file (the build writes it, or the app has none):
        # nothing to edit, only to create
        return None, tree.generated.replace("{line}", decl.text) + "."
    for miss in misses:
        for era, _ in miss.eras:
            if era.fix_requires_code and not detectors.code_matches(tree, era.fix_requires_code):
                # any edit that makes the step see the package (a line or a comment) makes the
                # build fail without a second edit: no one-line fix
                return None, era.fix_requires.format(line=f"`{decl.text}`", root=tree.root)
    if tree.root.rsplit("/", 1)[-1] in METADATA_ROOTS:
        # a requirement line would break pyproject.toml or a Pipfile; a comment the build's
        # text search reads is the one edit that keeps the file what it is
        comment = comment_for(tree, decl, misses, read)
        if comment is not None:
            return comment, ""
        return None, f"No comment added to {tree.root} makes every selected release see it."
    fix, still_missed = insertion_for(tree, decl, misses, read)
    comment = None
    installers = _installers(misses, bystanders or {})
    if fix is None or still_missed or _needs_a_move(tree, decl, fix, installers):
        # a comment the build's text search reads adds no second requirement: no move, no
        # "Double requirement given" (only where every miss's detector reads comments)
        comment = comment_for(tree, decl, misses, read)
    if comment is not None:
        return comment, ""
    if fix and still_missed:
        # a fix some selected release still misses is not a fix: say so, apply nothing
        return None, (
            f"Adding `{fix.text}` to {tree.root} would not make "
            f"{', '.join(still_missed)} see it either."
        )
    note = ""
    if fix:
        for _name, (platform, pips) in sorted(installers.items()):
            verdict = deployable(tree, decl, fix, platform, pips)
            if verdict.fix is None:
                return None, verdict.note
            if verdict.fix.remove is not None:
                fix, note = verdict.fix, verdict.note
    return fix, note


def _bystanders(selections: Sequence[Selection]) -> Installers:
    """platform name -> (platform, pip version -> releases) for each selected release with a
    pip of its own: an old pip that rejects a name given twice breaks a copied line whichever
    platform asked for it. Computed once per check."""
    found: Installers = {}
    for selection in selections:
        if selection.platform.pips:
            pips = found.setdefault(selection.platform.name, (selection.platform, {}))[1]
            for pip, group in _pip_groups(selection.platform, selection.releases).items():
                pips.setdefault(pip, set()).update(group)
    return found


def _installers(misses: list[_Miss], bystanders: Installers) -> Installers:
    """Every release that installs the edited root: the misses' releases and `bystanders`."""
    platforms: Installers = {
        name: (platform, {pip: set(group) for pip, group in pips.items()})
        for name, (platform, pips) in bystanders.items()
    }
    for (name, releases), platform in _groups(misses).items():
        pips = platforms.setdefault(name, (platform, {}))[1]
        for pip, group in _pip_groups(platform, releases).items():
            pips.setdefault(pip, set()).update(group)
    return platforms


def _needs_a_move(
    tree: RequirementsTree,
    decl: Declaration,
    fix: Fix,
    installers: Installers,
) -> bool:
    """Whether a copy of the line would be refused by some installing release's pip."""
    for _name, (platform, pips) in sorted(installers.items()):
        verdict = deployable(tree, decl, fix, platform, pips)
        if verdict.fix is None or verdict.fix.remove is not None:
            return True
    return False


def _action(tree: RequirementsTree, decl: Declaration, fix: Fix | None, note: str) -> str:
    if fix and fix.text.lstrip().startswith("#"):
        return (
            f"Add the comment `{fix.text}` to {tree.root}: the build searches that file's "
            "text, comments included, and "
            + (
                "the comment declares nothing, so nothing is installed twice."
                if tree.root.rsplit("/", 1)[-1] in METADATA_ROOTS
                else "pip ignores the comment, so nothing is installed twice."
            )
        )
    if fix and fix.remove:
        return f"Move it to {tree.root} (delete line {decl.line} of {decl.file}): {note}"
    if fix:
        return f"Add `{fix.text}` to {tree.root}."
    if note:
        return note
    if tree.root_file and tree.root_file.data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (
            f"Save {tree.root} as UTF-8: the buildpack greps its bytes, and in UTF-16 "
            "no name matches."
        )
    if tree.root_file and decode(tree.root_file.data).error:
        return (
            f"{tree.root} is not left valid if edited ({decode(tree.root_file.data).error}), "
            f"so no fix is offered: save it as UTF-8, then add `{decl.text}` to it."
        )
    return "No line added to the root file makes every selected release see it."


def _finding(
    miss: _Miss,
    tree: RequirementsTree,
    peers: dict[tuple[str, str], list[_Miss]],
    read: Reader,
    forced: tuple[Fix | None, str] | None = None,
    bystanders: Installers | None = None,
) -> Finding:
    """`peers`: what `_peers` gives; `forced`: the edit (and its note) reconciled with other
    rules' for this declaration."""
    decl, rule = miss.decl, miss.rule
    ranges = format_ranges(miss.platform, miss.releases)
    labels = ", ".join(ranges)
    one = len(ranges) == 1  # "heroku@v42 does not", "heroku@v3-v11, heroku@v15-v42 do not"
    do, detect = ("does", "detects") if one else ("do", "detect")
    where = f"{decl.file} line {decl.line}"
    reasons = _reasons(miss)
    fix: Fix | None = None
    advice = ""
    severity = _severity(rule, miss)
    misses = "misses" if one else "miss"
    # one line: the effect all these releases share (the rule's own when their eras differ)
    effects = {era.when_missed or rule.when_missed for era, _ in miss.eras}
    consequence = effect(effects.pop() if len(effects) == 1 else rule.when_missed)
    if miss.kind == "broken":
        # the step never runs, so the package the app needs is never provided: the push
        # fails (or the step's effect is lost) exactly as if it were missed, so the rule's
        # own severity applies
        rule_id = f"{rule.id}:broken"
        title = f"{decl.name}: never detected by {labels}"
        summary = f"{labels} never {detect} {decl.name}: {consequence}"
        advice = "deploy with another release"
        message = (
            f"{labels} never {detect} '{decl.name}' ({where}), wherever it is declared: "
            f"{reasons}.{_marker_note(miss)} So {_effects(miss)}. No edit helps: deploy with "
            "another release."
        )
    elif miss.kind == "case":
        rule_id = f"{rule.id}:case"
        title = f"{decl.name}: spelling not recognised by {labels}"
        summary = (
            f"{labels} {misses} {decl.name}, comparing names case-sensitively (spell it "
            f"{miss.spelling}): {consequence}"
        )
        if forced is None:
            fix = respelled_line(tree, decl, miss.spelling)
            action = f"Spell it `{miss.spelling}`."
        else:
            fix, note = forced
            action = _action(tree, decl, fix, note)
        message = (
            f"'{decl.name}' ({where}) is not recognised by {labels}: {reasons}."
            f"{_marker_note(miss)} So {_effects(miss)}. {action}"
        )
    else:
        rule_id = rule.id
        others = peers[(rule.id, decl.key)]
        if forced is not None:
            fix, note = forced
        elif all(era.fix == "bare" for era, _ in miss.eras):
            # Google's regexps want the bare name at column 0; Oryx asks for "Django"
            fix, note = _bare_insertion(tree, decl, miss, read), ""
        else:
            fix, note = _plan_fix(tree, decl, others, read, bystanders)
        title = f"{decl.name}: not seen by {labels}"
        turned_off = [r.why for _, r in miss.eras if r.why and "turns the step off" in r.why]
        if turned_off:
            # where the package is declared does not matter: other text turns the step off
            title = f"{decl.name}: {labels} turn{'s' if one else ''} this step off"
            lead = f"'{decl.name}' is declared in {where}, but {labels} {do} not provide for it"
            summary = (
                f"{labels} turn{'s' if one else ''} this step off for {decl.name}: {consequence}"
            )
        elif all(era.detector == "pip-grep" and bracket_entry(era, decl) for era, _ in miss.eras):
            title = f"{decl.name}: never noticed by {labels}"
            lead = (
                f"'{decl.text}' ({where}) needs this step, but {labels} {do} not notice it "
                "wherever it is declared"
            )
            notice = "notices" if one else "notice"
            summary = f"{labels} never {notice} {decl.text}: {consequence}"
        elif decl.file == tree.root:
            lead = f"'{decl.name}' is declared in {where}, but {labels} {do} not see it"
            summary = f"{labels} {misses} {decl.name} here: {consequence}"
        else:
            summary = f"{decl.name} is not in {tree.root}: {labels} {misses} it, so {consequence}"
            lead = (
                f"'{decl.name}' is declared in {where}, not in {tree.root}, "
                f"so {labels} {do} not see it"
            )
        action = _action(tree, decl, fix, note)
        message = f"{lead}: {reasons}.{_marker_note(miss)} So {_effects(miss)}. {action}"
        if fix is None:
            advice = action
    return Finding(
        rule=rule_id,
        package=decl.key,
        severity=severity,
        file=decl.file,
        line=decl.line,
        platforms=tuple(format_ranges(miss.platform, miss.releases)),
        title=title,
        message=message,
        fix=fix,
        summary=summary,
        advice=advice,
    )


@cache
def effect(text: str) -> str:
    """The first clause of a rule's `when_missed` (or an era's over-match): what a person needs
    on one line. Cut at the first `; `, `: `, ` (`, `, which` or `, so ` outside `code`."""
    quoted = False
    for index, char in enumerate(text):
        if char == "`":
            quoted = not quoted
        elif not quoted and any(
            text.startswith(cut, index) for cut in ("; ", ": ", " (", ", which", ", so ")
        ):
            return text[:index]
    return text


def _verb(labels: list[str], one: str, many: str) -> str:
    return one if len(labels) == 1 else many


def _bare_insertion(
    tree: RequirementsTree, decl: Declaration, miss: _Miss, read: Reader
) -> Fix | None:
    """The package's bare name on a line of its own in the root file (Google's regexps want it
    at column 0; pip combines a bare name with the pin where it is declared)."""
    from .fix import Unfixable, insert_line, reading_root

    root = tree.root_file
    spelling = next(
        (c.spelling for era, _ in miss.eras for c in era.choices if c.package == decl.key),
        decl.name,
    )
    if root is None:
        return None
    try:
        new, number = insert_line(root.data, spelling)
    except Unfixable:
        return None
    if new == root.data:
        return None
    # the line must make every era see the package (in UTF-16 no grep or regexp ever does)
    trial = dataclasses.replace(
        tree, files={**tree.files, root.path: dataclasses.replace(root, data=new)}
    )
    if not all(
        detectors.verdict(era, trial, reading_root(root.path, new, read)).detected
        for era, _ in miss.eras
    ):
        return None
    return Fix(root.path, number, spelling)


def _groups(misses: list[_Miss]) -> dict[tuple[str, frozenset[int]], Platform]:
    """The distinct (platform, releases) of `misses`, each with its platform."""
    return {(m.platform.name, frozenset(m.releases)): m.platform for m in misses}


def _pip_groups(platform: Platform, releases: frozenset[int]) -> dict[str, set[int]]:
    """The pip versions `releases` install with -> those releases."""
    by_pip: dict[str, set[int]] = {}
    for release in releases:
        by_pip.setdefault(platform.pip_for(release), set()).add(release)
    return by_pip


def _severity(rule: Rule, miss: _Miss | None) -> Severity:
    if rule.severity == "notice":
        return "notice"
    if miss is not None and all(era.stack for era, _ in miss.eras):
        return "warning"  # only bites on a retired stack
    return "error" if rule.severity == "error" else "warning"


def _effects(miss: _Miss) -> str:
    """What missing the step costs, per era where the eras differ (Heroku v6's Django mode had
    no collectstatic; v7-v11's did)."""
    grouped: dict[str, list[str]] = {}
    for era, _ in miss.eras:
        versions = f"v{era.first}-v{era.last}" if era.first != era.last else f"v{era.first}"
        grouped.setdefault(era.when_missed or miss.rule.when_missed, []).append(versions)
    if len(grouped) == 1:
        return next(iter(grouped))
    return "; ".join(f"on {', '.join(v)}, {effect}" for effect, v in grouped.items())


def _reasons(miss: _Miss) -> str:
    """One clause per distinct detection line, with the releases that ran it."""
    grouped: dict[str, list[str]] = {}
    for era, result in miss.eras:
        versions = miss.platform.span(era.first, era.last)
        if not miss.platform.versioned:
            versions = miss.platform.name  # one modelled release: name it, not a version
        entry = bracket_entry(era, miss.decl) if era.detector == "pip-grep" else ""
        if entry:
            how = (
                f"`{era.command}` compares bare project names, so its entry '{entry}' never matches"
            )
        elif result.why and era.detector != "never":
            how = f"`{era.command}`: {result.why}"
        elif era.detector == "shell":
            how = f"`{era.command}` reads only the root file"
        elif era.detector == "in-req":
            how = f"`{era.command}` follows only lines containing '-r '"
        elif era.detector == "list-req":
            how = (
                f"`{era.command}` follows only lines starting '-r', taking the second "
                "space-separated word as the path"
            )
        elif era.detector == "never":
            how = f"`{era.command}`: {era.note}"
        elif era.detector == "cf-find-any" and miss.kind != "case":
            how = (
                f"`{era.command}` reads the root file and files named on lines starting "
                "exactly '-r ', taking names at line starts, case-sensitively"
            )
        elif era.detector == "cf-find-any":
            how = f"`{era.command}` compares names case-sensitively, expecting '{miss.spelling}'"
        elif era.detector == "substring":
            how = f"`{era.command}` reads only {', '.join(era.files)} at the app root"
        elif era.detector == "substring-anywhere":
            how = f"`{era.command}` reads only files named {', '.join(era.files)}"
        elif era.detector == "production-dep":
            how = f"`{era.command}` reads only the names at line starts of the root file"
        elif era.detector == "go-regex":
            patterns = ", ".join(f"`{p}`" for c in era.choices for p in c.patterns)
            how = (
                f"`{era.command}` reads only the root requirements.txt text, with "
                f"case-sensitive regexps at the start of a line ({patterns})"
            )
        elif era.detector in builders.PER_PACKAGE:
            how = builders.reason(era)
        else:
            how = f"`{era.command}` compares names case-sensitively, expecting '{miss.spelling}'"
        if era.detected_by_code and "turns the step off" not in result.why:
            how += f", and no .py file contains `{era.detected_by_code}`"
        if era.stack:
            how += f" (only on the {era.stack} stack)"
        grouped.setdefault(how, []).append(versions)
    return "; ".join(f"{', '.join(versions)} {how}" for how, versions in grouped.items())
