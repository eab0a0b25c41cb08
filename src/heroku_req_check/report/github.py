"""GitHub workflow commands (annotations) and step outputs.

Uses actions-toolkit's `command` and `file_command` modules only: its `core` module imports
`requests` (through oidc_utils) on import, which an offline run must not pay for, and its
annotation helper emits empty `col=`/`endLine=` properties. The escaping in `command` matches
@actions/core's (%, CR, LF in data; also ':' and ',' in properties).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable

from actions_toolkit.command import issue_command
from actions_toolkit.file_command import issue_file_command, prepare_key_value_message

from ..model import Finding, Report
from .visible import visible

# GitHub shows at most 10 annotations of each type per step (and 50 per job); the rest are
# dropped silently (actions/toolkit docs/problem-matchers.md, "Limitations").
SHOWN_PER_TYPE = 10


def emit_annotations(
    report: Report, prefix: str = "", write: Callable[[str], None] | None = None
) -> int:
    """Emit one annotation per finding and problem; returns how many GitHub will hide."""

    def path(p: str) -> str:
        return posixpath.normpath(posixpath.join(prefix, p)) if prefix else p

    counts = {"error": 0, "warning": 0, "notice": 0}
    for f in report.findings:
        counts[f.severity] += 1
        issue_command(
            f.severity,
            {"file": visible(path(f.file)), "line": f.line, "title": visible(f.title)},
            visible(annotation(f)),
        )
    for p in report.problems:
        counts["warning"] += 1
        props: dict[str, object] = {
            "file": visible(path(p.file)),
            "title": "requirements problem",
        }
        if p.line:
            props["line"] = p.line
        issue_command("warning", props, visible(p.message))
    hidden = sum(max(0, n - SHOWN_PER_TYPE) for n in counts.values())
    if hidden:
        issue_command(
            "notice",
            {"title": "heroku-req-check"},
            f"{hidden} annotation(s) beyond GitHub's limit of {SHOWN_PER_TYPE} per type per step "
            "are not shown: every finding is in the job summary.",
        )
    return hidden


def annotation(finding: Finding) -> str:
    """One or two sentences: what is missed and its effect, then the fix; the whole story
    (releases, detection lines, sources) is in the job summary and `--explain`."""
    fix = finding.fix
    if fix is not None and fix.action == "replace":
        advice = f"Fix: make line {fix.line} of {fix.file} read `{fix.text}`; the job"
    elif fix is not None and fix.action == "insert-before":
        advice = f"Fix: insert `{fix.text}` before line {fix.line} of {fix.file}; the job"
    elif fix is not None:
        advice = f"Fix: add `{fix.text}` to {fix.file}"
        if fix.remove:
            advice += f" and delete line {fix.remove[1]} of {fix.remove[0]}"
        advice += "; the job"
    else:
        advice = "The job"
    return f"{finding.short}. {advice} summary says why."


def set_outputs(values: dict[str, str]) -> None:
    if not os.environ.get("GITHUB_OUTPUT"):
        return
    for name, value in values.items():
        issue_file_command("OUTPUT", prepare_key_value_message(name, value))


def append_summary(markdown: str) -> bool:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(markdown)
    return True
