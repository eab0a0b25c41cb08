"""The GitHub Action edge: INPUT_* variables in, the CLI core with GitHub reporters out.

Order of a run: inputs are checked (a bad one is a failed step with one error, before any
work), the tree is scanned, annotations go out, the optional API reporters run (each one that
fails, for whatever reason, becomes one notice), then the summary, the JSON report, the SARIF
log and the step outputs are written. The exit status comes from the findings alone.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import ISSUES_URL
from .cli import (
    EXIT_BUG,
    EXIT_USAGE,
    FAIL_LEVELS,
    Cancelled,
    cancelled_line,
    fails,
    install_signal_handlers,
    repository_root,
)

if TYPE_CHECKING:
    from .report.scope import DiffLines


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


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _output_path(workspace: Path, name: str, value: str) -> Path:
    """Where the `report`/`sarif` input says to write: relative to the workspace, or absolute
    inside the workspace or the runner's temporary directory (the runner maps
    `${{ runner.temp }}` and `${{ github.workspace }}` paths into the container's
    /github/runner_temp and /github/workspace; actions/runner ContainerActionHandler.cs,
    TranslateToContainerPath). Anywhere else the file would vanish with the container."""
    target = (workspace / value).resolve()
    allowed = [workspace]
    temp = os.environ.get("RUNNER_TEMP") or ("/github/runner_temp" if _in_container() else "")
    if temp:
        allowed.append(Path(temp).resolve())
    if not any(_within(target, folder) for folder in allowed):
        where = " or ".join(str(f) for f in allowed)
        raise _UsageError(
            f"{name}: {value!r} is outside the workspace and the runner's temporary directory "
            f"({where}); a file written there is not kept after the step. Use a path relative "
            "to the workspace, or ${{ runner.temp }}/NAME"
        )
    if target.is_dir():
        raise _UsageError(f"{name}: {value!r} is a directory; name a file")
    return target


def _in_container() -> bool:
    return os.environ.get("GITHUB_WORKSPACE") == "/github/workspace"


def _write(path: Path, text: str) -> None:
    """Write `text`, creating missing folders. Run as root (a Docker action's container is),
    each file and folder made takes the owner of the nearest existing folder above it: the
    runner's user (uid 1001) owns the workspace and must be able to clean it up."""
    made: list[Path] = []
    folder = path.parent
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    owner = folder.stat()
    for new in reversed(made):
        new.mkdir()
    path.write_text(text, encoding="utf-8")
    if os.geteuid() == 0 and (owner.st_uid, owner.st_gid) != (0, 0):
        for item in [*made, path]:
            os.chown(item, owner.st_uid, owner.st_gid)


def _base_available(repo: Path, sha: str) -> tuple[bool, str]:
    """Whether git can read commit `sha` in the checkout; if not, why (for the notice)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "-e", f"{sha}^{{commit}}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except FileNotFoundError:
        return False, "cannot be read: git is not installed where the action runs"
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"cannot be read: git failed ({type(exc).__name__})"
    if done.returncode == 0:
        return True, ""
    if "dubious ownership" in done.stderr:
        return False, "cannot be read: git refuses the checkout as of dubious ownership"
    if "not a git repository" in done.stderr:
        return False, "cannot be read: the app is not in a git checkout"
    return False, "is not in the checkout (use actions/checkout with `fetch-depth: 0`)"


def _local_diff(checkout: Path, base_sha: str) -> DiffLines | None:
    """The lines the checkout adds to commit `base_sha` (what `filter: added` needs) from git
    itself, for runs that make no API call; None when git cannot tell."""
    import subprocess

    from .report.scope import parse_diff

    try:
        done = subprocess.run(
            [
                *("git", "-C", str(checkout), "diff", "--no-color", "--no-ext-diff"),
                *("--no-renames", "--unified=0", base_sha, "--"),
            ],
            capture_output=True,
            text=True,
            errors="surrogateescape",
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_diff(done.stdout) if done.returncode == 0 else None


def main() -> int:
    from .catalog import SelectionError
    from .config import ConfigError
    from .report import github, json_out, sarif, summary
    from .report.scope import introduced, load_event
    from .scan import scan

    event = load_event(os.environ)
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or ".").resolve()
    path = _input("path", ".")
    root = _input("requirements", "requirements.txt")
    platforms = [p for p in re.split(r"[\s,]+", _input("platform")) if p]
    report_name = _input("report", "heroku-req-check.json")
    sarif_name = _input("sarif", "heroku-req-check.sarif")
    token = _input("github-token")
    repo = (workspace / path).resolve()
    try:
        fail_on = _choice("fail-on", "error", FAIL_LEVELS)
        suggest = _choice("suggest", "review", ("none", "review", "commit"))
        check_run = _choice("check-run", "true", ("true", "false")) == "true"
        scope = _choice("filter", "added" if event.is_pull_request else "all", ("added", "all"))
        strategy = _choice("fix-strategy", "copy", ("copy", "move"))
        timeout = _timeout(_input("api-timeout", "10"))
        if not repo.is_dir() or not _within(repo, workspace):
            raise _UsageError(f"path {path!r} is not a directory in the workspace")
        from .scan import app_root

        # an app with no requirements.txt is checked from what declares its dependencies
        root = app_root(repo, root)
        root_path = repo / root
        if not os.path.lexists(root_path):
            raise _UsageError(
                f"requirements: {root!r} does not exist in {path!r} (the root requirements "
                "file the platforms read; set the `requirements` input to its path, relative "
                "to `path`)"
            )
        if root_path.is_dir():
            raise _UsageError(f"requirements: {root!r} in {path!r} is a directory, not a file")
        report_path = _output_path(workspace, "report", report_name)
        sarif_path = _output_path(workspace, "sarif", sarif_name)
    except _UsageError as exc:
        print(f"::error title=heroku-req-check::{exc}")
        return EXIT_USAGE
    notes: list[str] = []
    base = None
    if event.base_sha:
        available, why = _base_available(repo, event.base_sha)
        if available:
            base = event.base_sha
        else:
            notes.append(
                f"stale-package check skipped: the base commit {event.base_sha[:12]} {why}"
            )
    try:
        report = scan(repo, root, platforms, base=base, option="the platform input")
    except (SelectionError, ConfigError) as exc:
        print(f"::error title=heroku-req-check::{exc}")
        return EXIT_USAGE
    checkout = repository_root(repo, workspace) or workspace
    prefix = repo.relative_to(checkout).as_posix()
    prefix = "" if prefix == "." else prefix
    hidden = github.emit_annotations(report, prefix=prefix)
    severities = [f.severity for f in report.findings]
    failed = fails(severities, fail_on)
    commit = ""
    selected = len(report.findings)
    if token and (check_run or (suggest != "none" and event.is_pull_request)):
        try:
            # imported only here: PyGithub and requests cost ~0.25 s and an offline run needs
            # neither
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
                workspace=str(checkout),
            )
            outcome = pull_request.publish(report, event, options)
        except Exception as exc:  # a bug in the optional part: the report goes on without it
            notes.append(
                f"check run, review and commit skipped: internal error ({type(exc).__name__}: "
                f"{exc}); please report it at {ISSUES_URL}"
            )
        else:
            # the selection (filter: added) decides the step's verdict as it does the check
            # run's
            failed = fails([f.severity for f in outcome.selected], fail_on)
            notes += outcome.notices
            commit = outcome.commit_sha
            selected = len(outcome.selected)
            if selected != len(report.findings):
                notes.append(
                    f"filter: added: {selected} of {len(report.findings)} finding(s) are "
                    "introduced by this pull request; the check run, review, commit and the "
                    "step's verdict use those, and the table below lists all of them"
                )
            if outcome.new_comments or outcome.resolved_comments:
                notes.append(
                    f"review: {outcome.new_comments} new comment(s), {outcome.kept_comments} "
                    f"already there, {outcome.resolved_comments} marked resolved"
                )
            if commit:
                notes.append(
                    f"pushed suggestion commit {commit[:12]} to {event.head_ref} (pushes made "
                    "with GITHUB_TOKEN do not start new workflow runs)"
                )
    else:
        if not token and (check_run or suggest != "none"):
            notes.append(
                "no github-token: the check run, review and suggestion commit were skipped "
                "(annotations, the summary and outputs still report everything)"
            )
        if scope == "added" and event.is_pull_request:
            # no API call reads the pull request's diff: git gives it from the base commit
            diff = _local_diff(checkout, base) if base else None
            if diff is None:
                notes.append(
                    "filter: added not applied: the base commit is not in the checkout (use "
                    "actions/checkout with `fetch-depth: 0`), so every finding decides the "
                    "step's verdict"
                )
            else:
                chosen = introduced(report, diff, prefix)
                failed = fails([f.severity for f in chosen], fail_on)
                selected = len(chosen)
                if selected != len(report.findings):
                    notes.append(
                        f"filter: added: {selected} of {len(report.findings)} finding(s) are "
                        "introduced by this pull request; the step's verdict uses those, and "
                        "the table below lists all of them"
                    )
    for note in notes:
        print(f"::notice title=heroku-req-check::{note}")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    sha = event.report_sha
    link_base = f"{server}/{repository}/blob/{sha}" + (f"/{prefix}" if prefix else "")
    # the same run from the repository's top, as a person would type it
    command = ["heroku-req-check", "--fix", *(f"--platform={p}" for p in platforms)]
    if root != "requirements.txt":
        command.append(f"--requirements={root}")
    if prefix:
        command.append(prefix)
    text = summary.render(
        report,
        link_base if repository and sha else "",
        hidden_annotations=hidden,
        fix_command=shlex.join(command),
    )
    if notes:
        text += "\n### GitHub reporting\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    github.append_summary(text)
    _write(report_path, json_out.render(report))
    _write(sarif_path, sarif.render(report, prefix))
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
    install_signal_handlers()
    try:
        return main()
    except Cancelled as stop:
        sys.stderr.write(cancelled_line(stop) + "\n")
        return stop.exit_code
    except Exception as exc:
        print(
            f"::error title=heroku-req-check internal error::{type(exc).__name__}: {exc}. "
            f"Please report it at {ISSUES_URL}"
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(run())
