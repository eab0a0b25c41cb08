"""Pure helpers for the pull-request reporters: the event, the diff, and which findings a pull
request introduces. No network, no PyGithub (offline runs import this freely)."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..model import Finding, Report

MARKER_PREFIX = "<!-- heroku-req-check:"
_HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_SHA_RE = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class EventContext:
    """What the workflow run is about, from GITHUB_* variables and the event payload."""

    name: str = ""
    repository: str = ""  # owner/name of the repository the workflow runs in
    sha: str = ""
    pr_number: int | None = None
    head_sha: str = ""
    head_ref: str = ""
    head_repository: str = ""
    base_sha: str = ""

    @property
    def is_pull_request(self) -> bool:
        return self.pr_number is not None

    @property
    def is_fork(self) -> bool:
        return bool(self.head_repository) and self.head_repository != self.repository

    @property
    def report_sha(self) -> str:
        """The commit findings are about: the PR head (GITHUB_SHA is a merge commit there)."""
        return self.head_sha or self.sha


def load_event(env: Mapping[str, str]) -> EventContext:
    name = env.get("GITHUB_EVENT_NAME", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    sha = env.get("GITHUB_SHA", "")
    payload: dict[str, object] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = json.load(handle)
            if isinstance(loaded, dict):
                payload = loaded
        except (OSError, ValueError):
            payload = {}
    pull = payload.get("pull_request")
    if not isinstance(pull, dict) or name not in ("pull_request", "pull_request_target"):
        return EventContext(name, repository, sha)
    head = pull.get("head") if isinstance(pull.get("head"), dict) else {}
    base = pull.get("base") if isinstance(pull.get("base"), dict) else {}
    assert isinstance(head, dict) and isinstance(base, dict)
    head_repo = head.get("repo") if isinstance(head.get("repo"), dict) else {}
    assert isinstance(head_repo, dict)
    number = pull.get("number")
    head_sha = str(head.get("sha") or "")
    return EventContext(
        name=name,
        repository=repository,
        sha=sha,
        pr_number=number if isinstance(number, int) else None,
        head_sha=head_sha if _SHA_RE.fullmatch(head_sha) else "",
        head_ref=str(head.get("ref") or ""),
        head_repository=str(head_repo.get("full_name") or ""),
        base_sha=str(base.get("sha") or ""),
    )


@dataclass
class DiffLines:
    """Per file (repository path): lines added, and lines a review comment may target."""

    added: dict[str, set[int]] = field(default_factory=dict)
    commentable: dict[str, set[int]] = field(default_factory=dict)


def parse_patch(patch: str) -> tuple[set[int], set[int]]:
    """(added lines, commentable lines) on the right side of a unified diff `patch`."""
    added: set[int] = set()
    commentable: set[int] = set()
    number = 0
    for row in patch.splitlines():
        hunk = _HUNK_RE.match(row)
        if hunk:
            number = int(hunk.group(1))
            continue
        if row.startswith("-") or row.startswith("\\"):
            continue
        if row.startswith("+"):
            added.add(number)
        commentable.add(number)
        number += 1
    return added, commentable


def parse_diff(text: str) -> DiffLines:
    """Added lines per file of a whole `git diff` (unified, any context, no renames): each
    file's part after its `+++ b/PATH` header is one patch for `parse_patch`. A deleted file
    (`+++ /dev/null`) adds nothing; C-quoted paths (unusual characters) are skipped, as no
    finding names them."""
    diff = DiffLines()
    path = ""
    rows: list[str] = []

    def flush() -> None:
        if path:
            added, commentable = parse_patch("\n".join(rows))
            diff.added[path], diff.commentable[path] = added, commentable

    for row in text.splitlines():
        if row.startswith("diff --git "):
            flush()
            path, rows = "", []
        elif row.startswith("+++ ") and not rows:
            target = row[4:]
            path = target[2:] if target.startswith("b/") else ""
        elif path and (rows or row.startswith("@@")):
            rows.append(row)
    flush()
    return diff


def fingerprint(finding: Finding, prefix: str = "") -> str:
    path = posixpath.join(prefix, finding.file) if prefix else finding.file
    return hashlib.sha256(f"{finding.rule}|{path}|{finding.package}".encode()).hexdigest()[:20]


def marker(key: str) -> str:
    return f"{MARKER_PREFIX}{key} -->"


def markers_in(body: str) -> list[str]:
    return re.findall(r"<!-- heroku-req-check:([0-9a-f]{20}) -->", body)


def introduced(report: Report, diff: DiffLines, prefix: str = "") -> list[Finding]:
    """Findings the pull request adds or touches: the declaration line is added or changed, or
    an include line on the way from the root to it is (an include edit newly exposes it)."""

    def repo_path(path: str) -> str:
        return posixpath.join(prefix, path) if prefix else path

    parents: dict[str, list[tuple[str, int]]] = {}
    for include in report.tree.includes:
        if include.resolved:
            parents.setdefault(include.resolved, []).append((include.file, include.line))

    def exposed(path: str) -> bool:
        pending, seen = [path], {path}  # iterative: include chains can be 1,000 files deep
        while pending:
            for parent, line in parents.get(pending.pop(), []):
                if line in diff.added.get(repo_path(parent), set()):
                    return True
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return False

    cache_trap = _cache_trap(report, diff, repo_path)
    return [
        f
        for f in report.findings
        if f.line in diff.added.get(repo_path(f.file), set())
        or exposed(f.file)
        or (cache_trap and f.rule.partition(":")[0] in _cache_rules())
    ]


def _cache_rules() -> frozenset[str]:
    """Rules about caches keyed on the root file's bytes (the tree digest's findings)."""
    from .. import catalog

    return frozenset(
        rule.id
        for platform in catalog.load()
        for rule in platform.rules
        if any(era.detector == "root-digest" for era in rule.eras)
    )


def _cache_trap(report: Report, diff: DiffLines, repo_path: Callable[[str], str]) -> bool:
    """The pull request changes a file the root pulls in but not the root file itself: the
    moment a root-keyed cache bites, so its findings are the pull request's own."""
    from ..digest import METADATA_FILES

    tree = report.tree
    if repo_path(tree.root) in diff.added:
        return False
    pulled = {path for path in tree.files if path != tree.root}
    for project in tree.projects:
        if project.resolved is not None and project.kind == "directory":
            pulled |= {
                posixpath.normpath(posixpath.join(project.resolved, n)) for n in METADATA_FILES
            }
        elif project.resolved is not None:
            pulled.add(project.resolved)
    return any(repo_path(path) in diff.added for path in pulled)
