"""Local projects read statically, against pip's own resolution with the real build backends.

For each fixture tree whose local projects can be built offline, pip itself is asked what it
would install: `pip install --dry-run --no-index --no-build-isolation --report`, from the app
root, with a local wheel directory holding one tiny, dependency-free wheel for every name the
tree declares. pip runs the project's build backend (setuptools, poetry-core, hatchling,
flit_core, pdm-backend, as pinned in the dev dependencies) to get its metadata, so every
dependency the backend declares must be found in that directory or the resolution fails.
The names pip would install because of the local projects must be exactly the names the walk
read from their metadata (`via`), markers evaluated here as pip evaluates them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from conftest import TREES
from heroku_req_check.model import Declaration
from heroku_req_check.tree import walk

BUILDABLE = [
    "local-project",
    "project-pep621",
    "project-setup-cfg",
    "project-setup-py",
    "project-poetry",
    "project-dynamic-file",
    "project-hatch",
    "project-flit",
    "project-pdm",
    "project-nested",
]


def tiny_wheel(directory: Path, name: str, version: str) -> None:
    """A wheel with metadata only: enough for pip's resolver, never installed here."""
    dist = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    info = f"{dist}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(directory / f"{dist}-py3-none-any.whl", "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)


def version_for(decls: list[Declaration]) -> str:
    specs = [SpecifierSet(d.specifier) for d in decls]
    candidates = [s.version.removesuffix(".*") for spec in specs for s in spec]
    for candidate in [*candidates, "1.0", "4.2", "99.0", "0.1"]:
        if all(spec.contains(candidate, prereleases=True) for spec in specs):
            return candidate
    raise AssertionError(f"no version satisfies {specs}")


def applies_here(decl: Declaration) -> bool:
    return not decl.marker or Marker(decl.marker).evaluate({"extra": ""})


def pip_would_install(repo: Path, wheels: Path) -> set[str] | None:
    """Names pip installs that were not asked for by a requirements line: what the local
    projects' metadata brings in (dependencies of dependencies: none, the wheels are tiny).
    None when pip fails."""
    report = repo / "report.json"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
            *("--no-index", "--find-links", str(wheels), "--no-build-isolation"),
            *("--disable-pip-version-check", "-q", "--report", str(report)),
            *("-r", "requirements.txt"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        print(run.stderr)  # shown when the test fails
        return None
    items = json.loads(report.read_text())["install"]
    return {canonicalize_name(item["metadata"]["name"]) for item in items if not item["requested"]}


@pytest.mark.parametrize("name", BUILDABLE)
def test_static_reading_names_what_pip_installs(name: str, tmp_path: Path) -> None:
    repo = tmp_path / name
    shutil.copytree(TREES / name, repo, symlinks=True)
    tree = walk(repo)
    assert tree.problems == []
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    by_key: dict[str, list[Declaration]] = {}
    for decl in tree.declarations:
        if not decl.url:
            by_key.setdefault(decl.key, []).append(decl)
    for decls in by_key.values():
        tiny_wheel(wheels, decls[0].name, version_for(decls))
    from_lines = {d.key for d in tree.declarations if not d.via}
    ours = {d.key for d in tree.declarations if d.via and applies_here(d)} - from_lines
    assert pip_would_install(repo, wheels) == ours


# Trees whose metadata the walk cannot fully know, or where pip install fails: the problem must
# be true. "fails": pip's dry run fails too; otherwise pip succeeds (given wheels for the names
# listed, which only running the project reveals) and installs at least what the walk found.
PROBLEM_TREES = {
    "broken-pyproject": ("fails", []),
    "project-dynamic-none": ("installs", []),
    "project-setup-py-computed": ("installs", ["Django"]),
}


@pytest.mark.parametrize("name", sorted(PROBLEM_TREES))
def test_problems_about_local_projects_are_true(name: str, tmp_path: Path) -> None:
    outcome, hidden = PROBLEM_TREES[name]
    repo = tmp_path / name
    shutil.copytree(TREES / name, repo, symlinks=True)
    tree = walk(repo)
    assert tree.problems and not any(p.pip_fails for p in tree.problems)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for decl in tree.declarations:
        tiny_wheel(wheels, decl.name, version_for([decl]))
    for extra in hidden:
        tiny_wheel(wheels, extra, "99.0")
    theirs = pip_would_install(repo, wheels)
    if outcome == "fails":
        assert theirs is None
        return
    assert theirs is not None
    assert theirs >= {d.key for d in tree.declarations if d.via}
