"""The GitHub API reporters end to end: the action (entrypoint, as a subprocess) against the
local GitHub API in tests/fakegithub.py, which validates every request and response against
GitHub's OpenAPI description. Event payloads are @octokit/webhooks-examples, adjusted only for
this test's repository, SHAs and (for the fork case) head repository.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakegithub import FakeGitHub, Fault, OpenAPI, State, webhook_example

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghs_testtoken0123456789"
BASE_FILES = {
    "requirements.txt": b"-r requirements/production.txt\n",
    "requirements/production.txt": b"Django==4.2.16\ngunicorn==23.0.0\n",
    "README.md": b"app\n",
}
# the pull request: a pylibmc pin in the nested file, and a comment line in the root file
HEAD_FILES = {
    **BASE_FILES,
    "requirements.txt": b"-r requirements/production.txt\n# production dependencies\n",
    "requirements/production.txt": b"Django==4.2.16\ngunicorn==23.0.0\npylibmc==1.6.3\n",
}
# heroku@v41-v42 grep the root file's text, comments included, and install with pip 1.5.6, which
# rejects a project named twice: the fix is a comment the grep reads and pip ignores
FIX_LINE = (
    "# pylibmc==1.6.3 (installed from requirements/production.txt; named here for the build's "
    "text search)"
)
FIX_BYTES = FIX_LINE.encode() + b"\n"


@pytest.fixture(scope="session")
def spec() -> OpenAPI:
    return OpenAPI()


def patch_of(old: bytes, new: bytes) -> str:
    lines = difflib.unified_diff(
        old.decode().splitlines(), new.decode().splitlines(), lineterm="", n=3
    )
    return "\n".join(line for line in lines if not line.startswith(("---", "+++")))


@dataclass
class PR:
    state: State
    base: str
    head: str

    def push(self, files: dict[str, bytes]) -> None:
        """A new head commit on the branch (as a developer's push would make)."""
        self.head = self.state.add_commit(files, [self.head], "push")
        self.state.refs[f"heads/{self.state.head_ref}"] = self.head
        base_files = self.state.files_at(self.base)
        self.state.diff = {
            path: patch_of(base_files.get(path, b""), data)
            for path, data in files.items()
            if base_files.get(path) != data
        }


def make_pr(head_files: dict[str, bytes] = HEAD_FILES) -> PR:
    state = State()
    base = state.add_commit(BASE_FILES, [], "base")
    pr = PR(state, base, base)
    pr.push(head_files)
    return pr


def git_pr(tmp_path: Path, head_files: dict[str, bytes] = HEAD_FILES) -> tuple[PR, Path]:
    """A real git checkout at the head commit (as `actions/checkout` with
    `ref: ${{ github.event.pull_request.head.sha }}` leaves it), and the server's view of it."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
            cwd=checkout, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    git("init", "-q")
    for files in (BASE_FILES, head_files):
        for path, data in files.items():
            (checkout / path).parent.mkdir(parents=True, exist_ok=True)
            (checkout / path).write_bytes(data)
        git("add", "-A")
        git("commit", "-qm", "commit", "--allow-empty")
    state = State()
    head = state.adopt_git(checkout)
    base = state.commits[head]["parents"][0]
    pr = PR(state, base, head)
    pr.state.diff = {
        path: patch_of(BASE_FILES.get(path, b""), data)
        for path, data in head_files.items()
        if BASE_FILES.get(path) != data
    }
    return pr, checkout


@pytest.fixture
def server(spec: OpenAPI) -> Iterator[FakeGitHub]:
    with FakeGitHub(spec, make_pr().state) as gh:
        yield gh


def event_file(tmp_path: Path, pr: PR, fork: bool = False, name: str = "opened") -> Path:
    event = webhook_example("pull_request", name)
    full = f"{pr.state.owner}/{pr.state.repo}"
    event["number"] = event["pull_request"]["number"] = pr.state.pull_number
    event["repository"]["full_name"] = full
    event["pull_request"]["head"]["sha"] = pr.head
    event["pull_request"]["head"]["ref"] = pr.state.head_ref
    event["pull_request"]["base"]["sha"] = pr.base
    event["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World" if fork else full
    path = tmp_path / f"event-{pr.head[:8]}.json"
    path.write_text(json.dumps(event))
    return path


@dataclass
class Run:
    code: int
    stdout: str
    summary: str
    outputs: str

    def output(self, name: str) -> str:
        block = self.outputs.split(f"{name}<<", 1)[1]
        return block.split("\n", 2)[1]


def run_action(
    tmp_path: Path, server: FakeGitHub, pr: PR, fork: bool = False, event: str = "pull_request",
    checkout: Path | None = None, **inputs: str,
) -> Run:  # fmt: skip
    """Without `checkout`, the workspace is a plain copy of the head's files (like the merge
    commit `actions/checkout` makes by default: no usable git history)."""
    workspace = checkout or tmp_path / f"ws-{pr.head[:8]}-{len(server.log)}"
    if checkout is None:
        for path, data in pr.state.files_at(pr.head).items():
            (workspace / path).parent.mkdir(parents=True, exist_ok=True)
            (workspace / path).write_bytes(data)
    output, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    output.write_text(""), summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update(
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_REPOSITORY=f"{pr.state.owner}/{pr.state.repo}",
        GITHUB_SHA="f" * 40,  # the merge commit: links and the check run must use the head
        GITHUB_EVENT_NAME=event,
        GITHUB_EVENT_PATH=str(event_file(tmp_path, pr, fork)),
        GITHUB_API_URL=server.url,
    )
    inputs = {"github-token": TOKEN, "platform": "heroku@v42", "api-timeout": "3", **inputs}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    proc = subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py")], env=env, capture_output=True, text=True
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    everything = proc.stdout + proc.stderr + summary.read_text() + output.read_text()
    assert TOKEN not in everything
    return Run(proc.returncode, proc.stdout, summary.read_text(), output.read_text())


def budget(server: FakeGitHub, annotations: int, commit: bool = False) -> None:
    """At most 4 + ceil(annotations / 50) calls; `commit=True`: one more, for a suggestion
    commit from a checkout that is not the head commit (the head tree is read from the API)."""
    allowed = 4 + math.ceil(annotations / 50) + (1 if commit else 0)
    assert len(server.log) <= allowed, server.log


def test_first_run_posts_check_run_and_a_suggestion(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    run = run_action(tmp_path, server, pr)
    assert server.violations == []
    assert run.code == 1
    [check] = server.state.check_runs
    assert check["head_sha"] == pr.head and check["conclusion"] == "failure"
    assert [(a["path"], a["start_line"]) for a in check["annotations"]] == [
        ("requirements/production.txt", 3)
    ]
    [comment] = server.state.comments
    # the fix adds line 3 to the root file; line 2 is in the diff, so the suggestion keeps
    # line 2 and adds the pin after it
    assert (comment.path, comment.line) == ("requirements.txt", 2)
    assert f"```suggestion\n# production dependencies\n{FIX_LINE}\n```" in comment.body
    assert "<!-- heroku-req-check:" in comment.body
    assert len(server.calls("POST", "/reviews")) == 1
    budget(server, 1)
    assert "/blob/" + pr.head + "/requirements/production.txt#L3" in run.summary


def test_root_outside_the_diff_comments_on_the_nested_line(tmp_path: Path, spec: OpenAPI) -> None:
    pr = make_pr({**HEAD_FILES, "requirements.txt": BASE_FILES["requirements.txt"]})
    with FakeGitHub(spec, pr.state) as server:
        run_action(tmp_path, server, pr, **{"fix-strategy": "move"})
        assert server.violations == []
        [comment] = server.state.comments
    assert (comment.path, comment.line) == ("requirements/production.txt", 3)
    assert f"Add to `requirements.txt`:\n\n```text\n{FIX_LINE}\n```" in comment.body
    # the fix is a comment the build's grep reads: the nested line stays, whatever the
    # strategy, or nothing would install pylibmc
    assert "remove it here" not in comment.body


def test_rerun_with_no_change_adds_nothing(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    run_action(tmp_path, server, pr)
    server.log.clear()
    run_action(tmp_path, server, pr)
    assert server.violations == []
    assert len(server.state.comments) == 1
    assert server.calls("POST", "/reviews") == []  # nothing new: no review
    budget(server, 1)


def test_rerun_after_the_fix_is_pushed_resolves_the_comment(
    tmp_path: Path, server: FakeGitHub
) -> None:
    pr = PR(server.state, *_shas(server))
    run_action(tmp_path, server, pr)
    fixed = {**HEAD_FILES, "requirements.txt": HEAD_FILES["requirements.txt"] + FIX_BYTES}
    pr.push(fixed)
    server.log.clear()
    run = run_action(tmp_path, server, pr)
    assert server.violations == []
    assert run.code == 0
    [comment] = server.state.comments
    assert comment.body.startswith("<!-- heroku-req-check:resolved -->")
    assert server.state.check_runs[-1]["conclusion"] == "success"
    budget(server, 0)


def test_fork_with_read_only_token_still_reports(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.state.writable = False  # what GitHub does to GITHUB_TOKEN on a fork's PR
    run = run_action(tmp_path, server, pr, fork=True)
    assert server.violations == []
    assert run.code == 1
    assert "::error file=requirements/production.txt,line=3," in run.stdout
    assert "check run skipped" in run.stdout and "checks: write" in run.stdout
    assert "review skipped" in run.stdout and "pull-requests: write" in run.stdout
    assert "Resource not accessible by integration" in run.summary
    assert server.state.comments == [] and server.state.check_runs == []


def test_suggestion_commit_appends_exactly_the_line(tmp_path: Path, spec: OpenAPI) -> None:
    pr, checkout = git_pr(tmp_path)
    with FakeGitHub(spec, pr.state) as server:
        run = run_action(tmp_path, server, pr, checkout=checkout, suggest="commit")
        assert server.violations == []
        commit = run.output("commit")
        assert server.state.refs["heads/changes"] == commit
        assert server.state.commits[commit]["parents"] == [pr.head]
        files = server.state.files_at(commit)
        assert files["requirements.txt"] == HEAD_FILES["requirements.txt"] + FIX_BYTES
        assert {p: d for p, d in files.items() if p != "requirements.txt"} == {
            p: d for p, d in HEAD_FILES.items() if p != "requirements.txt"
        }
        assert server.state.commits[commit]["author"]["name"] == "heroku-req-check"
        assert "do not start new workflow runs" in run.summary
        budget(server, 1)  # the head checkout holds the tree and the file: no reads needed
        # the same event again: the branch has moved on (to our commit): nothing more
        server.log.clear()
        again = run_action(tmp_path, server, pr, checkout=checkout, suggest="commit")
        assert again.output("commit") == ""
        assert "commit not pushed: branch changes moved" in again.stdout
        assert server.state.refs["heads/changes"] == commit


def test_suggestion_commit_from_a_merge_checkout_reads_the_head(
    tmp_path: Path, server: FakeGitHub
) -> None:
    """Without the head checked out, the head tree is read from the API: one call more."""
    pr = PR(server.state, *_shas(server))
    run = run_action(tmp_path, server, pr, suggest="commit")
    assert server.violations == []
    commit = run.output("commit")
    files = server.state.files_at(commit)
    assert files["requirements.txt"] == HEAD_FILES["requirements.txt"] + FIX_BYTES
    assert len(server.calls("GET", "/git/trees/")) == 1
    budget(server, 1, commit=True)


def test_suggestion_commit_keeps_crlf_and_bom(tmp_path: Path, spec: OpenAPI) -> None:
    head = {**HEAD_FILES, "requirements.txt": b"\xef\xbb\xbf-r requirements/production.txt\r\n"}
    pr, checkout = git_pr(tmp_path, head)
    with FakeGitHub(spec, pr.state) as server:
        run = run_action(tmp_path, server, pr, checkout=checkout, suggest="commit")
        assert server.violations == []
        files = server.state.files_at(run.output("commit"))
    assert files["requirements.txt"] == head["requirements.txt"] + FIX_BYTES[:-1] + b"\r\n"


def test_branch_moved_before_the_commit(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    event_head = pr.head
    pr.push(HEAD_FILES | {"README.md": b"changed meanwhile\n"})
    pr.head = event_head  # the run still sees the event's head
    run = run_action(tmp_path, server, pr, suggest="commit")
    assert server.violations == []
    assert run.output("commit") == ""
    assert "commit not pushed: branch changes moved since" in run.stdout


def test_no_commit_to_a_fork(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    run = run_action(tmp_path, server, pr, fork=True, suggest="commit")
    assert "commit skipped: the head branch is in the fork someone/Hello-World" in run.stdout
    assert server.calls("POST", "/git/") == []


def test_422_on_the_review_is_a_notice(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.faults.append(Fault("POST", r"/reviews$", 422, {"message": "Validation Failed",
                                                           "documentation_url": "x"}))  # fmt: skip
    run = run_action(tmp_path, server, pr)
    assert server.violations == []
    assert "review skipped: GitHub answered 422 Validation Failed" in run.stdout
    assert len(server.state.check_runs) == 1  # the other steps still ran


def test_404_on_the_diff_reports_everything(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.faults.append(Fault("GET", r"/pulls/\d+/files$", 404))
    run = run_action(tmp_path, server, pr)
    assert server.violations == []
    assert "diff skipped: GitHub answered 404" in run.stdout
    assert "Reporting every finding instead" in run.stdout
    assert len(server.state.check_runs) == 1 and server.state.comments == []


@pytest.mark.parametrize("event", ["pull_request_target", "workflow_dispatch"])
def test_other_events(tmp_path: Path, server: FakeGitHub, event: str) -> None:
    pr = PR(server.state, *_shas(server))
    run_action(tmp_path, server, pr, event=event)
    assert server.violations == []
    assert len(server.state.check_runs) == 1
    # pull_request_target carries the pull request (and a writable token): it gets a review
    assert len(server.state.comments) == (1 if event == "pull_request_target" else 0)


def test_500_then_success_is_retried(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.faults.append(Fault("POST", r"/check-runs$", 500))
    run_action(tmp_path, server, pr)
    assert server.violations == []
    assert [s for m, p, s in server.calls("POST", "/check-runs")] == [500, 201]
    assert len(server.state.check_runs) == 1


def test_persistent_5xx_gives_up_after_bounded_retries(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.faults.append(Fault("POST", r"/check-runs$", 502, times=10))
    run = run_action(tmp_path, server, pr)
    assert len(server.calls("POST", "/check-runs")) == 3  # the first try and 2 retries
    assert "check run skipped" in run.stdout
    assert len(server.state.comments) == 1  # the review still happened


def test_secondary_rate_limit_waits_retry_after(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    body = {"message": "You have exceeded a secondary rate limit.", "documentation_url": "x"}
    server.faults.append(Fault("POST", r"/check-runs$", 403, body, {"Retry-After": "1"}))
    run_action(tmp_path, server, pr)
    assert server.violations == []
    assert [s for m, p, s in server.calls("POST", "/check-runs")] == [403, 201]


def test_timeout_is_a_notice(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    server.faults.append(Fault("GET", r"/pulls/\d+/files$", 200, [], times=5, delay=5))
    run = run_action(tmp_path, server, pr, **{"api-timeout": "1"})
    assert "diff skipped: GitHub did not answer" in run.stdout
    assert len(server.state.check_runs) == 1


def test_120_findings_take_three_check_run_calls(tmp_path: Path, spec: OpenAPI) -> None:
    nested = b"".join(b"pylibmc==1.6.%d\n" % i for i in range(120))
    head = {**HEAD_FILES, "requirements/production.txt": nested}
    pr = make_pr(head)
    with FakeGitHub(spec, pr.state) as server:
        run_action(tmp_path, server, pr, suggest="none")
        assert server.violations == []
        calls = server.calls(contains="/check-runs")
        assert [m for m, _p, _s in calls] == ["POST", "PATCH", "PATCH"]
        assert len(server.state.check_runs[0]["annotations"]) == 120
        budget(server, 120)


def test_filter_added_ignores_old_findings(tmp_path: Path, spec: OpenAPI) -> None:
    base = {**BASE_FILES, "requirements/production.txt": b"pylibmc==1.0\n"}
    state = State()
    base_sha = state.add_commit(base, [], "base")
    pr = PR(state, base_sha, base_sha)
    pr.push({**base, "README.md": b"docs only\n"})
    with FakeGitHub(spec, state) as server:
        run = run_action(tmp_path, server, pr)
        assert run.code == 0 and run.output("selected") == "0" and run.output("findings") == "1"
        assert "0 of 1 finding(s) are introduced by this pull request" in run.summary
        assert server.state.check_runs[0]["annotations"] == []
        assert server.state.comments == []
        run_all = run_action(tmp_path, server, pr, filter="all")
        assert run_all.code == 1 and run_all.output("selected") == "1"


def test_push_event_makes_only_the_check_run(tmp_path: Path, server: FakeGitHub) -> None:
    pr = PR(server.state, *_shas(server))
    run = run_action(tmp_path, server, pr, event="push")
    assert server.violations == []
    assert len(server.state.check_runs) == 1 and server.state.comments == []
    assert run.code == 1


def test_no_token_never_imports_pygithub(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    for path, data in HEAD_FILES.items():
        (workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (workspace / path).write_bytes(data)
    code = (
        "import sys, io, contextlib\n"
        "from heroku_req_check.action import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    main()\n"
        "assert 'no github-token' in out.getvalue(), out.getvalue()\n"
        "bad = [m for m in ('github', 'requests', 'urllib3') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update(GITHUB_WORKSPACE=str(workspace), INPUT_PLATFORM="heroku@v42")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def test_the_server_rejects_what_github_would(spec: OpenAPI) -> None:
    """The validation is not vacuous: a malformed request and response are flagged."""
    assert spec.check_request("POST", "/repos/o/r/check-runs", {}, {"name": 1})
    assert spec.check_request("POST", "/repos/o/r/no-such-thing", {}, None)
    assert spec.check_response("POST", "/repos/o/r/check-runs", 201, {"id": "x"})


def _shas(server: FakeGitHub) -> tuple[str, str]:
    head = server.state.refs[f"heads/{server.state.head_ref}"]
    base = server.state.commits[head]["parents"][0]
    return base, head
