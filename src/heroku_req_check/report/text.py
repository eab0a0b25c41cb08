"""Human-readable output for a terminal; colour only on a TTY and never with NO_COLOR set."""

from __future__ import annotations

from ..model import Report

_COLOURS = {"error": "31", "warning": "33", "notice": "36", "problem": "35", "dim": "2"}


def _paint(text: str, kind: str, colour: bool) -> str:
    return f"\033[{_COLOURS[kind]}m{text}\033[0m" if colour else text


def render(report: Report, colour: bool = False) -> str:
    out: list[str] = []
    for f in report.findings:
        out.append(
            f"{f.file}:{f.line}: {_paint(f.severity, f.severity, colour)} [{f.rule}] {f.title}"
        )
        out.append(f"    {f.message}")
        if f.fix:
            verb = {"replace": "replace line", "insert-before": "insert before line"}.get(
                f.fix.action, "add as line"
            )
            out.append(f"    fix: {verb} {f.fix.line} of {f.fix.file}: {f.fix.text}")
            if f.fix.remove:
                out.append(f"         and delete line {f.fix.remove[1]} of {f.fix.remove[0]}")
    for p in report.problems:
        where = f"{p.file}:{p.line}" if p.line else p.file
        out.append(f"{where}: {_paint('problem', 'problem', colour)} {p.message}")
    for plan in report.plans:
        for fact in plan.evidence:
            out.append(_paint(f"{plan.platform}: {fact}", "dim", colour))
    counts = {
        s: sum(1 for f in report.findings if f.severity == s)
        for s in ("error", "warning", "notice")
    }
    summary = (
        f"{len(report.tree.files)} file(s) read from {report.tree.root}; "
        f"{counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['notice']} notice(s), "
        f"{len(report.problems)} problem(s); platforms: {', '.join(report.platforms)}"
    )
    if report.ignored:
        summary += f"; {len(report.ignored)} ignored"
    out.append(_paint(summary, "dim", colour))
    return "\n".join(out) + "\n"
