"""The Dockerfile's own install steps, run as written in a fresh virtualenv (no Docker engine
here): the hash-locked install must succeed and the installed tree must run the entrypoint."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import venv
from pathlib import Path

from conftest import TREES

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_steps() -> tuple[list[str], str]:
    text = (ROOT / "Dockerfile").read_text()
    copy = re.search(r"^COPY (\S+) (\S+)$", text, re.M)
    run = re.search(r"^RUN (pip install .*?) && rm", text, re.M)
    assert copy and run, "Dockerfile layout changed: update this test"
    return shlex.split(run.group(1).replace(copy.group(2), str(ROOT / copy.group(1)))), text


def test_dockerfile_install_steps_work(tmp_path: Path) -> None:
    command, text = dockerfile_steps()
    assert "--require-hashes" in command and "--no-deps" in command
    assert 'ENTRYPOINT ["python", "/action/entrypoint.py"]' in text
    env_dir = tmp_path / "image"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", *command, "-q"], check=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),  # as ENV PYTHONPATH=/action/src
        "PYTHONDONTWRITEBYTECODE": "1",
        "GITHUB_WORKSPACE": str(TREES / "seed"),
        "INPUT_PLATFORM": "heroku@v30",
        "INPUT_REPORT": str(tmp_path / "report.json"),
    }
    proc = subprocess.run(
        [str(python), str(ROOT / "entrypoint.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("::error file=requirements/production.txt,line=3,")
    assert sys.version_info >= (3, 11)
