"""Human-readable output for a terminal: colour only on a TTY and never with NO_COLOR set.

By default each finding is one line (`file:line: severity rule summary`) and, when there is
one, a short `fix:` line; findings that say the same thing on several lines are one line
listing every place. `verbose` adds each finding's whole story and, once per rule, every
selected release's detection line with its source (`--explain RULE` prints the same for any
rule)."""

from __future__ import annotations

from ..model import Finding, Fix, PlatformSelection, Report, Target
from .explain import stories
from .visible import visible

_COLOURS = {"error": "31", "warning": "33", "notice": "36", "problem": "35", "dim": "2"}


def _paint(text: str, kind: str, colour: bool) -> str:
    return f"\033[{_COLOURS[kind]}m{text}\033[0m" if colour else text


def target_text(target: Target, with_evidence: bool = True) -> str:
    """`heroku@latest (Procfile, app.json)`, `heroku@v322 via digitalocean (.do/app.yaml:4)`,
    `docker (Dockerfile): not modelled in this version`."""
    text = target.name
    if target.via:
        text += f" via {target.via}"
    places = list(dict.fromkeys(_place(e.file, e.line) or e.marker for e in target.evidence))
    if with_evidence and places:
        text += f" ({', '.join(places)})"
    if not target.modelled:
        text += ": not modelled in this version"
    return text


def _place(file: str, line: int | None) -> str:
    return f"{file}:{line}" if file and line else file


def selection_lines(selection: PlatformSelection | None, fallback: tuple[str, ...]) -> list[str]:
    """The `platforms:` line and, indented, notes and markers that selected nothing."""
    if selection is None:
        return [f"platforms: {', '.join(fallback)}"]
    if selection.how == "default":
        names = ", ".join(t.name for t in selection.targets)
        head = (
            f"platforms: {names} (no deployment configuration found: every catalogued "
            "platform at its current release)"
        )
    elif selection.how == "detected":
        head = "platforms: " + "; ".join(target_text(t) for t in selection.targets)
    else:
        names = ", ".join(target_text(t, with_evidence=False) for t in selection.targets)
        head = f"platforms: {names} ({selection.source})"
    out = [head]
    out += [f"  {t.name}: {t.note}" for t in selection.targets if t.note]
    out += [
        f"  not selected: {_place(e.file, e.line)}: {e.marker}" if e.file else f"  {e.marker}"
        for e in selection.ignored
    ]
    return out


def group(findings: list[Finding]) -> list[list[Finding]]:
    """Findings that say the same thing (rule, severity, summary and fix) on several lines,
    together, in the order of their first place."""
    groups: dict[tuple[str, str, str, Fix | None, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.rule, finding.severity, finding.short, finding.fix, finding.advice)
        groups.setdefault(key, []).append(finding)
    return list(groups.values())


def fix_lines(fix: Fix) -> list[str]:
    if fix.action == "replace":
        lines = [f"fix: make line {fix.line} of {fix.file} read: {fix.text}"]
    elif fix.action == "insert-before":
        lines = [f"fix: insert before line {fix.line} of {fix.file}: {fix.text}"]
    else:
        lines = [f"fix: add as line {fix.line} of {fix.file}: {fix.text}"]
    if fix.remove:
        lines.append(f"     and delete line {fix.remove[1]} of {fix.remove[0]}")
    return lines


def render(report: Report, colour: bool = False, verbose: bool = False) -> str:
    """The report as terminal text. Every line is made `visible` before it is painted: file
    names, lines and messages come from the repository."""
    out = [
        _paint(visible(line), "dim", colour)
        for line in selection_lines(report.selection, report.platforms)
    ]
    for same in group(report.findings):
        first = same[0]
        places = visible(", ".join(f"{f.file}:{f.line}" for f in same))
        out.append(
            f"{places}: {_paint(first.severity, first.severity, colour)} {first.rule} "
            f"{visible(first.short)}"
        )
        body: list[str] = []
        if verbose:
            body += [f.message for f in same]
        if first.fix:
            body += fix_lines(first.fix)
        elif first.advice:
            said = first.advice.lower().startswith("no ")  # "No one-line fix: ..."
            body.append(first.advice if said else f"no fix: {first.advice}")
        out += [f"    {visible(line)}" for line in body]
    for p in report.problems:
        out.append(
            f"{visible(_place(p.file, p.line))}: {_paint('problem', 'problem', colour)} "
            f"{visible(p.message)}"
        )
    for plan in report.plans:
        for fact in plan.evidence:
            out.append(_paint(visible(f"{plan.platform}: {fact}"), "dim", colour))
    if verbose:
        out += [visible(line) for line in explanations(report)]
        if report.findings:
            out.append("")
    counts = {
        s: sum(1 for f in report.findings if f.severity == s)
        for s in ("error", "warning", "notice")
    }
    summary = (
        f"{len(report.tree.files)} file(s) read from {report.tree.root}; "
        f"{counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['notice']} notice(s), {len(report.problems)} problem(s)"
    )
    if report.ignored:
        summary += f"; {len(report.ignored)} ignored"
    if report.findings and not verbose:
        summary += "; --verbose or --explain RULE says why"
    out.append(_paint(visible(summary), "dim", colour))
    return "\n".join(out) + "\n"


def explanations(report: Report) -> list[str]:
    """Each finding's rule, once, with the releases its findings cover."""
    out: list[str] = []
    for _rule_id, story in stories(report.findings):
        out += ["", *story.rstrip("\n").splitlines()]
    return out
