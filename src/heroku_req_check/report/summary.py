"""The Markdown job summary: counts, a findings table, fixes to copy, and the tree."""

from __future__ import annotations

from ..model import Report

# GITHUB_STEP_SUMMARY shows at most 1 MiB per step.
MAX_BYTES = 1024 * 1024 - 4096


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report, link_base: str = "", hidden_annotations: int = 0) -> str:
    """`hidden_annotations`: how many annotations GitHub will not show (10 per type per step)."""

    def link(path: str, line: int | None) -> str:
        label = f"{path}:{line}" if line else path
        if not link_base:
            return f"`{label}`"
        anchor = f"#L{line}" if line else ""
        return f"[`{label}`]({link_base}/{path}{anchor})"

    tree = report.tree
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    out = ["## heroku-req-check", ""]
    out.append(
        f"**{errors} error(s), {warnings} warning(s), {len(report.problems)} problem(s)** "
        f"in {len(tree.files)} requirements file(s) from `{tree.root}`; "
        f"platforms: {', '.join(report.platforms)}."
    )
    out.append("")
    if hidden_annotations:
        out += [
            f"> GitHub shows at most 10 annotations of each type per step: {hidden_annotations} "
            "are not shown on the files. Every finding is listed below.",
            "",
        ]
    if report.findings:
        out += ["| | Where | Package | Platforms | What happens |", "|---|---|---|---|---|"]
        for f in report.findings:
            icon = {"error": ":x:", "warning": ":warning:", "notice": ":information_source:"}[
                f.severity
            ]
            out.append(
                f"| {icon} | {link(f.file, f.line)} | `{f.package}` "
                f"| {_cell(', '.join(f.platforms))} | {_cell(f.message)} |"
            )
        out.append("")
        fixes = [f.fix for f in report.findings if f.fix and f.fix.action == "insert"]
        if fixes:
            root_lines = sorted({fix.text for fix in fixes})
            out += [f"Add to `{tree.root}`:", "", "```text", *root_lines, "```", ""]
        respell = [f.fix for f in report.findings if f.fix and f.fix.action == "replace"]
        for fix in respell:
            out += [f"In `{fix.file}`, make line {fix.line} read:", "", "```text", fix.text]
            out += ["```", ""]
        before = [f.fix for f in report.findings if f.fix and f.fix.action == "insert-before"]
        for fix in sorted(set(before), key=lambda x: (x.file, x.line, x.text)):
            out += [f"In `{fix.file}`, before line {fix.line}:", "", "```dockerfile", fix.text]
            out += ["```", ""]
        if fixes or respell or before:
            out += ["Or run `heroku-req-check --fix` locally.", ""]
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
    text = "\n".join(out) + "\n"
    if len(text.encode()) > MAX_BYTES:
        text = (
            text.encode()[:MAX_BYTES].decode(errors="ignore")
            + "\n\n_(summary cut at GitHub's 1 MiB limit)_\n"
        )
    return text


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
