"""The Dockerfile model: what is in the image, as the Dockerfile reference's own examples say
(moby/buildkit frontend/dockerfile/docs/reference.md, COPY/ADD/WORKDIR/RUN --mount), and what a
RUN's pip install opens (pip 26.2.1's path rules). Each row is a small repository on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check.platforms import docker
from heroku_req_check.scan import docker_repository


def write(root: Path, files: dict[str, str]) -> docker.Repository:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return docker_repository(root)


CTX = {
    "test.txt": "t\n",
    "file1.txt": "1\n",
    "file2.txt": "2\n",
    "a.png": "",
    "b.png": "",
    "c.txt": "",
    "index.js": "",
    "index.ts": "",
    "arr[0].txt": "",
    "something/x.txt": "",
    "x/a.txt": "",
    "y/a.txt": "",
    "x/y/a.txt": "",
    "x/y/b.txt": "",
}

# (Dockerfile body after FROM, image path, expected)
REFERENCE = [
    # COPY, Destination: "COPY test.txt /abs/ creates /abs/test.txt"
    ("FROM scratch\nCOPY test.txt /abs/\n", "/abs/test.txt", "file test.txt"),
    # "Trailing slashes are significant ... COPY test.txt /abs creates a file at /abs"
    ("FROM scratch\nCOPY test.txt /abs\n", "/abs", "file test.txt"),
    ("FROM scratch\nCOPY test.txt /abs\n", "/abs/test.txt", "absent"),
    # on a pulled base /abs may already be a directory: either place counts as there
    ("FROM python:3.12\nCOPY test.txt /abs\n", "/abs/test.txt", "file test.txt"),
    ("FROM python:3.12\nCOPY test.txt /abs\n", "/abs", "file test.txt"),
    # "WORKDIR /usr/src/app / COPY test.txt rel/ creates /usr/src/app/rel/test.txt"
    (
        "FROM scratch\nWORKDIR /usr/src/app\nCOPY test.txt rel/\n",
        "/usr/src/app/rel/test.txt",
        "file test.txt",
    ),
    # "COPY file1.txt file2.txt /usr/src/things/"
    (
        "FROM scratch\nCOPY file1.txt file2.txt /usr/src/things/\n",
        "/usr/src/things/file2.txt",
        "file file2.txt",
    ),
    # Pattern matching: "COPY *.png /dest/", "COPY index.?s /dest/", "COPY arr[[]0].txt /dest/"
    ("FROM scratch\nCOPY *.png /dest/\n", "/dest/b.png", "file b.png"),
    ("FROM scratch\nCOPY *.png /dest/\n", "/dest/c.txt", "absent"),
    ("FROM scratch\nCOPY index.?s /dest/\n", "/dest/index.ts", "file index.ts"),
    ("FROM scratch\nCOPY arr[[]0].txt /dest/\n", "/dest/arr[0].txt", "file arr[0].txt"),
    # "COPY something/ /something is equivalent to COPY something /something"; "the
    # directory itself isn't copied, only its contents"
    ("FROM scratch\nCOPY something/ /something\n", "/something/x.txt", "file something/x.txt"),
    ("FROM scratch\nCOPY something /something\n", "/something/x.txt", "file something/x.txt"),
    ("FROM scratch\nCOPY something /something\n", "/something/something/x.txt", "absent"),
    # "COPY ../something /something automatically removes any parent directory navigation"
    (
        "FROM scratch\nCOPY ../something /something\n",
        "/something/x.txt",
        "file something/x.txt",
    ),
    ("FROM scratch\nCOPY /test.txt /t/\n", "/t/test.txt", "file test.txt"),
    # COPY --parents: "/no_parents/a.txt", "/parents/x/a.txt", "/parents/y/a.txt"
    (
        "FROM scratch\nCOPY ./x/a.txt ./y/a.txt /no_parents/\n",
        "/no_parents/a.txt",
        "file y/a.txt",
    ),
    (
        "FROM scratch\nCOPY --parents ./x/a.txt ./y/a.txt /parents/\n",
        "/parents/x/a.txt",
        "file x/a.txt",
    ),
    (
        "FROM scratch\nCOPY --parents ./x/a.txt ./y/a.txt /parents/\n",
        "/parents/y/a.txt",
        "file y/a.txt",
    ),
    # "COPY --parents ./x/./y/*.txt /parents/" -> /parents/y/a.txt, /parents/y/b.txt
    (
        "FROM scratch\nCOPY --parents ./x/./y/*.txt /parents/\n",
        "/parents/y/b.txt",
        "file x/y/b.txt",
    ),
    ("FROM scratch\nCOPY --parents ./x/./y/*.txt /parents/\n", "/parents/x/y/b.txt", "absent"),
    # flags are tolerated
    (
        "FROM scratch\nCOPY --chown=1:1 --chmod=644 --link test.txt /t/\n",
        "/t/test.txt",
        "file test.txt",
    ),
    # WORKDIR: "WORKDIR /a / WORKDIR b / WORKDIR c" -> pwd is /a/b/c; relative COPY follows it
    (
        "FROM scratch\nWORKDIR /a\nWORKDIR b\nWORKDIR c\nCOPY test.txt ./\n",
        "/a/b/c/test.txt",
        "file test.txt",
    ),
    ("FROM scratch\nWORKDIR /a\nWORKDIR b\n", "/a/b", "dir"),
    # "WORKDIR can resolve environment variables previously set using ENV"
    (
        "FROM scratch\nENV DIRPATH=/path\nENV DIRNAME=app\nWORKDIR $DIRPATH/$DIRNAME\n"
        "COPY test.txt .\n",
        "/path/app/test.txt",
        "file test.txt",
    ),
    # ARG: a default is the value; without one (or from the base image) the value is unknown
    ("FROM scratch\nARG D=/opt/x\nCOPY test.txt ${D}/\n", "/opt/x/test.txt", "file test.txt"),
    ("FROM python:3.12\nARG D\nCOPY test.txt ${D}/\n", "/opt/x/test.txt", "unknown"),
    ("ARG BASE=scratch\nFROM ${BASE}\nCOPY test.txt /t/\n", "/t/test.txt", "file test.txt"),
    # stages: FROM <stage> inherits files, COPY --from=<stage> copies them
    ("FROM scratch AS base\nCOPY test.txt /t/\nFROM base\n", "/t/test.txt", "file test.txt"),
    (
        "FROM scratch AS build\nCOPY test.txt /t/\nFROM scratch\nCOPY --from=build /t /u\n",
        "/u/test.txt",
        "file test.txt",
    ),
    (
        "FROM scratch AS build\nCOPY test.txt /t/\nFROM scratch\nCOPY --from=0 /t/test.txt /u/\n",
        "/u/test.txt",
        "file test.txt",
    ),
    ("FROM scratch\nCOPY --from=python:3.12 /usr/lib /usr/lib\n", "/usr/lib/x", "unknown"),
    # ADD: a local archive is extracted (contents unknown), a URL is fetched (never here)
    ("FROM scratch\nADD https://example.com/r.txt /r/\n", "/r/r.txt", "unknown"),
    ("FROM scratch\nADD test.txt /t/\n", "/t/test.txt", "file test.txt"),
    # here-documents create files whose content is not a context file
    ("FROM scratch\nCOPY <<EOF /h/r.txt\nsix\nEOF\n", "/h/r.txt", "unknown"),
    # a RUN that names a file may create it: taken as there
    ("FROM scratch\nRUN touch /made/test.txt\n", "/made/test.txt", "made"),
    ("FROM scratch\nRUN touch /made/other.txt\n", "/made/test.txt", "absent"),
]


@pytest.mark.parametrize(("dockerfile", "path", "expected"), REFERENCE)
def test_reference_examples(tmp_path: Path, dockerfile: str, path: str, expected: str) -> None:
    repo = write(tmp_path, {**CTX, "Dockerfile": dockerfile})
    assert docker.probe(repo, "Dockerfile", path) == expected


def test_dockerignore_and_per_dockerfile_ignore(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "requirements/base.txt": "six\n",
            "requirements/dev.txt": "pytest\n",
            ".dockerignore": "requirements/dev.txt\n",
            "Dockerfile": "FROM scratch\nCOPY . /app/\n",
            "web.Dockerfile": "FROM scratch\nCOPY . /app/\n",
            "web.Dockerfile.dockerignore": "requirements\n",
        },
    )
    assert docker.probe(repo, "Dockerfile", "/app/requirements/base.txt") == (
        "file requirements/base.txt"
    )
    assert docker.probe(repo, "Dockerfile", "/app/requirements/dev.txt") == "absent"
    # <name>.dockerignore beside the Dockerfile replaces the context's .dockerignore
    assert docker.probe(repo, "web.Dockerfile", "/app/requirements/base.txt") == "absent"
    assert docker.probe(repo, "web.Dockerfile", "/app/requirements/dev.txt") == "absent"


def test_context_is_the_nearest_directory_holding_every_copy_source(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "requirements.txt": "six\n",
            "docker/Dockerfile": "FROM scratch\nCOPY requirements.txt /app/\n",
            "svc/Dockerfile": "FROM scratch\nCOPY main.py /app/\n",
            "svc/main.py": "",
        },
    )
    assert docker.probe(repo, "docker/Dockerfile", "/app/requirements.txt") == (
        "file requirements.txt"
    )
    assert docker.probe(repo, "svc/Dockerfile", "/app/main.py") == "file svc/main.py"


def findings(tmp_path: Path, files: dict[str, str]) -> docker.Result:
    return docker.findings(write(tmp_path, files))


REQS = {
    "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n",
    "requirements/base.txt": "six\n",
    "constraints.txt": "six<2\n",
}

# (Dockerfile, the includes reported missing, as written)
RUNS = [
    # copied alone before pip: both includes missing
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    # the whole context first: nothing missing
    ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", []),
    # fly.io's Django template: the root file moved to /tmp, its includes resolve under /tmp
    (
        "FROM python:3.12\nCOPY requirements.txt /tmp/requirements.txt\n"
        "RUN pip install -r /tmp/requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        "FROM python:3.12\nCOPY requirements.txt requirements/ /tmp/\n"
        "RUN pip install -r /tmp/requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    # `cd`, `&&`, continuations, python -m pip, pip3, JSON form, --requirement=, sh -c
    (
        "FROM python:3.12\nCOPY requirements.txt /src/\nRUN apt-get update && \\\n  cd /src && \\\n"
        "  python -m pip install --requirement=requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN ["pip3", "install", "-r", '
        '"requirements.txt"]\n',
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN ["/bin/sh", "-c", '
        '"pip install -r requirements.txt"]\n',
        ["constraints.txt", "requirements/base.txt"],
    ),
    # a here-document script, and a comment inside a continuation
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN <<EOF\nset -e\n"
        "pip install -r requirements.txt\nEOF\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nCOPY requirements requirements\n"
        "RUN pip install \\\n# why\n  -r requirements.txt\n",
        ["constraints.txt"],
    ),
    # uv
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN uv pip install --system -r requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN uv pip sync requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    # docker init's bind mount: only requirements.txt is mounted
    (
        "FROM python:3.12\nWORKDIR /app\nRUN --mount=type=bind,source=requirements.txt,"
        "target=requirements.txt python -m pip install -r requirements.txt\n",
        ["constraints.txt", "requirements/base.txt"],
    ),
    (
        "FROM python:3.12\nWORKDIR /app\n"
        "RUN --mount=type=bind,target=. pip install -r requirements.txt\n",
        [],
    ),
    # the root file itself not copied
    ("FROM python:3.12\nWORKDIR /app\nRUN pip install -r requirements.txt\n", ["requirements.txt"]),
    # an unknown value: nothing reported (a problem says so instead)
    (
        "FROM python:3.12\nARG REQS\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r $REQS\n",
        [],
    ),
    # a RUN that does not install
    ("FROM python:3.12\nRUN pip install --upgrade pip\n", []),
]


@pytest.mark.parametrize(("dockerfile", "missing"), RUNS)
def test_install_runs(tmp_path: Path, dockerfile: str, missing: list[str]) -> None:
    result = findings(tmp_path, {**REQS, "Dockerfile": dockerfile})
    assert sorted(f.package for f in result.findings) == missing
    assert all(f.file == "Dockerfile" and f.rule == docker.RULE_INCLUDE for f in result.findings)
    run_line = dockerfile.count("\n", 0, dockerfile.index("RUN")) + 1 if missing else 0
    assert all(f.line == run_line for f in result.findings)


def test_escape_directive_and_crlf(tmp_path: Path) -> None:
    dockerfile = (
        "# escape=`\r\nFROM python:3.12\r\nWORKDIR /app\r\nCOPY requirements.txt .\r\n"
        "RUN pip install `\r\n  -r requirements.txt\r\n"
    )
    result = findings(tmp_path, {**REQS, "Dockerfile": dockerfile})
    assert sorted(f.package for f in result.findings) == [
        "constraints.txt",
        "requirements/base.txt",
    ]
    assert {f.line for f in result.findings} == {5}


def test_local_project_and_find_links(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-e .\n--find-links wheels\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n",
        "setup.cfg": "[metadata]\n",
        "wheels/app-1.0-py3-none-any.whl": "",
        "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-index -r requirements.txt\n",
    }
    result = findings(tmp_path, files)
    by_package = {f.package: f for f in result.findings}
    assert set(by_package) == {".", "wheels"}
    assert all(f.rule == docker.RULE_LOCAL for f in result.findings)
    assert by_package["wheels"].severity == "error"  # --no-index: nothing else provides them
    assert by_package["."].fix is not None and by_package["."].fix.text == "COPY . ."
    # with the project copied, its setup.cfg must come along too
    files["Dockerfile"] = (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt pyproject.toml ./\n"
        "COPY wheels wheels\nRUN pip install --no-index -r requirements.txt\n"
    )
    result = findings(tmp_path, files)
    assert [(f.package, f.message.count("setup.cfg") > 0) for f in result.findings] == [(".", True)]


def test_compose_names_context_dockerfile_and_args(tmp_path: Path) -> None:
    files = {
        **REQS,
        "compose.yaml": "services:\n  web:\n    build:\n      context: .\n"
        "      dockerfile: docker/web.Dockerfile\n      args:\n        REQ_DIR: /srv\n",
        "docker/web.Dockerfile": "FROM python:3.12\nARG REQ_DIR=/nowhere\n"
        "COPY requirements.txt ${REQ_DIR}/\nRUN pip install -r ${REQ_DIR}/requirements.txt\n",
    }
    result = findings(tmp_path, files)
    assert sorted(f.package for f in result.findings) == [
        "constraints.txt",
        "requirements/base.txt",
    ]
    fixes = sorted(f.fix.text for f in result.findings if f.fix)
    assert fixes == ["COPY constraints.txt /srv/", "COPY requirements/ /srv/requirements/"]
    assert "service web in compose.yaml" in result.findings[0].message


def test_ignored_include_gets_no_copy_fix(tmp_path: Path) -> None:
    files = {
        **REQS,
        ".dockerignore": "# keep the image small\nrequirements/\n",
        "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install -r requirements.txt\n",
    }
    result = findings(tmp_path, files)
    [finding] = result.findings
    assert finding.package == "requirements/base.txt" and finding.fix is None
    assert ".dockerignore (line 2: `requirements`) leaves" in finding.message


def test_bad_input_is_a_problem_and_the_scan_goes_on(tmp_path: Path) -> None:
    files = {
        **REQS,
        "Dockerfile": "FROM python:3.12\nRUN <<EOF\npip install -r requirements.txt\n",
        "ok/Dockerfile": "FROM python:3.12\nCOPY requirements.txt /a/\n"
        "RUN pip install -r /a/requirements.txt\n",
        "ok/requirements.txt": "-r more.txt\n",
        "ok/more.txt": "six\n",
        "compose.yml": "services: [\n",
        "lost/Dockerfile": "FROM python:3.12\nCOPY nowhere.txt /x/\n",
    }
    result = findings(tmp_path, files)
    problems = {(p.file, p.message.split(":")[0]) for p in result.problems}
    assert ("Dockerfile", "BuildKit cannot parse it (unterminated heredoc)") in problems
    assert any(p.file == "compose.yml" and "not valid YAML" in p.message for p in result.problems)
    assert any(
        p.file == "lost/Dockerfile" and "context is not known" in p.message for p in result.problems
    )
    assert [f.package for f in result.findings] == ["more.txt"]
