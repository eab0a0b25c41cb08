"""Deterministic synthetic requirements trees for the benchmark and the differential tests.

`generate(dest, files=N, seed=S)` writes a monorepo-shaped tree whose every file is reachable
from the root `requirements.txt`: root -> group files -> service files -> nested layers, a few
levels deep. Lines are what real projects hold: pins, ranges, extras, markers, hashes on
continuation lines, comments (some naming catalog packages), blank lines, constraints files,
and a handful of catalog packages (pylibmc, cffi, GDAL, Django) declared only in nested files.
The same (files, seed) always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

NAMES = (
    "requests",
    "urllib3",
    "certifi",
    "idna",
    "charset-normalizer",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "pytz",
    "attrs",
    "click",
    "jinja2",
    "markupsafe",
    "itsdangerous",
    "werkzeug",
    "flask",
    "sqlalchemy",
    "alembic",
    "psycopg2-binary",
    "redis",
    "celery",
    "kombu",
    "vine",
    "billiard",
    "amqp",
    "pydantic",
    "typing-extensions",
    "numpy",
    "pandas",
    "scipy",
    "pyyaml",
    "cryptography",
    "pyjwt",
    "gunicorn",
    "uvicorn",
    "starlette",
    "fastapi",
    "httpx",
    "anyio",
    "sniffio",
    "h11",
    "packaging",
    "pluggy",
    "iniconfig",
    "pytest",
    "coverage",
    "Pillow",
    "lxml",
    "beautifulsoup4",
    "soupsieve",
    "simplejson",
    "ujson",
    "orjson",
    "marshmallow",
    "structlog",
    "sentry-sdk",
    "newrelic",
    "zope.interface",
    "python_dotenv",
    "Markdown",
    "docutils",
)
CATALOG = ("pylibmc", "cffi", "GDAL", "Django")
MARKERS = (
    'python_version < "3.12"',
    "sys_platform == 'linux'",
    'platform_machine != "arm64"',
    'python_version >= "3.8" and os_name == "posix"',
)


@dataclass(frozen=True)
class Generated:
    root: Path
    files: int
    lines: int
    bytes: int
    catalog_nested: tuple[tuple[str, str], ...]  # (file, package) declared only below the root


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"


def _line(rng: random.Random, name: str) -> list[str]:
    """One requirement as one or more physical lines."""
    kind = rng.random()
    if kind < 0.40:
        return [f"{name}=={_version(rng)}"]
    if kind < 0.55:
        return [f"{name}>={_version(rng)},<{rng.randint(10, 30)}"]
    if kind < 0.65:
        return [f"{name}[{rng.choice(('security', 'socks', 'all'))}]=={_version(rng)}"]
    if kind < 0.78:
        return [f"{name}=={_version(rng)} ; {rng.choice(MARKERS)}"]
    if kind < 0.90:
        digest = hashlib.sha256(f"{name}{rng.random()}".encode()).hexdigest()
        other = hashlib.sha256(digest.encode()).hexdigest()
        return [
            f"{name}=={_version(rng)} \\",
            f"    --hash=sha256:{digest} \\",
            f"    --hash=sha256:{other}",
        ]
    if kind < 0.95:
        return [f"{name}~={rng.randint(1, 9)}.{rng.randint(0, 9)}  # pinned for the API"]
    return [name]


def generate(dest: Path, files: int = 1000, seed: int = 1, lines_per_file: int = 14) -> Generated:
    """Write a tree of `files` requirements files under `dest` (which must not exist)."""
    rng = random.Random(seed)
    dest.mkdir(parents=True)
    written: dict[str, list[str]] = {}
    catalog_nested: list[tuple[str, str]] = []

    # layout: root -> groups/gNN.txt -> services/sNNNN/requirements.txt -> layer files
    remaining = max(files - 1, 0)
    groups = max(1, min(20, remaining // 50))
    remaining -= groups
    per_service = 4  # the service file and 3 nested layers
    services = max(1, remaining // per_service) if remaining else 0
    extra = remaining - services * per_service if remaining else 0

    def body(path: str, include_lines: list[str]) -> list[str]:
        out = [f"# {path}: generated, seed {seed}", ""]
        out += include_lines
        count = rng.randint(max(1, lines_per_file // 2), lines_per_file * 3 // 2)
        for name in rng.sample(NAMES, min(count, len(NAMES))):
            if rng.random() < 0.08:
                out.append(f"# {name}: keep in step with the platform image")
            out += _line(rng, name)
            if rng.random() < 0.05:
                out.append("")
        return out

    group_paths = [f"requirements/groups/g{g:02d}.txt" for g in range(groups)]
    service_dirs = [f"services/s{s:04d}" for s in range(services)]
    root_lines = ["# generated monorepo root", "-c requirements/constraints.txt"]
    root_lines += [f"-r {p}" for p in group_paths]
    root_lines += ["gunicorn==23.0.0"]
    written["requirements.txt"] = root_lines
    written["requirements/constraints.txt"] = [f"{n}<100" for n in NAMES[:10]]
    by_group: dict[int, list[str]] = {g: [] for g in range(groups)}
    for index, service in enumerate(service_dirs):
        by_group[index % groups].append(service)
    for g, path in enumerate(group_paths):
        includes = [f"-r ../../{s}/requirements.txt" for s in by_group[g]]
        written[path] = [f"# group {g}", *includes]
    catalog_every = max(1, services // 6)
    for index, service in enumerate(service_dirs):
        layers = [f"{service}/requirements/{n}.txt" for n in ("prod", "common", "base")]
        written[f"{service}/requirements.txt"] = body(
            f"{service}/requirements.txt", ["-r requirements/prod.txt"]
        )
        for depth, layer in enumerate(layers):
            nxt = (
                [f"-r {Path(layers[depth + 1]).name}"]
                if depth + 1 < len(layers)
                else ["-c ../../../requirements/constraints.txt"]
            )
            lines = body(layer, nxt)
            if depth == 2 and index % catalog_every == 0:
                package = CATALOG[(index // catalog_every) % len(CATALOG)]
                lines.append(f"{package}=={_version(rng)}")
                catalog_nested.append((layer, package))
            written[layer] = lines
    # pad to the exact count with leaf files hung under the first service's base layer
    pad_parent = f"{service_dirs[0]}/requirements/base.txt" if service_dirs else "requirements.txt"
    for e in range(max(0, files - len(written))):
        leaf = f"{service_dirs[0] if service_dirs else 'extra'}/requirements/extra/e{e:04d}.txt"
        rel = Path(leaf).relative_to(Path(pad_parent).parent).as_posix()
        written[pad_parent].append(f"-r {rel}")
        written[leaf] = body(leaf, [])
    del extra

    total_lines = total_bytes = 0
    for rel, lines in written.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        target.write_bytes(data)
        total_lines += len(lines)
        total_bytes += len(data)
    return Generated(dest, len(written), total_lines, total_bytes, tuple(catalog_nested))


def generate_seed_app(dest: Path) -> Generated:
    """The README's example shape: root includes a nested file that declares pylibmc."""
    (dest / "requirements").mkdir(parents=True)
    root = "-r requirements/production.txt\n"
    nested = "Django==4.2.16\npsycopg2-binary==2.9.10\npylibmc==1.6.3\ngunicorn==23.0.0\n"
    (dest / "requirements.txt").write_text(root)
    (dest / "requirements/production.txt").write_text(nested)
    return Generated(
        dest,
        2,
        5,
        len(root) + len(nested),
        (("requirements/production.txt", "Django"), ("requirements/production.txt", "pylibmc")),
    )


# Dockerfile shapes for generate_docker: (template, does pip miss requirements/base.txt, does
# it miss constraints.txt)
_DOCKERFILES = (
    # the root file copied alone before pip (fly.io's and many hand-written Dockerfiles)
    ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
     "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n", True, True),
    # the whole context first
    ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
     "RUN pip install --no-cache-dir -r requirements.txt\n", False, False),
    # docker init's bind mount of the root file alone
    ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS base\nWORKDIR /app\n"
     "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
     "    --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n"
     "    python -m pip install -r requirements.txt\nCOPY . .\n", True, True),
    # the directory copied too (not constraints.txt), wheels built in the same RUN, two stages
    ("FROM python:3.12-slim AS build\nWORKDIR /src\nCOPY requirements.txt ./\n"
     "COPY requirements/ requirements/\nRUN pip wheel -r requirements.txt -w /wheels && \\\n"
     "    pip install --no-index --find-links /wheels -r requirements.txt\n"
     "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\n", False, True),
)  # fmt: skip


def generate_docker(dest: Path, dockerfiles: int = 1000, seed: int = 1) -> Generated:
    """A repository of `dockerfiles` services, each `services/sNNNN/` with its Dockerfile, a
    requirements.txt that includes `requirements/base.txt` (and half the time
    `-c constraints.txt`), and those files. Which Dockerfile shape each service gets is seeded;
    `catalog_nested` lists (Dockerfile, include) pairs pip will miss."""
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    files, lines, size = 1, 1, 13
    missed: list[tuple[str, str]] = []
    for index in range(dockerfiles):
        service = f"services/s{index:04d}"
        template, misses_base, misses_constraints = _DOCKERFILES[rng.randrange(len(_DOCKERFILES))]
        constrained = rng.random() < 0.5
        root = "-r requirements/base.txt\n" + ("-c constraints.txt\n" if constrained else "")
        written = {
            "Dockerfile": template,
            "requirements.txt": root,
            "requirements/base.txt": "".join(
                "\n".join(_line(rng, rng.choice(("six", "attrs", "idna", "click")))) + "\n"
                for _ in range(5)
            ),
            "app.py": "print('hello')\n",
        }
        if constrained:
            written["constraints.txt"] = "six<2\n"
        for name, text in written.items():
            path = dest / service / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files += 1
            lines += text.count("\n")
            size += len(text.encode())
        if misses_base:
            missed.append((f"{service}/Dockerfile", "requirements/base.txt"))
        if misses_constraints and constrained:
            missed.append((f"{service}/Dockerfile", "constraints.txt"))
    return Generated(dest, files, lines, size, tuple(sorted(missed)))
