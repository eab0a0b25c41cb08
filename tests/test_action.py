"""The Docker entrypoint, run as GitHub runs it: INPUT_* variables, files for outputs/summary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import TREES

ROOT = Path(__file__).resolve().parents[1]


def run_action(
    workspace: Path, *args: str, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    output, summary = workspace.parent / "output", workspace.parent / "summary"
    output.write_text(""), summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    for name in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(
        {
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "octo/app",
            "GITHUB_SHA": "0" * 40,
            "INPUT_GITHUB-TOKEN": "ghs_secretvalue123",
        }
    )
    # these tests never reach GitHub: API reporters off unless a test turns them on
    inputs = {"suggest": "none", "check_run": "false", **inputs}
    env.update({f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()})
    env["GITHUB_API_URL"] = "http://127.0.0.1:9"  # the discard port: nothing listens
    proc = subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py"), *args],
        env=env,
        cwd=workspace,
        text=True,
        capture_output=True,
        check=False,
    )
    return proc, output, summary


def test_action_reports_the_seed_story(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(TREES / "seed", workspace / "app")
    proc, output, summary = run_action(
        workspace, path="app", platform="heroku@v3-v42", fail_on="error"
    )
    assert proc.returncode == 1, proc.stderr
    assert "::error file=app/requirements/production.txt,line=3," in proc.stdout
    assert "ghs_secretvalue123" not in proc.stdout + proc.stderr + summary.read_text()
    outputs = output.read_text()
    for name, value in (
        ("findings", "1"),
        ("errors", "1"),
        ("warnings", "0"),
        ("report", "heroku-req-check.json"),
    ):
        assert f"{name}<<" in outputs and f"\n{value}\n" in outputs.split(f"{name}<<", 1)[1]
    text = summary.read_text()
    assert (
        "https://github.com/octo/app/blob/" + "0" * 40 + "/app/requirements/production.txt#L3"
        in text
    )
    assert "```text\npylibmc==1.6.3\n```" in text
    # the fix command as run from the repository's top: the app's directory, the platforms
    assert "Or run `heroku-req-check --fix --platform=heroku@v3-v42 app` locally." in text
    assert "**1 error(s), 0 warning(s), 0 notice(s), 0 problem(s)**" in text
    assert (workspace / "heroku-req-check.json").exists()
    log = json.loads((workspace / "heroku-req-check.sarif").read_text())
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["app/requirements/production.txt"]  # repository-relative, as GitHub wants
    assert "sarif<<" in outputs


def test_action_with_no_inputs_checks_what_the_repository_deploys_to(tmp_path: Path) -> None:
    # issue 13: `uses: org/heroku-req-check@v1` with no inputs on a Heroku app whose
    # requirements.txt is `-r requirements/production.txt` used to fail on Railpack's include
    # rule and report 2011-2014 releases; it models Heroku's current release now
    workspace = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "seed-app", workspace)
    proc, _output, summary = run_action(workspace)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::error" not in proc.stdout and "::warning" not in proc.stdout
    text = summary.read_text()
    assert text.startswith(
        "## heroku-req-check\n\nPlatforms, from the repository's deployment configuration:\n\n"
        "- `heroku@latest`\n"
    )
    assert "railpack" not in text
    report = json.loads((workspace / "heroku-req-check.json").read_text())
    assert report["selection"]["how"] == "detected"
    assert [p["label"] for p in report["selection"]["platforms"]] == ["heroku@latest"]
    # the platform input still names others, and the summary says what the repository says
    proc, _output, summary = run_action(workspace, platform="heroku@v3-v42")
    assert proc.returncode == 1
    assert "Platforms: `heroku@v3-v42`, from the platform input." in summary.read_text()


def test_pull_request_links_point_at_the_head_commit(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(TREES / "seed", workspace)
    head = "1" * 40
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "head": {"sha": head}}}))
    os.environ["GITHUB_EVENT_PATH"] = str(event)
    os.environ["GITHUB_EVENT_NAME"] = "pull_request"
    try:
        _proc, _output, summary = run_action(workspace, platform="heroku@v42")
    finally:
        del os.environ["GITHUB_EVENT_PATH"], os.environ["GITHUB_EVENT_NAME"]
    assert f"/octo/app/blob/{head}/requirements/production.txt#L3" in summary.read_text()


def test_entrypoint_with_arguments_is_the_cli(tmp_path: Path) -> None:
    """The `uses: docker://image` form passes `args:`; the README documents it."""
    workspace = tmp_path / "ws"
    shutil.copytree(TREES / "seed", workspace)
    proc, output, summary = run_action(workspace, "--format", "github", "--platform", "heroku@v42")
    assert proc.returncode == 1, proc.stderr
    assert "::error file=requirements/production.txt,line=3," in proc.stdout
    assert "pylibmc==1.6.3" in summary.read_text()
    assert output.read_text() == ""  # step outputs come only from the action's inputs form


def test_action_usage_errors_exit_2(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(TREES / "seed", workspace)
    assert run_action(workspace, fail_on="sometimes")[0].returncode == 2
    assert run_action(workspace, path="../..")[0].returncode == 2
    assert run_action(workspace, platform="nowhere")[0].returncode == 2


def test_offline_run_imports_no_network_code() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from heroku_req_check.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['--format', 'github', {str(TREES / 'seed')!r}])\n"
        "bad = [m for m in ('github', 'requests', 'urllib3', 'http.client') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_filter_added_decides_the_verdict_without_api_calls(tmp_path: Path) -> None:
    # the read-only workflow (suggest: none, check-run: false) makes no API call: the pull
    # request's added lines come from git, so a finding the base already had does not fail it
    workspace = tmp_path / "ws"
    shutil.copytree(TREES / "seed", workspace)
    _git(workspace, "init", "-q")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-qm", "base")
    base = _git(workspace, "rev-parse", "HEAD")
    (workspace / "README.md").write_text("docs\n")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-qm", "docs only")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "base": {"sha": base}}}))
    os.environ["GITHUB_EVENT_PATH"] = str(event)
    os.environ["GITHUB_EVENT_NAME"] = "pull_request"
    try:
        proc, output, _summary = run_action(workspace, platform="heroku@v42")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "::error file=requirements/production.txt,line=3," in proc.stdout  # still shown
        assert "filter: added: 0 of 1 finding(s)" in proc.stdout
        assert "\n0\n" in output.read_text().split("selected<<", 1)[1]
        # a pull request that adds the nested line is held to it
        nested = workspace / "requirements" / "production.txt"
        nested.write_text(nested.read_text() + "pylibmc==1.6.3\n")
        _git(workspace, "commit", "-qam", "adds pylibmc twice")
        proc, output, _summary = run_action(workspace, platform="heroku@v42")
        assert proc.returncode == 1, proc.stdout
        # and without the base commit it says so, counting every finding
        event.write_text(json.dumps({"pull_request": {"number": 1, "base": {"sha": "f" * 40}}}))
        proc, _output, _summary = run_action(workspace, platform="heroku@v42")
        assert proc.returncode == 1
        assert "filter: added not applied" in proc.stdout
    finally:
        del os.environ["GITHUB_EVENT_PATH"], os.environ["GITHUB_EVENT_NAME"]
