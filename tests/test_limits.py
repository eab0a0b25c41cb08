"""Bounded work and honest failure: deep chains, huge trees, unreadable roots, a fuzzed
random tree walk under the no-outside-read/no-network guard, the bug path, and the fixer
keeping what it cannot round-trip."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heroku_req_check import cli
from heroku_req_check.scan import scan
from heroku_req_check.tree import DEFAULT_LIMITS
from test_hostile import guarded


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_ten_thousand_deep_chain_stops_at_the_depth_limit(tmp_path: Path) -> None:
    depth = 10_000
    (tmp_path / "requirements.txt").write_text("-r f1.txt\n")
    for i in range(1, depth):
        (tmp_path / f"f{i}.txt").write_text(f"requests\n-r f{i + 1}.txt\n")
    (tmp_path / f"f{depth}.txt").write_text("pylibmc\n")
    report = scan(tmp_path, platforms=["heroku@v42"])
    limit = DEFAULT_LIMITS.max_depth
    assert len(report.tree.files) == limit
    [problem] = report.problems
    assert (problem.file, problem.line) == (f"f{limit - 1}.txt", 2)
    assert f"nest more than {limit} files deep" in problem.message


def test_a_hundred_thousand_files_stop_at_the_file_limit(tmp_path: Path) -> None:
    count = 100_000
    lines = [f"-r d{i // 1000}/f{i}.txt" for i in range(count)]
    (tmp_path / "requirements.txt").write_text("\n".join(lines) + "\n")
    for i in range(count):
        if i % 1000 == 0:
            (tmp_path / f"d{i // 1000}").mkdir()
        (tmp_path / f"d{i // 1000}/f{i}.txt").write_bytes(b"requests==2.0\n")
    report = scan(tmp_path, platforms=["heroku@v42"])
    limit = DEFAULT_LIMITS.max_files
    assert len(report.tree.files) == limit
    cap = DEFAULT_LIMITS.max_problems_per_file
    stopped = [p for p in report.problems if f"stops at {limit} files" in p.message]
    # the first includes not read, each at its line, then one line for the rest
    assert [(p.file, p.line) for p in stopped] == [
        ("requirements.txt", limit + n) for n in range(cap)
    ]
    assert (
        report.problems[-1].message
        == f"more problems in requirements.txt are not listed (limit {cap})"
    )
    assert len(report.problems) == cap + 1


def test_huge_root_file_and_long_line(tmp_path: Path) -> None:
    with open(tmp_path / "requirements.txt", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse
    code, out, err = run("--format", "json", str(tmp_path))
    assert code == 0, err
    assert "over the 16777216-byte limit: not read" in out
    (tmp_path / "requirements.txt").write_bytes(b"x" * 1_000_000 + b"\n-r other.txt\n")
    (tmp_path / "other.txt").write_text("pylibmc\n")
    report = scan(tmp_path, platforms=["heroku@v42"])
    assert [(p.file, p.line) for p in report.problems] == [("requirements.txt", 1)]
    assert [f.file for f in report.findings] == ["other.txt"]


@pytest.mark.parametrize("kind", ["directory", "fifo", "missing", "symlink-out", "dangling"])
def test_unreadable_root_is_one_clear_problem(kind: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    root = repo / "requirements.txt"
    if kind == "directory":
        root.mkdir()
    elif kind == "fifo":
        os.mkfifo(root)
    elif kind == "symlink-out":
        (tmp_path / "secret.txt").write_text("x\n")
        root.symlink_to(tmp_path / "secret.txt")
    elif kind == "dangling":
        root.symlink_to(repo / "nowhere.txt")
    with guarded(repo) as guard:
        code, out, err = run("--format", "json", str(repo))
    assert guard.outside_opens == [] and guard.network == []
    assert code == 0 and "Traceback" not in err
    assert "requirements.txt" in out and "nothing was checked" in out


def test_a_bug_prints_one_line_and_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("heroku_req_check.scan.scan", broken)
    code, _out, err = run(".")
    assert code == 3
    assert err.count("\n") == 1 and "internal error (RuntimeError: simulated bug)" in err
    assert "please report it at https://" in err and "Traceback" not in err


def test_fix_leaves_files_it_cannot_round_trip_and_keeps_modes(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"-r nested.txt\n# caf\xe9\n")
    (tmp_path / "nested.txt").write_text("pylibmc\n")
    before = (tmp_path / "requirements.txt").read_bytes()
    code, out, _err = run("--fix", "--platform", "heroku@v42", str(tmp_path))
    assert code == 1
    assert (tmp_path / "requirements.txt").read_bytes() == before
    assert "so no fix is offered: save it as UTF-8, then add `pylibmc` to it" in out
    (tmp_path / "requirements.txt").write_bytes(b"-r nested.txt\n")
    os.chmod(tmp_path / "requirements.txt", 0o640)
    run("--fix", "--platform", "heroku@v42", str(tmp_path))
    # v42 greps the root text, comments included: the fix is a comment (no name given twice)
    assert (tmp_path / "requirements.txt").read_bytes() == (
        b"-r nested.txt\n# pylibmc (installed from nested.txt; named here for the build's text "
        b"search)\n"
    )
    assert stat.S_IMODE(os.stat(tmp_path / "requirements.txt").st_mode) == 0o640


# -- fuzz: random trees of hostile lines --------------------------------------------------------
NAMES = ["requirements.txt", "a.txt", "sub/b.txt", "sub/c.txt", "link.txt"]
TARGETS = [*NAMES, "sub", "../x.txt", "/etc/hostname", "https://x.invalid/r", "${V}", "missing"]
LINE = st.one_of(
    st.sampled_from(["pylibmc", "PyLibMC==1", "cffi", "requests==2", "# c", "", "\\", "-e ."]),
    st.builds(
        lambda flag, target: f"{flag}{target}",
        st.sampled_from(["-r ", "-c ", "--requirement=", "-r"]),
        st.sampled_from(TARGETS),
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
)
FILE = st.lists(LINE, max_size=8).map(lambda lines: "\n".join(lines))
ENCODE = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.dictionaries(st.sampled_from(NAMES[:4]), st.tuples(FILE, ENCODE), max_size=4))
def test_fuzzed_trees_never_crash_escape_or_connect(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, tuple[str, str]]
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    repo = base / "repo"
    (repo / "sub").mkdir(parents=True)
    (base / "x.txt").write_text("pylibmc\n")
    (repo / "link.txt").symlink_to(base / "x.txt")
    for name, (text, encoding) in files.items():
        with contextlib.suppress(UnicodeEncodeError):
            (repo / name).write_bytes(text.encode(encoding))
    start = time.monotonic()
    with guarded(repo) as guard:
        code, out, err = run(
            "--format", "json", "--fail-on", "never", "--platform", "all", str(repo)
        )
    assert time.monotonic() - start < 60  # a hang, not a timing claim
    assert guard.outside_opens == [] and guard.network == []
    assert code == 0, err
    assert "Traceback" not in err
    assert "pylibmc-outside" not in out


def test_dot_dot_through_a_missing_directory_is_missing(tmp_path: Path) -> None:
    """`-r sub/../a.txt` opens only when sub exists: the kernel walks every component, while
    os.path.realpath would drop `sub/..` lexically."""
    from heroku_req_check.tree import walk

    (tmp_path / "requirements.txt").write_text("-r sub/../a.txt\n")
    (tmp_path / "a.txt").write_text("six\n")
    tree = walk(tmp_path)
    assert [d.name for d in tree.declarations] == []
    [problem] = tree.problems
    assert (problem.line, problem.pip_fails) == (1, True) and "does not exist" in problem.message
    (tmp_path / "sub").mkdir()
    assert [d.name for d in walk(tmp_path).declarations] == ["six"]
