"""What the image and the release are built from, checked without building them (the real
image is built and run by tests/container/): the pinned base, the lock file's hygiene, the
build context, and the sdist and wheel that `python -m build` makes."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_base_is_pinned_by_digest_through_a_build_arg() -> None:
    arg = re.search(r"^ARG BASE_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert arg, "the base is a build ARG"
    assert re.fullmatch(
        r"docker\.io/library/python:3\.12-slim-bookworm@sha256:[0-9a-f]{64}", arg.group(1)
    )
    froms = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert froms and all(f == "${BASE_IMAGE}" for f in froms), froms
    assert arg.group(1).split("@")[1] in (ROOT / "README.md").read_text(), "README states it"


def test_lock_file_is_portable_and_hash_locked() -> None:
    lock = (ROOT / "requirements" / "action.lock").read_text()
    options = [line for line in lock.splitlines() if line.startswith("-")]
    assert options == [], options  # no --find-links / --index-url of one machine
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\$", lock, re.M)
    assert len(pins) >= 10 and lock.count("--hash=sha256:") >= len(pins)
    assert re.search(r"^RUN pip install --no-deps --require-hashes --only-binary=:all: -r ",
                     DOCKERFILE, re.M)  # fmt: skip


def test_build_context_is_what_the_dockerfile_copies() -> None:
    copied = {c for c in re.findall(r"^COPY (?!--from)(\S+) ", DOCKERFILE, re.M)}
    assert copied == {"requirements/action.lock", "src/", "entrypoint.py"}
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :][:4] == [
        "*", "!requirements/action.lock", "!src/", "!entrypoint.py"
    ]  # fmt: skip


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` in an isolated environment: the declared build requirement
    (setuptools>=77,<85) is what builds it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_sdist_has_the_license_and_no_tests(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
        info = archive.extractfile(next(n for n in archive.getnames() if n.endswith("/PKG-INFO")))
        assert info is not None
        metadata = info.read().decode()
    assert "LICENSE" in names and "src/heroku_req_check/catalog/heroku.toml" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "examples/"))]
    assert "License-Expression: MIT" in metadata


def test_wheel_metadata(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert b"License-Expression: MIT" in metadata
    assert "heroku_req_check/py.typed" in names
