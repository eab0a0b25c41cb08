"""What a RUN may have written before pip runs (platforms/dockerwrites.py), and pathname
expansion of pip's arguments as `sh` does it. A path that an earlier command of the same RUN,
or an earlier RUN of the stage, may have created is never reported missing: the model says so
in a problem instead. Commands known to write no file, only the files they name, only under a
destination they are given, or only the distribution's directories do not hide a missing file
elsewhere. Each row is a small repository on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check.platforms import docker, dockershell, dockerwrites, pipcli
from heroku_req_check.scan import docker_repository

REQS = {
    "requirements.txt": "-r requirements/base.txt\n",
    "requirements/base.txt": "six\n",
    "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n",
    "wheels/app-1.0-py3-none-any.whl": "",
    "wheels/dep-2.0-py3-none-any.whl": "",
}


def run(root: Path, dockerfile: str, files: dict[str, str] | None = None) -> docker.Result:
    for name, text in {**REQS, **(files or {}), "Dockerfile": dockerfile}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return docker.findings(docker_repository(root))


# (Dockerfile, the paths reported missing as written, a fragment of each problem, in order)
ROWS = [
    # -- class C: the RUN builds what it installs --------------------------------------------
    # the evaluation's reproduction: `python -m build` writes dist/ in the same RUN
    (
        "FROM python:3.12\nWORKDIR /src\nCOPY . .\nRUN python -m pip install build && "
        "python -m build --sdist && pip install dist/app-*.tar.gz\n",
        [],
        [
            "a path matching /src/dist/app-*.tar.gz: nothing that COPY, ADD or a mount puts in the "
            "image matches it, but `python -m build --sdist` (line 4) runs before it"
        ],
    ),
    # Kiwi TCMS's shape (kiwitcms/Kiwi Dockerfile:26-37): a script builds dist/ in the same RUN
    (
        "FROM python:3.12 AS buildroot\nWORKDIR /Kiwi\nCOPY . /Kiwi/\n"
        "RUN python3 -m venv /venv && pip3 install --upgrade pip setuptools wheel && \\\n"
        "    pip3 install -r requirements.txt\n"
        "RUN pushd tcms/ && npm install --include=dev && popd\n"
        "RUN ./tests/check-build && \\\n    pip3 install --no-cache-dir dist/kiwitcms-*.tar.gz\n"
        "FROM scratch AS pkg-dist\nCOPY --from=buildroot /Kiwi/dist/ /\n",
        [],
        ["`./tests/check-build` (line 7) runs before it"],
    ),
    # a script named like nothing known, a literal archive name
    (
        "FROM python:3.12\nWORKDIR /src\nCOPY . .\n"
        "RUN ./build.sh && pip install dist/app-1.tar.gz\n",
        [],
        ["needs /src/dist/app-1.tar.gz: no COPY, ADD or mount puts it there, but `./build.sh`"],
    ),
    # an earlier RUN counts as well as the same one
    (
        "FROM python:3.12\nWORKDIR /src\nCOPY . .\nRUN make dist\nRUN pip install dist/*.whl\n",
        [],
        ["`make dist` (line 4) runs before it"],
    ),
    # and a stage the image is built on, or copies from
    (
        "FROM python:3.12 AS build\nWORKDIR /src\nCOPY . .\nRUN python -m build --wheel\n"
        "FROM python:3.12\nCOPY --from=build /src/dist /dist\nRUN pip install /dist/*.whl\n",
        [],
        ["`python -m build --wheel` (line 4) runs before it"],
    ),
    # pip-compile writes requirements.txt without naming it
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.in .\n"
        "RUN pip install pip-tools && pip-compile && pip install -r requirements.txt\n",
        [],
        ["`pip-compile` (line 4) runs before it"],
    ),
    # a redirection names the file it creates: taken as made, nothing to say
    (
        "FROM python:3.12\nWORKDIR /app\nRUN echo six > reqs.txt && pip install -r reqs.txt\n",
        [],
        [],
    ),
    ("FROM python:3.12\nWORKDIR /app\nRUN touch reqs.txt && pip install -r reqs.txt\n", [], []),
    # `pip wheel -w DIR` fills DIR: a pattern any wheel matches matches there (cookiecutter-django)
    (
        "FROM python:3.12 AS build\nCOPY requirements.txt /req/\n"
        "COPY requirements/ /req/requirements/\n"
        "RUN pip wheel --wheel-dir /usr/src/app/wheels -r /req/requirements.txt\n"
        "FROM python:3.12\nCOPY --from=build /usr/src/app/wheels /wheels/\n"
        "RUN pip install --no-index --find-links=/wheels/ /wheels/* && rm -rf /wheels/\n",
        [],
        [],
    ),
    # -- counter-cases: still findings ----------------------------------------------------------
    # the include of a file copied alone
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
        ["requirements/base.txt"],
        [],
    ),
    # package managers write the distribution's directories (FHS), not /app
    (
        "FROM python:3.12\nRUN apt-get update && apt-get install -y --no-install-recommends gcc "
        "libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN useradd -m app && mkdir -p /app\n"
        "WORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        ["requirements/base.txt"],
        [],
    ),
    # ... nor does the same RUN's apt-get, a venv elsewhere, activate, pip upgrading itself
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN apt-get update && "
        "apt-get install -y gcc && python -m venv /venv && . /venv/bin/activate && "
        "pip install -U pip && pip install -r requirements.txt\n",
        ["requirements/base.txt"],
        [],
    ),
    # mkdir makes directories only; cp writes under its destination only
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN mkdir -p /wheels && cp requirements.txt /tmp/ && pip install /wheels/app.whl "
        "-r requirements.txt\n",
        ["/wheels/app.whl", "requirements/base.txt"],
        [],
    ),
    # a subshell's `cd` ends with it: requirements.txt is read from /app
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN (cd /tmp && echo hi) && pip install -r requirements.txt\n",
        ["requirements/base.txt"],
        [],
    ),
    # the price of "may write anywhere": a script piped from the network may write /app too
    (
        "FROM python:3.12\nRUN curl -LsSf https://example.com/install.sh | sh\nWORKDIR /app\n"
        "COPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        [],
        ["`sh` (line 2) runs before it"],
    ),
    # the distribution's own directories may hold what a package installed
    (
        "FROM python:3.12\nRUN apt-get install -y python3-pip-whl\n"
        "RUN pip install /usr/share/python-wheels/pip-*.whl\n",
        [],
        ["`apt-get install -y python3-pip-whl` (line 2) runs before it"],
    ),
    # -- pathname expansion ---------------------------------------------------------------------
    # the shell expands the pattern when the RUN runs: every copied wheel matches
    ("FROM python:3.12\nCOPY wheels/ /wheels/\nRUN pip install /wheels/*.whl\n", [], []),
    ("FROM python:3.12\nWORKDIR /w\nCOPY wheels .\nRUN pip install ./app-?.0-*.whl\n", [], []),
    ("FROM python:3.12\nWORKDIR /w\nCOPY wheels .\nRUN pip install [ad]*.whl\n", [], []),
    # nothing matches and nothing may have made it: pip gets the pattern as written
    (
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install dist/*.whl\n",
        ["dist/*.whl"],
        [],
    ),
    # quoted, the pattern is not expanded: pip gets it as written
    (
        "FROM python:3.12\nCOPY wheels/ /wheels/\nRUN pip install '/wheels/*.whl'\n",
        ["/wheels/*.whl"],
        [],
    ),
    # exec form runs no shell, so no expansion either
    (
        'FROM python:3.12\nCOPY wheels/ /wheels/\nRUN ["pip", "install", "/wheels/*.whl"]\n',
        ["/wheels/*.whl"],
        [],
    ),
    # `*` does not match a leading dot
    (
        "FROM python:3.12\nWORKDIR /w\nCOPY .hidden.whl .\nRUN pip install *.whl\n",
        ["*.whl"],
        [],
    ),
    # an unquoted variable is split into fields and its pattern expanded
    (
        'FROM python:3.12\nWORKDIR /app\nENV REQS="-r requirements.txt /wheels/*.whl"\n'
        "COPY requirements.txt .\nCOPY wheels/ /wheels/\nRUN pip install $REQS\n",
        ["requirements/base.txt"],
        [],
    ),
    # extras in brackets: as a pattern `.[dev]` matches nothing, so pip gets `.[dev]`
    ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -e .[dev]\n", [], []),
]


@pytest.mark.parametrize(("dockerfile", "missing", "problems"), ROWS)
def test_what_a_run_may_have_written(
    tmp_path: Path, dockerfile: str, missing: list[str], problems: list[str]
) -> None:
    result = run(tmp_path, dockerfile, {".hidden.whl": "", "requirements.in": "six\n"})
    assert sorted(f.package for f in result.findings) == sorted(missing)
    messages = [p.message for p in result.problems]
    assert len(messages) == len(problems), messages
    for fragment, message in zip(problems, messages, strict=True):
        assert fragment in message
    assert all("not reported missing: not checked" in m for m in messages if "may create" in m)


def test_a_pattern_that_matches_nothing_says_so(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install dist/*.whl\n",
    )
    [finding] = result.findings
    assert (
        "No path in the image matches the pattern dist/*.whl at that point, so the shell "
        "passes it to pip as written" in finding.message
    )


def test_kiwi_shape_gets_no_finding_and_its_problem_names_the_script(tmp_path: Path) -> None:
    """kiwitcms/Kiwi dfcf7592 Dockerfile:36-37 (`./tests/check-build` runs `setup.py sdist`)."""
    dockerfile = ROWS[1][0]
    result = run(tmp_path, dockerfile)
    assert result.findings == []
    [problem] = result.problems
    assert (problem.file, problem.line) == ("Dockerfile", 7)
    assert problem.message.startswith(
        "`pip3 install --no-cache-dir dist/kiwitcms-*.tar.gz` needs a path matching "
        "/Kiwi/dist/kiwitcms-*.tar.gz"
    )


# -- the parts on their own ---------------------------------------------------------------------

SHELL = [
    # (command line, words, patterns, redirection targets, subshell depth of each command)
    ("pip install *.whl", [["pip", "install", "*.whl"]], [[None, None, "*.whl"]], [[]], [0]),
    ("pip install '*.whl'", [["pip", "install", "*.whl"]], [[None, None, None]], [[]], [0]),
    ("pip install \\*.whl", [["pip", "install", "*.whl"]], [[None, None, None]], [[]], [0]),
    ('pip install "a"*.whl', [["pip", "install", "a*.whl"]], [[None, None, "a*.whl"]], [[]], [0]),
    ('pip install "*"x?', [["pip", "install", "*x?"]], [[None, None, "\\*x?"]], [[]], [0]),
    ("echo six > r.txt 2>&1", [["echo", "six"]], [[None, None]], [["r.txt"]], [0]),
    ("cmd >>log 2>/dev/null <in", [["cmd"]], [[None]], [["log", "/dev/null"]], [0]),
    ("cmd >&2; cmd &> out", [["cmd"], ["cmd"]], [[None], [None]], [[], ["out"]], [0, 0]),
    ("(cd /x && make) && pip", [["cd", "/x"], ["make"], ["pip"]], [[None, None], [None], [None]],
     [[], [], []], [1, 1, 0]),
    ("pip install $R", [["pip", "install", "-r", "a.txt", "b*"]],
     [[None, None, None, None, "b*"]], [[]], [0]),
    ('pip install "$R"', [["pip", "install", "-r a.txt b*"]], [[None, None, None]], [[]], [0]),
    # a `case` pattern is no command; an assignment from a command substitution is no command
    ("case $A in x86_64) B=1 ;; aarch64) B=2 ;; esac", [["case", None, "in"], ["B=1"], ["B=2"],
     ["esac"]], [[None, None, None], [None], [None], [None]], [[], [], [], []], [0, 0, 0, 0]),
    ("then U=$(curl -s x) && sed -i s/a/b/ f", [["then", "U=<unknown>"], ["sed", "-i", "s/a/b/",
     "f"]], [[None, None], [None, None, None, None]], [[], []], [0, 0]),
]  # fmt: skip


@pytest.mark.parametrize(("line", "words", "patterns", "writes", "depths"), SHELL)
def test_shell_words_patterns_redirections(
    line: str,
    words: list[list[str]],
    patterns: list[list[str | None]],
    writes: list[list[str]],
    depths: list[int],
) -> None:
    simples = dockershell.commands(line, {"R": "-r a.txt b*"})
    assert [list(s.words) for s in simples] == words
    assert [list(s.patterns) for s in simples] == patterns
    assert [list(s.writes) for s in simples] == writes
    assert [s.depth for s in simples] == depths


def _reach(line: str, cwd: str = "/app") -> list[tuple[str, str]]:
    reach: list[tuple[str, str]] = []
    for simple in dockershell.commands(line, {}):
        found = dockerwrites.effects(simple.words, simple.writes, cwd, line)
        reach += [(r.kind, r.prefix) for r in found.reach]
    return reach


CLASSES = [
    # writes no file
    ("rm -rf /var/lib/apt/lists/*", []),
    ("chown -R app:app /app", []),
    ("find . -name '*.pyc' -delete", []),
    ("pip3 --version", []),
    ("U=$(curl -s https://example.com/x)", []),
    ("seq 1 8 | xargs -I{} mkdir -p /usr/share/man/man{}", []),
    ("python -m pip freeze", []),
    # names what it writes (the mention rule, no reach)
    ("mkdir -p /app/static", []),
    ("ln -s /usr/bin/npm-24 /usr/bin/npm", []),
    ("curl -fsSL -o get.py https://example.com/get.py", []),
    # writes under a destination it is given
    ("cp -r /tmp/src/. .", [("subtree", "/app")]),
    ("cp -t /opt/x a b", [("subtree", "/opt/x")]),
    ("tar xzf /tmp/a.tgz -C /srv", [("subtree", "/srv")]),
    ("tar -czf /tmp/a.tgz .", []),
    ("unzip -q a.zip -d out", [("subtree", "/app/out")]),
    ("git clone --depth 1 https://example.com/x/lib.git", [("subtree", "/app/lib")]),
    ("git clone https://example.com/x/lib.git vendor/lib", [("subtree", "/app/vendor/lib")]),
    ("python3.12 -m venv /venv", [("subtree", "/venv")]),
    ("uv venv", [("subtree", "/app/.venv")]),
    ("wget -r https://example.com/wheels/", [("subtree", "/app")]),
    # the distribution's directories
    ("apt-get install -y gcc", [("system", "/")]),
    ("/usr/bin/dnf -y --nodocs install python3.12", [("system", "/")]),
    ("useradd -m app", [("system", "/")]),
    ("rpm -ivh x.rpm", [("system", "/")]),
    # its keyrings, wherever $HOME is
    ("gpg --dearmor -o /etc/apt/keyrings/n.gpg", [("component", ".gnupg")]),
    # anywhere
    ("apt-get source hello", [("subtree", "/")]),
    ("./build.sh", [("subtree", "/")]),
    ("tests/check-build", [("subtree", "/")]),
    ("python setup.py sdist", [("subtree", "/")]),
    ("find . -exec touch {} ;", [("subtree", "/")]),
    ("$TOOL run", [("subtree", "/")]),
    ("awk 'BEGIN { print 1 > \"f\" }'", [("subtree", "/")]),
    ("git checkout main", [("subtree", "/")]),
    ("ls | xargs touch", [("subtree", "/")]),
]


@pytest.mark.parametrize(("line", "reach"), CLASSES)
def test_command_classes(line: str, reach: list[tuple[str, str]]) -> None:
    assert _reach(line) == reach


def test_system_reach_is_the_distributions_hierarchy() -> None:
    system = dockerwrites.Reach("/", "system", "apt-get install -y x")
    inside = ["/usr/share/python-wheels/pip.whl", "/etc/x", "/opt/vendor/x", "/var/lib/x"]
    outside = ["/app/requirements.txt", "/usr/local/lib/x", "/home/app/r.txt", "/tmp/r.txt"]
    assert all(dockerwrites.covers(system, p) for p in inside)
    assert not any(dockerwrites.covers(system, p) for p in outside)
    build = dockerwrites.Reach("/src", "build", "pip install .")
    assert dockerwrites.covers(build, "/src/build/lib/x.py")
    assert dockerwrites.covers(build, "/src/src/app.egg-info/PKG-INFO")
    assert not dockerwrites.covers(build, "/src/requirements.txt")


def test_pip_install_effects() -> None:
    install = pipcli.parse(["pip", "wheel", "-w", "/wheels", "-r", "r.txt"])
    assert install is not None and install.wheel_dir == "/wheels"
    found = dockerwrites.install_effects(install, "/app", [], False, install.text)
    assert "/wheels" in found.names
    assert any(r.wheels and r.prefix == "/wheels" for r in found.reach)
    target = pipcli.parse(["pip", "install", "--target=/deps", "six"])
    assert target is not None and target.writes == ("/deps",)


FLOWS = [
    # (command line, (guard fragment, stops) for each command)
    ("pip install -r r.txt", [("", True)]),
    ("apt-get update && pip install -r r.txt && rm -rf x", [("", True), ("", True), ("", True)]),
    ("pip install -r r.txt; echo done", [("", False), ("", True)]),
    ("set -e; pip install -r r.txt; echo done", [("", False), ("", True), ("", True)]),
    ("set -ex\npip install -r r.txt\nset +e\npip install x\necho", [
        ("", False), ("", True), ("", True), ("", False), ("", True)]),
    ("pip install -r r.txt || true", [("", False), ("follows `||`", True)]),
    ("pip install -r r.txt | tee log", [("", False), ("", True)]),
    ("[ -f r.txt ] && pip install -r r.txt", [("", True), ("follows a test", True)]),
    ("if [ -f r.txt ]; then pip install -r r.txt; fi", [
        ("", False), ("inside an `if` branch", False), ("", True)]),
    ("if pip install -r r.txt; then echo ok; else echo no; fi", [
        ("", False), ("inside an `if` branch", False), ("inside an `if` branch", False),
        ("", True)]),
    ("while true; do pip install x && break; done", [
        ("", False), ("inside a `while`/`until` loop", False), ("inside a", False),
        ("", True)]),
    ("for f in a b; do pip install $f; done", [("", False), ("", False), ("", True)]),
    ("(cd sub && pip install .) && echo ok", [("", True), ("", True), ("", True)]),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected"), FLOWS)
def test_flow(line: str, expected: list[tuple[str, bool]]) -> None:
    flows = dockershell.flow(dockershell.commands(line, {}))
    assert len(flows) == len(expected)
    for flow, (guard, stops) in zip(flows, expected, strict=True):
        assert (guard in flow.guard if guard else flow.guard == "") and flow.stops == stops


# (Dockerfile after `FROM python:3.12\nWORKDIR /app\n`, findings, problem fragments, the
# finding says the RUN goes on)
GUARDED = [
    ("RUN if [ -f requirements.txt ]; then pip install -r requirements.txt; fi\n", [],
     ["may not run (it is inside an `if` branch)"], False),
    ("RUN test -f requirements.txt && pip install -r requirements.txt\n", [],
     ["may not run (it follows a test"], False),
    ("RUN pip install -r requirements.txt || echo skipped\n", ["requirements.txt"], [], True),
    ("RUN pip install -r requirements.txt; echo done\n", ["requirements.txt"], [], True),
    ("RUN set -e; pip install -r requirements.txt; echo done\n", ["requirements.txt"], [], False),
]  # fmt: skip


@pytest.mark.parametrize(("body", "missing", "problems", "goes_on"), GUARDED)
def test_guarded_or_unchecked_installs(
    tmp_path: Path, body: str, missing: list[str], problems: list[str], goes_on: bool
) -> None:
    result = run(tmp_path, "FROM python:3.12\nWORKDIR /app\n" + body)
    assert [f.package for f in result.findings] == missing
    assert len(result.problems) == len(problems)
    assert all(f in p.message for f, p in zip(problems, result.problems, strict=True))
    for finding in result.findings:
        assert ("the RUN does not fail with it" in finding.message) == goes_on
        assert ("the build stops" in finding.message) != goes_on
