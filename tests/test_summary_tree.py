"""The job summary's requirements tree stays linear in the tree's size: it reads each
declaration and include once, however many files there are (a search over every declaration
per file made 40,000 files cost 2 min 47 s in the action). Counted, not timed; the times are
in bench/run.py."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

from heroku_req_check.report import summary
from heroku_req_check.scan import scan

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.treegen import generate


class Counted(list[Any]):
    iterations = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        Counted.iterations += 1
        return super().__iter__()


@pytest.mark.parametrize("files", [200, 800])
def test_tree_lines_read_each_declaration_once(tmp_path: Path, files: int) -> None:
    generate(tmp_path / "tree", files=files)
    report = scan(tmp_path / "tree", "requirements.txt", ["heroku@v3-v42"], prescan=False)
    assert len(report.tree.files) >= files and report.findings
    expected = summary._tree_lines(report)
    Counted.iterations = 0
    counted = dataclasses.replace(
        report.tree,
        declarations=Counted(report.tree.declarations),
        includes=Counted(report.tree.includes),
    )
    lines = summary._tree_lines(dataclasses.replace(report, tree=counted))
    assert lines == expected
    assert Counted.iterations == 2  # declarations once, includes once
    marked = [line for line in lines if line.endswith(":arrow_left: finding")]
    assert len(marked) == len({(f.file, f.line) for f in report.findings})
    assert sum(1 for line in lines if line.lstrip().startswith("- `")) >= files
