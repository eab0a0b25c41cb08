"""Requirement lines that name a place (`-e .`, `./pkg[extra]`, `./dist/x.tar.gz`, a URL without
`#egg=`): the walk records them as LocalProject, and reports a problem only where pip does.

The oracle is pip itself (the one in the test environment), called as pip-grep calls it: the
file read with `parse_requirements`, each line built with `install_req_from_parsed_requirement`,
from the app root. Where pip raises while building the requirement, the walk must report a
problem with `pip_fails`; where pip builds it, the walk must record the same place (or the same
name). Failures that only come later, when pip prepares the project, are checked against
`pip install --dry-run` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from heroku_req_check.model import RequirementsTree
from heroku_req_check.tree import walk

# One app laid out with every kind of place a line can name.
LAYOUT: dict[str, str] = {
    "setup.py": 'from setuptools import setup\nsetup(name="app")\n',
    "pkg/setup.py": 'from setuptools import setup\nsetup(name="pkg")\n',
    "proj/pyproject.toml": '[project]\nname = "proj"\nversion = "1"\n',
    "empty/README.md": "not a project\n",
    "dist/x.tar.gz": "",
    "dist/pkg-1.0-py3-none-any.whl": "",
    "notes.txt": "a file that is no archive\n",
}

LINES = [
    "-e .",
    ".",
    "./",
    "-e ./pkg",
    "./pkg",
    "pkg/",
    "-e pkg",  # -e takes any directory, no `./` needed
    "pkg",  # without a separator it is a project name, not the directory
    "-e .[prod]",
    "./pkg[a,b]",
    "-e ./pkg[extra]",
    "./proj",
    "-e ./proj",
    "./pkg ; python_version >= '3'",
    "file:./pkg",
    "-e file:./pkg",
    "./dist/x.tar.gz",
    "dist/x.tar.gz",
    "./dist/pkg-1.0-py3-none-any.whl",
    "./dist/missing.tar.gz",
    "missing.zip",
    "https://example.invalid/x.tar.gz",
    "https://example.invalid/x.tar.gz#egg=x",
    "https://example.invalid/pkg-1.0-py3-none-any.whl",
    "git+https://example.invalid/x.git",
    "git+https://example.invalid/x.git#egg=x",
    "-e git+https://example.invalid/x.git",
    "-e git+https://example.invalid/x.git#egg=x",
    "x @ https://example.invalid/x.tar.gz",
    "./missing",
    "-e ./missing",
    "./empty",
    "./notes.txt",
    "-e ./notes.txt",
    "-e ./dist/x.tar.gz",
    "./x.whl",
]


def make_app(root: Path, line: str) -> Path:
    for name, text in LAYOUT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "requirements.txt").write_text(line + "\n")
    return root


def pip_reads(repo: Path) -> tuple[str, ...]:
    """What pip makes of requirements.txt line 1, from the app root: ("fails",), ("named",
    name), or ("unnamed", kind, place, extras) with kind directory/archive/url and the place
    repo-relative (or the URL)."""
    from pip._internal.exceptions import PipError
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    cwd = os.getcwd()
    os.chdir(repo)  # pip-grep and the build run pip from the app root
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # pip imports pkg_resources
            (ireq,) = [
                install_req_from_parsed_requirement(parsed)
                for parsed in parse_requirements("requirements.txt", session=PipSession())
            ]
        if ireq.req is not None:
            return ("named", ireq.req.name)
        link = ireq.link
        assert link is not None
        extras = tuple(sorted(ireq.extras))
        if not link.is_file:
            return ("unnamed", "url", link.url.split("#")[0], extras)
        place = os.path.relpath(os.path.realpath(link.file_path), os.path.realpath(repo))
        kind = "directory" if os.path.isdir(link.file_path) else "archive"
        return ("unnamed", kind, place.replace(os.sep, "/"), extras)
    except (PipError, ValueError, OSError):
        return ("fails",)
    finally:
        os.chdir(cwd)


def ours(tree: RequirementsTree) -> tuple[str, ...]:
    if any(p.line == 1 and p.pip_fails for p in tree.problems):
        return ("fails",)
    named = [d for d in tree.declarations if d.line == 1]
    if named:
        return ("named", named[0].name)
    (project,) = [p for p in tree.projects if p.line == 1]
    if project.kind == "url":
        return ("unnamed", "url", project.target.split("#")[0], project.extras)
    # a place pip builds from but that cannot be installed is recorded without a path
    place = project.resolved or os.path.normpath(project.target.removeprefix("file:"))
    return ("unnamed", project.kind, place, tuple(sorted(project.extras)))


@pytest.mark.parametrize("line", LINES)
def test_the_walk_reads_each_line_as_pip_does(line: str, tmp_path: Path) -> None:
    repo = make_app(tmp_path, line)
    assert ours(walk(repo)) == pip_reads(repo)


def test_the_smallest_app_with_dash_e_dot_is_valid(tmp_path: Path) -> None:
    """issue 12 fault 1: `-e .` in a nested file is not a line pip stops at."""
    (tmp_path / "requirements.txt").write_text("-r base.txt\n")
    (tmp_path / "base.txt").write_text("pylibmc==1.6.3\n-e .\n")
    (tmp_path / "setup.py").write_text('from setuptools import setup; setup(name="app")\n')
    tree = walk(tmp_path)
    assert tree.problems == []
    assert [d.name for d in tree.declarations] == ["pylibmc"]
    (project,) = tree.projects
    assert (project.file, project.line, project.text, project.kind, project.resolved) == (
        "base.txt",
        2,
        "-e .",
        "directory",
        ".",
    )
    assert project.editable and not project.name


def test_paths_are_taken_from_the_app_root_not_the_including_file(tmp_path: Path) -> None:
    """pip resolves `./pkg` with os.path.abspath, from the directory it runs in (the app
    root), while `-r` targets are taken from the including file."""
    make_app(tmp_path, "-r req/base.txt")
    (tmp_path / "req").mkdir()
    (tmp_path / "req" / "base.txt").write_text("-e ./pkg\n-e .\n")
    tree = walk(tmp_path)
    assert [(p.line, p.resolved) for p in tree.projects] == [(1, "pkg"), (2, ".")]
    assert tree.problems == []


def test_named_local_project(tmp_path: Path) -> None:
    """`name @ file:./pkg`: pip >= 24.1 reads it (its vendored packaging 24 dropped the URL
    check that made 23.x reject relative file URLs), so it is both a declaration pip-grep sees
    and a local project. The pip in the test environment is older, hence no oracle here."""
    make_app(tmp_path, "mypkg @ file:./pkg")
    tree = walk(tmp_path)
    assert [d.name for d in tree.declarations] == ["mypkg"]
    (project,) = tree.projects
    assert (project.name, project.kind, project.resolved) == ("mypkg", "directory", "pkg")


def test_a_project_only_reached_through_a_constraint_fails_the_install(tmp_path: Path) -> None:
    make_app(tmp_path, "-c constraints.txt")
    (tmp_path / "constraints.txt").write_text("-e ./pkg\n")
    tree = walk(tmp_path)
    (project,) = tree.projects
    assert not project.installs
    (problem,) = tree.problems
    assert (problem.file, problem.line, problem.pip_fails) == ("constraints.txt", 1, False)
    assert "Unnamed requirements are not allowed as constraints" in problem.message


def test_outside_the_repository_is_never_looked_at(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "setup.py").write_text("")
    (repo / "requirements.txt").write_text("-e ../sibling\n/abs/path\n")
    tree = walk(repo)
    assert [(p.line, p.resolved) for p in tree.projects] == [(1, None), (2, None)]
    assert [(p.line, p.pip_fails) for p in tree.problems] == [(1, False), (2, False)]
    assert all("outside the repository" in p.message for p in tree.problems)


# Lines pip reads but cannot install: the walk says so without `pip_fails` (pip's parser, and
# pip-grep, get past them). The oracle is pip's own dry run, offline, from the app root.
INSTALL_LINES = [
    ("-e ./empty", True),
    ("file:./empty", True),
    ("./dist/missing.tar.gz", True),
    ("-e ./pkg", False),
    ("./proj", False),
]


@pytest.mark.parametrize(("line", "fails"), INSTALL_LINES)
def test_install_time_failures_match_pips_dry_run(line: str, fails: bool, tmp_path: Path) -> None:
    repo = make_app(tmp_path, line)
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--no-index"),
            *("--no-build-isolation", "--disable-pip-version-check", "-q"),
            *("-r", "requirements.txt"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode != 0) == fails, run.stderr
    problems = [p for p in walk(repo).problems if p.line == 1]
    assert bool(problems) == fails
    assert not any(p.pip_fails for p in problems)
