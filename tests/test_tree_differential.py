"""The walker yields the same requirements as pip's own parser (pip-requirements-parser with
include_nested=True) wherever pip can parse the tree: on every fixture, and on generated trees
that exercise the fast path for plain pins against pip's full path."""

from __future__ import annotations

import os
from pathlib import Path

import pip_requirements_parser as prp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TREES, tree_names
from heroku_req_check.tree import walk

Triple = tuple[str, int, str | None]  # (file, line, name); no name for `-e .` and the like


def pip_view(
    repo: Path, root: str = "requirements.txt"
) -> tuple[set[Triple], set[tuple[str, int]]]:
    cwd = os.getcwd()
    os.chdir(repo)  # relative filenames, as a user would run pip
    try:
        parsed = prp.RequirementsFile.from_file(root, include_nested=True)
    finally:
        os.chdir(cwd)
    reqs = {(os.path.normpath(r.filename), r.line_number, r.name) for r in parsed.requirements}
    bad = {
        (os.path.normpath(i.requirement_line.filename), i.requirement_line.line_number)
        for i in parsed.invalid_lines
    }
    return reqs, bad


def our_view(
    repo: Path, root: str = "requirements.txt"
) -> tuple[set[Triple], set[tuple[str, int]]]:
    tree = walk(repo, root)
    # what the requirements files say; a local project's metadata (`via`) is not pip's parser's
    reqs: set[Triple] = {(d.file, d.line, d.name) for d in tree.declarations if not d.via}
    # pip's unnamed requirements (`-e .`, `./pkg`, a URL without #egg=) have no name there
    reqs |= {(p.file, p.line, None) for p in tree.projects if not p.name}
    bad = {(p.file, p.line) for p in tree.problems if p.line is not None and p.pip_fails}
    return reqs, bad


@pytest.mark.parametrize("name", tree_names())
def test_fixture_trees_match_pip(name: str) -> None:
    repo = TREES / name
    ours = our_view(repo)
    tree = walk(repo)
    if any(w in p.message for p in tree.problems for w in ("URL", "outside", "cycle")):
        # pip would fetch the URL, read outside the repository, or recurse forever
        return
    try:
        theirs = pip_view(repo)
    except (prp.InstallationError, RecursionError, OSError) as exc:
        # pip cannot parse this tree at all; we must have said why, at a line
        tree = walk(repo)
        assert any(
            p.pip_fails or "outside" in p.message or "URL" in p.message for p in tree.problems
        ), exc
        return
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]


REQUIREMENT_LINES = [
    "Django==4.2.16",
    "pylibmc==1.6.3",
    "PyLibMC>=1.6,<2",
    "requests[security,socks]>=2.31.0",
    "zope.interface~=6.0",
    "attrs==24.2.0 --hash=sha256:5cfb1b9148b5b086569baec03f20d7b6bf3bcacc9a42bebf87ffaaca362f6346",
    "cffi==1.17.1 \\\n    --hash=sha256:1c39c6016c32bc48dd54561950ebd68",
    "gunicorn ; sys_platform != 'win32'",
    "psycopg2-binary==2.9.10 # comment",
    "-e git+https://example.org/repo.git#egg=mylib",
    "-e hg+https://hg.example.org/thing#egg=thing",
    "https://example.org/pkg-1.0.tar.gz#egg=pkg",
    "name @ https://example.org/name-1.0.zip",
    "Foo_Bar.baz==1.0rc1",
    "pkg==1.0.post1.dev2",
    "pkg>=1.*",
    "pkg===1.0abc",
    "pkg [ extra ] == 1.0",
    "UPPER==1",
    "a-b_c.d",
    "# only a comment",
    "",
    "not a requirement (",
    "pkg==1.0 --install-option=x",
    "--index-url https://pypi.example.org/simple",
    "--pre",
    "-e .",
    ".",
    "-e ./sub[extra]",
    "./sub",
    "https://example.org/pkg-1.0.tar.gz",
    "git+https://example.org/repo.git",
    "./missing-dir",
    "pkg-1.0.tar.gz",  # an archive for pip, though it has no path separator
]


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    count = draw(st.integers(min_value=1, max_value=4))
    names = ["requirements.txt"] + [f"req/f{i}.txt" for i in range(1, count)]
    files: dict[str, str] = {}
    for index, name in enumerate(names):
        lines = draw(st.lists(st.sampled_from(REQUIREMENT_LINES), max_size=8))
        # includes point only forward, so pip's recursion always ends
        for later in names[index + 1 :]:
            if draw(st.booleans()):
                rel = os.path.relpath(later, os.path.dirname(name) or ".")
                form = draw(
                    st.sampled_from(
                        ["-r {}", "-r{}", "--requirement={}", "--requirement {}", "-c {}"]
                    )
                )
                lines.insert(draw(st.integers(0, len(lines))), form.format(rel))
        eol = draw(st.sampled_from(["\n", "\r\n"]))
        files[name] = eol.join(lines) + eol
    return files


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=trees())
def test_generated_trees_match_pip(
    files: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = tmp_path_factory.mktemp("gen")
    (repo / "sub").mkdir()
    for project in ("setup.py", "sub/pyproject.toml"):
        (repo / project).write_text("")  # pip's is_installable_dir only looks for the file
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(text.encode())
    theirs = pip_view(repo)
    ours = our_view(repo)
    assert ours[0] == theirs[0]
    assert ours[1] >= theirs[1]  # we also report lines pip's build step rejects (install options)
