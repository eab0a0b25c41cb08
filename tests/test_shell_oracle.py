"""Every shell grep line in the catalog, run for real with bash and GNU grep on generated root
files, agrees with the checker's model of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heroku_req_check import catalog
from heroku_req_check.detectors import shell_detects

COMMANDS = sorted(
    {e.command for p in catalog.load() for r in p.rules for e in r.eras if e.detector == "shell"}
)
FRAGMENTS = [
    "pylibmc",
    "PyLibMC",
    "pylibmc=",
    "pylibmc==1.6",
    "# pylibmc",
    "  pylibmc",
    "\tpylibmc",
    "-e hg+https://h/x#egg=x",
    "HG+",
    "hg",
    "-r nested.txt",
    "django",
    "Django",
    "DJANGO",
    "django-environ",
    "xpylibmc",
    "pylib mc",
    "\ufeff",
    " ",
    "#",
    "\\",
    "==",
]


@st.composite
def root_files(draw: st.DrawFn) -> bytes:
    lines = draw(
        st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=3).map("".join), max_size=5)
    )
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + draw(st.sampled_from(["", eol]))
    return text.encode("utf-8")


def real_grep(command: str, data: bytes, where: Path) -> bool:
    (where / "requirements.txt").write_bytes(data)
    result = subprocess.run(
        ["bash", "-c", f"if ({command}); then exit 0; else exit 1; fi"],
        cwd=where,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return result.returncode == 0


@pytest.mark.skipif(shutil.which("grep") is None, reason="needs GNU grep")
@pytest.mark.parametrize("command", COMMANDS)
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=root_files())
def test_model_agrees_with_real_grep(command: str, data: bytes, tmp_path: Path) -> None:
    assert shell_detects(command, data) == real_grep(command, data, tmp_path)


def test_missing_root_is_not_detected(tmp_path: Path) -> None:
    assert shell_detects(COMMANDS[0], None) is False
    result = subprocess.run(
        ["bash", "-c", f"if ({COMMANDS[0]}); then exit 0; else exit 1; fi"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1
