"""The pips Heroku's releases installed with, run for real as the oracle for fixes.

scripts/test downloads each pip's wheel into .cache/pip-eras/ (tests/pip_eras/run_pip.py
runs them offline, with a shim for names Python 3.11 dropped). Two claims are checked:
1. pipcompat.rejects_repeat says what each pip does with a project named twice;
2. every fix the tool proposes for a release installs with that release's pip: no "Double
   requirement given", every file readable (a naive copy is shown to fail where it would).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from heroku_req_check import catalog
from heroku_req_check.pipcompat import rejects_repeat
from heroku_req_check.scan import apply_fixes, scan
from heroku_req_check.tree import walk

ROOT = Path(__file__).resolve().parents[1]
WHEELS = ROOT / ".cache" / "pip-eras"
RUNNER = ROOT / "tests" / "pip_eras" / "run_pip.py"
# one pip per duplicate-handling era Heroku shipped (catalog/heroku.toml [[platform.pip]])
PIPS = [
    *("1.5.6", "6.1.1", "7.1.2", "8.0.2", "8.1.1", "8.1.2", "9.0.1"),
    *("20.0.2", "20.1.1", "20.2.4", "21.3.1"),
]


def wheel(version: str) -> Path:
    found = sorted(WHEELS.glob(f"pip-{version}-*.whl"))
    if not found:
        pytest.fail(f"pip {version}'s wheel is not in {WHEELS}: run scripts/test, which fetches it")
    return found[0]


def run_pip(version: str, files: list[Path], home: Path) -> list[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
        "PYTHONPATH": str(RUNNER.parent),
        "HOME": str(home),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(wheel(version)), *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=300,
        check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in results] == [str(f) for f in files], done.stderr
    return [r["status"] for r in results]


REPEATS = [
    # (first line, second line): the same project named twice in one set
    ("six==1.16.0", "six==1.16.0"),
    ("six", "six==1.16.0"),
    ("six==1.15.0", "six==1.16.0"),
    ("six[extra]==1.16.0", "six==1.16.0"),
    ("Six==1.16.0", "six==1.16.0"),
    ("six>=1.0", "six>=1.0"),
]


@pytest.mark.parametrize("version", PIPS)
def test_rejects_repeat_agrees_with_pip(version: str, tmp_path: Path) -> None:
    files = []
    expected = []
    for index, (first, second) in enumerate(REPEATS):
        case = tmp_path / f"case{index}"
        case.mkdir()
        # the repeat split across an include, as the root and a nested file hold it
        (case / "requirements.txt").write_text(f"-r nested.txt\n{second}\n")
        (case / "nested.txt").write_text(f"{first}\n")
        tree = walk(case)
        by_file = {d.file: d for d in tree.declarations}
        existing, added = by_file["nested.txt"], by_file["requirements.txt"]
        expected.append(
            "double" if rejects_repeat(version, existing, added.specifier, added.extras) else "ok"
        )
        files.append(case / "requirements.txt")
    got = run_pip(version, files, tmp_path)
    assert got == expected, list(zip(REPEATS, got, expected, strict=True))


# Heroku releases with a finding whose fix adds a line to the root file, one per pip above
RELEASES = {
    "1.5.6": "v40",  # `^\\s*pylibmc` reads no comment: the fix moves the line
    "6.1.1": "v58",
    "7.1.2": "v64",
    "8.0.2": "v75",
    "8.1.1": "v78",
    "8.1.2": "v82",
    "9.0.1": "v90",
    "20.0.2": "v170",
    "20.1.1": "v183",
}
TREES = {
    # the hg+ requirement is grepped in the root file only (v15-v184): a nested one is missed
    "hg-nested": {
        "requirements.txt": "-r requirements/prod.txt\n",
        "requirements/prod.txt": "-e hg+https://hg.example.invalid/lib#egg=lib\nsix==1.16.0\n",
    },
    "hg-two-levels": {
        "requirements.txt": "-r requirements/prod.txt\n",
        "requirements/prod.txt": "-r base.txt\n",
        "requirements/base.txt": "hg+https://hg.example.invalid/lib#egg=lib\n",
    },
    "pylibmc-grep": {
        "requirements.txt": "-r r/p.txt\n",
        "r/p.txt": "pylibmc==1.2.3\n",
    },
}


@pytest.mark.parametrize("version", sorted(RELEASES, key=lambda v: [int(p) for p in v.split(".")]))
def test_fixes_install_with_the_release_pip(version: str, tmp_path: Path) -> None:
    release = RELEASES[version]
    [heroku] = catalog.select([f"heroku@{release}"])
    assert heroku.platform.pip_for(int(release[1:])) == version, "catalog and test disagree"
    fixed, naive = [], []
    for name, files in TREES.items():
        app = tmp_path / name
        for path, text in files.items():
            (app / path).parent.mkdir(parents=True, exist_ok=True)
            (app / path).write_text(text)
        copy = tmp_path / f"{name}-naive"
        shutil.copytree(app, copy)
        report = scan(app, platforms=[f"heroku@{release}"])
        fixes = [f.fix for f in report.findings if f.fix is not None]
        if not fixes:
            continue
        apply_fixes(app, report)
        # every fixable finding is cured (a release that never detects the package, `:broken`,
        # has no fix; v167+ also get the tree digest, a comment pip ignores)
        left = scan(app, platforms=[f"heroku@{release}"]).findings
        assert [f for f in left if not f.rule.endswith(":broken")] == []
        fixed.append(app / "requirements.txt")
        declared = {(d.file, d.line): d.text for d in report.tree.declarations}
        with open(copy / "requirements.txt", "a") as root:  # what a copy would have done
            root.writelines(
                f"{declared[f.file, f.line]}\n"
                for f in report.findings
                if (f.file, f.line) in declared
            )
        naive.append(copy / "requirements.txt")
    assert fixed, f"heroku@{release} has a fixable finding in these trees"
    statuses = run_pip(version, fixed, tmp_path)
    assert statuses == ["ok"] * len(fixed), list(zip(fixed, statuses, strict=True))
    naive_status = run_pip(version, naive, tmp_path)
    if Version(version) < Version("8.1"):
        assert "double" in naive_status, "the oracle must catch a copy that pip rejects"
