"""Apps without requirements.txt (issue 16 part 2): what each platform release installs from
(the catalog's [[platform.install]], plans.installs_for), metadata files as the tree's root
(tree.py, project.py), and the checks that follow (scan.py, check.py).

HEROKU = heroku/heroku-buildpack-python at the archive/vN or vN tag named in each row;
NIX = railwayapp/nixpacks v1.39.0 src/providers/python.rs:78-103 (PackageManager::resolve);
RAILPACK = railwayapp/railpack v0.37.0 core/providers/python/python.go:82-96 (Plan);
CF = cloudfoundry/python-buildpack v1.9.4 src/python/supply/supply.go.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from heroku_req_check import catalog
from heroku_req_check.catalog import InstallChoice, InstallRule
from heroku_req_check.plans import installs_for
from heroku_req_check.scan import apply_fixes, scan
from heroku_req_check.tree import make_reader, walk


def _files(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp


# -- metadata files as the root ------------------------------------------------------------

PIPFILE = """[[source]]
url = "https://pypi.org/simple"

[packages]
django = "==4.2"
requests = {version = ">=2", extras = ["socks"]}
pywin32 = {version = "*", sys_platform = "== 'win32'"}
lib = {path = "./lib", editable = true}
tool = {git = "https://example.org/tool.git", ref = "v1"}

[dev-packages]
pytest = "*"
"""


def test_pipfile_packages_at_their_lines(tmp_path: Path) -> None:
    app = _files(
        tmp_path,
        {
            "Pipfile": PIPFILE,
            "lib/pyproject.toml": '[project]\nname = "lib"\ndependencies = ["pdf2image"]\n',
        },
    )
    tree = walk(app, "Pipfile")
    found = {(d.file, d.line, d.text, d.marker) for d in tree.declarations}
    assert ("Pipfile", 5, "django==4.2", "") in found
    assert ("Pipfile", 6, "requests[socks]>=2", "") in found
    # pipenv's marker keys (requirementslib PipenvMarkers) become the requirement's marker
    assert ("Pipfile", 7, "pywin32; sys_platform== 'win32'", 'sys_platform == "win32"') in found
    assert ("Pipfile", 9, "tool @ git+https://example.org/tool.git@v1", "") in found
    # a path entry is a local project, followed into its metadata
    assert ("lib/pyproject.toml", 3, "pdf2image", "") in found
    # [dev-packages] are not installed by `pipenv install --deploy`
    assert not [d for d in tree.declarations if d.key == "pytest"]
    assert list(tree.files) == ["Pipfile"] and tree.root == "Pipfile"


def test_a_broken_pipfile_is_a_problem_at_its_line(tmp_path: Path) -> None:
    app = _files(tmp_path, {"Pipfile": '[packages]\ndjango = "==4.2"\npylibmc = \n'})
    tree = walk(app, "Pipfile")
    assert not tree.declarations
    (problem,) = tree.problems
    assert problem.file == "Pipfile" and problem.line == 3 and "not valid TOML" in problem.message


@pytest.mark.parametrize(
    ("files", "root", "expected"),
    [
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = [\n  "pycairo",\n]\n'},
            "pyproject.toml",
            [("pyproject.toml", 4, "pycairo")],
        ),
        (
            {"setup.cfg": "[options]\ninstall_requires =\n    pylibmc==1.6.3\n"},
            "setup.cfg",
            [("setup.cfg", 3, "pylibmc==1.6.3")],
        ),
        (
            {"setup.py": 'from setuptools import setup\nsetup(install_requires=["gdal"])\n'},
            "setup.py",
            [("setup.py", 2, "gdal")],
        ),
        (
            # setuptools: [project] replaces what setup.py and setup.cfg say
            {
                "setup.py": 'from setuptools import setup\nsetup(install_requires=["gdal"])\n',
                "pyproject.toml": '[project]\nname = "a"\ndynamic = ["version"]\n'
                'dependencies = ["pydub"]\n',
            },
            "setup.py",
            [("pyproject.toml", 4, "pydub")],
        ),
    ],
    ids=["pep621", "setup-cfg", "setup-py", "setup-py-with-project"],
)
def test_metadata_root(
    files: dict[str, str], root: str, expected: list[tuple[str, int, str]], tmp_path: Path
) -> None:
    tree = walk(_files(tmp_path, files), root)
    assert [(d.file, d.line, d.text) for d in tree.declarations] == expected
    assert all(d.via == "" for d in tree.declarations)  # the root's own declarations
    assert tree.root == root and root in tree.files


def test_a_root_the_build_writes(tmp_path: Path) -> None:
    """Heroku and Cloud Foundry write `-e .` into a requirements.txt the app lacks."""
    app = _files(
        tmp_path, {"setup.py": 'from setuptools import setup\nsetup(install_requires=["x"])\n'}
    )
    tree = walk(app, "requirements.txt", root_data=b"-e .\n")
    assert tree.root_file is not None and tree.root_file.data == b"-e .\n"
    (decl,) = tree.declarations
    assert (decl.file, decl.via) == ("setup.py", "requirements.txt:1")
    assert not (app / "requirements.txt").exists()


# -- what each release installs from -------------------------------------------------------

LOCK = json.dumps({"_meta": {"requires": {}}, "default": {}})

INSTALL_CASES = [
    # (id, files, platform, release, manager, root, reads, source)
    ("heroku-v3-none", {"setup.py": ""}, "heroku", 3, "", "", "skip", "HEROKU v3 bin/detect:5"),
    (
        "heroku-v6-setup-py",
        {"setup.py": ""},
        "heroku",
        6,
        "pip",
        "setup.py",
        "-e .",
        "HEROKU v6 bin/compile:93-97",
    ),
    (
        "heroku-v42-requirements",
        {"requirements.txt": "", "setup.py": ""},
        "heroku",
        42,
        "pip",
        "requirements.txt",
        "file",
        "HEROKU v6 compile: only without requirements.txt",
    ),
    (
        "heroku-v99-no-pipfile",
        {"Pipfile": ""},
        "heroku",
        99,
        "",
        "",
        "skip",
        "HEROKU bin/detect before v100",
    ),
    (
        "heroku-v100-pipfile",
        {"Pipfile": "", "requirements.txt": ""},
        "heroku",
        100,
        "pipenv",
        "Pipfile",
        "skip",
        "HEROKU v100 bin/compile:173 steps/pipenv first",
    ),
    (
        "heroku-v150-pyproject",
        {"pyproject.toml": ""},
        "heroku",
        150,
        "",
        "",
        "skip",
        "HEROKU v100 bin/detect",
    ),
    (
        "heroku-v253-pyproject",
        {"pyproject.toml": ""},
        "heroku",
        253,
        "pip",
        "pyproject.toml",
        "-e .",
        "HEROKU v253 bin/compile:223-225",
    ),
    (
        "heroku-v260-first-found",
        {"Pipfile.lock": LOCK, "Pipfile": "", "requirements.txt": ""},
        "heroku",
        260,
        "pipenv",
        "Pipfile",
        "skip",
        "HEROKU v257 package_manager.sh: the first found",
    ),
    (
        "heroku-v264-poetry",
        {"poetry.lock": "", "pyproject.toml": ""},
        "heroku",
        264,
        "poetry",
        "pyproject.toml",
        "skip",
        "HEROKU v264 package_manager.sh:35",
    ),
    (
        "heroku-v270-several",
        {"poetry.lock": "", "requirements.txt": ""},
        "heroku",
        270,
        "pip",
        "requirements.txt",
        "file",
        "HEROKU v266 package_manager.sh:89-105: more than one warns, the first found is used",
    ),
    (
        "heroku-v324-several",
        {"poetry.lock": "", "requirements.txt": "", "Pipfile": ""},
        "heroku",
        324,
        "pipenv",
        "",
        "skip",
        "HEROKU v324 package_manager.sh:134-150: a warning; the lockless Pipfile fails first",
    ),
    (
        "heroku-v325-several",
        {"poetry.lock": "", "requirements.txt": ""},
        "heroku",
        325,
        "",
        "",
        "skip",
        "HEROKU v325 CHANGELOG: the build now errors if multiple package managers are found",
    ),
    (
        "heroku-v351-pipenv-setup-py",
        {"Pipfile": "", "Pipfile.lock": "{}", "setup.py": ""},
        "heroku",
        351,
        "pipenv",
        "Pipfile",
        "skip",
        "HEROKU v351 package_manager.sh:12-14, 64-65: setup.py is read only when nothing was found",
    ),
    (
        "heroku-v286-uv",
        {"uv.lock": "", "pyproject.toml": ""},
        "heroku",
        286,
        "uv",
        "pyproject.toml",
        "skip",
        "HEROKU v286 package_manager.sh:53",
    ),
    (
        "heroku-v291-lockless-pipfile",
        {"Pipfile": ""},
        "heroku",
        291,
        "pipenv",
        "Pipfile",
        "skip",
        "HEROKU before v292 a warning",
    ),
    (
        "heroku-v292-lockless-pipfile",
        {"Pipfile": ""},
        "heroku",
        292,
        "pipenv",
        "",
        "skip",
        "HEROKU v292 No 'Pipfile.lock' found",
    ),
    (
        "heroku-v324-setup-py",
        {"setup.py": ""},
        "heroku",
        324,
        "pip",
        "setup.py",
        "skip",
        "HEROKU deprecated, still installed",
    ),
    (
        "heroku-v325-setup-py",
        {"setup.py": ""},
        "heroku",
        325,
        "pip",
        "",
        "skip",
        "HEROKU v325 sunset",
    ),
    (
        "heroku-v351-requirements",
        {"requirements.txt": ""},
        "heroku",
        351,
        "pip",
        "requirements.txt",
        "file",
        "HEROKU v351 package_manager.sh:40-43",
    ),
    (
        "nix-requirements-first",
        {"requirements.txt": "", "pyproject.toml": "", "uv.lock": ""},
        "nixpacks",
        1,
        "pip",
        "requirements.txt",
        "file",
        "NIX L84-85",
    ),
    (
        "nix-poetry",
        {"pyproject.toml": "", "poetry.lock": ""},
        "nixpacks",
        1,
        "poetry",
        "pyproject.toml",
        "file",
        "NIX L87-88",
    ),
    (
        "nix-uv",
        {"pyproject.toml": "", "uv.lock": ""},
        "nixpacks",
        1,
        "uv",
        "pyproject.toml",
        "file",
        "NIX L91-92",
    ),
    (
        "nix-setuptools",
        {"pyproject.toml": ""},
        "nixpacks",
        1,
        "setuptools",
        "pyproject.toml",
        "file",
        "NIX L94",
    ),
    ("nix-pipfile", {"Pipfile": ""}, "nixpacks", 1, "pipenv", "Pipfile", "file", "NIX L96-97"),
    ("nix-nothing", {"setup.py": ""}, "nixpacks", 1, "", "", "skip", "NIX L99"),
    (
        "railpack-uv",
        {"pyproject.toml": "", "uv.lock": ""},
        "railpack",
        1,
        "uv",
        "pyproject.toml",
        "file",
        "RAILPACK L84",
    ),
    (
        "railpack-lockless",
        {"pyproject.toml": ""},
        "railpack",
        1,
        "",
        "",
        "skip",
        "RAILPACK L82-96: no install command",
    ),
    (
        "railpack-pipfile",
        {"Pipfile": "", "pyproject.toml": ""},
        "railpack",
        1,
        "pipenv",
        "Pipfile",
        "file",
        "RAILPACK L94",
    ),
    (
        "cf-conda",
        {"environment.yml": "", "requirements.txt": ""},
        "cloudfoundry",
        -1,
        "conda",
        "environment.yml",
        "skip",
        "CF supply.go:70-80",
    ),
    (
        "cf-pipfile",
        {"Pipfile": ""},
        "cloudfoundry",
        -1,
        "pipenv",
        "Pipfile",
        "skip",
        "CF supply.go:359-429",
    ),
    (
        "cf-setup-py",
        {"setup.py": ""},
        "cloudfoundry",
        -1,
        "pip",
        "setup.py",
        "-e .",
        "CF supply.go:500-513",
    ),
    (
        "cf-pyproject",
        {"pyproject.toml": ""},
        "cloudfoundry",
        -1,
        "",
        "",
        "skip",
        "CF supply.go:869-874",
    ),
]


@pytest.mark.parametrize(
    ("files", "platform", "release", "manager", "root", "reads"),
    [pytest.param(*case[1:7], id=case[0]) for case in INSTALL_CASES],
)
def test_what_each_release_installs_from(
    files: dict[str, str],
    platform: str,
    release: int,
    manager: str,
    root: str,
    reads: str,
    tmp_path: Path,
) -> None:
    app = _files(tmp_path, files)
    chosen = next(p for p in catalog.load() if p.name == platform)
    release = chosen.latest if release == -1 else release
    found = installs_for(chosen, make_reader(app, walk(app)))
    entry = next(e for e in found if e.first <= release <= e.last)
    assert (entry.manager, entry.root, entry.reads) == (manager, root, reads)
    assert entry.source  # every choice cites where it was read
    assert bool(entry.why) == (reads != "file" or root != "requirements.txt")


@pytest.mark.parametrize("name", ["heroku", "nixpacks", "railpack", "cloudfoundry"])
def test_every_release_has_one_install_rule(name: str) -> None:
    platform = next(p for p in catalog.load() if p.name == name)
    for release in platform.releases:
        assert len([r for r in platform.installs if r.first <= release <= r.last]) == 1, release


# -- checks ---------------------------------------------------------------------------------

SETUP_PY = (
    'from setuptools import setup\nsetup(name="a", install_requires=[\n    "pylibmc==1.6.3",\n])\n'
)


def test_a_setup_py_app_on_heroku_and_cloud_foundry(tmp_path: Path) -> None:
    """Both write `-e .` into the requirements.txt the app lacks, and read only that line."""
    app = _files(tmp_path, {"setup.py": SETUP_PY})
    report = scan(app, platforms=["heroku@v42", "cloudfoundry", "heroku@latest"])
    assert report.tree.root == "setup.py" and not report.problems
    rules = {f.rule: f for f in report.findings}
    assert set(rules) == {"heroku/pylibmc", "cloudfoundry/pylibmc"}
    for finding in rules.values():
        assert (finding.file, finding.line) == ("setup.py", 3)
        assert finding.fix is None  # nothing to edit: the file does not exist
        assert "Create requirements.txt holding `-e .` and `pylibmc==1.6.3`" in finding.message
    assert rules["heroku/pylibmc"].platforms == ("heroku@v42",)
    heroku = next(p for p in report.plans if p.platform == "heroku")
    assert any("sunset" in e for e in heroku.evidence)  # heroku@latest: the build fails
    assert not (app / "requirements.txt").exists()


def test_the_advice_works(tmp_path: Path) -> None:
    app = _files(tmp_path, {"setup.py": SETUP_PY})
    (app / "requirements.txt").write_text("-e .\npylibmc==1.6.3\n", encoding="utf-8")
    assert not scan(app, platforms=["heroku@v42", "cloudfoundry"]).findings


def test_a_poetry_app_on_nixpacks_and_railpack(tmp_path: Path) -> None:
    """They install pyproject.toml's dependencies and search its text: what it names is seen,
    what a path dependency's metadata names is not; the fix is a TOML comment."""
    app = _files(
        tmp_path,
        {
            "pyproject.toml": "[tool.poetry]\nname = 'a'\nversion = '1'\n\n"
            "[tool.poetry.dependencies]\npython = '^3.11'\npycairo = '^1.26'\n"
            "lib = { path = 'lib' }\n",
            "poetry.lock": "",
            "lib/setup.cfg": "[options]\ninstall_requires =\n    pdf2image==1.17.0\n",
            "lib/setup.py": "from setuptools import setup\nsetup()\n",
        },
    )
    report = scan(app, platforms=["nixpacks", "railpack"])
    assert {(f.rule, f.file, f.line) for f in report.findings} == {
        ("nixpacks/pdf2image", "lib/setup.cfg", 3),
        ("railpack/pdf2image", "lib/setup.cfg", 3),
    }
    fix = report.findings[0].fix
    assert fix is not None and fix.file == "pyproject.toml" and fix.text.startswith("# ")
    apply_fixes(app, report)
    import tomllib

    tomllib.loads((app / "pyproject.toml").read_text(encoding="utf-8"))  # still TOML
    assert not scan(app, platforms=["nixpacks", "railpack"]).findings


def test_a_lockless_pyproject_installs_nothing_on_railpack(tmp_path: Path) -> None:
    app = _files(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "a"\nversion = "1"\ndependencies = []\n',
         "pkg/requirements.txt": "pycairo\n"},
    )  # fmt: skip
    report = scan(app, platforms=["railpack"])
    assert not report.findings
    (plan,) = report.plans
    assert not plan.builds_python
    assert any("no install command" in e for e in plan.evidence)


def test_requirements_option_takes_a_metadata_file(tmp_path: Path) -> None:
    app = _files(
        tmp_path,
        {"Pipfile": '[packages]\npydub = "*"\n', "requirements.txt": "flask\n"},
    )
    report = scan(app, "Pipfile", platforms=["nixpacks"])
    assert report.tree.root == "Pipfile"
    # Nixpacks installs requirements.txt when there is one, whatever the option says
    nix = report.plans[0]
    assert any("--requirements Pipfile does not apply" in e for e in nix.evidence)


def test_a_platform_that_reads_a_missing_requirements_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reads = "none"` (Oryx's grep of a requirements.txt a uv app does not have, added with
    that platform): one data entry, and the check says the file is missing."""
    cf = next(p for p in catalog.load() if p.name == "cloudfoundry")
    rule = InstallRule(
        1,
        cf.latest,
        (
            InstallChoice(
                "uv", ("uv.lock",), "pyproject.toml", "none", "the grep reads requirements.txt"
            ),
        ),
        "test (00000000)",
    )
    patched = dataclasses.replace(cf, installs=(rule,))
    monkeypatch.setattr(catalog, "load", lambda: (patched,))
    app = _files(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "a"\nversion = "1"\ndependencies = ["pylibmc"]\n',
         "uv.lock": ""},
    )  # fmt: skip
    (finding,) = scan(app, platforms=["cloudfoundry"]).findings
    assert (finding.file, finding.line, finding.fix) == ("pyproject.toml", 4, None)
    assert "requirements.txt does not exist here" in finding.message


def test_the_action_checks_an_app_without_requirements_txt(tmp_path: Path) -> None:
    """The `requirements` input left at requirements.txt, in an app that has none: the app's
    setup.py is the root, and each platform is checked against what it installs."""
    from test_action import run_action

    workspace = tmp_path / "ws"
    _files(workspace / "app", {"setup.py": SETUP_PY})
    proc, _output, _summary = run_action(
        workspace, path="app", platform="heroku@v42", fail_on="error"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "::error file=app/setup.py,line=3," in proc.stdout
    report = json.loads((workspace / "heroku-req-check.json").read_text())
    assert report["root"] == "setup.py"


def test_several_package_managers_by_release() -> None:
    """v266-v324 warn about several package manager files and build with the first (pip for
    requirements.txt before poetry.lock: v266 package_manager.sh:89-105), so the cache-key
    check applies; from v325 the build fails (CHANGELOG v325) and nothing is checked."""
    tree = Path(__file__).parent / "fixtures" / "trees" / "heroku-several-managers"
    report = scan(tree, platforms=["heroku@v266-v351"])
    [finding] = report.findings
    assert finding.rule == "heroku/cache-key"
    assert finding.platforms == ("heroku@v266-v324",)


def test_setup_py_is_not_a_package_manager() -> None:
    """v351 package_manager.sh:12-14 picks Pipfile.lock (Pipenv); setup.py is looked at only
    when nothing else was found (:64-65): the build goes on."""
    tree = Path(__file__).parent / "fixtures" / "trees" / "heroku-pipenv-setup-py"
    chosen = catalog.find("heroku")
    assert chosen is not None
    found = installs_for(chosen, make_reader(tree, walk(tree)))
    latest = next(e for e in found if e.first <= chosen.latest <= e.last)
    assert (latest.manager, latest.root) == ("pipenv", "Pipfile")
    assert "fails" not in latest.why
