"""Hostile and broken input: the corpus in tests/hostile.py, run under an audit hook that fails
on any file opened outside the case's repository and on any network call.

Each case asserts its exact problems (file, line, message: golden file), that the walk went on
(the canary finding after the hostile line), no traceback and a non-bug exit status from the
CLI. Counts are asserted at the end so the corpus cannot shrink unnoticed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import hostile
from conftest import FIXTURES
from heroku_req_check import pipline  # noqa: F401  (imported before the guard: imports read files)
from heroku_req_check.cli import main
from heroku_req_check.model import Report
from heroku_req_check.scan import scan

GOLDEN = FIXTURES / "golden" / "hostile.json"
CASES = hostile.all_cases()
PLATFORM = ["heroku@v42"]


@dataclass
class Guard:
    allowed: tuple[str, ...]
    outside_opens: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)


_GUARDS: list[Guard] = []
_NETWORK_EVENTS = {
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.sendto",
    "urllib.Request",
}


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _GUARDS:
        return
    guard = _GUARDS[-1]
    if event in _NETWORK_EVENTS:
        guard.network.append(f"{event} {args[:2]!r}")
        raise OSError("network blocked by the hostile-input test")
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        real = os.path.realpath(path)
        if not any(real == a or real.startswith(a + os.sep) for a in guard.allowed):
            guard.outside_opens.append(real)


sys.addaudithook(_audit)


@contextlib.contextmanager
def guarded(repo: Path) -> Iterator[Guard]:
    python = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, *sys.path) if p}
    guard = Guard(allowed=(os.path.realpath(repo), *sorted(python)))
    _GUARDS.append(guard)
    try:
        yield guard
    finally:
        _GUARDS.pop()


def build(case: hostile.Case, tmp_path: Path) -> Path:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    (outside / "inner").mkdir(parents=True)
    (outside / "secret.txt").write_text("pylibmc-from-outside==6.6.6\n")
    (outside / "x.txt").write_text("pylibmc-from-outside==6.6.6\n")
    (repo / "requirements.txt").write_bytes(case.root)
    (repo / "canary.txt").write_bytes(hostile.CANARY)
    if case.build:
        case.build(repo, outside)
    return repo


def problems_of(report: Report) -> list[list[object]]:
    return [[p.file, p.line, p.message] for p in report.problems]


def load_golden() -> dict[str, list[list[object]]]:
    if GOLDEN.exists():
        data: dict[str, list[list[object]]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
        return data
    return {}


RECORDED: dict[str, list[list[object]]] = {}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: hostile.Case, tmp_path: Path) -> None:
    repo = build(case, tmp_path)
    with guarded(repo) as guard:
        report = scan(repo, platforms=PLATFORM)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["--format", "json", "--platform", PLATFORM[0], str(repo)])
    assert guard.outside_opens == [], "read outside the repository"
    assert guard.network == [], "network attempted"
    assert code in (0, 1), stderr.getvalue()
    assert "Traceback" not in stderr.getvalue() + stdout.getvalue()
    assert json.loads(stdout.getvalue())["problems"] == [
        {"file": f, "line": n, "message": m} for f, n, m in problems_of(report)
    ]
    got = problems_of(report)
    for problem in got:  # every problem names its file; a line unless it is about the file
        assert problem[0] and isinstance(problem[2], str) and problem[2].strip()
    if case.where:
        assert [(f, n) for f, n, _m in got] == list(case.where)
    RECORDED[case.name] = got
    if os.environ.get("UPDATE_GOLDENS"):
        return
    golden = load_golden()
    assert case.name in golden, "new case: run with UPDATE_GOLDENS=1 and review"
    assert got == golden[case.name]
    if case.canary:
        assert any(
            f.file == "canary.txt" and f.line == 1 and f.rule == "heroku/pylibmc"
            for f in report.findings
        ), "the walk stopped before the canary"
    for finding in report.findings:  # nothing from outside the repository was ever parsed
        assert finding.package != "pylibmc-from-outside"


def test_zz_write_golden() -> None:
    """With UPDATE_GOLDENS=1, write what the cases above recorded (runs after them)."""
    if not os.environ.get("UPDATE_GOLDENS"):
        assert set(load_golden()) == {c.name for c in CASES}, "golden and corpus differ"
        return
    assert len(RECORDED) == len(CASES)
    GOLDEN.write_text(json.dumps(RECORDED, indent=1, ensure_ascii=False) + "\n", "utf-8")


def test_corpus_size() -> None:
    assert len(CASES) >= 200
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_guard_catches_outside_reads_and_network(tmp_path: Path) -> None:
    """The guard is not vacuous: it sees an outside open and blocks a connection."""
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("x")
    with guarded(repo) as guard:
        outside.read_text()
        with pytest.raises(OSError), socket.socket() as sock:
            sock.connect(("127.0.0.1", 9))
    assert guard.outside_opens == [os.path.realpath(outside)]
    assert guard.network and guard.network[0].startswith("socket.connect")
