"""Which build context and which Dockerfile BuildKit uses (evaluation eval3 F5): a COPY wildcard
that matches nothing does not rule a directory out, and a lowercase `dockerfile` is the default
Dockerfile where there is no `Dockerfile`."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TREES
from heroku_req_check.scan import scan


def test_unmatched_copy_wildcard_does_not_hide_the_build() -> None:
    """buildkit convert_copy.go:282-283 (AllowEmptyWildcard): `requirements-dev.txt*` matching
    nothing is fine, the context is the root, and the build fails at pip on the -r file."""
    report = scan(TREES / "docker-glob-empty", platforms=["docker"])
    assert report.problems == []
    [finding] = report.findings
    assert (finding.file, finding.line, finding.rule, finding.package) == (
        "Dockerfile",
        4,
        "docker/include-not-copied",
        "requirements-base.txt",
    )


def test_wildcard_that_matches_somewhere_still_picks_that_context(tmp_path: Path) -> None:
    """A directory where the wildcard matches too is preferred over the Dockerfile's own."""
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY req*.txt ./\nRUN pip install -r reqs.txt\n"
    )
    (tmp_path / "reqs.txt").write_text("-r more.txt\n")
    (tmp_path / "more.txt").write_text("six\n")
    report = scan(tmp_path, platforms=["docker"])
    assert report.problems == []
    assert [f.package for f in report.findings] == ["more.txt"]


def test_lowercase_dockerfile_is_the_compose_default() -> None:
    """buildkit dockerui/config.go:345-348, :392-402: `build: .` reads `dockerfile`."""
    report = scan(TREES / "docker-lowercase", platforms=["docker"])
    assert report.problems == []
    [finding] = report.findings
    where = (finding.file, finding.line, finding.package)
    assert where == ("dockerfile", 4, "requirements-base.txt")


def test_lowercase_dockerfile_alone_selects_docker(tmp_path: Path) -> None:
    shutil.copytree(TREES / "docker-lowercase", tmp_path / "app")
    (tmp_path / "app" / "docker-compose.yml").unlink()
    report = scan(tmp_path / "app")
    assert report.selection is not None
    assert [p.platform for p in report.selection.targets] == ["docker"]
    [evidence] = report.selection.targets[0].evidence
    assert evidence.file == "dockerfile"
    assert [f.package for f in report.findings] == ["requirements-base.txt"]


def test_uppercase_dockerfile_wins_over_lowercase(tmp_path: Path) -> None:
    shutil.copytree(TREES / "docker-lowercase", tmp_path / "app")
    (tmp_path / "app" / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    )
    report = scan(tmp_path / "app", platforms=["docker"])
    # the compose build reads Dockerfile (everything copied): only the standalone dockerfile,
    # whose own directory holds its sources, is missing the -r file
    assert [(f.file, f.package) for f in report.findings] == [
        ("dockerfile", "requirements-base.txt")
    ]
