"""The tree digest line: what it covers, that only real edits move it, that `--fix` writes it
byte-exactly (one line, twice = once), that pip reads the root the same with it, and that the
README's shell recipe reproduces it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heroku_req_check import digest
from heroku_req_check.report.scope import DiffLines, introduced
from heroku_req_check.scan import apply_fixes, scan
from heroku_req_check.tree import make_reader, walk

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pip's own imports

BASE = {
    "requirements.txt": "-r reqs/base.txt\n-c constraints.txt\n-e .\nsix\n",
    "reqs/base.txt": "attrs==23.1\n-r more.txt\n",
    "reqs/more.txt": "idna\n",
    "constraints.txt": "idna<4\n",
    "pyproject.toml": '[project]\nname = "app"\nversion = "1"\n',
    "setup.cfg": "[metadata]\nname = app\n",
    "unrelated.txt": "not pulled in\n",
}


def write(where: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    return where


def tree_digest(repo: Path) -> str:
    tree = walk(repo)
    read = make_reader(repo, tree)
    return digest.compute(digest.inputs(tree, read), read)


def test_inputs_are_every_pulled_in_file_and_the_project_metadata(tmp_path: Path) -> None:
    repo = write(tmp_path, BASE)
    tree = walk(repo)
    assert digest.inputs(tree, make_reader(repo, tree)) == [
        "constraints.txt",
        "pyproject.toml",
        "reqs/base.txt",
        "reqs/more.txt",
        "setup.cfg",
    ]


def test_shell_recipe_of_the_readme_reproduces_it(tmp_path: Path) -> None:
    repo = write(tmp_path, {**BASE, "reqs/more.txt": "idna\r\n"})  # a CRLF file too
    files = "constraints.txt pyproject.toml reqs/base.txt reqs/more.txt setup.cfg"
    recipe = (
        f"for f in {files}; do printf '%s  %s\\n' "
        '"$(perl -0777 -pe \'s/\\r\\n?/\\n/g\' "$f" | sha256sum | cut -d\' \' -f1)" "$f"; '
        "done | sha256sum | cut -d' ' -f1"
    )
    out = subprocess.run(["bash", "-c", recipe], cwd=repo, capture_output=True, text=True)
    assert out.stdout.strip() == tree_digest(repo)
    # without CRLF files it is plain `sha256sum` of the sorted inputs, hashed again
    repo2 = write(tmp_path / "lf", BASE)
    plain = subprocess.run(
        ["bash", "-c", f"sha256sum {files} | sha256sum | cut -d' ' -f1"],
        cwd=repo2,
        capture_output=True,
        text=True,
    )
    assert plain.stdout.strip() == tree_digest(repo2)


EDITS = st.sampled_from(["reqs/base.txt", "reqs/more.txt", "constraints.txt", "pyproject.toml"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=EDITS,
    at=st.integers(min_value=0, max_value=40),
    text=st.text(alphabet="ab=<>#.-\n \t", min_size=1, max_size=4),
    delete=st.booleans(),
)
def test_any_edit_of_a_pulled_in_file_changes_it(
    path: str, at: int, text: str, delete: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = write(tmp_path_factory.mktemp("edit"), BASE)
    before = tree_digest(repo)
    old = (repo / path).read_bytes()
    at = min(at, len(old))
    new = (
        old[:at] + old[at + 1 :]
        if delete and at < len(old)
        else old[:at] + text.encode() + old[at:]
    )
    if digest.normalise(new) == digest.normalise(old):
        return  # no edit pip can see (a line ending turned into another)
    (repo / path).write_bytes(new)
    assert tree_digest(repo) != before


def test_adding_or_removing_a_pulled_in_file_changes_it(tmp_path: Path) -> None:
    repo = write(tmp_path, BASE)
    before = tree_digest(repo)
    (repo / "setup.py").write_text("")
    assert tree_digest(repo) != before
    (repo / "setup.py").unlink()
    assert tree_digest(repo) == before
    (repo / "reqs/base.txt").write_text("attrs==23.1\n")  # no longer pulls in more.txt
    assert tree_digest(repo) != before


@pytest.mark.parametrize(
    "change",
    ["crlf", "root-lines", "unrelated-file", "mtime", "root-crlf"],
)
def test_no_non_edit_changes_it(change: str, tmp_path: Path) -> None:
    repo = write(tmp_path, BASE)
    before = tree_digest(repo)
    if change == "crlf":  # a checkout with core.autocrlf: pip reads the same lines
        for name in ("reqs/base.txt", "constraints.txt", "pyproject.toml"):
            (repo / name).write_bytes((repo / name).read_bytes().replace(b"\n", b"\r\n"))
    elif change == "root-lines":  # the root's own bytes already key the caches
        (repo / "requirements.txt").write_text(BASE["requirements.txt"] + "# a comment\nidna\n")
    elif change == "unrelated-file":
        (repo / "unrelated.txt").write_text("changed\n")
    elif change == "mtime":
        os.utime(repo / "reqs/base.txt", (1, 1))
    else:
        raw = (repo / "requirements.txt").read_bytes()
        (repo / "requirements.txt").write_bytes(raw.replace(b"\n", b"\r\n"))
    assert tree_digest(repo) == before


ROOTS = [
    b"-r reqs/base.txt\n",
    b"-r reqs/base.txt",  # no final newline
    b"\xef\xbb\xbf-r reqs/base.txt\r\nsix\r\n",  # BOM + CRLF
    b"-r reqs/base.txt\nsix \\\n",  # a continuation last: the line goes first
    b"-r reqs/base.txt\n# heroku-req-check: tree sha256:00\nsix\n",  # an old digest
    "-r reqs/base.txt\nsix\n".encode("utf-16"),
]


def pip_parse(repo: Path) -> list[tuple[str, str, bool]]:
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    cwd = os.getcwd()
    os.chdir(repo)
    try:
        return [
            (p.requirement, p.comes_from.split(" (line")[0], p.is_editable)
            for p in parse_requirements("requirements.txt", session=PipSession())
        ]
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("root", ROOTS)
def test_fix_changes_only_that_line_and_pip_reads_the_same(root: bytes, tmp_path: Path) -> None:
    repo = write(tmp_path, {**BASE, "requirements.txt": root})
    parsed = pip_parse(repo)
    report = scan(repo, platforms=["google"])
    assert any(f.rule == "google/dependency-cache" for f in report.findings)
    apply_fixes(repo, report)
    after = (repo / "requirements.txt").read_bytes()
    expected_line = digest.line_for(tree_digest(repo))
    codec = "utf-16" if root.startswith(b"\xff\xfe") else "utf-8-sig"
    old_lines = root.decode(codec).splitlines(keepends=True)
    new_lines = after.decode(codec).splitlines(keepends=True)
    # exactly one line differs: added, or the old digest replaced
    kept = [line for line in new_lines if digest.PREFIX not in line]
    assert kept == [line for line in old_lines if digest.PREFIX not in line] or (
        # appended to a file without a final newline: the old last line gains one
        not root.endswith((b"\n", b"\n\x00"))
        and "".join(kept) == "".join(old_lines) + ("\r\n" if b"\r\n" in root else "\n")
    )
    assert [line.rstrip("\r\n") for line in new_lines if digest.PREFIX in line] == [expected_line]
    assert after.startswith(root[:3]) if root[:3] == b"\xef\xbb\xbf" else True
    assert pip_parse(repo) == parsed
    # twice equals once, and the check is then satisfied
    apply_fixes(repo, scan(repo, platforms=["google"]))
    assert (repo / "requirements.txt").read_bytes() == after
    assert not [
        f for f in scan(repo, platforms=["google"]).findings if f.rule == "google/dependency-cache"
    ]


def test_out_of_date_digest_is_reported_at_its_line_and_replaced(tmp_path: Path) -> None:
    repo = write(tmp_path, BASE)
    apply_fixes(repo, scan(repo, platforms=["heroku@latest"]))
    (repo / "reqs/more.txt").write_text("idna\nsix\n")
    report = scan(repo, platforms=["heroku@latest", "google"])
    stale = sorted((f.rule, f.line, f.severity) for f in report.findings)
    # google: nothing of the edit is installed (a warning); Heroku: removals linger (a notice)
    assert stale == [("google/dependency-cache", 5, "warning"), ("heroku/cache-key", 5, "notice")]
    apply_fixes(repo, report)
    assert (repo / "requirements.txt").read_text().splitlines()[4] == digest.line_for(
        tree_digest(repo)
    )


def test_only_root_keyed_platforms_report_it(tmp_path: Path) -> None:
    repo = write(tmp_path, BASE)
    for platform, rules in [
        ("heroku@v100", set()),  # pip-diff era: a root change does not help, no digest asked
        ("heroku@v200", {"heroku/cache-key"}),
        ("dokku", {"heroku/cache-key"}),
        ("railpack", {"railpack/include-not-copied"}),
        ("azure", set()),
    ]:
        got = {f.rule for f in scan(repo, platforms=[platform]).findings}
        assert got == rules, platform


def test_a_move_is_covered_by_the_digest_it_writes(tmp_path: Path) -> None:
    seed = Path(__file__).parent / "fixtures" / "trees" / "seed"
    shutil.copytree(seed, tmp_path / "app")
    repo = tmp_path / "app"
    report = scan(repo, platforms=["heroku@v3-v11,v351"])  # pip 1.0.2 moves the line
    apply_fixes(repo, report)
    root = (repo / "requirements.txt").read_text()
    assert digest.line_for(tree_digest(repo)) in root.splitlines()
    assert not [f for f in scan(repo, platforms=["heroku@v351"]).findings]


def test_pull_request_touching_only_an_included_file_introduces_the_cache_trap(
    tmp_path: Path,
) -> None:
    repo = write(tmp_path, BASE)
    report = scan(repo, platforms=["google"])
    nested_only = DiffLines(added={"reqs/more.txt": {1}}, commentable={"reqs/more.txt": {1}})
    assert {f.rule for f in introduced(report, nested_only)} == {"google/dependency-cache"}
    with_root = DiffLines(
        added={"reqs/more.txt": {1}, "requirements.txt": set()},
        commentable={"reqs/more.txt": {1}, "requirements.txt": {1}},
    )
    assert introduced(report, with_root) == []  # the root's bytes changed: the cache is dropped
    metadata_only = DiffLines(added={"pyproject.toml": {2}}, commentable={})
    assert len(introduced(report, metadata_only)) == 3  # one per root line pulling files in
    unrelated = DiffLines(added={"unrelated.txt": {1}}, commentable={})
    assert introduced(report, unrelated) == []


def test_the_sha256_used_is_sha256() -> None:
    import hashlib

    from heroku_req_check.digest import _sha256

    for data in (b"", b"abc", bytes(range(256)) * 300):
        assert _sha256()(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_no_cache_finding_where_pip_stops_on_the_tree(tmp_path: Path) -> None:
    # a missing include: pip fails on every platform, nothing is cached, and a digest of
    # files that do not exist would pin nothing (the problem says what to fix)
    write(tmp_path, {"requirements.txt": "-r nothere.txt\n-r ok.txt\n", "ok.txt": "six==1.16\n"})
    report = scan(tmp_path, platforms=["heroku", "google"])
    assert [p.line for p in report.problems if p.pip_fails] == [1]
    assert report.findings == []
    write(tmp_path, {"requirements.txt": "-r ok.txt\n"})
    assert {f.rule for f in scan(tmp_path, platforms=["heroku", "google"]).findings} == {
        "heroku/cache-key",
        "google/dependency-cache",
    }
