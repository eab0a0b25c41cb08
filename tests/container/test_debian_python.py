"""`--base` on a Python without tarfile's extraction filters: Debian 12's own python3 (3.11.2),
which `requires-python = ">=3.11"` admits, in a container built from Debian's packages by
tests/container/setup. The package and its two pure-Python dependencies are mounted from
this checkout and the test environment; nothing is installed in the container."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import packaging
import pip_requirements_parser
import pytest

from runner import PODMAN, ROOT, base_image

SETUP = ROOT / "tests" / "container" / "setup"
HOSTILE_TAR = r"""
import io, os, sys, tarfile, tempfile
from pathlib import Path
from heroku_req_check.stale import extract

def add(tar, name, kind=tarfile.REGTYPE, data=b"x\n", link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size, info.mode = kind, link, len(data), 0o4777
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as tar:
    add(tar, "requirements.txt", data=b"-r sub/prod.txt\n")
    add(tar, "sub", tarfile.DIRTYPE)
    add(tar, "sub/prod.txt", data=b"leftpad==1.0\n")
    add(tar, "../escaped.txt")
    add(tar, "/tmp/absolute.txt")
    add(tar, "up", tarfile.SYMTYPE, link="..")
    add(tar, "up/through-link.txt")
    add(tar, "hard", tarfile.LNKTYPE, link="/etc/passwd")
    add(tar, "dev", tarfile.CHRTYPE)
    add(tar, "inside", tarfile.SYMTYPE, link="sub/prod.txt")
outer = Path(tempfile.mkdtemp())
dest = outer / "dest"
dest.mkdir()
buf.seek(0)
with tarfile.open(fileobj=buf) as tar:
    extract(tar, dest)
made = sorted(str(p.relative_to(outer)) for p in outer.rglob("*"))
print(made)
# files first: `up/through-link.txt` lands in a real folder `up`, so the link `up -> ..` is
# never made and nothing is written through it
assert made == ["dest", "dest/inside", "dest/requirements.txt", "dest/sub", "dest/sub/prod.txt",
                "dest/up", "dest/up/through-link.txt"], made
assert not (dest / "up").is_symlink()
assert not os.path.exists("/tmp/absolute.txt")
assert (dest / "inside").read_text() == "leftpad==1.0\n"
assert not (dest / "sub/prod.txt").stat().st_mode & 0o4000  # no setuid
print("ok", hasattr(tarfile, "data_filter"))
"""


def debian_python() -> str:
    tag = hashlib.sha256(SETUP.read_bytes()).hexdigest()[:12]
    image = f"localhost/heroku-req-check-debian-python:{tag}"
    if subprocess.run([*PODMAN, "image", "exists", image]).returncode != 0:
        base_image()  # runs tests/container/setup, which builds it
    return image


def run(image: str, *command: str, repo: Path | None = None) -> subprocess.CompletedProcess[str]:
    deps = Path(pip_requirements_parser.__file__).parent
    assert Path(packaging.__file__).parent.parent == deps  # both in the test environment
    mounts = ["-v", f"{ROOT / 'src'}:/src:ro", "-v", f"{deps}:/deps:ro"]
    if repo is not None:
        mounts += ["-v", f"{repo}:/repo"]
    return subprocess.run(
        [*PODMAN, "run", "--rm", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
         "-e", "PYTHONPATH=/src:/deps", "-e", "PYTHONDONTWRITEBYTECODE=1", *mounts, image,
         *command],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def image() -> str:
    image = debian_python()
    done = run(image, "python3", "-c", "import sys, tarfile; "
               "print(sys.version_info[:3], hasattr(tarfile, 'data_filter'))")  # fmt: skip
    # the point of this image: a Python the package supports that has no extraction filters
    assert done.stdout.strip() == "(3, 11, 2) False", done.stdout + done.stderr
    return image


def test_base_works_without_tarfile_filters(image: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
                       cwd=repo, check=True, capture_output=True)  # fmt: skip

    git("init", "-q")
    (repo / "requirements").mkdir()
    (repo / "requirements.txt").write_text("-r requirements/prod.txt\n")
    (repo / "requirements/prod.txt").write_text("requests==2.32.3\nleftpad==1.0\n")
    (repo / "requirements/link.txt").symlink_to("prod.txt")
    (repo / "escape.txt").symlink_to("/etc/passwd")
    git("add", "-A")
    git("commit", "-qm", "base")
    (repo / "requirements/prod.txt").write_text("requests==2.32.3\n")
    git("commit", "-qam", "head")
    done = run(image, "python3", "-m", "heroku_req_check.cli", "--base", "HEAD~1",
               "--platform", "heroku@latest", "--format", "json", "/repo", repo=repo)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    # (heroku/cache-key, the notice about the root-keyed cache itself, is not the point here)
    assert [
        (f["rule"], f["package"]) for f in report["findings"] if f["rule"] != "heroku/cache-key"
    ] == [("heroku/stale-packages", "leftpad")]
    assert report["problems"] == []


def test_extraction_writes_nothing_outside(image: str) -> None:
    """A hostile tar (`..` and absolute names, a link out and a file through it, a hard link,
    a device, setuid bits) on Python 3.11.2, where tarfile has no filter to do this."""
    done = run(image, "python3", "-c", HOSTILE_TAR)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok False")


def test_extraction_writes_nothing_outside_with_filters() -> None:
    """The same tar on the test environment's Python, which has the filters."""
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE_TAR],
        capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok True")
