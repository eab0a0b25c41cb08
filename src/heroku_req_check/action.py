"""The GitHub Action edge: INPUT_* variables in, the CLI core with GitHub reporters out."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .cli import EXIT_BUG, EXIT_USAGE, FAIL_LEVELS, ISSUES_URL, fails


def _input(name: str, default: str = "") -> str:
    # Docker actions get INPUT_<NAME> upper-cased with hyphens kept (INPUT_FAIL-ON); JavaScript
    # runners and act use underscores. Accept both.
    upper = name.upper()
    for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
        value = os.environ.get(key)
        if value is not None and value.strip():
            return value.strip()
    return default


def _head_sha() -> str:
    """The pull request's head commit: on pull_request events GITHUB_SHA is a merge commit that
    the author never sees, so links to files and lines use the head instead."""
    import json

    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
        sha = event["pull_request"]["head"]["sha"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha) else ""


def main() -> int:
    from .catalog import SelectionError
    from .report import github, json_out, sarif, summary
    from .scan import scan

    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or ".")
    path = _input("path", ".")
    root = _input("requirements", "requirements.txt")
    platforms = [p for p in re.split(r"[\s,]+", _input("platform")) if p]
    fail_on = _input("fail-on", "error")
    report_name = _input("report", "heroku-req-check.json")
    sarif_name = _input("sarif", "heroku-req-check.sarif")
    if fail_on not in FAIL_LEVELS:
        print(f"::error title=heroku-req-check::fail-on must be one of {', '.join(FAIL_LEVELS)}")
        return EXIT_USAGE
    repo = (workspace / path).resolve()
    if not repo.is_dir() or not str(repo).startswith(str(workspace.resolve())):
        print(f"::error title=heroku-req-check::path {path!r} is not a directory in the workspace")
        return EXIT_USAGE
    try:
        report = scan(repo, root, platforms)
    except SelectionError as exc:
        print(f"::error title=heroku-req-check::{exc}")
        return EXIT_USAGE
    prefix = os.path.relpath(repo, workspace.resolve()).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix
    hidden = github.emit_annotations(report, prefix=prefix)
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    sha = _head_sha() or os.environ.get("GITHUB_SHA", "")
    link_base = f"{server}/{repository}/blob/{sha}" + (f"/{prefix}" if prefix else "")
    github.append_summary(
        summary.render(report, link_base if repository and sha else "", hidden_annotations=hidden)
    )
    report_path = workspace / report_name
    report_path.write_text(json_out.render(report), encoding="utf-8")
    (workspace / sarif_name).write_text(sarif.render(report, prefix), encoding="utf-8")
    severities = [f.severity for f in report.findings]
    github.set_outputs(
        {
            "findings": str(len(report.findings)),
            "errors": str(severities.count("error")),
            "warnings": str(severities.count("warning")),
            "problems": str(len(report.problems)),
            "report": report_name,
            "sarif": sarif_name,
        }
    )
    return 1 if fails(severities, fail_on) else 0


def run() -> int:
    try:
        return main()
    except Exception as exc:
        print(
            f"::error title=heroku-req-check internal error::{type(exc).__name__}: {exc}. "
            f"Please report it at {ISSUES_URL}"
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(run())
