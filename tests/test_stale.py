"""Stale packages against a base revision (--base REV), in real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from heroku_req_check.scan import apply_fixes, scan
from test_golden import run_cli

ROOT_TEXT = "-r requirements/prod.txt\n"
NESTED_BASE = "requests==2.32.3\nleftpad==1.0\ngunicorn==23.0.0\n"
NESTED_HEAD = "requests==2.32.3\ngunicorn==23.0.0\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def repo_with(tmp_path: Path, base: dict[str, str], head: dict[str, str], app: str = "") -> Path:
    repo = tmp_path / "repo"
    (repo / app).mkdir(parents=True)
    git(repo, "init", "-q")
    for files in (base, head):
        for path in list((repo / app).rglob("*.txt")):
            path.unlink()
        for name, text in files.items():
            (repo / app / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / app / name).write_text(text)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base" if files is base else "head", "--allow-empty")
    return repo / app


BASE = {"requirements.txt": ROOT_TEXT, "requirements/prod.txt": NESTED_BASE}
HEAD = {"requirements.txt": ROOT_TEXT, "requirements/prod.txt": NESTED_HEAD}


def stale(report):  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.rule == "heroku/stale-packages"]


def test_nested_removal_with_identical_root_is_reported(tmp_path: Path) -> None:
    app = repo_with(tmp_path, BASE, HEAD)
    [finding] = stale(scan(app, platforms=["heroku@latest"], base="HEAD~1"))
    assert (finding.file, finding.line, finding.package) == ("requirements/prod.txt", 2, "leftpad")
    assert finding.severity == "warning" and finding.platforms == ("heroku@v351",)
    assert "removed from requirements/prod.txt (line 2 at HEAD~1)" in finding.message
    assert "heroku builds:cache:purge" in finding.message
    assert finding.fix is not None and finding.fix.file == "requirements.txt"
    # applying the fix changes the root file's bytes: the cache is dropped, no more warning
    report = scan(app, platforms=["heroku@latest"], base="HEAD~1")
    apply_fixes(app, report)
    assert stale(scan(app, platforms=["heroku@latest"], base="HEAD~1")) == []


@pytest.mark.parametrize(
    ("platform", "root_changed", "expected"),
    [
        ("heroku@v100", False, 1),  # pip-uninstall never sees nested removals
        ("heroku@v100", True, 1),
        ("heroku@v166", True, 1),  # the last release without the root-file diff
        # archive/v167 bin/steps/python:113 `if ! diff ...; then rm -rf .heroku/python`:
        # a changed root wipes the cache (pip-diff, until v185, then has nothing to do)
        ("heroku@v167", False, 1),
        ("heroku@v170", True, 0),
        # archive/v169-v262 bin/steps/python:105 (diff), v263+ lib/cache.sh (cmp): no gap
        ("heroku@v200", False, 1),
        ("heroku@v200", True, 0),
        ("heroku@v262", False, 1),
        ("heroku@v300", False, 1),  # the cache survives an identical root file
        ("heroku@v300", True, 0),
    ],
)
def test_eras(tmp_path: Path, platform: str, root_changed: bool, expected: int) -> None:
    head = dict(HEAD)
    if root_changed:
        head["requirements.txt"] = ROOT_TEXT + "# touched\n"
    app = repo_with(tmp_path, BASE, head)
    report = scan(app, platforms=[platform], base="HEAD~1")
    assert len(stale(report)) == expected
    if expected and platform in ("heroku@v100", "heroku@v166"):
        assert stale(report)[0].fix is None  # no edit helps v43-v166: purge the cache


def test_moves_and_root_removals_are_not_stale(tmp_path: Path) -> None:
    moved = {"requirements.txt": ROOT_TEXT + "leftpad==1.0\n", "requirements/prod.txt": NESTED_HEAD}
    assert (
        stale(scan(repo_with(tmp_path / "a", BASE, moved), platforms=["heroku@all"], base="HEAD~1"))
        == []
    )
    base = {"requirements.txt": ROOT_TEXT + "leftpad==1.0\n", "requirements/prod.txt": NESTED_HEAD}
    app = repo_with(tmp_path / "b", base, HEAD)
    assert stale(scan(app, platforms=["heroku@v82-v351"], base="HEAD~1")) == []


def test_v81_uninstalls_nothing_root_removals_included(tmp_path: Path) -> None:
    """archive/v81: pip-diff reads `project_name`, absent from pip 8.1.2's requirements."""
    base = {"requirements.txt": ROOT_TEXT + "leftpad==1.0\n", "requirements/prod.txt": NESTED_HEAD}
    app = repo_with(tmp_path, base, HEAD)
    [finding] = stale(scan(app, platforms=["heroku@all"], base="HEAD~1"))
    assert finding.platforms == ("heroku@v81",)
    assert (finding.file, finding.package, finding.fix) == ("requirements.txt", "leftpad", None)
    assert "v81 never uninstalls anything" in finding.message


def test_deleted_nested_file_points_at_the_root(tmp_path: Path) -> None:
    base = {**BASE, "requirements/extra.txt": "leftpad==1.0\n"}
    base["requirements.txt"] = ROOT_TEXT
    base["requirements/prod.txt"] = NESTED_HEAD + "-r extra.txt\n"
    app = repo_with(tmp_path, base, HEAD)
    [finding] = stale(scan(app, platforms=["heroku@latest"], base="HEAD~1"))
    assert (finding.file, finding.line) == ("requirements.txt", 1)
    assert "removed from requirements/extra.txt" in finding.message


def test_app_in_a_subdirectory(tmp_path: Path) -> None:
    app = repo_with(tmp_path, BASE, HEAD, app="services/api")
    [finding] = stale(scan(app, platforms=["heroku@latest"], base="HEAD~1"))
    assert finding.file == "requirements/prod.txt"


def test_unreadable_base_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    app = repo_with(tmp_path, BASE, HEAD)
    for rev in ("no-such-rev", "--output=/tmp/x"):
        report = scan(app, platforms=["heroku@latest"], base=rev)
        assert stale(report) == []
        assert any("stale packages were not checked" in p.message for p in report.problems)
        # said plainly, never as Python's exception text with git's command line
        assert not any("Command '[" in p.message for p in report.problems)
    report = scan(app, platforms=["heroku@latest"], base="no-such-rev")
    assert any("(no such commit in this checkout)" in p.message for p in report.problems)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "requirements.txt").write_text("requests\n")
    code, out = run_cli("--base", "HEAD", "--format", "json", str(plain))
    assert code == 0 and "stale packages were not checked" in out


def test_action_uses_the_pull_request_base(tmp_path: Path) -> None:
    import json
    import os
    import sys

    app = repo_with(tmp_path, BASE, HEAD)
    base_sha, head_sha = git(app, "rev-parse", "HEAD~1"), git(app, "rev-parse", "HEAD")
    event = tmp_path / "event.json"

    def run(base: str) -> str:
        payload = {"pull_request": {"number": 1, "head": {"sha": head_sha}, "base": {"sha": base}}}
        event.write_text(json.dumps(payload))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
        env.update(
            GITHUB_WORKSPACE=str(app),
            GITHUB_EVENT_NAME="pull_request",
            GITHUB_EVENT_PATH=str(event),
            INPUT_PLATFORM="heroku@latest",
        )
        entry = Path(__file__).resolve().parents[1] / "entrypoint.py"
        done = subprocess.run([sys.executable, str(entry)], env=env, capture_output=True, text=True)
        return done.stdout

    out = run(base_sha)
    assert "::warning file=requirements/prod.txt,line=2,title=leftpad%3A removed here" in out
    missing = run("0" * 40)
    assert "stale-package check skipped: the base commit 000000000000 is not in the checkout" in (
        missing
    )
