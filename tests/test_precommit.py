"""The pre-commit hooks, run for real with `pre-commit try-repo` against a temporary git repo.

pre-commit builds the hook's environment from this checkout (pip install from PyPI), once per
test module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from heroku_req_check import digest
from heroku_req_check.scan import scan
from heroku_req_check.tree import make_reader, walk

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-app"


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def app_repo(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    repo = tmp_path / "app"
    shutil.copytree(SEED, repo)
    (repo / "README.md").write_text("an app\n")
    for name, text in (files or {}).items():
        (repo / name).write_text(text)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo


def try_repo(repo: Path, home: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    pre_commit = Path(sys.executable).with_name("pre-commit")
    return subprocess.run(
        [str(pre_commit), "try-repo", str(ROOT), hook, *args],
        cwd=repo,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )


PINNED = {
    "app.json": '{"buildpacks": [{"url": "https://github.com/heroku/heroku-buildpack-python#v42"}]}\n'
}


def test_hooks_leave_a_heroku_app_on_todays_release_alone(
    tmp_path: Path, precommit_home: Path
) -> None:
    # the example app deploys to Heroku (app.json names heroku/python, a Procfile): the hooks
    # model Heroku's current release, which reads the whole tree; its only trap is the build
    # cache keyed on the root file's bytes (a notice, which fails nothing), and the fix hook
    # writes the tree digest for it: no Railpack comment in a Heroku app's requirements.txt
    repo = app_repo(tmp_path)
    before = (repo / "requirements.txt").read_bytes()
    proc = try_repo(repo, precommit_home, "heroku-req-check", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a notice fails nothing
    proc = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # files were modified
    after = (repo / "requirements.txt").read_bytes()
    assert after.startswith(before)
    [added] = after[len(before) :].decode().splitlines()
    assert added.startswith("# heroku-req-check: tree sha256:")
    proc = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the digest is current: no edit
    assert (repo / "requirements.txt").read_bytes() == after


def test_check_hook_follows_the_pinned_release(tmp_path: Path, precommit_home: Path) -> None:
    repo = app_repo(tmp_path, PINNED)
    proc = try_repo(repo, precommit_home, "heroku-req-check", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "heroku-req-check" in proc.stdout and "Failed" in proc.stdout
    assert "platforms: heroku@v42 (app.json:1, Procfile)" in proc.stdout
    assert "requirements/production.txt:3: error heroku/pylibmc pylibmc is not in" in proc.stdout


def test_fix_hook_adds_the_line_and_fails_for_review(tmp_path: Path, precommit_home: Path) -> None:
    repo = app_repo(tmp_path, PINNED)
    before = (repo / "requirements.txt").read_bytes()
    nested = (repo / "requirements/production.txt").read_bytes()
    proc = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    after = (repo / "requirements.txt").read_bytes()
    # v42 greps the root text, comments included, and installs with pip 1.5.6, which rejects
    # a name given twice: the fix is a comment, and the nested line stays
    assert after == before + (
        b"# pylibmc==1.6.3 (installed from requirements/production.txt; named here for the "
        b"build's text search)\n"
    )
    assert (repo / "requirements/production.txt").read_bytes() == nested
    again = try_repo(repo, precommit_home, "heroku-req-check", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_fix_hook_with_every_platform_configured(tmp_path: Path, precommit_home: Path) -> None:
    repo = app_repo(tmp_path, {".heroku-req-check.toml": 'platforms = ["all"]\n'})
    before = (repo / "requirements.txt").read_bytes()
    proc = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # every platform and release: Heroku's pylibmc, Nixpacks' psycopg2 (Zeabur's and fly
    # launch's too), Django for Zeabur and fly launch, which look for it in the root file only,
    # and the comment that makes Railpack copy the nested file into its install step
    after = (repo / "requirements.txt").read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode().splitlines()
    # and the tree digest, for the platforms whose caches are keyed on the root file's bytes
    assert [line for line in added if line.startswith(digest.PREFIX)] == [
        digest.line_for(tree_digest(repo))
    ]
    # (Django and psycopg2 as comments: Heroku's old pips, selected too, reject a project
    # named twice, and the root-text searches that want them read comments)
    assert sorted(line for line in added if not line.startswith(digest.PREFIX)) == [
        "# Django==4.2.16 (installed from requirements/production.txt; named here for the "
        "build's text search)",
        "# file:// (heroku-req-check: this text makes railpack copy the whole app before pip "
        "install)",
        "# psycopg2==2.9.10 (installed from requirements/production.txt; named here for the "
        "build's text search)",
        "pylibmc==1.6.3",
    ]
    again = try_repo(repo, precommit_home, "heroku-req-check", "--all-files")
    # what is left no edit of a requirements file fixes: the releases that never detect
    # pylibmc anywhere (v81, v104, v164-v184), Cloud Foundry v1.6.0-v1.6.23, which ran pip on
    # a copy of the root file (any include fails there: deploy with a later release), the
    # include the Dockerfile `fly launch` writes cannot open (that Dockerfile does not exist
    # yet), and Zeabur's /dev/stdin include, whose comment fix Cloud Foundry and serverless
    # (selected too) would not survive
    findings = [line for line in again.stdout.splitlines() if ": error " in line]
    unfixable = (
        ":broken ",
        "cloudfoundry@v1.6.0-v1.6.23",
        " flyio/include-not-copied ",
        " zeabur/include-from-stdin ",
    )
    assert findings and all(any(u in line for u in unfixable) for line in findings), again.stdout
    assert any(":broken " in line for line in findings)


def test_hooks_run_when_deployment_configuration_changes(
    tmp_path: Path, precommit_home: Path
) -> None:
    repo = app_repo(tmp_path, PINNED)
    proc = try_repo(repo, precommit_home, "heroku-req-check", "--files", "app.json")
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_hooks_skip_commits_without_requirements_files(
    tmp_path: Path, precommit_home: Path
) -> None:
    repo = app_repo(tmp_path)
    proc = try_repo(repo, precommit_home, "heroku-req-check", "--files", "README.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(no files to check)Skipped" in proc.stdout


def tree_digest(repo: Path) -> str:
    tree = walk(repo)
    read = make_reader(repo, tree)
    return digest.compute(digest.inputs(tree, read), read)


def digest_lines(repo: Path) -> list[str]:
    text = (repo / "requirements.txt").read_text()
    return [line for line in text.splitlines() if line.startswith(digest.PREFIX)]


def test_fix_hook_keeps_the_tree_digest_current_across_commits(
    tmp_path: Path, precommit_home: Path
) -> None:
    repo = tmp_path / "app"
    (repo / "requirements").mkdir(parents=True)
    (repo / "requirements.txt").write_text("-r requirements/base.txt\n")
    (repo / "requirements/base.txt").write_text("six==1.16.0\n")
    (repo / ".heroku-req-check.toml").write_text('platforms = ["google"]\n')
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    # first commit with the hook: it writes the digest and fails so the change is reviewed
    first = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert digest_lines(repo) == [digest.line_for(tree_digest(repo))]
    git(repo, "commit", "-qam", "digest")
    clean = try_repo(repo, precommit_home, "heroku-req-check-fix", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr  # nothing left to change
    written = digest_lines(repo)
    # a later commit edits only the included file: the hook moves the digest with it
    (repo / "requirements/base.txt").write_text("six==1.16.0\nattrs==23.1.0\n")
    git(repo, "add", "-A")
    edit = try_repo(
        repo, precommit_home, "heroku-req-check-fix", "--files", "requirements/base.txt"
    )
    assert edit.returncode == 1, edit.stdout + edit.stderr
    assert digest_lines(repo) == [digest.line_for(tree_digest(repo))] != written
    git(repo, "commit", "-qam", "edit")
    check = try_repo(repo, precommit_home, "heroku-req-check", "--all-files")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "google/dependency-cache" not in check.stdout  # (a warning: it would not fail)
    assert scan(repo).findings == []


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("requirements.txt", True),
        ("reqs/base.txt", True),  # an include can have any name (the README's digest recipe)
        ("requirements/prod.in", True),
        ("runtime.txt", True),
        (".python-version", True),
        ("Pipfile", True),
        ("services/api/pyproject.toml", True),
        ("compose.yaml", True),
        ("docker-compose.prod.yml", True),
        ("dockerfile", True),
        ("api.Dockerfile", True),
        (".dockerignore", True),
        ("manifest_prod.yml", True),
        (".github/workflows/deploy.yml", True),
        ("README.md", False),
        ("app/models.py", False),
    ],
)
def test_hook_file_pattern(path: str, runs: bool) -> None:
    # pre-commit runs a hook when re.search(files, path) matches (pre_commit/commands/run.py)
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    patterns = {hook["files"] for hook in hooks}
    assert len(patterns) == 1  # both hooks run on the same commits
    assert bool(re.search(patterns.pop(), path)) is runs
