"""Environment markers on the build image (markers.py, plans.pythons_for, check.py).

The Python each platform release builds with is data in the catalog, each fact with its source;
these tables check the files each release reads (and in which order) and what a marker then
does to a finding. Sources, by row:
HEROKU = heroku/heroku-buildpack-python (archive/vN, vN tags); NIX = railwayapp/nixpacks v1.39.0
src/providers/python.rs:517-604; RAILPACK = railwayapp/railpack v0.37.0
core/providers/python/python.go:364-422; CF = cloudfoundry/python-buildpack v1.9.4
src/python/supply/supply.go:183-250.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroku_req_check import catalog, markers
from heroku_req_check.catalog.build import PythonRule, VersionFile
from heroku_req_check.markers import BuildPython
from heroku_req_check.plans import pythons_for, pythons_in
from heroku_req_check.scan import scan
from heroku_req_check.tree import make_reader, walk

LINUX_312 = markers.Environment(("3.12",), ("x86_64",), "Linux", "CPython")

EVALUATE_CASES = [
    # (marker, environment, value, depends)
    ('python_version < "3.8"', LINUX_312, False, ()),
    ('python_version >= "3.12"', LINUX_312, True, ()),
    ('sys_platform == "win32"', LINUX_312, False, ()),
    ('os_name == "nt" or platform_system == "Linux"', LINUX_312, True, ()),
    ('platform_machine == "aarch64"', LINUX_312, False, ()),
    ('platform_python_implementation == "PyPy"', LINUX_312, False, ()),
    # the patch of "3.12" is not known: a full-version comparison inside that minor can go
    # either way, one outside it cannot
    ('python_full_version >= "3.12.4"', LINUX_312, None, (markers.PYTHON,)),
    ('python_full_version >= "3.11.4"', LINUX_312, True, ()),
    ('python_full_version == "3.12.*"', LINUX_312, True, ()),
    # what no build image fixes: the kernel release
    ('platform_release >= "5"', LINUX_312, None, (markers.RELEASE,)),
    ('"azure" in platform_release', LINUX_312, None, (markers.RELEASE,)),
    # a requirements-file line is evaluated with extra == "" (pip's match_markers)
    ('extra == "dev"', LINUX_312, False, ()),
    # several machines (a Nixpacks or Railpack host may be arm64)
    (
        'platform_machine == "x86_64"',
        markers.Environment(("3.12",), ("x86_64", "aarch64"), "Linux", "CPython"),
        None,
        (markers.MACHINE,),
    ),
    # two candidate defaults (Nixpacks' python3)
    (
        'python_version < "3.12"',
        markers.Environment(("3.11", "3.12"), ("x86_64",), "Linux", "CPython"),
        None,
        (markers.PYTHON,),
    ),
    (
        'python_version < "3.13"',
        markers.Environment(("3.11", "3.12"), ("x86_64",), "Linux", "CPython"),
        True,
        (),
    ),
    # nothing known: both ways on every dimension that matters, and only those
    (
        'python_version < "3.8" and sys_platform == "linux"',
        markers.UNKNOWN,
        None,
        (markers.PYTHON, markers.SYSTEM),
    ),
    ('python_version < "3.8" and python_version >= "3.8"', markers.UNKNOWN, False, ()),
    ('python_version >= "2"', markers.UNKNOWN, True, ()),
]


@pytest.mark.parametrize(("marker", "env", "value", "depends"), EVALUATE_CASES)
def test_evaluate(
    marker: str, env: markers.Environment, value: bool | None, depends: tuple[str, ...]
) -> None:
    outcome = markers.evaluate(marker, env)
    assert outcome.value is value
    assert set(outcome.depends) == set(depends)


def test_a_marker_is_evaluated_with_the_build_values_not_this_interpreters() -> None:
    # this tool may run on macOS or Windows; the build is Linux whatever runs the check
    env = markers.Environment(("2.7.18",), ("x86_64",), "Linux", "CPython")
    assert markers.evaluate('sys_platform == "linux" and python_version == "2.7"', env).value
    assert not markers.evaluate('implementation_name == "pypy"', env).value


def _platform(name: str) -> catalog.Platform:
    return next(p for p in catalog.load() if p.name == name)


def _python(files: dict[str, str], platform: str, release: int, tmp: Path) -> BuildPython:
    """The Python release `release` (-1: the latest) of `platform` builds the app with."""
    if release == -1:
        release = _platform(platform).latest
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    tree = walk(tmp)
    found = pythons_for(_platform(platform), make_reader(tmp, tree))
    return next(p for p in found if p.first <= release <= p.last)


LOCK_36 = json.dumps({"_meta": {"requires": {"python_version": "3.6"}}})
LOCK_35 = json.dumps({"_meta": {"requires": {"python_version": "3.5"}}})
LOCK_FULL = json.dumps({"_meta": {"requires": {"python_full_version": "3.7.2"}}})

PYTHON_CASES = [
    # (id, files, platform, release, versions, origin, source)
    (
        "heroku-v3-system",
        {"runtime.txt": "python-3.6.1"},
        "heroku",
        3,
        (),
        "",
        "HEROKU v3 bin/compile:56",
    ),
    (
        "heroku-v6-fixed",
        {"runtime.txt": "python-3.6.1"},
        "heroku",
        6,
        ("2.7.2",),
        "default",
        "HEROKU v6 bin/compile:55",
    ),
    (
        "heroku-v12-runtime",
        {"runtime.txt": "python-3.3.0\n"},
        "heroku",
        12,
        ("3.3.0",),
        "runtime.txt",
        "HEROKU v12 bin/compile:124",
    ),
    (
        "heroku-v20-default",
        {},
        "heroku",
        20,
        ("2.7.4",),
        "default",
        "HEROKU v19 bin/compile:28, not sticky before v33",
    ),
    ("heroku-v33-sticky", {}, "heroku", 33, (), "cache", "HEROKU v33 bin/compile:106-107"),
    (
        "heroku-v100-lock",
        {"Pipfile.lock": LOCK_36},
        "heroku",
        100,
        ("3.6",),
        "Pipfile.lock (python_version)",
        "HEROKU v100 pipenv-python-version:18",
    ),
    (
        "heroku-v100-lock-unmapped",
        {"Pipfile.lock": LOCK_35},
        "heroku",
        100,
        (),
        "cache",
        "HEROKU v100 maps only 2.7 and 3.6",
    ),
    (
        "heroku-v110-full-ignored",
        {"Pipfile.lock": LOCK_FULL},
        "heroku",
        110,
        (),
        "cache",
        "HEROKU python_full_version only from v119",
    ),
    (
        "heroku-v119-full",
        {"Pipfile.lock": LOCK_FULL},
        "heroku",
        119,
        ("3.7.2",),
        "Pipfile.lock (python_full_version)",
        "HEROKU v119 pipenv-python-version:13",
    ),
    (
        "heroku-v150-runtime-first",
        {"runtime.txt": "python-3.6.8", "Pipfile.lock": LOCK_FULL},
        "heroku",
        150,
        ("3.6.8",),
        "runtime.txt",
        "HEROKU v150 runtime.txt before pipenv-python-version",
    ),
    (
        "heroku-v260-no-python-version",
        {".python-version": "3.11\n"},
        "heroku",
        260,
        (),
        "cache",
        "HEROKU .python-version from v261 (d9bdeabd)",
    ),
    (
        "heroku-v261-python-version",
        {".python-version": "# pinned\n3.11\n"},
        "heroku",
        261,
        ("3.11",),
        ".python-version",
        "HEROKU v261 lib/python_version.sh:64",
    ),
    (
        "heroku-v351-runtime-first",
        {".python-version": "3.11", "runtime.txt": "python-3.12.3"},
        "heroku",
        351,
        ("3.12.3",),
        "runtime.txt",
        "HEROKU v351 lib/python_version.sh:76-80",
    ),
    (
        "heroku-v351-pypy-none",
        {"runtime.txt": "pypy3.6-7.3.2"},
        "heroku",
        351,
        ("3.6",),
        "runtime.txt",
        "a PyPy request names PyPy",
    ),
    (
        "nix-python-version",
        {".python-version": "3.12.1", "runtime.txt": "python-3.10.4"},
        "nixpacks",
        1,
        ("3.12.1",),
        ".python-version",
        "NIX L529-531 .python-version first",
    ),
    (
        "nix-runtime",
        {"runtime.txt": "python-3.10.4"},
        "nixpacks",
        1,
        ("3.10.4",),
        "runtime.txt",
        "NIX L532-533",
    ),
    (
        "nix-unmapped-default",
        {".python-version": "3.6", "runtime.txt": "python-3.10.4"},
        "nixpacks",
        1,
        ("3.11", "3.12"),
        "default",
        "NIX L582-603: 3.6 maps to nothing, the default; else-if: runtime.txt not read",
    ),
    (
        "nix-pipfile",
        {"Pipfile": '[requires]\npython_version = "3.9"\n'},
        "nixpacks",
        1,
        ("3.9",),
        "Pipfile",
        "NIX L459-466",
    ),
    (
        "nix-tool-versions",
        {".tool-versions": "nodejs 20.1.0\npython 3.12.3\n"},
        "nixpacks",
        1,
        ("3.12.3",),
        ".tool-versions",
        "NIX L468-480",
    ),
    ("nix-none", {}, "nixpacks", 1, ("3.11", "3.12"), "default", "NIX L22, 33; docs say 3.11"),
    (
        "railpack-mise-first",
        {".python-version": "3.11", "runtime.txt": "python-3.10.4"},
        "railpack",
        1,
        ("3.11",),
        ".python-version",
        "RAILPACK L404: mise versions after runtime.txt",
    ),
    (
        "railpack-runtime-over-pipfile",
        {"runtime.txt": "python-3.10.4", "Pipfile": '[requires]\npython_version = "3.9"\n'},
        "railpack",
        1,
        ("3.10.4",),
        "runtime.txt",
        "RAILPACK L374-376",
    ),
    (
        "railpack-pipfile-full",
        {"Pipfile": '[requires]\npython_version = "3.9"\npython_full_version = "3.9.7"\n'},
        "railpack",
        1,
        ("3.9.7",),
        "Pipfile (python_full_version)",
        "RAILPACK L546-556",
    ),
    ("railpack-default", {}, "railpack", 1, ("3.13",), "default", "RAILPACK L16"),
    (
        "cf-runtime",
        {"runtime.txt": "python-3.12.x", ".python-version": "3.11"},
        "cloudfoundry",
        -1,
        ("3.12",),
        "runtime.txt",
        "CF supply.go:183-192, 221-250; .python-version unread",
    ),
    (
        "cf-lock",
        {"Pipfile.lock": LOCK_36},
        "cloudfoundry",
        -1,
        ("3.6",),
        "Pipfile.lock (python_version)",
        "CF supply.go:194-219",
    ),
    (
        "cf-default",
        {".python-version": "3.11"},
        "cloudfoundry",
        -1,
        ("3.10",),
        "default",
        "CF manifest.yml:3-5",
    ),
    ("zeabur-default", {}, "zeabur", 1, ("3.13",), "default", "ZB version.go:7"),
    (
        "zeabur-config-first",
        {"zbpack.json": '{"python": {"version": "3.10"}}', ".python-version": "3.11\n"},
        "zeabur",
        1,
        ("3.10",),
        "zbpack.json (python.version)",
        "ZB plan.go:662-664",
    ),
    (
        "zeabur-python-version",
        {".python-version": "3.11\n", "pyproject.toml": 'requires-python = ">=3.8"\n'},
        "zeabur",
        1,
        ("3.11",),
        ".python-version",
        "ZB plan.go:666-671, 718-739",
    ),
    (
        "zeabur-requires-python-range",
        {"pyproject.toml": '[project]\nrequires-python = ">=3.12,<3.14"\n'},
        "zeabur",
        1,
        ("3.13", "3.12"),
        'pyproject.toml (requires-python = "(.*?)")',
        "ZB plan.go:682-698: ConstraintToVersion, every admitted minor a candidate",
    ),
    (
        "zeabur-poetry-python",
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = "~3.9"\n'},
        "zeabur",
        1,
        ("3.9",),
        'pyproject.toml (python = "(.*?)")',
        "ZB plan.go:700-716",
    ),
    (
        "zeabur-pipfile",
        {"Pipfile": '[requires]\npython_version = "3.8"\n'},
        "zeabur",
        1,
        ("3.8",),
        "Pipfile (python_version)",
        "ZB plan.go:741-756",
    ),
    (
        "flyio-default",
        {},
        "flyio",
        1,
        ("3.15", "3.14", "3.13", "3.12", "3.11", "3.10", "3.9"),
        "default",
        "FLY django.go:47-95: 3.12, or the launching machine's Python when >= 3.9",
    ),
    (
        "flyio-pipfile-lock",
        {"Pipfile.lock": LOCK_36},
        "flyio",
        1,
        ("3.6",),
        "Pipfile.lock (python_version)",
        "FLY python.go:401-410: used verbatim (pinned)",
    ),
]


@pytest.mark.parametrize(
    ("files", "platform", "release", "versions", "origin"),
    [pytest.param(*case[1:6], id=case[0]) for case in PYTHON_CASES],
)
def test_python_each_release_builds_with(
    files: dict[str, str],
    platform: str,
    release: int,
    versions: tuple[str, ...],
    origin: str,
    tmp_path: Path,
) -> None:
    python = _python(files, platform, release, tmp_path)
    assert python.versions == versions
    assert python.origin == origin
    assert python.os == "Linux"
    assert python.source  # every choice names the catalog entry it follows


def test_pypy_runtime_names_pypy(tmp_path: Path) -> None:
    python = _python({"runtime.txt": "pypy3.6-7.3.2"}, "heroku", 200, tmp_path)
    assert (python.versions, python.implementation) == (("3.6",), "PyPy")


@pytest.mark.parametrize(
    ("platform", "machines"),
    [
        ("heroku", ("x86_64",)),  # 1e63669f: only ever run on amd64 on Heroku
        ("cloudfoundry", ("x86_64",)),  # manifest.yml: linux_x64 builds only
        ("nixpacks", ("x86_64", "aarch64")),  # docker build on the host's architecture
        ("railpack", ("x86_64", "aarch64")),  # buildkit/platform.go:22-39
        ("zeabur", ("x86_64", "aarch64")),  # python.go:44, the host's architecture
        ("flyio", ("x86_64", "aarch64")),  # templates/django/Dockerfile:4-6
    ],
)
def test_machines(platform: str, machines: tuple[str, ...], tmp_path: Path) -> None:
    assert _python({}, platform, _platform(platform).latest, tmp_path).machines == machines


@pytest.mark.parametrize(
    "name", ["heroku", "nixpacks", "railpack", "cloudfoundry", "zeabur", "flyio"]
)
def test_every_release_has_one_python_rule_and_one_default(name: str) -> None:
    platform = _platform(name)
    environment = catalog.build_environment(name)
    assert environment.build is not None and environment.build.source
    for release in platform.releases:
        rules = [r for r in environment.rules if r.first <= release <= r.last]
        defaults = [d for d in environment.defaults if d.first <= release <= d.last]
        assert len(rules) == 1, release
        assert len(defaults) == 1, release
    for default in environment.defaults:
        assert all(markers.minor_of(v) for v in default.versions), default
        assert default.versions or default.note, default  # unknown only with a reason
    for rule in environment.rules:
        assert "(" in rule.source  # the commit, shortened, is part of every citation


@pytest.mark.parametrize(
    "name", ["heroku", "nixpacks", "railpack", "cloudfoundry", "zeabur", "flyio"]
)
def test_the_build_environment_is_the_tail_of_the_platform_file(name: str) -> None:
    """load() parses a file up to catalog.BUILD_SENTINEL; the whole file is one TOML document
    whose [platform] tables are the same as the two halves parsed apart."""
    import tomllib

    path = Path(catalog.__file__).parent / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    whole = tomllib.loads(text)["platform"]
    head, sentinel, tail = text.partition(catalog.BUILD_SENTINEL)
    assert sentinel
    assert tomllib.loads(head)["platform"] | tomllib.loads(tail)["platform"] == whole
    assert {"build", "python_files", "python_default"} <= set(tomllib.loads(tail)["platform"])


def test_heroku_defaults_follow_the_releases() -> None:
    heroku = _platform("heroku")

    environment = catalog.build_environment(heroku.name)

    def default(release: int) -> tuple[str, ...]:
        return next(d.versions for d in environment.defaults if d.first <= release <= d.last)

    # plan-facts C3: 2.7.2 at v6, python-3.6.1 at v109, LATEST_39 from v192, 3.12 from v241,
    # 3.13 from v270, 3.14 from v323 (3.14.7 at v351, lib/python_version.sh:11,16)
    assert default(6) == ("2.7.2",)
    assert default(109) == ("3.6.1",)
    assert markers.minor_of(default(192)[0]) == "3.9"
    assert markers.minor_of(default(241)[0]) == "3.12"
    assert markers.minor_of(default(270)[0]) == "3.13"
    assert markers.minor_of(default(323)[0]) == "3.14"
    assert default(351) == ("3.14.7",)


def test_requires_python_is_one_data_entry(tmp_path: Path) -> None:
    """A platform that reads requires-python (as Google's buildpacks do, added elsewhere) needs
    only a `read` entry: the minors it admits are the candidates."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nrequires-python = ">=3.12,<3.14"\n', encoding="utf-8"
    )
    rule = PythonRule(1, 1, (VersionFile("requires-python"),), "test source (00000000)")
    environment = dataclasses.replace(catalog.build_environment("railpack"), rules=(rule,))
    found = pythons_in(environment, (1,), make_reader(tmp_path, walk(tmp_path)))
    assert found[0].versions == ("3.13", "3.12")
    assert found[0].origin == "requires-python"
    assert (
        markers.evaluate('python_version < "3.12"', markers.Environment(found[0].versions)).value
        is False
    )


# -- what a marker does to a finding --------------------------------------------------------


def _app(tmp_path: Path, nested: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "requirements").mkdir(parents=True)
    (tmp_path / "requirements.txt").write_text("-r requirements/base.txt\n", encoding="utf-8")
    (tmp_path / "requirements" / "base.txt").write_text(nested, encoding="utf-8")
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_marker_false_on_the_build_image_installs_nothing_to_miss(tmp_path: Path) -> None:
    app = _app(tmp_path, 'pylibmc==1.6.3; sys_platform == "win32"\n')
    report = scan(app, platforms=["heroku", "cloudfoundry"])
    assert not [f for f in report.findings if f.package == "pylibmc"]


def test_a_python_marker_per_heroku_release(tmp_path: Path) -> None:
    """runtime.txt names 3.8 from v12 on; before v12 it is not read (v6-v11 build 2.7.2)."""
    app = _app(
        tmp_path, 'pylibmc==1.6.3; python_version < "3"\n', {"runtime.txt": "python-3.8.10\n"}
    )
    report = scan(app, platforms=["heroku@v3-v184"])
    (finding,) = [f for f in report.findings if f.package == "pylibmc"]
    assert finding.platforms == ("heroku@v3-v11",)
    assert "is false on heroku@v15-v42" in finding.message
    assert "Python 3.8.10 from runtime.txt" in finding.message
    # v3-v5 ran the stack's Python: not known, so evaluated both ways and said so
    assert "on heroku@v3-v5 its marker" in finding.message
    assert "evaluated both ways" in finding.message


def test_sticky_heroku_python_is_evaluated_both_ways(tmp_path: Path) -> None:
    app = _app(tmp_path, 'pylibmc==1.6.3; python_version >= "3"\n')
    (finding,) = scan(app, platforms=["heroku@v42"]).findings
    assert "keeps the Python of its build cache" in finding.message
    assert finding.platforms == ("heroku@v42",)


def test_a_machine_marker_on_arm64_capable_builders(tmp_path: Path) -> None:
    app = _app(tmp_path, 'pycairo==1.26; platform_machine == "aarch64"\n')
    report = scan(app, platforms=["railpack", "nixpacks"])
    found = {f.rule: f for f in report.findings if f.package == "pycairo"}
    assert set(found) == {"railpack/cairo", "nixpacks/cairo"}
    for finding in found.values():
        assert "the machine it builds on (x86_64 or aarch64)" in finding.message


TREES = Path(__file__).parent / "fixtures" / "trees"


@pytest.mark.parametrize("tree", ["linux-image-win32", "linux-image-py2"])
@pytest.mark.parametrize("platform", ["zeabur", "flyio"])
def test_zeabur_and_flyio_build_on_a_linux_python3_image(tree: str, platform: str) -> None:
    # ZB python.go:44 and FLY templates/django/Dockerfile:4-6: python:<version>-slim, Linux,
    # Python 3.13 (ZB version.go:7) or 3.9 and newer (FLY django.go:47-95): a psycopg2 line
    # marked win32 or Python 2 installs nothing there, so nothing is missed for it
    report = scan(TREES / tree, platforms=[platform])
    assert not [f for f in report.findings if f.package == "psycopg2"]


@pytest.mark.parametrize(
    ("marker", "platform", "found"),
    [
        ('python_version < "3.8"', "zeabur", False),  # 3.13 by default
        ('python_version < "3.8"', "flyio", False),  # never below 3.9
        ('python_version >= "3.13"', "zeabur", True),
        ('python_version >= "3.13"', "flyio", True),  # the launching machine's: both ways
        ('platform_machine == "x86_64"', "zeabur", True),  # the host's: both ways
        ('sys_platform == "linux"', "flyio", True),
    ],
)
def test_markers_on_zeabur_and_flyio(
    marker: str, platform: str, found: bool, tmp_path: Path
) -> None:
    app = _app(tmp_path, f"Django\npsycopg2; {marker}\n", {"manage.py": ""})
    rules = {f.rule for f in scan(app, platforms=[platform]).findings if f.package == "psycopg2"}
    assert bool(rules) == found, rules


def test_railpack_default_python_decides(tmp_path: Path) -> None:
    # Railpack builds 3.13 by default: a 3.14-only requirement installs nothing there
    app = _app(tmp_path, 'pdf2image==1.17; python_version >= "3.14"\n')
    assert all(f.package != "pdf2image" for f in scan(app, platforms=["railpack"]).findings)


def test_railpack_python_version_file_turns_the_marker_on(tmp_path: Path) -> None:
    app = _app(
        tmp_path, 'pdf2image==1.17; python_version >= "3.14"\n', {".python-version": "3.14\n"}
    )
    assert [
        f.rule for f in scan(app, platforms=["railpack"]).findings if f.package == "pdf2image"
    ] == ["railpack/pdf2image"]


def test_a_platform_without_data_evaluates_both_ways(tmp_path: Path) -> None:
    app = _app(tmp_path, 'pyvips==2.2; python_version < "3.8"\n')
    (app / ".heroku-req-check.toml").write_text(
        '[extra-rules]\npyvips = "our buildpack installs libvips"\n', encoding="utf-8"
    )
    (finding,) = [f for f in scan(app, platforms=["heroku@v351"]).findings if f.package == "pyvips"]
    assert "does not describe in-house's build environment" in finding.message


def test_trees_without_markers_never_evaluate_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = markers.evaluate

    def counting(marker: str, env: markers.Environment) -> markers.Outcome:
        calls.append(marker)
        return real(marker, env)

    monkeypatch.setattr(markers, "evaluate", counting)
    app = _app(tmp_path, "pylibmc==1.6.3\npsycopg2==2.9\n")
    assert scan(app).findings
    assert calls == []
    app2 = _app(tmp_path / "marked", 'pylibmc==1.6.3; python_version >= "3"\n')
    scan(app2, platforms=["heroku@v42"])
    assert calls  # the same code path does evaluate a marker when there is one


def test_a_framework_whose_marker_is_false_counts_as_not_installed(tmp_path: Path) -> None:
    """Nixpacks sees `django` in the root file and generates a Django start command
    (python.rs:385-392), but on its Linux image pip installs no Django: the over-match."""
    (tmp_path / "manage.py").write_text("", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(
        'Django==4.2; sys_platform == "win32"\n', encoding="utf-8"
    )
    rules = {f.rule for f in scan(tmp_path, platforms=["nixpacks"]).findings}
    assert "nixpacks/django:overmatch" in rules
    (tmp_path / "requirements.txt").write_text("Django==4.2\n", encoding="utf-8")
    assert "nixpacks/django:overmatch" not in {
        f.rule for f in scan(tmp_path, platforms=["nixpacks"]).findings
    }


# -- the candidates tried are enough -----------------------------------------------------------

_OPS = ("<", "<=", ">", ">=", "==", "!=", "~=")
_VARIABLE = st.sampled_from(("python_version", "python_full_version"))
_LITERAL = st.builds(
    lambda major, minor, patch: f"{major}.{minor}" + (f".{patch}" if patch is not None else ""),
    st.sampled_from((2, 3, 4)),
    st.integers(0, 17),
    st.one_of(st.none(), st.integers(0, 12)),
)
_ATOM = st.builds(
    lambda v, op, lit: f'{v} {op} "{lit}"', _VARIABLE, st.sampled_from(_OPS), _LITERAL
)
_MARKER = st.builds(
    lambda atoms, joins: " ".join(
        a if i == 0 else f"{joins[i % len(joins)]} {a}" for i, a in enumerate(atoms)
    ),
    st.lists(_ATOM, min_size=1, max_size=3),
    st.lists(st.sampled_from(("and", "or")), min_size=1, max_size=2),
)


def _brute_force(marker: str, pythons: tuple[str, ...]) -> bool | None:
    """The marker over every minor (or the given ones) and patches 0-30: the reference."""
    from packaging.markers import InvalidMarker, Marker
    from packaging.specifiers import InvalidSpecifier
    from packaging.version import InvalidVersion

    values = set()
    for version in pythons or markers.KNOWN_MINORS:
        short = markers.minor_of(version)
        fulls = [version] if version.count(".") == 2 else [f"{short}.{z}" for z in range(31)]
        for full in fulls:
            env = {"python_version": short, "python_full_version": full}
            try:
                values.add(Marker(marker).evaluate({**markers._NEUTRAL, **env}))
            except (InvalidMarker, InvalidSpecifier, InvalidVersion, ValueError):
                return None
    return values.pop() if len(values) == 1 else None


@settings(max_examples=300, deadline=None)
@given(_MARKER, st.sampled_from(((), ("3.12",), ("3.11", "3.12"), ("3.8.10",))))
def test_the_candidates_decide_as_every_version_would(
    marker: str, pythons: tuple[str, ...]
) -> None:
    env = markers.Environment(pythons, ("x86_64",), "Linux", "CPython")
    assert markers.evaluate(marker, env).value is _brute_force(marker, pythons)


def test_a_platform_file_with_one_python_line() -> None:
    """google.toml gives `python = { file, default, source }` in [platform] (read for its own
    rules): that is one version-file rule and one default for markers too; the machine is not
    known, so a machine marker is evaluated both ways there."""
    environment = catalog.build_environment("google")
    platform = _platform("google")
    file, default, _source = platform.python
    assert [(r.read[0].file if r.read else "") for r in environment.rules] == [file]
    assert [d.versions for d in environment.defaults] == [(default,)]
    assert environment.build is None
