"""Rewrite the README's ```console examples with what the commands print now.

    .venv/bin/python tests/update_readme.py

Each block's commands run in order in a fresh copy of examples/ (as tests/test_readme.py runs
them); a block whose expected output uses `...` is left alone. Review the diff before committing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONSOLE_RE = re.compile(r"^```console\n(.*?)^```\n", re.S | re.M)


def main() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update({"NO_COLOR": "1", "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"})
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Path(tmp)
        shutil.copytree(ROOT / "examples", sandbox / "examples")

        def rewrite(match: re.Match[str]) -> str:
            body = match.group(1)
            if any(line == "..." for line in body.splitlines()):
                return match.group(0)
            out: list[str] = []
            for line in body.splitlines():
                if line.startswith("$ "):
                    out.append(line)
                    proc = subprocess.run(
                        ["bash", "-c", line[2:]],
                        cwd=sandbox,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                        check=False,
                    )
                    out.extend(proc.stdout.splitlines())
            return "```console\n" + "\n".join(out) + "\n```\n"

        README.write_text(CONSOLE_RE.sub(rewrite, README.read_text()))


if __name__ == "__main__":
    main()
