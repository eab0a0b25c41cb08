"""The Dockerfile fix inserts one line before the RUN and changes no other byte: line endings,
indentation, the escape directive, a BOM and a missing final newline stay as they were; applied,
the finding is gone and a second run changes nothing."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TREES
from heroku_req_check.fix import Unfixable, insert_before
from heroku_req_check.scan import apply_fixes, scan

LINE = "COPY requirements/ requirements/"
physical = st.text(alphabet=st.sampled_from(list("RUN pip\\`#é\t\r-")), max_size=12)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(physical, st.sampled_from([b"\n", b"\r\n"])), max_size=8),
    st.booleans(),
    st.booleans(),
    st.data(),
)
def test_insert_before_changes_nothing_else(
    lines: list[tuple[str, bytes]], final: bool, bom: bool, data: st.DataObject
) -> None:
    chunks = [text.encode("utf-8") + eol for text, eol in lines]
    if chunks and not final:
        chunks[-1] = lines[-1][0].encode("utf-8")  # no final newline
        if not chunks[-1]:
            chunks.pop()
    raw = (codecs.BOM_UTF8 if bom else b"") + b"".join(chunks)
    number = data.draw(st.integers(min_value=1, max_value=len(chunks) + 1))
    new = insert_before(raw, number, LINE)
    first = b"".join(chunks).split(b"\n", 1)[0]
    first_eol = b"\r\n" if first.endswith(b"\r") and b"\n" in b"".join(chunks) else b"\n"
    head = (codecs.BOM_UTF8 if bom else b"") + b"".join(chunks[: number - 1])
    if number <= len(chunks):
        here = chunks[number - 1]
        eol = b"\r\n" if here.endswith(b"\r\n") else b"\n" if here.endswith(b"\n") else first_eol
        expected = head + LINE.encode() + eol + b"".join(chunks[number - 1 :])
    elif chunks and not chunks[-1].endswith(b"\n"):
        expected = raw + first_eol + LINE.encode()  # the file keeps having no final newline
    else:
        expected = raw + LINE.encode() + first_eol
    assert new == expected


@pytest.mark.parametrize(
    ("data", "number", "expected"),
    [
        (b"FROM x\nRUN y\n", 2, b"FROM x\nCOPY a ./\nRUN y\n"),
        (b"FROM x\r\nRUN y\r\n", 2, b"FROM x\r\nCOPY a ./\r\nRUN y\r\n"),
        (b"FROM x\nRUN y", 2, b"FROM x\nCOPY a ./\nRUN y"),
        (b"FROM x\nRUN y", 3, b"FROM x\nRUN y\nCOPY a ./"),
        (b"\xef\xbb\xbfRUN y\n", 1, b"\xef\xbb\xbfCOPY a ./\nRUN y\n"),
        (b"", 1, b"COPY a ./\n"),
    ],
)
def test_insert_before_table(data: bytes, number: int, expected: bytes) -> None:
    assert insert_before(data, number, "COPY a ./") == expected


@pytest.mark.parametrize(("data", "number"), [(b"a\n", 3), (b"a\n", 0), (b"\xff\xfeR\x00", 1)])
def test_insert_before_refuses(data: bytes, number: int) -> None:
    with pytest.raises(Unfixable):
        insert_before(data, number, "COPY a ./")


REQS = {
    "requirements.txt": b"-r requirements/base.txt\n-c constraints.txt\n",
    "requirements/base.txt": b"six\n",
    "constraints.txt": b"six<2\n",
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    eol=st.sampled_from([b"\n", b"\r\n"]),
    indent=st.sampled_from([b"", b"  ", b"\t"]),
    escape=st.sampled_from([b"\\", b"`"]),
    final=st.booleans(),
    lower=st.booleans(),
    continued=st.booleans(),
)
def test_applied_fix_builds_the_tree_and_keeps_every_byte(
    tmp_path_factory: pytest.TempPathFactory,
    eol: bytes,
    indent: bytes,
    escape: bytes,
    final: bool,
    lower: bool,
    continued: bool,
) -> None:
    repo = tmp_path_factory.mktemp("repo")
    for name, content in REQS.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(content)
    run = b"run" if lower else b"RUN"
    install = b"pip install " + (escape + eol + indent + b"  " if continued else b"")
    lines = [
        b"# escape=" + escape,
        b"FROM python:3.12-slim",
        b"WORKDIR /app",
        indent + b"COPY requirements.txt .",
        indent + run + b" " + install + b"-r requirements.txt",
        b"COPY . .",
    ]
    original = eol.join(lines) + (eol if final else b"")
    (repo / "Dockerfile").write_bytes(original)
    report = scan(repo, platforms=["docker"])
    assert sorted(f.package for f in report.findings) == [
        "constraints.txt",
        "requirements/base.txt",
    ]
    result = apply_fixes(repo, report)
    assert result.changed == ["Dockerfile"] and not result.refused
    new = (repo / "Dockerfile").read_bytes()
    keyword = b"copy" if lower else b"COPY"
    added = [
        indent + keyword + b" constraints.txt ./",
        indent + keyword + b" requirements/ requirements/",
    ]
    expected = eol.join(lines[:4] + added + lines[4:]) + (eol if final else b"")
    assert new == expected
    assert scan(repo, platforms=["docker"]).findings == []
    assert apply_fixes(repo, scan(repo, platforms=["docker"])).changed == []


DOCKER_TREES = sorted(p.name for p in TREES.iterdir() if p.name.startswith("docker-"))


@pytest.mark.parametrize("tree", DOCKER_TREES)
def test_fixture_fixes_converge_and_only_add_lines(tmp_path: Path, tree: str) -> None:
    app = tmp_path / tree
    shutil.copytree(TREES / tree, app)
    report = scan(app, platforms=["docker"])
    before = {path: source.data for path, source in report.sources.items()}
    fixable = [f for f in report.findings if f.fix]
    result = apply_fixes(app, report)
    assert not result.refused
    again = scan(app, platforms=["docker"])
    # every finding with a fix is gone; those without one (an ignored file) remain
    assert {(f.rule, f.package) for f in again.findings} == {
        (f.rule, f.package) for f in report.findings if not f.fix
    }
    for path, data in before.items():
        new = (app / path).read_bytes()
        added = {f.fix.text.encode() for f in fixable if f.fix and f.fix.file == path}
        kept = [line for line in new.splitlines(keepends=True) if line.rstrip(b"\r\n") not in added]
        assert b"".join(kept) == data
