"""The pipeline in one call: walk -> select -> check -> Report; and applying fixes to disk."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog, deploy, stale
from .catalog import format_ranges
from .check import check, plans_for
from .config import Config, ConfigError, inline_ignores
from .config import load as load_config
from .fix import (
    Unfixable,
    insert_before,
    insert_line,
    remove_logical_line,
    replace_line,
    set_digest,
)
from .model import (
    BuildInstall,
    BuildPlan,
    Evidence,
    Finding,
    PlatformSelection,
    Problem,
    Report,
    RequirementsTree,
    SelectionHow,
    SourceFile,
    Target,
)
from .plans import with_settings
from .reqfile import names_pattern
from .tree import DEFAULT_LIMITS, Limits, make_reader, walk

if TYPE_CHECKING:
    from .platforms import docker as platform_docker


def scan(
    repo: Path,
    root: str = "requirements.txt",
    platforms: list[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    prescan: bool = True,
    config: Config | None = None,
    base: str | None = None,
    option: str = "--platform",
) -> Report:
    """`platforms` (--platform values, named by `option` in reports) win over the
    configuration's `platforms`, which win over the repository's deployment configuration
    (deploy.py); with none of them, every catalogued platform at its current release.
    `prescan=False` parses every line of every file; the report is the same, only slower
    (tests/test_fastpath.py and bench/run.py check that). `config` defaults to the one found
    in `repo` (.heroku-req-check.toml or pyproject.toml); ConfigError if it is invalid.
    `base` (a git revision) adds the stale-package check, which needs every declaration, so
    the head is then parsed in full. SelectionError for a platform or release not catalogued."""
    if config is None:
        config = load_config(repo)
    detection = deploy.detect(deploy.DiskView(repo))
    selections, chosen = choose(detection, platforms or [], config, option)
    extra: list[catalog.Platform] = []
    if config.extra_rules:
        house = catalog.in_house(config.extra_rules, config.source)
        extra.append(house)
        selections.append(catalog.Selection(house, frozenset(house.releases), house.name))
        evidence = Evidence(config.source, None, f"{config.source} extra-rules")
        chosen = PlatformSelection(
            chosen.how,
            (*chosen.targets, Target("in-house", evidence=(evidence,), label="in-house")),
            chosen.detected,
            chosen.source,
            chosen.ignored,
        )
    _check_ignores(config, (*catalog.load(), *extra))
    check_stale = base is not None and stale.applies(selections)
    interest = None
    if prescan and not check_stale:
        everything = (*catalog.load(), *extra)
        interest = names_pattern(
            catalog.interest_keys(everything), catalog.overmatch_substrings(everything)
        )
    tree = walk(repo, app_root(repo, root), limits, interest)
    # a root that does not exist stops the walk with that one problem
    missing_root = tree.problems[0] if tree.root_file is None and tree.problems else None
    if missing_root is not None and os.path.lexists(os.path.join(repo, tree.root)):
        missing_root = None
    tree.problems[:0] = config.problems  # a pyproject.toml the configuration could not use
    tree.problems.extend(detection.problems)
    read = make_reader(repo, tree, limits)
    plans = plans_for(tree, selections, read, root)
    for selection in selections:  # what the deploy workflows' build settings change
        name = selection.platform.name
        if name in plans and selection.platform.settings:
            plans[name] = with_settings(selection.platform, plans[name], detection.build_steps)
    # each platform release is checked against what it installs from (the catalog's
    # [[platform.install]]): the tree walked here, or another root walked once for them
    own, others = _route(tree, selections, plans, root)
    findings = check(tree, own, read, plans)
    sources: dict[str, SourceFile] = {}
    if others:
        findings += _other_roots(repo, tree, others, limits, interest, plans, sources)
    builds = 0
    if any(s.platform.name == "docker" for s in selections):
        findings, sources, builds = _docker(repo, tree, limits, findings)
    if missing_root is not None and selections and all(s.platform.root_setting for s in selections):
        _root_not_read(tree, missing_root, selections, builds, root == DEFAULT_ROOT)
    if base is not None and check_stale:
        try:
            before = stale.base_tree(repo, base, root, limits)
            declared = None
            if before.root_file is not None and tree.root_file is not None:
                # pip-diff reads the old root against today's files: with the root unchanged
                # (the usual nested layout) that is today's tree, already walked
                old_root = before.root_file.data
                same = old_root == tree.root_file.data
                declared = tree if same else walk(repo, root, limits, root_data=old_root)
            findings += stale.stale_findings(before, tree, selections, base, declared)
            findings.sort(key=lambda f: (f.file, f.line, f.rule))
        except stale.BaseUnavailable as exc:
            tree.problems.append(
                Problem(
                    tree.root,
                    None,
                    f"base revision {base} cannot be read ({exc}): stale packages were not "
                    "checked. In GitHub Actions, check out with `fetch-depth: 0`.",
                )
            )
    kept: list[Finding] = []
    ignored: list[tuple[Finding, str]] = []
    for finding in findings:
        reason = _ignored_because(config, tree, finding, sources)
        if reason:
            ignored.append((finding, reason))
        else:
            kept.append(finding)
    return Report(
        tree=tree,
        findings=kept,
        platforms=tuple(s.label for s in selections),
        ignored=ignored,
        plans=tuple(plans.values()),
        sources=sources,
        selection=chosen,
    )


def choose(
    detection: deploy.Detection, specs: list[str], config: Config, option: str = "--platform"
) -> tuple[list[catalog.Selection], PlatformSelection]:
    """The selections a scan models and how they were chosen: `specs` (the option named
    `option`), else the configuration's `platforms`, else the detected targets (each at the
    release it pins or its current one; a platform `catalog/<name>.toml` does not define yet is
    reported, unmodelled), else every catalogued platform at its current release."""
    resolved = resolve(detection.targets)
    detected = tuple(target for target, _selection in resolved)
    if specs or config.platforms:
        named = specs or list(config.platforms)
        source = option if specs else config.source
        selections: list[catalog.Selection] = []
        targets: list[Target] = []
        for spec in named:
            alias = spec.partition("@")[0].strip().lower()
            version = spec.partition("@")[2].strip().lower()
            for selection in catalog.select([spec]):
                platform = selection.platform
                evidence = Evidence("" if specs else config.source, None, f"{source}: {spec}")
                release = "" if version == "latest" else version
                if platform.alias_of:
                    # `digitalocean` is Heroku's buildpack at the release DigitalOcean runs
                    name, via = platform.alias_of, platform.name
                    release = release or "-".join(
                        dict.fromkeys(
                            platform.release_name(r)
                            for r in (min(selection.releases), max(selection.releases))
                        )
                    )
                else:
                    name = platform.name
                    via = "" if alias in (platform.name, "all") else alias
                targets.append(
                    Target(name, release, via=via, evidence=(evidence,), label=selection.label)
                )
                selections.append(selection)
        how: SelectionHow = "option" if specs else "configuration"
        chosen = PlatformSelection(how, tuple(targets), detected, source, detection.ignored)
        return selections, chosen
    if detected:
        selections = [selection for _target, selection in resolved if selection is not None]
        source = "deployment configuration"
        chosen = PlatformSelection("detected", detected, detected, source, detection.ignored)
        return selections, chosen
    selections = catalog.current()
    targets = [Target(s.platform.name, label=s.label) for s in selections]
    source = "no deployment configuration found"
    return selections, PlatformSelection("default", tuple(targets), (), source, detection.ignored)


def resolve(targets: tuple[Target, ...]) -> list[tuple[Target, catalog.Selection | None]]:
    """Detected targets against the catalog, merged per platform and release: each labelled as
    its selection is named, with that selection, or `modelled` False and no selection for a
    platform the catalog lacks. A pinned release the catalog lacks (an untagged or newer one)
    falls back to the current release, with a note."""
    merged: dict[tuple[str, str], Target] = {}
    for target in targets:
        known = merged.setdefault((target.platform, target.release), target)
        if known is not target:
            via = ", ".join(v for v in dict.fromkeys((known.via, target.via)) if v)
            notes = "; ".join(n for n in dict.fromkeys((known.note, target.note)) if n)
            more = tuple(e for e in target.evidence if e not in known.evidence)
            merged[(target.platform, target.release)] = replace(
                known, via=via, note=notes, evidence=known.evidence + more
            )
    resolved: list[tuple[Target, catalog.Selection | None]] = []
    for target in merged.values():
        platform = catalog.find(target.platform)
        if platform is None:
            resolved.append((replace(target, label=target.platform, modelled=False), None))
            continue
        spec, note = f"{platform.name}@latest", target.note
        if target.release and platform.versioned and len(platform.releases) > 1:
            spec = f"{platform.name}@{target.release}"
        elif target.release:
            only = f"pins {target.release}; this version models its current release only"
            note = f"{note}; {only}" if note else only
        try:
            [selection] = catalog.select([spec])
        except catalog.SelectionError:
            [selection] = catalog.select([f"{platform.name}@latest"])
            missing = f"{target.release} is not a catalogued release: the current one is modelled"
            note = f"{note}; {missing}" if note else missing
        resolved.append((replace(target, note=note, label=selection.label), selection))
    return resolved


DEFAULT_ROOT = "requirements.txt"
# an app with no requirements.txt: the file that declares its dependencies, in this order
# (the platforms' own choices are the catalog's [[platform.install]])
APP_ROOTS = ("pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
_ROUTE_NOTE = "{line}"  # placeholder for the declaration in a generated root's advice


def app_root(repo: Path, root: str) -> str:
    """The tree's root: `root`, unless it is the default requirements.txt and the app has
    none, but declares its dependencies in one of APP_ROOTS (the first present)."""
    if root != DEFAULT_ROOT or os.path.lexists(repo / root):
        return root
    return next((name for name in APP_ROOTS if (repo / name).is_file()), root)


Route = tuple[str, str, str, str]  # (root file, what the steps read, manager, why): BuildInstall


def _route(
    tree: RequirementsTree,
    selections: list[catalog.Selection],
    plans: dict[str, BuildPlan],
    asked: str = DEFAULT_ROOT,
) -> tuple[list[catalog.Selection], dict[Route, list[catalog.Selection]]]:
    """Split each selection by what its releases install from (plan.installs): the releases
    that install this tree's root stay with it; the others go to the root they install
    (walked once per root); releases that install nothing the catalog checks are dropped,
    their plans saying why. A platform with a root setting (Oryx, a Dockerfile) installs
    the root given; one without install data installs the app-root requirements.txt."""
    own: list[catalog.Selection] = []
    others: dict[Route, list[catalog.Selection]] = {}
    installing: dict[str, bool] = {}  # platform -> whether any selected release installs
    for selection in selections:
        platform = selection.platform
        if platform.root_setting:
            # the file a deploy workflow's setting names (plans.with_settings), unless
            # --requirements names one
            named = plans[platform.name].root if platform.name in plans else ""
            wanted = named if named and asked == DEFAULT_ROOT else asked
            if tree.root == wanted:
                own.append(selection)
            else:
                # the tree is the app's metadata (it has no requirements.txt), or another
                # file: this platform reads the file it is told to read, present or not
                others.setdefault((wanted, "file", "", ""), []).append(selection)
            continue
        plan = plans.get(platform.name, BuildPlan(platform.name))
        # releases no install rule covers install the app-root requirements.txt
        covered = {r for e in plan.installs for r in selection.releases if e.first <= r <= e.last}
        entries = plan.installs + tuple(
            BuildInstall(r, r, "pip", DEFAULT_ROOT) for r in sorted(selection.releases - covered)
        )
        said: dict[str, tuple[set[int], str]] = {}  # why -> (releases, latest source)
        notes: list[str] = []
        mine: set[int] = set()
        installs_something = False
        for entry in entries:
            releases = {r for r in selection.releases if entry.first <= r <= entry.last}
            if not releases:
                continue
            installs_something |= bool(entry.root)
            if entry.why:
                where, _ = said.setdefault(entry.why, (set(), ""))
                said[entry.why] = (where | releases, entry.source)
            if entry.reads == "skip":
                continue
            if (entry.root, entry.reads) == (tree.root, "file") and not _reads_itself(entry):
                mine |= releases
                continue
            if entry.root == DEFAULT_ROOT and entry.reads == "file" and asked != DEFAULT_ROOT:
                # "reads", not "installs": a builder may read it and install another file
                # (Fly.io's Django template with a Pipfile: the plan's installer says so)
                notes.append(
                    f"{platform.title} reads the app-root {DEFAULT_ROOT} here (nothing can "
                    f"name another file), so --requirements {asked} does not apply: "
                    "checked against it"
                )
            others.setdefault((entry.root, entry.reads, entry.manager, entry.why), []).append(
                catalog.Selection(platform, frozenset(releases), selection.label)
            )
        if plan.builds_python:  # (else the plan already says why nothing is built)
            for why, (releases, source) in said.items():
                label = ", ".join(format_ranges(platform, releases)) if platform.versioned else ""
                notes.append(f"{label}: {why} ({source})" if label else f"{why} ({source})")
        if mine:
            own.append(catalog.Selection(platform, frozenset(mine), selection.label))
        installing[platform.name] = installing.get(platform.name, False) or installs_something
        if notes:
            plan = plans.get(platform.name, plan)
            fresh = [n for n in dict.fromkeys(notes) if n not in plan.evidence]
            plans[platform.name] = dataclasses.replace(plan, evidence=(*plan.evidence, *fresh))
    for name, something in installing.items():
        if not something and name in plans:
            # no selected release installs anything from this app: none of its steps run
            plans[name] = dataclasses.replace(plans[name], builds_python=False)
    return own, others


def _reads_itself(entry: BuildInstall) -> bool:
    """A package manager that reads pyproject.toml itself (Poetry, uv, PDM), not through the
    build backend the main tree was read with: its root is walked anew."""
    if entry.root == DEFAULT_ROOT:
        return False
    from .project import MANAGER_BACKENDS  # only for metadata roots: project.py is not light

    return entry.manager in MANAGER_BACKENDS


def _other_roots(
    repo: Path,
    tree: RequirementsTree,
    others: dict[Route, list[catalog.Selection]],
    limits: Limits,
    interest: re.Pattern[str] | None,
    plans: dict[str, BuildPlan],
    sources: dict[str, SourceFile],
) -> list[Finding]:
    """Check each group of platform releases against the root it installs from: another
    requirements.txt or metadata file, a requirements.txt the build writes (`-e .`), or a
    requirements.txt the app does not have ("none")."""
    findings: list[Finding] = []
    walked: dict[tuple[str, str, str], RequirementsTree] = {}
    for (root, reads, manager, why), selections in others.items():
        key = (root, reads, manager)
        if key not in walked:
            if reads == "-e .":
                other = walk(repo, DEFAULT_ROOT, limits, interest, root_data=b"-e .\n")
                other.generated = (
                    f"{DEFAULT_ROOT} does not exist, and the build writes one holding `-e .`. "
                    f"Create {DEFAULT_ROOT} holding `-e .` and `{_ROUTE_NOTE}`: the build "
                    "then installs the same and reads that line"
                )
            else:
                other = walk(repo, root, limits, interest, manager=manager)
                if reads == "none":
                    # the steps read a requirements.txt the app does not have
                    other.root = DEFAULT_ROOT
                    other.generated = f"{DEFAULT_ROOT} does not exist here ({why})"
            walked[key] = other
        other = walked[key]
        told = [s for s in selections if s.platform.root_setting]
        if told:
            # a platform told which file to read runs its own check on it, missing or not
            other_read = make_reader(repo, other, limits)
            findings += check(
                other, told, other_read, {s.platform.name: plans[s.platform.name] for s in told}
            )
            selections = [s for s in selections if not s.platform.root_setting]
            if not selections:
                continue
        if other.root_file is None and not other.generated:
            for selection in selections:
                name = selection.platform.name
                plan = plans[name]
                plans[name] = dataclasses.replace(
                    plan,
                    builds_python=False,
                    evidence=(*plan.evidence, f"this app has no {root}: none of its rules apply"),
                )
            continue
        for path, source in other.files.items():
            if path not in tree.files and not (other.generated and path == other.root):
                sources.setdefault(path, source)
        other_read = make_reader(repo, other, limits)
        names = {s.platform.name for s in selections}
        findings += check(other, selections, other_read, {n: plans[n] for n in names})
    return findings


def docker_repository(
    repo: Path, tree: RequirementsTree | None = None, limits: Limits = DEFAULT_LIMITS
) -> platform_docker.Repository:
    """What the docker model may see of `repo`: every regular file (symlinks and .git left
    out), a reader that never leaves the repository, and the requirements walker."""
    import re

    from .platforms import docker
    from .tree import list_files

    files = tuple(list_files(str(repo), limits))
    reader = make_reader(repo, tree or RequirementsTree(root=""), limits)
    walks: dict[str, RequirementsTree] = {}
    # the model needs includes and local paths, never the names of pinned packages: with a
    # pattern that matches nothing, plain nested files skip their declarations (tree.walk)
    nothing = re.compile(r"(?!)")

    def walker(root: str) -> RequirementsTree:
        if root not in walks:
            walks[root] = walk(repo, root, limits, nothing)
        return walks[root]

    return docker.Repository(files, reader, walker)


def _docker(
    repo: Path, tree: RequirementsTree, limits: Limits, findings: list[Finding]
) -> tuple[list[Finding], dict[str, SourceFile], int]:
    """The docker platform's hook: every Dockerfile build in the repository (platforms/docker.py).
    The edge gives it the file listing, a reader confined to the repository and the walker.
    Returns the findings merged, the Dockerfiles read and how many builds were checked."""
    from .platforms import docker

    result = docker.findings(docker_repository(repo, tree, limits))
    tree.problems.extend(result.problems)
    merged = sorted([*findings, *result.findings], key=lambda f: (f.file, f.line, f.rule))
    return merged, result.sources, result.builds


def _root_not_read(
    tree: RequirementsTree,
    problem: Problem,
    selections: list[catalog.Selection],
    builds: int,
    default: bool,
) -> None:
    """Every selected platform reads the requirements files its own build names (catalog
    `root_setting`), so none reads the app-root file the walk could not find. It is then no
    problem when it is the default one and a build was checked; otherwise the problem says
    what was and was not checked."""
    at = tree.problems.index(problem)
    own = "; ".join(f"{s.platform.name}: {s.platform.root_setting}" for s in selections)
    if builds and default:
        del tree.problems[at]
        return
    if builds:
        message = (
            f"{tree.root} does not exist. No selected platform reads it ({own}), so "
            f"--requirements changes nothing; {builds} build(s) were checked."
        )
    else:
        message = (
            f"{tree.root} does not exist, and the selected platforms read only the requirements "
            f"files their own builds name ({own}): the repository has no such build, so "
            "nothing was checked."
        )
    tree.problems[at] = Problem(tree.root, None, message)


def _check_ignores(config: Config, platforms: tuple[catalog.Platform, ...]) -> None:
    known = {rule.id for platform in platforms for rule in platform.rules}
    for ignore in config.ignores:
        if ignore.rule.partition(":")[0] not in known:
            raise ConfigError(
                f"{config.source}: ignore names no rule {ignore.rule!r} "
                f"(rules: {', '.join(sorted(known))})"
            )


def _ignored_because(
    config: Config,
    tree: RequirementsTree,
    finding: Finding,
    sources: dict[str, SourceFile] | None = None,
) -> str:
    for ignore in config.ignores:
        if ignore.matches(finding):
            return f"{config.source}: {ignore.reason}"
    source = tree.files.get(finding.file) or (sources or {}).get(finding.file)
    if source is not None:
        named = inline_ignores(source, finding.line)
        if finding.rule in named or finding.rule.partition(":")[0] in named:
            return f"inline ignore on {finding.file} line {finding.line}"
    return ""


@dataclass
class FixResult:
    changed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def apply_fixes(repo: Path, report: Report, strategy: str = "copy") -> FixResult:
    """Write every finding's fix; `move` also removes the nested declaration."""
    result = FixResult()
    edits: dict[str, bytes] = {}
    removals: dict[str, set[int]] = {}
    before: dict[str, dict[int, list[str]]] = {}  # insert-before edits, applied bottom-up
    real_repo = os.path.realpath(repo)
    originals = {**{p: s.data for p, s in report.sources.items()}}
    originals.update({p: s.data for p, s in report.tree.files.items()})

    def current(path: str) -> bytes:
        if path not in edits:
            edits[path] = originals[path]
        return edits[path]

    from . import digest

    wants_digest = False
    for finding in report.findings:
        fix = finding.fix
        if fix is None or fix.file not in originals:
            continue
        if fix.action == "insert-before":
            texts = before.setdefault(fix.file, {}).setdefault(fix.line, [])
            if fix.text not in texts:  # two findings one COPY brings: insert it once
                texts.append(fix.text)
            continue
        if digest.is_digest(fix.text):
            wants_digest = True  # written last, over the edited files (below)
            continue
        try:
            if fix.action == "replace":
                edits[fix.file] = replace_line(current(fix.file), fix.line, fix.text)
            else:
                edits[fix.file], _ = insert_line(current(fix.file), fix.text)
                if fix.remove is not None:  # the release's pip rejects the name twice
                    removals.setdefault(fix.remove[0], set()).add(fix.remove[1])
                elif strategy == "move" and finding.file != fix.file and fix.declares:
                    removals.setdefault(finding.file, set()).add(finding.line)
        except Unfixable as exc:
            result.refused.append(f"{fix.file}: not changed ({exc})")
    for path, by_line in before.items():
        try:
            data = current(path)
            # from the last line up, so earlier line numbers still point where they did
            for number in sorted(by_line, reverse=True):
                for added in reversed(by_line[number]):
                    data = insert_before(data, number, added)
            edits[path] = data
        except Unfixable as exc:
            result.refused.append(f"{path}: not changed ({exc})")
    for path, lines in removals.items():
        try:
            data = current(path)
            for line in sorted(lines, reverse=True):
                data = remove_logical_line(data, line)
            edits[path] = data
        except Unfixable as exc:
            result.refused.append(f"{path}: not changed ({exc})")
    tree = report.tree
    root = tree.root_file
    has_line = root is not None and digest.find(root.text) is not None
    if root is not None and (wants_digest or (has_line and set(edits) - {tree.root})):
        # the digest covers the files as this run leaves them (a move edits a nested file),
        # so `--fix` twice equals once
        read = make_reader(repo, tree)

        def edited(path: str) -> bytes | None:
            return edits[path] if path in edits else read(path)

        digest_line = digest.line_for(digest.compute(digest.inputs(tree, read), edited))
        try:
            edits[tree.root] = set_digest(current(tree.root), digest_line)
        except Unfixable as exc:
            result.refused.append(f"{tree.root}: not changed ({exc})")
    for path, data in edits.items():
        if data == originals[path]:
            continue
        target = os.path.join(real_repo, path)
        # write in place so the file keeps its mode, owner and hard links
        with open(target, "r+b") as handle:
            handle.write(data)
            handle.truncate()
        result.changed.append(path)
    return result
