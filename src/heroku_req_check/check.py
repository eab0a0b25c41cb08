"""Run every selected era of every rule against the tree and turn misses into findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from . import detectors
from .catalog import Era, Platform, Rule, Selection, format_ranges
from .detectors import Reader, Verdict
from .fix import comment_for, deployable, insertion_for, respelled_line
from .model import BuildPlan, Declaration, Finding, Fix, RequirementsTree, Severity
from .plans import plan_for
from .platforms import builders
from .reqfile import canonical_key, decode


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


def _selected_eras(
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
    tree: RequirementsTree, selections: Iterable[Selection], read: Reader
) -> dict[str, BuildPlan]:
    """Each selected platform's build plan for this app (plans.py), by platform name."""
    return {
        s.platform.name: plan_for(s.platform, tree.repo_dir, read, tree.scan_id) for s in selections
    }


def _overmatches(
    tree: RequirementsTree,
    selections: Iterable[Selection],
    read: Reader,
    plans: dict[str, BuildPlan],
) -> list[Finding]:
    """A substring detector that fires on a comment or a longer name, where firing has a real
    consequence (era.overmatch says which): reported on the line that makes it fire."""
    findings = []
    installed = frozenset(d.key for d in tree.declarations if d.installs)
    for selection, rule, era in _selected_eras(selections, plans):
        if not era.overmatch or set(rule.packages) & installed:
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
    for selection, rule, era in _selected_eras(selections, plans):
        if era.detector != "root-includes" or era.pattern.encode() in root.data:
            continue
        text = (
            f"# {era.pattern} (heroku-req-check: this text makes "
            f"{selection.platform.name} copy the whole app before pip install)"
        )
        try:
            fix: Fix | None = Fix(root.path, insert_line(root.data, text)[1], text)
        except Unfixable:
            fix = None
        labels = format_ranges(selection.platform, selection.releases)
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
            if kind == "include":
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
    # declarations by key, in tree order: rules x eras x declarations would be quadratic
    by_key: dict[str, list[tuple[int, Declaration]]] = {}
    for position, decl in enumerate(tree.declarations):
        by_key.setdefault(decl.key, []).append((position, decl))
    for selection in selections:
        platform = selection.platform
        plan = plans.get(platform.name)
        for rule in platform.rules:
            if rule.vcs:
                candidates = tree.declarations
            else:
                candidates = [
                    d for _, d in sorted(p for key in rule.packages for p in by_key.get(key, ()))
                ]
            for era in rule.eras:
                if plan is not None and not plan.runs(era.step):
                    continue
                if era.moot_if and _moot(era, plan, tree):
                    continue
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
                    miss.releases |= releases
                    if all(known is not era for known, _ in miss.eras):
                        # a broken release's miss gathers every declaration of the
                        # package: its eras are named once
                        miss.eras.append((era, result))
    findings = _reconciled(tree, list(misses.values()), read)
    findings += _overmatches(tree, selections, read, plans)
    findings += _root_includes(tree, selections, plans)
    findings += builders.findings(tree, selections, read, plans)
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    return findings


def _reconciled(tree: RequirementsTree, misses: list[_Miss], read: Reader) -> list[Finding]:
    """One finding per miss; where several rules (or platforms) propose different edits for
    one declaration, they get one edit that every one of them accepts: two fixes must never
    add a package twice in two spellings, nor respell a line another fix moves."""
    findings = {id(m): _finding(m, tree, misses, read) for m in misses}
    groups: dict[tuple[str, int, str], list[_Miss]] = {}
    for miss in misses:
        if miss.kind != "broken":
            groups.setdefault((miss.decl.file, miss.decl.line, miss.decl.key), []).append(miss)
    for group in groups.values():
        # a miss no root line can cure keeps its own message; it does not veto the others
        fixable = [m for m in group if findings[id(m)].fix is not None]
        if len({findings[id(m)].fix for m in fixable}) < 2:
            continue
        fix, note = _plan_fix(tree, group[0].decl, fixable, read)
        shared = "one edit for every selected platform"
        note = f"{shared}: {note}" if note and fix else note
        for miss in fixable:
            findings[id(miss)] = _finding(miss, tree, misses, read, (fix, note))
    return list(findings.values())


def _plan_fix(
    tree: RequirementsTree, decl: Declaration, misses: list[_Miss], read: Reader
) -> tuple[Fix | None, str]:
    """The root-file edit that makes every release of `misses` see `decl` and installs with
    each release's pip, or None; and one sentence on why it moves or why there is none."""
    fix, still_missed = insertion_for(tree, decl, misses, read)
    comment = None
    if fix is None or still_missed or _needs_a_move(tree, decl, fix, misses):
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
        platforms: dict[str, tuple[Platform, dict[str, set[int]]]] = {}
        for (name, releases), platform in _groups(misses).items():
            pips = platforms.setdefault(name, (platform, {}))[1]
            for pip, group in _pip_groups(platform, releases).items():
                pips.setdefault(pip, set()).update(group)
        for _name, (platform, pips) in sorted(platforms.items()):
            verdict = deployable(tree, decl, fix, platform, pips)
            if verdict.fix is None:
                return None, verdict.note
            if verdict.fix.remove is not None:
                fix, note = verdict.fix, verdict.note
    for miss in misses:
        for era, _ in miss.eras:
            if era.fix_requires_code and not detectors.code_matches(tree, era.fix_requires_code):
                # the line alone would make the build fail: two edits are needed
                return None, era.fix_requires.format(line=f"`{decl.text}`", root=tree.root)
    return fix, note


def _needs_a_move(tree: RequirementsTree, decl: Declaration, fix: Fix, misses: list[_Miss]) -> bool:
    """Whether a copy of the line would be refused by some miss's release pip."""
    asked: set[tuple[str, frozenset[str]]] = set()
    # the verdict depends on the platform and its pips only: hundreds of misses of one package
    # (a monorepo's nested files) ask once
    for (name, releases), platform in _groups(misses).items():
        pips = _pip_groups(platform, releases)
        key = (name, frozenset(pips))
        if key in asked:
            continue
        asked.add(key)
        verdict = deployable(tree, decl, fix, platform, pips)
        if verdict.fix is None or verdict.fix.remove is not None:
            return True
    return False


def _action(tree: RequirementsTree, decl: Declaration, fix: Fix | None, note: str) -> str:
    if fix and fix.text.lstrip().startswith("#"):
        return (
            f"Add the comment `{fix.text}` to {tree.root}: the build searches that file's "
            "text, comments included, and pip ignores the comment, so nothing is installed "
            "twice."
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
    all_misses: list[_Miss],
    read: Reader,
    forced: tuple[Fix | None, str] | None = None,
) -> Finding:
    """`forced`: the edit (and its note) reconciled with other rules' for this declaration."""
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
            f"{reasons}. So {_effects(miss)}. No edit helps: deploy with another release."
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
            f"'{decl.name}' ({where}) is not recognised by {labels}: {reasons}. "
            f"So {_effects(miss)}. {action}"
        )
    else:
        rule_id = rule.id
        others = [
            m
            for m in all_misses
            if m.rule.id == rule.id and m.decl.key == decl.key and m.kind != "broken"
        ]
        fix, note = forced if forced is not None else _plan_fix(tree, decl, others, read)
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
        message = f"{lead}: {reasons}. So {_effects(miss)}. {action}"
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


def _groups(misses: list[_Miss]) -> dict[tuple[str, frozenset[int]], Platform]:
    """The distinct (platform, releases) of `misses`, each with its platform."""
    return {(m.platform.name, frozenset(m.releases)): m.platform for m in misses}


def _pip_groups(platform: Platform, releases: frozenset[int]) -> dict[str, set[int]]:
    """The pip versions `releases` install with -> those releases."""
    by_pip: dict[str, set[int]] = {}
    for release in releases:
        by_pip.setdefault(platform.pip_for(release), set()).add(release)
    return by_pip


def _pips(miss: _Miss) -> dict[str, set[int]]:
    """The pip versions the miss's releases install with -> those releases."""
    by_pip: dict[str, set[int]] = {}
    for release in miss.releases:
        by_pip.setdefault(miss.platform.pip_for(release), set()).add(release)
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
        versions = f"v{era.first}-v{era.last}" if era.first != era.last else f"v{era.first}"
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
