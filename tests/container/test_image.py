"""The real image, built from the Dockerfile with podman and run as the GitHub runner runs it
(tests/container/runner.py): every scenario a user's job meets, end to end. A scenario that
cannot run fails with the reason (no podman, no base image, a failed build); none is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import TREES
from fakegithub import FakeGitHub, Fault, OpenAPI, State
from runner import (
    PODMAN,
    RUNNER_UID,
    Built,
    Job,
    base_image,
    build_image,
    require_podman,
)
from test_pull_request import FIX_BYTES, FIX_LINE, HEAD_FILES, PR, event_file, git_pr, make_pr

TOKEN = "ghs_containertoken0123456789"


@pytest.fixture(scope="session")
def built() -> Built:
    """The image under test: built here, or HRC_TEST_IMAGE (an image built elsewhere, e.g.
    the release workflow's, or an older one to see these scenarios fail on it)."""
    given = os.environ.get("HRC_TEST_IMAGE")
    if given:
        require_podman()
        return Built(given, "", 0.0)
    return build_image(base_image())


@pytest.fixture(scope="session")
def spec() -> OpenAPI:
    return OpenAPI()


@pytest.fixture
def job(tmp_path: Path, built: Built) -> Job:
    return Job(tmp_path, image=built.image)


def seed(job: Job, into: str = "") -> Path:
    target = job.workspace / into
    shutil.copytree(TREES / "seed", target, dirs_exist_ok=True)
    return target


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def history(tmp_path: Path, commits: list[dict[str, bytes]]) -> Path:
    """A repository with one commit per file set (the last is the head), as a bare origin."""
    work = tmp_path / "origin-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    for number, files in enumerate(commits):
        for path in [p for p in work.rglob("*") if p.is_file() and ".git" not in p.parts]:
            path.unlink()
        for name, data in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_bytes(data)
        git(work, "add", "-A")
        git(work, "commit", "-qm", f"commit {number}", "--allow-empty")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    return origin


def checkout(origin: Path, target: Path, depth: int = 0) -> None:
    """What actions/checkout leaves: a clone of the head, the whole history with
    `fetch-depth: 0`, one commit by default (`depth=1`)."""
    target.mkdir(parents=True, exist_ok=True)
    options = ["--depth", str(depth)] if depth else []
    git(target, "clone", "-q", "--no-local", *options, f"file://{origin}", ".")


def pr_event(base: str, head: str, fork: bool = False, number: int = 2) -> dict[str, object]:
    return {
        "number": number,
        "repository": {"full_name": "octo/app"},
        "pull_request": {
            "number": number,
            "head": {"sha": head, "ref": "changes",
                     "repo": {"full_name": "someone/app" if fork else "octo/app"}},
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "octo/app"}},
        },
    }  # fmt: skip


# -- offline ------------------------------------------------------------------------------------
def test_no_token_reports_everything_and_leaves_files_to_the_runner(job: Job) -> None:
    seed(job)
    result = job.run({"platform": "heroku@v42"})
    assert result.code == 1
    [error] = result.annotations("error")
    assert error.startswith("::error file=requirements/production.txt,line=3,")
    assert "no github-token: the check run, review and suggestion commit were skipped" in (
        result.stdout
    )
    assert result.outputs["findings"] == "1" and result.outputs["report"] == "heroku-req-check.json"
    assert f"```text\n{FIX_LINE}\n```" in result.summary
    for name in ("heroku-req-check.json", "heroku-req-check.sarif"):
        made = job.workspace / name
        assert (made.stat().st_uid, made.stat().st_gid) == (RUNNER_UID, RUNNER_UID), name
    report = json.loads((job.workspace / "heroku-req-check.json").read_text())
    assert [f["file"] for f in report["findings"]] == ["requirements/production.txt"]


def test_args_make_the_entrypoint_the_cli(job: Job) -> None:
    """The `uses: docker://image` form with `args:`."""
    seed(job)
    result = job.run(args=["--format", "github", "--platform", "heroku@v42", "."])
    assert result.code == 1
    assert result.annotations("error")[0].startswith("::error file=requirements/production.txt")
    assert FIX_LINE in result.summary and result.outputs == {}


def test_stdlib_and_action_are_compiled_at_build_time(job: Job) -> None:
    """Nothing a run imports is compiled at run time: under `python -v` every module loaded
    from source is matched by its .pyc (PYTHONDONTWRITEBYTECODE=1 would make a missing one a
    compile on every run)."""
    seed(job)
    command, _files = job.command({"platform": "heroku@v42"})
    at = command.index(job.image)
    command[at:at] = ["--entrypoint", "python"]
    command += ["-v", "/action/entrypoint.py"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    imported = [line for line in done.stderr.splitlines() if "SourceFileLoader" in line]
    matched = [line for line in done.stderr.splitlines() if ".pyc matches " in line]
    assert len(imported) > 50  # the stdlib, the dependencies and the action itself
    assert len(matched) == len(imported), "modules compiled at run time"


# -- bad inputs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail-on": "sometimes"}, "fail-on must be one of error, warning, notice, never"),
        ({"path": "../.."}, "path '../..' is not a directory in the workspace"),
        ({"requirements": "requirement.txt"}, "requirements: 'requirement.txt' does not exist"),
        ({"report": "/etc/report.json"}, "report: '/etc/report.json' is outside the workspace"),
        ({"sarif": "requirements"}, "sarif: 'requirements' is a directory"),
        ({"platform": "nowhere"}, "unknown platform 'nowhere'"),
    ],
)
def test_bad_input_is_a_failed_step_with_one_error(
    job: Job, inputs: dict[str, str], message: str
) -> None:
    seed(job)
    result = job.run(inputs)
    assert result.code == 2
    [error] = result.annotations()
    assert error.startswith("::error title=heroku-req-check::") and message in error, error
    assert not (job.workspace / "heroku-req-check.json").exists()


def test_report_paths_in_new_folders_and_in_the_runner_temp(job: Job) -> None:
    seed(job)
    # `${{ runner.temp }}/...` reaches the container translated to /github/runner_temp
    # (actions/runner ContainerActionHandler.cs: TranslateToContainerPath on every variable)
    inputs = {"report": "out/deep/report.json", "sarif": "/github/runner_temp/x/log.sarif"}
    result = job.run({"platform": "heroku@v42", **inputs})
    assert result.code == 1
    for made in (job.workspace / "out", job.workspace / "out/deep/report.json",
                 job.temp / "x", job.temp / "x/log.sarif"):  # fmt: skip
        assert made.stat().st_uid == RUNNER_UID, made
    assert json.loads((job.temp / "x/log.sarif").read_text())["version"] == "2.1.0"


def test_checkout_path_gives_paths_relative_to_the_repository(job: Job, tmp_path: Path) -> None:
    """`actions/checkout` with `path: app-repo`: annotations, links and the SARIF log name
    files as GitHub knows them, relative to that checkout."""
    origin = history(tmp_path, [{"requirements.txt": b"-r requirements/production.txt\n",
                                 "requirements/production.txt": b"pylibmc==1.6.3\n"}])  # fmt: skip
    checkout(origin, job.workspace / "app-repo", depth=1)
    head = git(job.workspace / "app-repo", "rev-parse", "HEAD")
    job.sha = head
    result = job.run({"platform": "heroku@v42", "path": "app-repo"})
    assert result.annotations("error")[0].startswith(
        "::error file=requirements/production.txt,line=1,"
    )
    assert f"/octo/app/blob/{head}/requirements/production.txt#L1" in result.summary
    log = json.loads((job.workspace / "heroku-req-check.sarif").read_text())
    [found] = log["runs"][0]["results"]
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "requirements/production.txt"
    )


# -- the stale check needs git and the base commit -----------------------------------------------
STALE_BASE = {"requirements.txt": b"-r requirements/prod.txt\n",
              "requirements/prod.txt": b"requests==2.32.3\nleftpad==1.0\n"}  # fmt: skip
STALE_HEAD = {**STALE_BASE, "requirements/prod.txt": b"requests==2.32.3\n"}


def test_stale_check_on_a_full_checkout_owned_by_the_runner(job: Job, tmp_path: Path) -> None:
    origin = history(tmp_path, [STALE_BASE, STALE_HEAD])
    checkout(origin, job.workspace)  # fetch-depth: 0; chowned to uid 1001 by the job
    base, head = (git(job.workspace, "rev-parse", rev) for rev in ("HEAD~1", "HEAD"))
    job.event_name, job.event, job.sha = "pull_request", pr_event(base, head), head
    result = job.run({"platform": "heroku@latest", "suggest": "none", "check-run": "false"})
    [warning] = result.annotations("warning")
    assert warning.startswith("::warning file=requirements/prod.txt,line=1,title=leftpad%3A")
    assert "stale-package check skipped" not in result.stdout
    assert (job.workspace / ".git").stat().st_uid == RUNNER_UID  # not root's, as on a runner


def test_stale_check_skipped_is_said_even_with_a_token(
    job: Job, tmp_path: Path, spec: OpenAPI
) -> None:
    """A shallow checkout (the default) has no base commit; with a token the notice used to
    be replaced by the reporters' notices."""
    origin = history(tmp_path, [STALE_BASE, STALE_HEAD])
    checkout(origin, job.workspace, depth=1)
    head = git(job.workspace, "rev-parse", "HEAD")
    base = "1" * 40
    state = State()
    with FakeGitHub(spec, state) as server:
        job.api_url, job.token = server.url, TOKEN
        job.repository = f"{state.owner}/{state.repo}"
        job.event_name, job.event, job.sha = "pull_request", pr_event(base, head), head
        result = job.run({"platform": "heroku@latest", "suggest": "none"})
        assert server.violations == []
    assert f"stale-package check skipped: the base commit {base[:12]} is not in the checkout" in (
        result.stdout
    )
    assert len(state.check_runs) == 1  # the token was used: the notice was kept beside it


# -- the API reporters, against the OpenAPI-checking GitHub server --------------------------------
@pytest.fixture
def github(spec: OpenAPI) -> Iterator[tuple[FakeGitHub, PR]]:
    pr = make_pr()
    with FakeGitHub(spec, pr.state) as server:
        yield server, pr


def api_job(job: Job, server: FakeGitHub, pr: PR, fork: bool = False) -> Job:
    for path, data in pr.state.files_at(pr.head).items():  # the merge checkout's files
        (job.workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (job.workspace / path).write_bytes(data)
    payload = json.loads(event_file(job.root, pr, fork).read_text())
    job.event_name, job.event, job.sha = "pull_request", payload, "f" * 40
    job.repository = f"{pr.state.owner}/{pr.state.repo}"
    job.api_url, job.token = server.url, TOKEN
    return job


def test_review_mode(job: Job, github: tuple[FakeGitHub, PR]) -> None:
    server, pr = github
    result = api_job(job, server, pr).run({"platform": "heroku@v42"})
    assert server.violations == []
    assert result.code == 1
    [check] = server.state.check_runs
    assert check["head_sha"] == pr.head and check["conclusion"] == "failure"
    [comment] = server.state.comments
    assert f"```suggestion\n# production dependencies\n{FIX_LINE}\n```" in comment.body
    assert TOKEN not in result.stdout + result.stderr + result.summary


def test_commit_mode_from_the_head_checkout(job: Job, tmp_path: Path, spec: OpenAPI) -> None:
    """`ref: head.sha` checkout owned by uid 1001: git in the image reads the head's tree
    (safe.directory), so the commit needs no read from the API."""
    pr, clone = git_pr(tmp_path)
    shutil.copytree(clone, job.workspace, symlinks=True, dirs_exist_ok=True)
    with FakeGitHub(spec, pr.state) as server:
        job.event_name, job.sha = "pull_request", pr.head
        job.event = json.loads(event_file(tmp_path, pr).read_text())
        job.repository = f"{pr.state.owner}/{pr.state.repo}"
        job.api_url, job.token = server.url, TOKEN
        result = job.run({"platform": "heroku@v42", "suggest": "commit"})
        assert server.violations == []
        commit = result.outputs["commit"]
        assert commit and pr.state.refs["heads/changes"] == commit, result.stdout
        assert pr.state.files_at(commit)["requirements.txt"] == (
            HEAD_FILES["requirements.txt"] + FIX_BYTES
        )
        assert server.calls("GET", "/git/trees/") == []  # the checkout gave the head's tree


def test_commit_mode_without_git(job: Job, github: tuple[FakeGitHub, PR]) -> None:
    """Defect: without git `suggest: commit` exited 3 on every pull request with a finding.
    PATH without /usr/bin: the image's git cannot be found; the head comes from the API."""
    server, pr = github
    api_job(job, server, pr)
    result = job.run(
        {"platform": "heroku@v42", "suggest": "commit"}, env={"PATH": "/usr/local/bin"}
    )
    assert server.violations == []
    assert result.code == 1
    commit = result.outputs["commit"]
    assert server.state.files_at(commit)["requirements.txt"].endswith(FIX_BYTES)
    assert len(server.calls("GET", "/git/trees/")) == 1


def test_fork_pull_request(job: Job, github: tuple[FakeGitHub, PR]) -> None:
    server, pr = github
    server.state.writable = False  # GITHUB_TOKEN is read-only on a fork's pull request
    result = api_job(job, server, pr, fork=True).run({"platform": "heroku@v42"})
    assert server.violations == []
    assert result.code == 1
    assert "check run skipped" in result.stdout and "checks: write" in result.stdout
    assert "review skipped" in result.stdout and "pull-requests: write" in result.stdout
    assert server.state.check_runs == [] and server.state.comments == []
    assert result.outputs["findings"] == "1"


def test_a_broken_reporter_is_one_notice(job: Job, github: tuple[FakeGitHub, PR]) -> None:
    """An unexpected exception inside a reporter (here PyGithub choking on a check run that
    is not what GitHub's API describes) used to end the run with exit 3 and nothing written."""
    server, pr = github
    broken = {"check_suite": {"id": 1}, "url": 5}
    server.faults.append(Fault("POST", r"/check-runs$", 201, broken))
    result = api_job(job, server, pr).run({"platform": "heroku@v42"})
    assert [v for v in server.violations if "check-runs" not in v] == []
    assert result.code == 1  # from the findings
    assert "check run skipped: internal error (AttributeError" in result.stdout
    assert len(server.state.comments) == 1  # the review still happened
    assert result.outputs["findings"] == "1" and FIX_LINE in result.summary
    assert (job.workspace / "heroku-req-check.sarif").exists()


# -- cancellation -------------------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cancellation_stops_with_one_line(
    job: Job, github: tuple[FakeGitHub, PR], signum: signal.Signals
) -> None:
    """The runner cancels a Docker step with SIGINT, then SIGTERM, to `docker run`, which
    passes them to PID 1 (actions/runner ProcessInvoker.cs). The action waits on an API call
    that takes 60 s: it must stop at the signal, not after the call."""
    server, pr = github
    server.faults.append(Fault("GET", r"/pulls/\d+/files$", 200, [], times=5, delay=60))
    api_job(job, server, pr)
    command, _files = job.command({"platform": "heroku@v42", "api-timeout": "120"})
    name = f"hrc-cancel-{os.getpid()}-{signum}"
    command.insert(command.index("--rm") + 1, f"--name={name}")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the annotations come before the API calls
        assert first.startswith("::error file=requirements/production.txt"), first
        time.sleep(1)  # into the API calls (the signal must work anywhere after the start)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=50)  # a hang guard, not a speed check
    finally:
        if proc.poll() is None:
            subprocess.run([*PODMAN, "rm", "-f", name], capture_output=True)
            proc.kill()
    assert proc.returncode == 128 + signum
    assert stderr.strip().splitlines() == [f"heroku-req-check: cancelled ({signum.name})"]
    assert "Traceback" not in stdout + stderr
    assert server.state.check_runs == []  # it stopped in the diff call, before the check run
