"""The docker model against a real build: podman builds the fixture's Dockerfile, which fails
with pip's own "Could not open requirements file"; after `--fix` the same build succeeds. A RUN
that builds the archive it installs builds, and gets no finding.

No network is used: the base is a local stand-in for python:3.12-slim (scripts/podman-setup
builds it once from Debian packages and podman keeps it), selected with `--from`, and the RUN
is `pip install --no-index --dry-run` of a requirement the base already satisfies (pip).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import TREES
from heroku_req_check.scan import apply_fixes, scan

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "scripts" / "podman-setup"


def setup(*args: str) -> str:
    done = subprocess.run([str(SETUP), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def base() -> str:
    return setup("base")


def build(context: Path, base: str) -> subprocess.CompletedProcess[str]:
    tag = f"localhost/heroku-req-check-oracle:{uuid.uuid4().hex[:12]}"
    command = [
        "podman",
        *setup("flags", "global").split(),
        "build",
        *setup("flags", "build").split(),
        "--network=none",
        "--no-cache",  # the RUN must really run, every time
        "--from",
        base,
        "--tag",
        tag,
        str(context),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode == 0:
        subprocess.run(
            ["podman", *setup("flags", "global").split(), "rmi", tag],
            capture_output=True,
            check=False,
        )
    return done


def test_broken_build_fails_as_reported_and_the_fix_builds(tmp_path: Path, base: str) -> None:
    app = tmp_path / "app"
    shutil.copytree(TREES / "docker-oracle", app)
    broken = build(app, base)
    assert broken.returncode != 0
    output = broken.stdout + broken.stderr
    assert "ERROR: Could not open requirements file" in output
    assert "requirements/base.txt" in output  # pip stops at the first include it cannot open

    report = scan(app, platforms=["docker"])
    assert sorted(f.package for f in report.findings) == [
        "constraints.txt",
        "requirements/base.txt",
    ]
    assert apply_fixes(app, report).changed == ["Dockerfile"]

    fixed = build(app, base)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Would install" in fixed.stdout + fixed.stderr or "already satisfied" in (
        fixed.stdout + fixed.stderr
    )
    assert scan(app, platforms=["docker"]).findings == []


def test_a_run_that_builds_what_it_installs_builds_and_is_not_reported(
    tmp_path: Path, base: str
) -> None:
    """Class C of the evaluation (kiwitcms/Kiwi Dockerfile:36-37): the RUN writes dist/ before
    its pip runs, and the shell expands the pattern after that. The model reports no finding,
    and a problem names the command that may have made the file; the real build succeeds.
    Without the command that builds it, the pattern matches nothing, pip gets it as written
    and fails, as the finding says."""
    app = tmp_path / "app"
    shutil.copytree(TREES / "docker-build-in-run", app)
    built = build(app, base)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Successfully installed app-1" in built.stdout + built.stderr
    report = scan(app, platforms=["docker"])
    assert report.findings == []
    [problem] = report.problems
    assert "`python setup.py -q sdist` (line 5) runs before it" in problem.message

    dockerfile = app / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    dockerfile.write_text(text.replace("python setup.py -q sdist && \\\n    ", ""), "utf-8")
    broken = build(app, base)
    assert broken.returncode != 0
    # pip got the pattern as written: its own message names the literal path
    assert "No such file or directory: '/src/dist/app-*.tar.gz'" in broken.stdout + broken.stderr
    report = scan(app, platforms=["docker"])
    assert [f.package for f in report.findings] == ["dist/app-*.tar.gz"]
    assert "the shell passes it to pip as written" in report.findings[0].message
