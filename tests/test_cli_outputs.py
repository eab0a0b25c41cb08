"""The CLI's output files (--output, --sarif): missing folders are made; a path that cannot be
written is a usage error with one line, not an internal error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import TREES


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "heroku_req_check.cli", *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_output_files_in_missing_folders(tmp_path: Path) -> None:
    report, log = tmp_path / "a/b/report.json", tmp_path / "c/log.sarif"
    done = cli(str(TREES / "seed"), "--platform", "heroku@v42", "--output", str(report),
               "--sarif", str(log))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(report.read_text())["version"] == 1
    assert json.loads(log.read_text())["version"] == "2.1.0"


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    done = cli(str(TREES / "seed"), "--output", str(tmp_path / "file/report.json"))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"heroku-req-check: cannot write {tmp_path / 'file'}"), line
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
