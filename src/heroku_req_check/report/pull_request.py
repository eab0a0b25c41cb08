"""The GitHub API reporters: a check run, a pull-request review with suggestions, and a
suggestion commit. The only module that imports PyGithub (and through it `requests`); an
offline run never imports it.

Every step degrades instead of failing: a missing permission (403, e.g. a read-only token on a
fork's pull request), 404, 422, 5xx after bounded retries, rate limits and timeouts each end
the step with one notice saying what was skipped and which permission would enable it; the
annotations and the job summary written by the caller still carry every finding.

Calls per run: check run 1 + one per further 50 annotations; review: list files, list
comments, one review (only when there is something new), one edit per resolved comment;
commit: read the head tree, (the root file's blob only when the checkout differs from the
head), create tree, create commit, move the branch.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import github
import requests
from github import Auth, Github, GithubException, GithubRetry, InputGitAuthor, InputGitTreeElement

from .. import ISSUES_URL
from ..fix import Unfixable, insert_line, remove_logical_line, replace_line
from ..model import Finding, Report
from . import summary as summary_report
from .scope import DiffLines, EventContext, fingerprint, introduced, marker, markers_in, parse_patch

T = TypeVar("T")
ANNOTATIONS_PER_CALL = 50  # GitHub's limit per check-run request
CHECK_SUMMARY_LIMIT = 65_535  # characters GitHub accepts in output.summary
COMMIT_AUTHOR = ("heroku-req-check", "heroku-req-check@users.noreply.github.com")
RESOLVED = "<!-- heroku-req-check:resolved -->"
PERMISSION = {
    "check run": "checks: write",
    "review": "pull-requests: write",
    "commit": "contents: write",
    "diff": "pull-requests: read",
}


@dataclass(frozen=True)
class Options:
    token: str
    api_url: str = "https://api.github.com"
    suggest: Literal["none", "review", "commit"] = "review"
    check_run: bool = True
    filter: Literal["added", "all"] = "added"
    fail_on: str = "error"
    prefix: str = ""  # the app's directory inside the repository
    strategy: str = "copy"
    timeout: int = 10
    retries: int = 2
    workspace: str = ""  # the checkout: when it is the head commit, the commit step reads it


@dataclass
class Outcome:
    notices: list[str] = field(default_factory=list)
    selected: list[Finding] = field(default_factory=list)
    check_run_url: str = ""
    new_comments: int = 0
    kept_comments: int = 0
    resolved_comments: int = 0
    commit_sha: str = ""


class _Skip(Exception):
    """A step could not run; the message is the notice."""


def client(options: Options) -> Github:
    # Explicit settings, not PyGithub's defaults: bounded retries on 5xx and on rate limits
    # (honouring Retry-After, never waiting more than 30 s), a per-request timeout, and no
    # artificial pause between the handful of requests a run makes.
    retry = GithubRetry(
        total=options.retries,
        backoff_factor=0.5,
        secondary_rate_wait=5,
        max_rate_limit_wait=30,
    )
    return Github(
        auth=Auth.Token(options.token),
        base_url=options.api_url.rstrip("/"),
        timeout=options.timeout,
        retry=retry,
        per_page=100,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def _call(step: str, action: Callable[[], T]) -> T:
    try:
        return action()
    except GithubException as exc:
        message = exc.data.get("message") if isinstance(exc.data, dict) else ""
        errors = exc.data.get("errors") if isinstance(exc.data, dict) else None
        detail = f"{message}" + (f" ({'; '.join(map(str, errors))})" if errors else "")
        if exc.status == 403 and "rate limit" not in str(detail).lower():
            raise _Skip(
                f"{step} skipped: the token may not do this ({detail or 'HTTP 403'}); it needs "
                f"`{PERMISSION[step]}`. On pull requests from forks GITHUB_TOKEN is read-only."
            ) from None
        raise _Skip(f"{step} skipped: GitHub answered {exc.status} {detail}".rstrip()) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise _Skip(f"{step} skipped: GitHub did not answer ({type(exc).__name__})") from None
    except requests.exceptions.RetryError as exc:
        raise _Skip(f"{step} skipped: GitHub kept failing after retries ({exc})") from None


def _step(outcome: Outcome, step: str, action: Callable[[], object], then: str = "") -> bool:
    """Run one reporter step; a refusal (`_Skip`) or any unexpected exception becomes one
    notice (followed by `then`) and the run goes on. True when the step completed."""
    try:
        action()
    except _Skip as skip:
        outcome.notices.append(f"{skip}{then}")
        return False
    except Exception as exc:  # a bug here must not cost the user the report
        outcome.notices.append(
            f"{step} skipped: internal error ({type(exc).__name__}: {exc}); please report it "
            f"at {ISSUES_URL}{then}"
        )
        return False
    return True


def publish(report: Report, event: EventContext, options: Options) -> Outcome:
    """Every step degrades to a notice in `Outcome.notices`; never raises but for
    KeyboardInterrupt (cancellation)."""
    outcome = Outcome(selected=list(report.findings))
    holder: dict[str, Any] = {}

    def connect() -> None:
        gh = client(options)
        holder["repo"] = gh.get_repo(event.repository, lazy=True)

    if not _step(outcome, "check run, review and commit", connect):
        return outcome
    repo = holder["repo"]
    diff = DiffLines()
    wants_diff = event.is_pull_request and (
        options.suggest == "review" or options.filter == "added"
    )

    def read_diff() -> None:
        assert event.pr_number is not None
        pull = repo.get_pull(event.pr_number)
        for changed in _call("diff", lambda: list(pull.get_files())):
            added, commentable = parse_patch(changed.patch or "")
            diff.added[changed.filename] = added
            diff.commentable[changed.filename] = commentable

    if wants_diff and not _step(outcome, "diff", read_diff, " Reporting every finding instead."):
        wants_diff = False
        diff = DiffLines()
    if wants_diff and options.filter == "added":
        outcome.selected = introduced(report, diff, options.prefix)
    if options.check_run:

        def check_run() -> None:
            outcome.check_run_url = _check_run(repo, report, event, options, outcome)

        _step(outcome, "check run", check_run)
    if event.is_pull_request and options.suggest == "review" and wants_diff:
        _step(outcome, "review", lambda: _review(repo, report, event, options, outcome, diff))
    elif event.is_pull_request and options.suggest == "commit":
        _step(outcome, "commit", lambda: _commit(repo, report, event, options, outcome))
    return outcome


# -- check run ----------------------------------------------------------------------------------
def _annotations(report: Report, findings: list[Finding], prefix: str) -> list[dict[str, Any]]:
    level = {"error": "failure", "warning": "warning", "notice": "notice"}
    out: list[dict[str, Any]] = []
    for f in findings:
        out.append(
            {
                "path": f"{prefix}/{f.file}" if prefix else f.file,
                "start_line": f.line,
                "end_line": f.line,
                "annotation_level": level[f.severity],
                "title": f.title[:255],
                "message": f.message[:64_000],
            }
        )
    for p in report.problems:
        out.append(
            {
                "path": f"{prefix}/{p.file}" if prefix else p.file,
                "start_line": p.line or 1,
                "end_line": p.line or 1,
                "annotation_level": "warning",
                "title": "requirements problem",
                "message": p.message[:64_000],
            }
        )
    return out


def _check_run(
    repo: Any, report: Report, event: EventContext, options: Options, outcome: Outcome
) -> str:
    from ..cli import fails

    failed = fails([f.severity for f in outcome.selected], options.fail_on)
    annotations = _annotations(report, outcome.selected, options.prefix)
    text = summary_report.render(report)
    if len(outcome.selected) != len(report.findings):
        text = (
            f"{len(outcome.selected)} of {len(report.findings)} finding(s) are introduced by "
            "this pull request (filter: added); the table below lists all of them.\n\n" + text
        )
    if len(text) > CHECK_SUMMARY_LIMIT:
        text = text[: CHECK_SUMMARY_LIMIT - 60] + "\n\n_(cut at GitHub's check-run limit)_\n"
    title = f"{len(outcome.selected)} finding(s), {len(report.problems)} problem(s)"
    batches = [
        annotations[i : i + ANNOTATIONS_PER_CALL]
        for i in range(0, len(annotations), ANNOTATIONS_PER_CALL)
    ] or [[]]
    output = {"title": title, "summary": text, "annotations": batches[0]}
    run = _call(
        "check run",
        lambda: repo.create_check_run(
            name="heroku-req-check",
            head_sha=event.report_sha,
            status="completed",
            conclusion="failure" if failed else "success",
            output=output,
        ),
    )
    for batch in batches[1:]:
        more = {"title": title, "summary": text, "annotations": batch}
        _call("check run", partial(run.edit, output=more))
    return str(run.html_url or run.url or "")


# -- review -------------------------------------------------------------------------------------
def _line_text(report: Report, path: str, number: int) -> str:
    lines = report.tree.files[path].text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _review(
    repo: Any,
    report: Report,
    event: EventContext,
    options: Options,
    outcome: Outcome,
    diff: DiffLines,
) -> None:
    assert event.pr_number is not None
    pull = repo.get_pull(event.pr_number)
    existing = _call("review", lambda: list(pull.get_review_comments()))
    posted: dict[str, Any] = {}
    for comment in existing:
        for key in markers_in(comment.body or ""):
            posted[key] = comment
    current = {fingerprint(f, options.prefix) for f in report.findings}

    def repo_path(path: str) -> str:
        return f"{options.prefix}/{path}" if options.prefix else path

    comments: list[dict[str, Any]] = []
    summary_only: list[str] = []
    for finding in outcome.selected:
        key = fingerprint(finding, options.prefix)
        if key in posted:
            outcome.kept_comments += 1
            continue
        body = _comment_body(report, finding, options, key)
        fix = finding.fix
        root = report.tree.root
        nested = repo_path(finding.file)
        root_lines = diff.commentable.get(repo_path(root), set())
        if fix and fix.file == root:
            anchor, suggestion = _suggestion(report, fix.line, fix.text, fix.action)
            if anchor in root_lines:
                comments.append(
                    {"path": repo_path(root), "line": anchor, "side": "RIGHT",
                     "body": f"{body}\n\n```suggestion\n{suggestion}\n```"}
                )  # fmt: skip
                continue
        if finding.line in diff.commentable.get(nested, set()):
            text = body
            if fix and fix.action == "insert":
                text += f"\n\nAdd to `{repo_path(root)}`:\n\n```text\n{fix.text}\n```"
                if fix.remove is not None or (options.strategy == "move" and fix.declares):
                    text += "\n\nand remove it here:\n\n```suggestion\n```"
            source = report.sources.get(finding.file)
            if fix and fix.action == "insert-before" and source and fix.file == finding.file:
                # the fix goes right before this line: suggest both, the line itself unchanged
                current_line = source.text.split("\n")[fix.line - 1].rstrip("\r")
                text += f"\n\n```suggestion\n{fix.text}\n{current_line}\n```"
            comments.append({"path": nested, "line": finding.line, "side": "RIGHT", "body": text})
        elif nested in diff.commentable:
            comments.append({"path": nested, "subject_type": "file", "body": body})
        else:
            summary_only.append(f"- `{nested}:{finding.line}`: {finding.title}")
    for key, comment in posted.items():
        if key not in current and RESOLVED not in (comment.body or ""):
            new_body = f"{RESOLVED}\n**Resolved**: this finding is gone.\n\n~~{comment.body}~~"
            _call("review", partial(comment.edit, new_body))
            outcome.resolved_comments += 1
    if not comments and not summary_only:
        return
    text = f"heroku-req-check: {len(outcome.selected)} finding(s) in this pull request."
    if summary_only:
        text += " Not on lines of this diff:\n" + "\n".join(summary_only)
    commit = repo.get_commit(event.report_sha)  # lazy: no request
    _call(
        "review",
        lambda: pull.create_review(commit=commit, body=text, event="COMMENT", comments=comments),
    )
    outcome.new_comments += len(comments)


def _suggestion(report: Report, line: int, text: str, action: str) -> tuple[int, str]:
    """The root-file line to comment on and the suggestion replacing it."""
    root = report.tree.root
    if action == "replace":
        return line, text
    if line > 1:
        return line - 1, f"{_line_text(report, root, line - 1)}\n{text}"
    return 1, f"{text}\n{_line_text(report, root, 1)}"


def _comment_body(report: Report, finding: Finding, options: Options, key: str) -> str:
    return f"{marker(key)}\n**{finding.title}** (`{finding.rule}`)\n\n{finding.message}"


# -- suggestion commit --------------------------------------------------------------------------
def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _local_head(workspace: str, head_sha: str, path: str) -> tuple[str, str, str] | None:
    """(tree sha, file mode, blob sha) of `path` when the checkout in `workspace` is exactly
    the commit `head_sha`; None otherwise (a merge commit, no git, a checkout git refuses, a
    shallow oddity): the caller then reads the head from the API."""
    import subprocess

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", workspace, *args], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):  # no git where the action runs, ...
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    if not workspace or git("rev-parse", "HEAD") != head_sha:
        return None
    tree = git("rev-parse", "HEAD^{tree}")
    listed = git("ls-tree", "--full-tree", "HEAD", "--", path).split()
    if not tree or len(listed) < 4 or listed[1] != "blob":
        return None
    return tree, listed[0], listed[2]


def _head_files(
    repo: Any, report: Report, event: EventContext, options: Options, paths: list[str]
) -> tuple[Any, dict[str, tuple[bytes, str, str]]]:
    """The head commit's tree (the new tree's base) and, per app path, (bytes, file mode,
    repository path). When the workflow checked out the head commit itself, its tree and
    the files' bytes are here already, which saves the API reads."""
    full = {p: f"{options.prefix}/{p}" if options.prefix else p for p in paths}
    local = {p: report.tree.files[p].data for p in paths}
    checkouts = {p: _local_head(options.workspace, event.report_sha, full[p]) for p in paths}
    found = {
        p: c for p, c in checkouts.items() if c is not None and c[2] == _git_blob_sha(local[p])
    }
    if len(found) == len(paths):
        tree_sha = found[paths[0]][0]
        tree: Any = github.GitTree.GitTree(
            repo._requester,
            attributes={"sha": tree_sha},
            completed=False,
            url=f"{repo.url}/git/trees/{tree_sha}",
        )
        return tree, {p: (local[p], found[p][1], full[p]) for p in paths}
    tree = _call("commit", lambda: repo.get_git_tree(event.report_sha, recursive=True))
    heads: dict[str, tuple[bytes, str, str]] = {}
    for p in paths:
        entry = next((e for e in tree.tree if e.path == full[p]), None)
        if entry is None:
            raise _Skip(f"commit skipped: {full[p]} is not in the head commit")
        if entry.sha == _git_blob_sha(local[p]):
            data = local[p]  # the checkout holds the head's bytes: no download needed
        else:
            blob = _call("commit", partial(repo.get_git_blob, entry.sha))
            data = base64.b64decode(blob.content)
        heads[p] = (data, entry.mode, full[p])
    return tree, heads


def _commit(
    repo: Any, report: Report, event: EventContext, options: Options, outcome: Outcome
) -> None:
    if event.is_fork:
        raise _Skip(
            f"commit skipped: the head branch is in the fork {event.head_repository}, which "
            "this token cannot push to. Apply the fixes listed in the summary there."
        )
    fixes = [f.fix for f in outcome.selected if f.fix and f.fix.file == report.tree.root]
    if not fixes:
        return
    root = report.tree.root
    # a move also deletes the nested line (the release's pip rejects a name given twice)
    removals: dict[str, set[int]] = {}
    for fix in fixes:
        if fix.remove is not None and fix.remove[0] in report.tree.files:
            removals.setdefault(fix.remove[0], set()).add(fix.remove[1])
    paths = [root, *sorted(removals)]
    tree, heads = _head_files(repo, report, event, options, paths)
    path = heads[root][2]
    changed: dict[str, bytes] = {}
    try:
        new = heads[root][0]
        for fix in fixes:
            if fix.action == "replace":
                new = replace_line(new, fix.line, fix.text)
            else:
                new, _ = insert_line(new, fix.text)
        changed[root] = new
        for nested, lines in removals.items():
            data = heads[nested][0]
            for line in sorted(lines, reverse=True):
                data = remove_logical_line(data, line)
            changed[nested] = data
        texts = {p: data.decode("utf-8") for p, data in changed.items()}
    except (Unfixable, UnicodeDecodeError) as exc:
        raise _Skip(f"commit skipped: {path} cannot be edited safely ({exc})") from None
    if all(changed[p] == heads[p][0] for p in changed):
        outcome.notices.append(f"commit not needed: {path} on the branch already has the fix")
        return
    elements = [
        InputGitTreeElement(heads[p][2], heads[p][1], "blob", content=texts[p])
        for p in changed
        if changed[p] != heads[p][0]
    ]
    new_tree = _call("commit", lambda: repo.create_git_tree(elements, base_tree=tree))
    parent = github.GitCommit.GitCommit(  # lazy: PyGithub's getter would fetch it
        repo._requester, attributes={"sha": event.report_sha}, completed=False
    )
    added = ", ".join(f"`{f.text}`" for f in fixes)
    moved = f" (moved from {', '.join(heads[p][2] for p in removals)})" if removals else ""
    message = (
        f"heroku-req-check: declare {added} in {path}{moved}\n\n"
        "Buildpacks that read only the root requirements file did not see "
        f"{'it' if len(fixes) == 1 else 'them'}; see the pull request's check run."
    )
    author = InputGitAuthor(*COMMIT_AUTHOR)
    commit = _call(
        "commit",
        lambda: repo.create_git_commit(message, new_tree, [parent], author=author),
    )
    # PyGithub's get_git_ref() gives a lazy ref whose URL is the read-only /git/ref/ endpoint,
    # so its edit() PATCHes an endpoint that does not exist (GitHub answers 404); build the ref
    # on the documented /git/refs/ URL instead (found by the OpenAPI-checking test server)
    ref = github.GitRef.GitRef(
        repo._requester,
        attributes={"ref": f"refs/heads/{event.head_ref}"},
        completed=False,
        url=f"{repo.url}/git/refs/heads/{event.head_ref}",
    )
    try:
        _call("commit", lambda: ref.edit(commit.sha, force=False))
    except _Skip as skip:
        if "answered 422" not in str(skip):
            raise
        raise _Skip(
            f"commit not pushed: branch {event.head_ref} moved since {event.report_sha[:12]}, "
            "the commit this run checked (a non-forced update was refused). Re-run on the new "
            "head."
        ) from None
    outcome.commit_sha = commit.sha
