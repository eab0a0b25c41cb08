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


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _input(name, default).lower()
    if value not in allowed:
        raise _UsageError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


class _UsageError(ValueError):
    pass


def _timeout(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 300:
        raise _UsageError(f"api-timeout must be whole seconds from 1 to 300 (got {value!r})")
    return int(value)


def _has_commit(repo: Path, sha: str) -> bool:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "-e", f"{sha}^{{commit}}"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def main() -> int:
    from .catalog import SelectionError
    from .config import ConfigError
    from .report import github, json_out, sarif, summary
    from .report.scope import load_event
    from .scan import scan

    event = load_event(os.environ)
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or ".")
    path = _input("path", ".")
    root = _input("requirements", "requirements.txt")
    platforms = [p for p in re.split(r"[\s,]+", _input("platform")) if p]
    report_name = _input("report", "heroku-req-check.json")
    sarif_name = _input("sarif", "heroku-req-check.sarif")
    token = _input("github-token")
    try:
        fail_on = _choice("fail-on", "error", FAIL_LEVELS)
        suggest = _choice("suggest", "review", ("none", "review", "commit"))
        check_run = _choice("check-run", "true", ("true", "false")) == "true"
        scope = _choice("filter", "added" if event.is_pull_request else "all", ("added", "all"))
        strategy = _choice("fix-strategy", "copy", ("copy", "move"))
        timeout = _timeout(_input("api-timeout", "10"))
    except _UsageError as exc:
        print(f"::error title=heroku-req-check::{exc}")
        return EXIT_USAGE
    repo = (workspace / path).resolve()
    if not repo.is_dir() or not str(repo).startswith(str(workspace.resolve())):
        print(f"::error title=heroku-req-check::path {path!r} is not a directory in the workspace")
        return EXIT_USAGE
    try:
        base = event.base_sha if event.base_sha and _has_commit(repo, event.base_sha) else None
        report = scan(repo, root, platforms, base=base)
    except (SelectionError, ConfigError) as exc:
        print(f"::error title=heroku-req-check::{exc}")
        return EXIT_USAGE
    prefix = os.path.relpath(repo, workspace.resolve()).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix
    hidden = github.emit_annotations(report, prefix=prefix)
    severities = [f.severity for f in report.findings]
    failed = fails(severities, fail_on)
    notes: list[str] = []
    if event.base_sha and base is None:
        notes.append(
            f"stale-package check skipped: the base commit {event.base_sha[:12]} is not in the "
            "checkout (use actions/checkout with `fetch-depth: 0`)"
        )
    commit = ""
    selected = len(report.findings)
    if token and (check_run or (suggest != "none" and event.is_pull_request)):
        # imported only here: PyGithub and requests cost ~0.25 s and an offline run needs neither
        from .report import pull_request

        options = pull_request.Options(
            token=token,
            api_url=os.environ.get("GITHUB_API_URL") or "https://api.github.com",
            suggest=suggest,  # type: ignore[arg-type]
            check_run=check_run,
            filter=scope,  # type: ignore[arg-type]
            fail_on=fail_on,
            prefix=prefix,
            strategy=strategy,
            timeout=timeout,
            workspace=str(workspace.resolve()),
        )
        outcome = pull_request.publish(report, event, options)
        # the selection (filter: added) decides the step's verdict as it does the check run's
        failed = fails([f.severity for f in outcome.selected], fail_on)
        notes = outcome.notices
        commit = outcome.commit_sha
        selected = len(outcome.selected)
        if selected != len(report.findings):
            notes.append(
                f"filter: added: {selected} of {len(report.findings)} finding(s) are introduced "
                "by this pull request; the check run, review, commit and the step's verdict use "
                "those, and the table below lists all of them"
            )
        if outcome.new_comments or outcome.resolved_comments:
            notes.append(
                f"review: {outcome.new_comments} new comment(s), {outcome.kept_comments} "
                f"already there, {outcome.resolved_comments} marked resolved"
            )
        if commit:
            notes.append(
                f"pushed suggestion commit {commit[:12]} to {event.head_ref} (pushes made with "
                "GITHUB_TOKEN do not start new workflow runs)"
            )
    elif not token and (check_run or suggest != "none"):
        notes.append(
            "no github-token: the check run, review and suggestion commit were skipped "
            "(annotations, the summary and outputs still report everything)"
        )
    for note in notes:
        print(f"::notice title=heroku-req-check::{note}")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    sha = event.report_sha
    link_base = f"{server}/{repository}/blob/{sha}" + (f"/{prefix}" if prefix else "")
    text = summary.render(
        report, link_base if repository and sha else "", hidden_annotations=hidden
    )
    if notes:
        text += "\n### GitHub reporting\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    github.append_summary(text)
    report_path = workspace / report_name
    report_path.write_text(json_out.render(report), encoding="utf-8")
    (workspace / sarif_name).write_text(sarif.render(report, prefix), encoding="utf-8")
    github.set_outputs(
        {
            "findings": str(len(report.findings)),
            "errors": str(severities.count("error")),
            "warnings": str(severities.count("warning")),
            "problems": str(len(report.problems)),
            "selected": str(selected),
            "report": report_name,
            "sarif": sarif_name,
            "commit": commit,
        }
    )
    return 1 if failed else 0


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
