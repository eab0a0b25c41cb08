"""Fixes converge (issue 12 fault 8), over the whole catalog: on generated trees, applying
every fix and checking again leaves no finding of the same rule and package, no finding on a
line a fix added, no new problem (the tree still parses as pip reads it), and a second --fix
changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heroku_req_check.scan import apply_fixes, scan

SPELLINGS = [
    "pylibmc==1.6.3",
    "PyLibMC==1.6.3",
    "cffi==1.15.0",
    "cryptography==2.1",
    "GDAL==2.4.0",
    "gdal==2.4.0",
    "pygdal",
    "Django==4.2",
    "django==1.7.11",
    "psycopg2==2.9.10",
    "psycopg[binary]==3.2.3",
    "psycopg==3.2",
    "pycairo==1.26",
    "pdf2image",
    "pydub==0.25",
    "Flask==3.0",
    "gunicorn==23.0",
    "fastapi",
    "uvicorn",
    "requests[security]==2.7.0",
    "bcrypt==4.0",
    "-e hg+https://hg.example.invalid/x#egg=x",
    "mysqlclient==2.2",
    "playwright",
    "six==1.16.0",
]
PLATFORMS = [
    ["heroku@v6"],
    ["heroku@v24"],
    ["heroku@v42"],
    ["heroku@v61"],
    ["heroku@v90"],
    ["heroku@v150"],
    ["cloudfoundry"],
    ["nixpacks"],
    ["railpack"],
    ["heroku@v42", "nixpacks", "railpack", "cloudfoundry"],
    ["zeabur"],
    ["flyio"],
    ["serverless"],
    ["heroku@v42", "zeabur", "flyio", "serverless", "railpack"],
]
APP_FILES = {
    "manage.py": "",
    "main.py": "",
    "app/settings.py": 'WSGI_APPLICATION = "app.wsgi.application"\n',
    "app/wsgi.py": "application = None\n",
    "Procfile": "web: gunicorn app.wsgi\n",
}
INCLUDES = ["-r", "--requirement", "-c"]


# the builders of issue 15, drawn on their own too (among all of PLATFORMS they get few cases),
# with the packages their rules are about
BUILDERS = [p for p in PLATFORMS if {"zeabur", "flyio", "serverless"} & set(p)]
BUILDER_SPELLINGS = [
    "Django==5.1",
    "django==4.2",
    "gunicorn==23.0",
    "psycopg2==2.9.10",
    "psycopg[binary]==3.2.3",
    "mysqlclient==2.2",
    "playwright",
    "pyzbar",
    "Flask==3.0",
    "fastapi",
    "reflex",
    "six==1.16.0",
]


@st.composite
def trees(
    draw: st.DrawFn, platforms: list[list[str]] = PLATFORMS, spellings: list[str] = SPELLINGS
) -> tuple[dict[str, str], list[str]]:
    nested = draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=4, unique=True))
    in_root = draw(st.lists(st.sampled_from(spellings), max_size=2, unique=True))
    include = draw(st.sampled_from(INCLUDES))
    two_levels = draw(st.booleans())
    files = {
        "requirements.txt": f"{include} requirements/prod.txt\n"
        + "".join(f"{line}\n" for line in in_root)
    }
    if two_levels:
        files["requirements/prod.txt"] = "-r base.txt\n"
        files["requirements/base.txt"] = "".join(f"{line}\n" for line in nested)
    else:
        files["requirements/prod.txt"] = "".join(f"{line}\n" for line in nested)
    for name in draw(st.lists(st.sampled_from(sorted(APP_FILES)), unique=True)):
        files[name] = APP_FILES[name]
    return files, draw(st.sampled_from(platforms))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(case=trees())
def test_fixes_converge(tmp_path: Path, case: tuple[dict[str, str], list[str]]) -> None:
    converges(tmp_path, case)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(case=trees(BUILDERS, BUILDER_SPELLINGS))
def test_builder_fixes_converge(tmp_path: Path, case: tuple[dict[str, str], list[str]]) -> None:
    converges(tmp_path, case)


def converges(tmp_path: Path, case: tuple[dict[str, str], list[str]]) -> None:
    files, platforms = case
    app = tmp_path / "app"
    shutil.rmtree(app, ignore_errors=True)
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    before = scan(app, platforms=platforms)
    fixed = {(f.rule, f.package) for f in before.findings if f.fix is not None}
    before_root = (app / "requirements.txt").read_text().splitlines()
    apply_fixes(app, before)
    after = scan(app, platforms=platforms)
    left = {(f.rule, f.package) for f in after.findings}
    assert not fixed & left, (files, platforms, fixed & left)
    added = len((app / "requirements.txt").read_text().splitlines()) - len(before_root)
    new_lines = set(range(len(before_root) + 1, len(before_root) + added + 1))
    on_added = [f for f in after.findings if f.file == "requirements.txt" and f.line in new_lines]
    assert not on_added, (files, platforms, [(f.rule, f.message) for f in on_added])
    assert {p.message for p in after.problems} <= {p.message for p in before.problems}
    snapshot = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    apply_fixes(app, after)
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == snapshot
