"""Heroku v43-v80 and v82-v166 uninstall what `pip-diff --stale` lists: the names pip parses
from a copy of the *previous* root file (its `-r` lines resolved against today's nested files)
that pip does not parse from today's root file. What the last deploy installed and neither
today's tree nor that list accounts for stays installed: the stale packages. The oracle runs
pip's own `parse_requirements` through those steps on generated histories (real git commits)
and must name exactly the packages the checker reports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from heroku_req_check.reqfile import canonical_key
from heroku_req_check.scan import scan
from test_stale import git

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pip's own imports

NAMES = ["leftpad", "six", "Requests", "requests", "django", "pylibmc"]
FILES = ["requirements.txt", "a.txt", "sub/b.txt"]


def pip_names(root: Path, name: str) -> list[str] | None:
    """Names pip parses from `name` in directory `root`, includes followed; None if pip fails
    (pip-diff then crashes with a traceback and lists nothing)."""
    from pip._internal.exceptions import PipError
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    cwd = os.getcwd()
    os.chdir(root)
    try:
        reqs = [
            install_req_from_parsed_requirement(p).req
            for p in parse_requirements(name, session=PipSession())
        ]
    except (PipError, OSError, ValueError):
        return None
    finally:
        os.chdir(cwd)
    return [r.name for r in reqs if r is not None]


def still_installed(base: Path, head: Path) -> set[str]:
    """What a v43-v185 deploy of `head` keeps from a deploy of `base`, by pip's parser."""
    installed = {canonical_key(n) for n in pip_names(base, "requirements.txt") or []}
    wanted = pip_names(head, "requirements.txt")
    if wanted is None:
        return set()  # pip install -r fails: the build fails, nothing is deployed
    shutil.copy(base / "requirements.txt", head / "requirements-declared.txt")
    old = pip_names(head, "requirements-declared.txt")
    (head / "requirements-declared.txt").unlink()
    # pip-diff compares names as written; pip uninstall normalises them
    stale = set() if old is None else {canonical_key(n) for n in set(old) - set(wanted)}
    excluded = {"setuptools", "pip", "wheel"}
    return installed - {canonical_key(n) for n in wanted} - (stale - excluded)


def lines() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NAMES),
        st.sampled_from(NAMES).map(lambda n: n + "==1.0"),
        # no include leaves the app: the tool never reads outside it, so it cannot know what
        # pip would find there
        st.sampled_from(["-r a.txt", "-r sub/b.txt", "-r ./sub/../a.txt", "# note"]),
    )


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    files = {}
    for name in FILES:
        if name == "requirements.txt" or draw(st.booleans()):
            body = draw(st.lists(lines(), max_size=4))
            # no file includes itself or its includer (pip recurses forever on a cycle)
            body = [b for b in body if not (b.startswith("-r") and name != "requirements.txt")]
            files[name] = "".join(f"{b}\n" for b in body)
    return files


def materialise(where: Path, files: dict[str, str]) -> Path:
    where.mkdir(parents=True)
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    return where


def cache_keeps(base: Path, head: Path, command: str) -> set[str]:
    """What a v167+ deploy of `head` keeps from a deploy of `base`: the buildpack's own root-file
    comparison, run for real (`diff` in archive/v169-v262 bin/steps/python:105, `cmp --silent`
    in v263+ lib/cache.sh), decides whether the cached packages are wiped; pip's parser says
    what each deploy installed."""
    installed = {canonical_key(n) for n in pip_names(base, "requirements.txt") or []}
    wanted = pip_names(head, "requirements.txt")
    if wanted is None:
        return set()  # pip install -r fails: the build fails, nothing is deployed
    same = (
        subprocess.run(
            [
                "bash",
                "-c",
                f'{command} "$0" "$1" >/dev/null 2>&1',
                str(base / "requirements.txt"),
                str(head / "requirements.txt"),
            ],
            check=False,
        ).returncode
        == 0
    )
    return installed - {canonical_key(n) for n in wanted} if same else set()


def history(base: dict[str, str], head: dict[str, str], tmp_path: Path) -> tuple[Path, Path, Path]:
    work = tmp_path / str(len(list(tmp_path.iterdir())))
    base_dir, head_dir = materialise(work / "base", base), materialise(work / "head", head)
    repo = materialise(work / "repo", base)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for path in list(repo.rglob("*.txt")):
        path.unlink()
    for path in sorted(repo.rglob("*"), reverse=True):  # a fresh checkout has no empty dirs
        if path.is_dir() and ".git" not in path.parts and not any(path.iterdir()):
            path.rmdir()
    for name, text in head.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head", "--allow-empty")
    return base_dir, head_dir, repo


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=trees(), head=trees())
def test_stale_findings_match_pip_diff(
    base: dict[str, str], head: dict[str, str], tmp_path: Path
) -> None:
    base_dir, head_dir, repo = history(base, head, tmp_path)
    expected = still_installed(base_dir, head_dir)
    event(f"stale packages: {min(len(expected), 2)}")  # --hypothesis-show-statistics
    report = scan(repo, platforms=["heroku@v100"], base="HEAD~1")
    got = {f.package for f in report.findings if f.rule == "heroku/stale-packages"}
    assert got == expected, (base, head)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=trees(),
    head=trees(),
    release=st.sampled_from(
        [
            ("heroku@v169", "diff"),
            ("heroku@v262", "diff"),
            ("heroku@v263", "cmp --silent"),
            ("heroku@v351", "cmp --silent"),
        ]
    ),
    touch_root=st.booleans(),
)
def test_stale_findings_match_the_root_file_cache(
    base: dict[str, str],
    head: dict[str, str],
    release: tuple[str, str],
    touch_root: bool,
    tmp_path: Path,
) -> None:
    if not touch_root:
        head = {**head, "requirements.txt": base["requirements.txt"]}  # the usual nested edit
    base_dir, head_dir, repo = history(base, head, tmp_path)
    platform, command = release
    expected = cache_keeps(base_dir, head_dir, command)
    event(f"stale packages: {min(len(expected), 2)}")
    report = scan(repo, platforms=[platform], base="HEAD~1")
    got = {f.package for f in report.findings if f.rule == "heroku/stale-packages"}
    assert got == expected, (base, head, platform)
