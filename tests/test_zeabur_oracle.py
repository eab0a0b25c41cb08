"""The Zeabur model against the commands zbpack really runs (zeabur/zbpack v1.0.1,
internal/python/pkgmanager.go:48 and :68), here, for real:

    sed '/-e/d' requirements.txt | python -m pip install ... -r /dev/stdin     # first pass
    python -m pip install ... -r requirements.txt                            # second pass

with GNU sed and this environment's pip, offline: `--isolated` (no pip configuration),
`--no-index` with a wheelhouse of generated wheels, `--dry-run --ignore-installed` (nothing is
installed, everything is resolved). The model's verdict must be pip's: a zeabur/include-from-stdin
finding exactly when the first pass stops with "Could not open requirements file" on the path
the finding names, and both passes succeed after `--fix`.
"""

from __future__ import annotations

import hashlib
import io
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TREES
from heroku_req_check.platforms import zeabur
from heroku_req_check.reqfile import decode
from heroku_req_check.scan import apply_fixes, scan

PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check"]
INSTALL = [*PIP, "install", "--dry-run", "--ignore-installed", "--no-index"]
WHEELS = {
    "six": ("1.16.0", ()),
    "flask": ("3.0.3", ()),
    "gunicorn": ("23.0.0", ()),
    "psycopg2": ("2.9.9", ()),
    "django-environ": ("0.11.2", ()),
    "typing-extensions": ("4.12.2", ()),
    "anyio": ("4.4.0", ("typing-extensions>=4.1",)),
}


def wheel(directory: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """A minimal valid wheel (no code), byte-identical on every run so its hash is fixed."""
    stem = name.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    files = {
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), text)
    target = directory / f"{stem}-{version}-py3-none-any.whl"
    target.write_bytes(buffer.getvalue())
    return target


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    house = tmp_path_factory.mktemp("wheelhouse")
    for name, (version, requires) in WHEELS.items():
        wheel(house, name, version, requires)
    return house


def first_pass(app: Path, house: Path) -> subprocess.CompletedProcess[str]:
    """zbpack's first pass, verbatim but for pip's offline options."""
    pip = shlex.join([*INSTALL, "--find-links", str(house)])
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; sed '/-e/d' requirements.txt | {pip} -r /dev/stdin"],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def second_pass(app: Path, house: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*INSTALL, "--find-links", str(house), "-r", "requirements.txt"],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def stdin_targets(app: Path) -> list[str]:
    report = scan(app, platforms=["zeabur"])
    return [f.package for f in report.findings if f.rule == "zeabur/include-from-stdin"]


def test_fixture_fails_where_the_model_says_and_the_fix_installs(
    tmp_path: Path, wheelhouse: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(TREES / "zeabur-stdin", app)
    targets = stdin_targets(app)
    assert targets == ["requirements/base.txt", "constraints.txt"]
    broken = first_pass(app, wheelhouse)
    assert broken.returncode != 0
    # pip stops at the first include it cannot open, under /dev/
    assert (
        "Could not open requirements file: [Errno 2] No such file or directory: "
        "'/dev/requirements/base.txt'" in broken.stderr
    ), broken.stderr
    assert second_pass(app, wheelhouse).returncode == 0  # the real file is fine

    report = scan(app, platforms=["zeabur"])
    apply_fixes(app, report)
    assert stdin_targets(app) == []
    fixed = first_pass(app, wheelhouse)
    assert fixed.returncode == 0, fixed.stderr
    done = second_pass(app, wheelhouse)
    assert done.returncode == 0, done.stderr
    # the second pass installs what the includes hold: nothing is lost by the fix
    for name in ("six", "psycopg2", "flask", "gunicorn"):
        assert f"{name}-" in done.stdout, done.stdout


def test_a_hashed_file_loses_a_dependency_as_the_model_warns(
    tmp_path: Path, wheelhouse: Path
) -> None:
    """typing-extensions holds '-e': sed drops its line, its hash line stays (pip ignores it),
    and anyio, which needs it, is installed in hash-checking mode: pip stops."""

    def digest(name: str) -> str:
        found = next(wheelhouse.glob(f"{name.replace('-', '_')}-*.whl"))
        return hashlib.sha256(found.read_bytes()).hexdigest()

    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text(
        f"anyio==4.4.0 \\\n    --hash=sha256:{digest('anyio')}\n    # via -r requirements.in\n"
        f"typing-extensions==4.12.2 \\\n    --hash=sha256:{digest('typing-extensions')}\n"
        "    # via anyio\n"
    )
    report = scan(app, platforms=["zeabur"])
    assert [(f.rule, f.package, f.line) for f in report.findings] == [
        ("zeabur/dash-e-line", "typing-extensions", 4)
    ]
    broken = first_pass(app, wheelhouse)
    assert broken.returncode != 0
    assert "In --require-hashes mode, all requirements must have their versions pinned" in (
        broken.stderr
    ), broken.stderr
    assert second_pass(app, wheelhouse).returncode == 0


def test_a_dropped_find_links_line_fails_the_first_pass(tmp_path: Path, wheelhouse: Path) -> None:
    """`--find-links ./wheels-extra` holds '-e': the first pass has no source for what only
    that directory serves."""
    app = tmp_path / "app"
    (app / "wheels-extra").mkdir(parents=True)
    wheel(app / "wheels-extra", "private-pkg", "1.0")
    (app / "requirements.txt").write_text("--find-links ./wheels-extra\nprivate-pkg==1.0\n")
    report = scan(app, platforms=["zeabur"])
    assert [(f.rule, f.package) for f in report.findings] == [
        ("zeabur/dash-e-line", "--find-links")
    ]
    broken = first_pass(app, wheelhouse)
    assert "No matching distribution found for private-pkg" in broken.stderr, broken.stderr
    assert second_pass(app, wheelhouse).returncode == 0


INCLUDES = [
    "-r requirements/base.txt",
    "-r requirements/prod-extra.txt",  # holds '-e': sed drops it
    "-c constraints.txt",
    "--requirement requirements/base.txt",
    "-rrequirements/base.txt",
    "--constraint=constraints.txt",
    "-r ./requirements/../requirements/base.txt",
    "-r requirements/base.txt  # -e: the fix's comment",
]
OTHERS = [
    "six==1.16.0",
    "django-environ==0.11.2",  # holds '-e'
    "gunicorn==23.0.0",
    "# a comment that says -e",
    "",
]


@st.composite
def roots(draw: st.DrawFn) -> bytes:
    includes = draw(st.lists(st.sampled_from(INCLUDES), max_size=2))
    others = draw(st.lists(st.sampled_from(OTHERS), min_size=1, max_size=3))
    lines = draw(st.permutations(includes + others))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    text = ending.join(lines) + (ending if final else "")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode()


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(root=roots())
def test_the_first_pass_fails_exactly_where_the_model_says(
    tmp_path: Path, wheelhouse: Path, root: bytes
) -> None:
    app = tmp_path / "app"
    shutil.rmtree(app, ignore_errors=True)
    (app / "requirements").mkdir(parents=True)
    (app / "requirements" / "base.txt").write_text("six==1.16.0\n")
    (app / "requirements" / "prod-extra.txt").write_text("flask==3.0.3\n")
    (app / "constraints.txt").write_text("six==1.16.0\n")
    (app / "requirements.txt").write_bytes(root)
    targets = stdin_targets(app)
    done = first_pass(app, wheelhouse)
    if targets:
        assert done.returncode != 0, (root, done.stdout)
        where = os.path.join("/dev", targets[0])  # as pip joins it, unnormalised
        assert f"No such file or directory: '{where}'" in done.stderr, (root, done.stderr)
    else:
        assert done.returncode == 0, (root, done.stderr)
    # what sed leaves is what the model reads as the first pass
    piped = subprocess.run(
        ["sed", "/-e/d", "requirements.txt"], cwd=app, capture_output=True, check=True
    ).stdout
    model = zeabur.first_pass(root)
    assert model.text == decode(piped).text, root
