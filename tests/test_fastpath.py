"""The prescan (whole-file fast path) changes nothing: same report, same problems, same includes,
same declarations of every package a rule can concern, as parsing every line."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.treegen import generate
from heroku_req_check import catalog
from heroku_req_check.model import RequirementsTree
from heroku_req_check.report import json_out
from heroku_req_check.reqfile import PLAIN_FILE_RE, names_pattern
from heroku_req_check.scan import scan
from heroku_req_check.tree import walk

REPO = Path(__file__).resolve().parent.parent
KEYS = catalog.interest_keys()
CONTAINING = catalog.overmatch_substrings()
INTEREST = names_pattern(KEYS, CONTAINING)


def concerning(tree: RequirementsTree) -> list[object]:
    return [
        dataclasses.astuple(d)
        for d in tree.declarations
        if d.key in KEYS or any(part in d.key for part in CONTAINING)
    ]


def assert_same_walk(repo: Path) -> None:
    fast = walk(repo, interest=INTEREST)
    full = walk(repo)
    assert list(fast.files) == list(full.files)
    assert fast.problems == full.problems
    assert fast.includes == full.includes
    assert concerning(fast) == concerning(full)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_trees_give_the_same_report(tmp_path: Path, seed: int) -> None:
    generate(tmp_path / "t", files=120, seed=seed)
    assert_same_walk(tmp_path / "t")
    # every platform and release: the generated trees have no deployment configuration
    fast = json_out.render(scan(tmp_path / "t", platforms=["all"]))
    full = json_out.render(scan(tmp_path / "t", platforms=["all"], prescan=False))
    assert fast == full
    assert '"findings": []' not in fast  # the planted catalog packages were found


def test_most_generated_files_take_the_fast_path(tmp_path: Path) -> None:
    """Guards the speed claim: a regex change that rejects ordinary lines would go unnoticed."""
    generate(tmp_path / "t", files=120, seed=4)
    files = [p for p in (tmp_path / "t").rglob("*.txt") if p.name != "requirements.txt"]
    plain = [p for p in files if PLAIN_FILE_RE.fullmatch(p.read_text())]
    assert len(plain) == len(files)


# Lines that are plain, nearly plain, or tricky around the fast path's edges.
LINE = st.sampled_from(
    [
        "",
        "   ",
        "\t",
        "# comment",
        "# comment ending in a backslash \\",
        "  # indented comment naming PyLibMC",
        "requests==2.31.0",
        "requests >= 2.0 , < 3",
        "requests[socks]==2.31.0  # why",
        "requests~=1",
        "requests~=1.2",
        "requests==1.*",
        "requests==2.0#not-a-comment",
        "requests==2.0 # comment \\",
        'requests==2.0 ; python_version < "3.12"',
        "requests==2.0; sys_platform == 'linux' and os_name == \"posix\"",
        'requests==2.0 ; python_version < "3.12" or',
        "requests==2.0 ; extra == 'x'",
        "requests==2.0 \\",
        "    --hash=sha256:" + "a" * 64 + " \\",
        "    --hash=sha256:" + "b" * 64,
        "    --hash=sha256:abc",
        "pylibmc==1.6.3",
        "PyLibMC",
        "py_libmc==1.0",
        'Django>=4.2 ; python_version >= "3.8"',
        "django-storages==1.14",
        "cffi==1.16.0 \\",
        "GDAL==3.8.4  # gdal",
        "pygdal",
        "argon2_cffi==23.1.0",
        "djangorestframework==3.15",
        "flask-cors==4.0",
        "Flask==3.0",
        "gunicorn==23.0",
        "uvicorn[standard]==0.30",
        "fastapi-utils==0.7",
        "# flask, later",
        "zope.interface==6.0",
        "-r nested.txt",
        "-rnested.txt",
        "--requirement=nested.txt  # nested",
        "-c nested.txt",
        "-r 'nested.txt'",
        "-r missing.txt",
        "-r ../outside.txt",
        "-r ${VAR}.txt",
        "-r",
        "-e ./local",
        "zope.tar",  # an archive for pip, not a name
        "pylibmc.tar.gz ; python_version >= '3'",
        "-e hg+https://example.invalid/repo#egg=pylibmc",
        "--index-url https://example.invalid/simple",
        "--unknown-option",
        "name @ https://example.invalid/x.whl",
        "not a requirement!",
        "café==1.0",
        "requests==2.0\x0c",
        "requests==2.0\r",
        "requests==2.0\x0b",
    ]
)
EOL = st.sampled_from(["\n", "\r\n"])


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lines=st.lists(st.tuples(LINE, EOL), max_size=12), final=st.booleans())
def test_any_nested_file_gives_the_same_walk(
    tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str]], final: bool
) -> None:
    repo = tmp_path_factory.mktemp("repo")
    text = "".join(line + eol for line, eol in lines)
    if not final and text:
        text = text[: -len(lines[-1][1])]
    # the root names what the over-match checks look for, and the files their steps need
    (repo / "requirements.txt").write_text(
        "-r sub/a.txt\n# django flask fastapi gunicorn uvicorn\nfile://x\n"
    )
    (repo / "manage.py").write_text("")
    (repo / "main.py").write_text("")
    (repo / "sub").mkdir()
    (repo / "sub" / "a.txt").write_bytes(text.encode())
    (repo / "sub" / "nested.txt").write_text("pylibmc==1.6.3\n")
    assert_same_walk(repo)
    fast = json_out.render(scan(repo, platforms=["all"]))
    assert fast == json_out.render(scan(repo, platforms=["all"], prescan=False))


def test_benchmark_runs_and_agrees(tmp_path: Path) -> None:
    """The README's benchmark command on tiny trees: it must run and report identical results."""
    out = subprocess.run(
        [sys.executable, "bench/run.py", "--sizes", "seed,40", "--repeat", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("results identical: yes") == 2
    assert "| heroku-req-check --format json --platform all |" in out.stdout
