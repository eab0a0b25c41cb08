"""The app-root requirements file and the docker platform (evaluation problem P1): docker reads
the files each Dockerfile's pip names (catalog `root_setting`), so with only such platforms
selected a missing root `requirements.txt` is no problem once a build was checked."""

from __future__ import annotations

from pathlib import Path

from heroku_req_check.scan import scan


def test_docker_only_without_root_file_has_no_root_problem(tmp_path: Path) -> None:
    """P1: every selected platform reads the files its own builds name (catalog root_setting)."""
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY reqs.txt .\nRUN pip install -r reqs.txt\n"
    )
    (tmp_path / "reqs.txt").write_text("-r more.txt\n")
    (tmp_path / "more.txt").write_text("six\n")
    report = scan(tmp_path, platforms=["docker"])
    assert [f.package for f in report.findings] == ["more.txt"]
    assert report.problems == []
    # another platform reads the app-root file: its absence is a problem again
    both = scan(tmp_path, platforms=["docker", "heroku"])
    assert any("requirements.txt does not exist" in p.message for p in both.problems)
    # a file named with --requirements that does not exist: said, and what was checked
    named = scan(tmp_path, root="nope.txt", platforms=["docker"])
    [problem] = named.problems
    assert problem.message.startswith("nope.txt does not exist. No selected platform reads it")
    assert "1 build(s) were checked" in problem.message


def test_docker_only_without_any_build_says_nothing_was_checked(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("")
    report = scan(tmp_path, platforms=["docker"])
    [problem] = report.problems
    assert "the repository has no such build, so nothing was checked" in problem.message
