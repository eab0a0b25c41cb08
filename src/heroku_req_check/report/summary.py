"""The Markdown job summary: the platforms modelled and why, counts, a findings table, fixes
to copy, the tree, and each rule's story once (not per finding)."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Evidence, PlatformSelection, Report, Target
from .explain import stories
from .visible import visible

# GITHUB_STEP_SUMMARY shows at most 1 MiB per step.
MAX_BYTES = 1024 * 1024 - 4096


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(
    report: Report,
    link_base: str = "",
    hidden_annotations: int = 0,
    fix_command: str = "heroku-req-check --fix",
) -> str:
    """`hidden_annotations`: how many annotations GitHub will not show (10 per type per step);
    `fix_command`: the command that applies the fixes from the repository's top (the app's
    directory and the platforms as this run had them)."""

    def link(path: str, line: int | None) -> str:
        label = f"{path}:{line}" if line else path
        if not link_base:
            return f"`{label}`"
        anchor = f"#L{line}" if line else ""
        return f"[`{label}`]({link_base}/{path}{anchor})"

    tree = report.tree
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    notices = sum(1 for f in report.findings if f.severity == "notice")
    out = ["## heroku-req-check", ""]
    out += _selection(report.selection, report.platforms, link)
    out.append(
        f"**{errors} error(s), {warnings} warning(s), {notices} notice(s), "
        f"{len(report.problems)} problem(s)** "
        f"in {len(tree.files)} requirements file(s) from `{tree.root}`."
    )
    out.append("")
    if hidden_annotations:
        out += [
            f"> GitHub shows at most 10 annotations of each type per step: {hidden_annotations} "
            "are not shown on the files. Every finding is listed below.",
            "",
        ]
    if report.findings:
        out += ["| | Where | Package | What happens | Rule |", "|---|---|---|---|---|"]
        for f in report.findings:
            icon = {"error": ":x:", "warning": ":warning:", "notice": ":information_source:"}[
                f.severity
            ]
            out.append(
                f"| {icon} | {link(f.file, f.line)} | `{f.package}` | {_cell(f.short)} "
                f"| `{f.rule}` |"
            )
        out.append("")
        fixes = [f.fix for f in report.findings if f.fix and f.fix.action == "insert"]
        if fixes:
            root_lines = sorted({fix.text for fix in fixes})
            out += [f"Add to `{tree.root}`:", "", "```text", *root_lines, "```", ""]
            moved = sorted({fix.remove for fix in fixes if fix.remove})
            if moved:
                out += [
                    f"- and delete line {line} of `{file}`: the release's pip rejects a name "
                    "given twice"
                    for file, line in moved
                ]
                out.append("")
        respell = [f.fix for f in report.findings if f.fix and f.fix.action == "replace"]
        for fix in respell:
            out += [f"In `{fix.file}`, make line {fix.line} read:", "", "```text", fix.text]
            out += ["```", ""]
        before = [f.fix for f in report.findings if f.fix and f.fix.action == "insert-before"]
        for fix in sorted(set(before), key=lambda x: (x.file, x.line, x.text)):
            out += [f"In `{fix.file}`, before line {fix.line}:", "", "```dockerfile", fix.text]
            out += ["```", ""]
        if fixes or respell or before:
            out += [f"Or run `{fix_command}` locally.", ""]
    else:
        out += ["No buildpack blind spots found.", ""]
    if report.ignored:
        out += ["### Ignored", ""]
        out += [
            f"- {link(f.file, f.line)} `{f.rule}` `{f.package}`: {_cell(reason)}"
            for f, reason in report.ignored
        ]
        out.append("")
    if report.problems:
        out += ["### Problems", ""]
        out += [f"- {link(p.file, p.line)}: {_cell(p.message)}" for p in report.problems]
        out.append("")
    out += ["### Requirements tree", ""]
    out += _tree_lines(report)
    out += _why(report)
    text = visible("\n".join(out) + "\n")  # repository text: no control sequences
    if len(text.encode()) > MAX_BYTES:
        text = (
            text.encode()[:MAX_BYTES].decode(errors="ignore")
            + "\n\n_(summary cut at GitHub's 1 MiB limit)_\n"
        )
    return text


def _selection(
    selection: PlatformSelection | None,
    labels: tuple[str, ...],
    link: Callable[[str, int | None], str],
) -> list[str]:
    """What was modelled and the evidence for each platform, first."""
    if selection is None:
        return [f"Platforms: {', '.join(labels)}.", ""]
    if selection.how == "default":
        names = ", ".join(f"`{t.name}`" for t in selection.targets)
        return [
            f"Platforms: {names}: no deployment configuration was found, so every catalogued "
            "platform is checked at its current release (name yours with the `platform` "
            "input or the configuration file's `platforms`).",
            "",
        ]
    if selection.how in ("option", "configuration"):
        names = ", ".join(f"`{t.name}`" for t in selection.targets)
        out = [f"Platforms: {names}, from {selection.source}.", ""]
        if selection.detected:
            found = "; ".join(_target(t) for t in selection.detected)
            out += [f"The repository's deployment configuration says: {found}.", ""]
        return out
    out = ["Platforms, from the repository's deployment configuration:", ""]
    for target in selection.targets:
        out.append(f"- {_target(target)}")
        out += [f"  - {_evidence(e, link)}" for e in target.evidence]
        if target.note:
            out.append(f"  - note: {_cell(target.note)}")
    out += [f"- not selected: {_evidence(e, link)}" for e in selection.ignored]
    return [*out, ""]


def _target(target: Target) -> str:
    text = f"`{target.name}`" + (f" via {target.via}" if target.via else "")
    if not target.modelled:
        text += " (not modelled in this version: no rules run for it)"
    return text


def _evidence(evidence: Evidence, link: Callable[[str, int | None], str]) -> str:
    where = f"{link(evidence.file, evidence.line)}: " if evidence.file else ""
    source = f" ({_cell(evidence.source)})" if evidence.source else ""
    return f"{where}{_cell(evidence.marker)}{source}"


def _why(report: Report) -> list[str]:
    """Each rule behind a finding, once: what its step does and the selected releases'
    detection lines with their sources."""
    out: list[str] = []
    for rule_id, story in stories(report.findings):
        out += ["", f"<details><summary><code>{rule_id}</code>: why</summary>", ""]
        out += ["```text", *story.rstrip("\n").splitlines(), "```", "", "</details>"]
    return ["", "### Why", *out] if out else []


def _tree_lines(report: Report) -> list[str]:
    """The include tree, depth first, with the lines that have findings; linear in files,
    includes and declarations (each is indexed once by file, never searched per file)."""
    tree = report.tree
    marked = {(f.file, f.line) for f in report.findings}
    marked_lines: dict[str, list[tuple[int, str]]] = {}
    for decl in tree.declarations:
        if (decl.file, decl.line) in marked:
            marked_lines.setdefault(decl.file, []).append((decl.line, decl.text))
    children: dict[str, list[tuple[str, str, int]]] = {}
    for inc in tree.includes:
        if inc.resolved:
            children.setdefault(inc.file, []).append((inc.resolved, inc.kind, inc.line))
    lines: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str, int, str]] = [(tree.root, 0, "")]
    while stack:
        path, depth, how = stack.pop()
        indent = "  " * depth
        if path in seen:
            lines.append(f"{indent}- `{path}`{how} (already shown)")
            continue
        seen.add(path)
        lines.append(f"{indent}- `{path}`{how}")
        for number, text in marked_lines.get(path, ()):
            lines.append(f"{indent}  - **line {number}: `{text}`** :arrow_left: finding")
        for target, kind, line in reversed(children.get(path, [])):
            flag = " (-c, constraints only)" if kind == "constraint" else ""
            stack.append((target, depth + 1, f"{flag} from line {line}"))
    return lines
