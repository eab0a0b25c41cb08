"""Cold start of the Docker action: what a job pays before and around the check itself.

    .venv/bin/python bench/run.py --sizes seed --cold-start    # after scripts/test; ~2 minutes

Needs podman and the image's base (tests/container/setup prepares both; as root). Measures:
- the image: size on disk, the action's own layers, and the compressed size a prebuilt image
  is pulled as (`podman save` piped through gzip, as registries store layers);
- build: from the Dockerfile with the base present and no layer cache (what a
  `runs.image: Dockerfile` action pays at every job, besides pulling the base), and again
  with the cache (a rebuild after a source change);
- loading the prebuilt image from its compressed archive (`podman load`: decompressing and
  storing, what a pull costs besides the network);
- container start and teardown (`--entrypoint true`), and the action on the seed app run
  the way the runner runs it (tests/container/runner.py), each a median of `repeat` runs;
- the entrypoint's own time inside the container, with the standard library compiled at
  build time (this image) and with its .pyc files removed (the official base as shipped).
"""

from __future__ import annotations

import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "container"))
from runner import LIMITS, PODMAN, Job, base_image, build_image  # noqa: E402

IMAGE = "localhost/heroku-req-check:bench"
SEED = ROOT / "tests" / "fixtures" / "trees" / "seed"
# the entrypoint timed inside the container by the container's own Python
INSIDE = (
    "import os, subprocess, sys, time\n"
    "times = []\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    start = time.perf_counter()\n"
    "    subprocess.run([sys.executable, '/action/entrypoint.py'], stdout=subprocess.DEVNULL)\n"
    "    times.append(time.perf_counter() - start)\n"
    "print(' '.join(f'{t:.4f}' for t in times))\n"
)
DROP_STDLIB_PYC = (
    "import pathlib, shutil, sysconfig\n"
    "for d in pathlib.Path(sysconfig.get_path('stdlib')).rglob('__pycache__'):\n"
    "    if 'site-packages' not in d.parts: shutil.rmtree(d)\n"
)


def timed(command: list[str], allowed: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in allowed:
        raise SystemExit(f"exit {done.returncode}: {' '.join(command)}\n{done.stderr}")
    return elapsed


def size(image: str) -> int:
    out = subprocess.run([*PODMAN, "image", "inspect", "--format", "{{.Size}}", image],
                         check=True, capture_output=True, text=True)  # fmt: skip
    return int(out.stdout.strip())


def inside(image: str, repeat: int, drop_stdlib_pyc: bool) -> list[float]:
    """The entrypoint on the seed app, timed inside one container."""
    script = (DROP_STDLIB_PYC if drop_stdlib_pyc else "") + INSIDE
    command = [*PODMAN, "run", "--rm", *LIMITS, "--entrypoint", "python", "-v",
               f"{SEED}:/github/workspace:ro", "-w", "/tmp",
               "-e", "GITHUB_WORKSPACE=/github/workspace",
               "-e", "INPUT_PLATFORM=heroku@v42", "-e", "INPUT_REPORT=/tmp/r.json",
               "-e", "INPUT_SARIF=/tmp/r.sarif", "-e", "RUNNER_TEMP=/tmp",
               image, "-c", script, str(repeat)]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return [float(t) for t in out.stdout.split()]


def measure(repeat: int = 5) -> list[str]:
    base = base_image()
    subprocess.run([*PODMAN, "rmi", "-f", IMAGE], capture_output=True)
    cold = build_image(base, IMAGE, no_cache=True)
    warm = build_image(base, IMAGE)
    total, base_size = size(IMAGE), size(base)
    with tempfile.TemporaryDirectory(prefix="hrc-cold-") as tmp:
        archive = Path(tmp) / "image.tar"
        subprocess.run([*PODMAN, "save", "-q", "-o", str(archive), IMAGE], check=True)
        packed = Path(tmp) / "image.tar.gz"
        with archive.open("rb") as raw, gzip.open(packed, "wb", compresslevel=6) as out:
            shutil.copyfileobj(raw, out)
        compressed = packed.stat().st_size
        archive.unlink()
        base_packed = Path(tmp) / "base.tar.gz"
        subprocess.run([*PODMAN, "save", "-q", "-o", str(archive), base], check=True)
        with archive.open("rb") as raw, gzip.open(base_packed, "wb", compresslevel=6) as out:
            shutil.copyfileobj(raw, out)
        base_compressed = base_packed.stat().st_size
        archive.unlink()
        # a prebuilt image on a fresh runner: every layer unpacked into an empty store
        start = time.perf_counter()
        with gzip.open(packed, "rb") as raw, archive.open("wb") as out:
            shutil.copyfileobj(raw, out)
        store = ["--root", f"{tmp}/store", "--runroot", f"{tmp}/run"]
        subprocess.run([*PODMAN, *store, "load", "-q", "-i", str(archive)], check=True,
                       capture_output=True)  # fmt: skip
        load = time.perf_counter() - start
        subprocess.run(["rm", "-rf", f"{tmp}/store", f"{tmp}/run"], check=False)
        starts = [timed([*PODMAN, "run", "--rm", *LIMITS, "--entrypoint", "true", IMAGE])
                  for _ in range(repeat)]  # fmt: skip
        runs = []
        for index in range(repeat):
            job = Job(Path(tmp) / f"job{index}", image=IMAGE)
            shutil.copytree(SEED, job.workspace, dirs_exist_ok=True)
            command, _files = job.command({"platform": "heroku@v42"})
            at = command.index("--network")  # the runner's default network, not the host's
            del command[at : at + 2]
            runs.append(timed(command, allowed=(1,)))  # 1: the seed app's finding
    compiled = inside(IMAGE, repeat, drop_stdlib_pyc=False)
    uncompiled = inside(IMAGE, repeat, drop_stdlib_pyc=True)
    med = statistics.median
    mb = 1e6
    return [
        f"Base: {base} ({base_size / mb:.0f} MB)",
        "",
        "| what | value |",
        "|---|---|",
        f"| image size on disk | {total / mb:.0f} MB (the action's layers: "
        f"{(total - base_size) / mb:.1f} MB) |",
        f"| image compressed (what a prebuilt image is pulled as) | {compressed / mb:.0f} MB "
        f"(the action's layers: {(compressed - base_compressed) / mb:.1f} MB) |",
        f"| build, base present, no layer cache | {cold.seconds:.1f} s |",
        f"| rebuild with the layer cache | {warm.seconds:.1f} s |",
        f"| unpack and load the prebuilt image into an empty store | {load:.1f} s |",
        f"| container start and teardown (`--entrypoint true`), median of {repeat} | "
        f"{med(starts):.2f} s |",
        f"| the action on the seed app as the runner runs it, median of {repeat} | "
        f"{med(runs):.2f} s |",
        f"| entrypoint inside the container, stdlib compiled at build, median of {repeat} | "
        f"{med(compiled):.3f} s |",
        f"| entrypoint inside the container, stdlib .pyc removed, median of {repeat} | "
        f"{med(uncompiled):.3f} s |",
        "",
    ]


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root (podman and the runner's uid-1001 folders)")
    print("\n".join(measure()))
