"""Fly.io: what `fly launch` generates for a Python app (superfly/flyctl v0.4.87, ad0172fa).

`fly launch` runs the scanners of scanner/scanner.go:116-160 in order and keeps the first that
answers. They read the app-root files only: `dirContains(glob, patterns...)`
(scanner/helpers.go:69-82) globs one root name and `fileContains` (helpers.go:37-67) runs a Go
regexp over each line of it (bufio.Scanner: lines end at "\\n", one "\\r" dropped, a line over
64 KiB ends the scan; NUL bytes removed first), so comments count and `-r` is never followed.
The Django scanner (django.go:19-351) decides on `(?i)Django`, and then takes gunicorn,
uvicorn, daphne and psycopg as case-sensitive substrings; flask.go:9-43 wants a case-sensitive
`Flask`; python.go:322-357 takes the names of the root requirements.txt's lines.

The Dockerfiles it writes copy requirements.txt alone before installing it
(templates/django/Dockerfile:34-38, templates/flask/Dockerfile:11-12,
templates/python-docker/Dockerfile:22-25), so every local path the root file names is missing
when pip runs. The scanner runs once, at `fly launch`; after it the repository holds a
Dockerfile and `fly deploy` builds that, which the `docker` platform checks (the plan makes
this platform's rules moot as soon as a Dockerfile or Containerfile exists).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from ..catalog import Era, Rule, Selection
from ..detectors import Reader, Verdict
from ..model import Finding, RequirementsTree
from ..tree import URL_RE
from .builders import labels, root_text_bytes

SCANNED = ("requirements.txt", "Pipfile", "pyproject.toml")
_MAX_TOKEN = 64 * 1024  # bufio.MaxScanTokenSize


def scanner_lines(data: bytes) -> list[str]:
    """fileContains' lines (helpers.go:45-65): bufio.Scanner with ScanLines, NULs removed."""
    lines = []
    chunks = data.split(b"\n")
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        if last and not chunk:
            break
        if len(chunk) + (0 if last else 1) > _MAX_TOKEN:
            break  # bufio.ErrTooLong: Scan() returns false and the rest is never read
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        lines.append(chunk.replace(b"\x00", b"").decode("utf-8", "replace"))
    return lines


@cache
def _root_lines(data: bytes) -> tuple[str, ...]:
    """scanner_lines of an app-root file (cached: fix trials read the same roots again)."""
    return tuple(scanner_lines(data))


@cache
def _go_regexp(pattern: str) -> re.Pattern[str]:
    # Go's RE2 syntax as the scanners use it (literals, `(?i)`); \w, \s, \b are ASCII in Go
    return re.compile(pattern, re.ASCII)


def dir_contains(
    tree: RequirementsTree, read: Reader, files: tuple[str, ...], pattern: str
) -> tuple[str, int] | None:
    """The first (file, line) where `checksPass(dir, dirContains(file, pattern))` matches."""
    regex = _go_regexp(pattern)
    for name in files:
        data = root_text_bytes(tree, name, read) if "/" not in name else None
        if data is None:
            continue
        for number, line in enumerate(_root_lines(data), start=1):
            if regex.search(line):
                return name, number
    return None


def exists(tree: RequirementsTree, read: Reader, pattern: str) -> bool:
    """An app-root file, or `**/name` anywhere (zglob `./**/name`, paths holding
    `site-packages` left out as django.go:106-117 does)."""
    if not pattern.startswith("**/"):
        return read(pattern) is not None
    return bool(tree.repo_dir) and bool(_anywhere(tree.repo_dir, tree.scan_id, pattern[3:]))


@cache
def _anywhere(repo_dir: str, scan_id: int, name: str) -> tuple[str, ...]:
    from ..tree import find_files

    return tuple(
        path
        for path in find_files(repo_dir, lambda base: base == name)
        if "site-packages" not in path
    )


def contains_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """Whether the scanner's line regexp sees the era's pattern in the root files, under the
    step's conditions: one of `requires` exists (a wsgi.py anywhere: the command needs one),
    one of `with_packages` is installed (the Django scanner only runs for Django), and no
    `decided_first` case holds (an asgi.py served by uvicorn or daphne needs no gunicorn).
    Seen is seen: the conditions are only asked when the pattern is not."""
    if dir_contains(tree, read, era.files, era.pattern) is not None:
        return Verdict(True)
    if era.requires and not any(exists(tree, read, name) for name in era.requires):
        return Verdict(True)
    if era.with_packages and not any(
        d.installs and d.key in era.with_packages for d in tree.declarations
    ):
        return Verdict(True)
    for case in era.decided_first:
        seen = not case.seen or any(dir_contains(tree, read, era.files, p) for p in case.seen)
        found = not case.files or any(exists(tree, read, name) for name in case.files)
        if seen and found:
            return Verdict(True)
    return Verdict(False)


# -- the Dockerfile `fly launch` writes --------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A generated Dockerfile that installs requirements.txt copied alone."""

    name: str
    source: str  # flyctl path and lines
    copy: str  # the COPY that brings requirements.txt
    install: str  # the RUN that installs it
    directory: str  # where requirements.txt lands in the image
    workdir: str  # pip's working directory
    because: str  # which scanner chose it, and why


_DJANGO = Template(
    "django",
    "scanner/templates/django/Dockerfile:20-38",
    "COPY requirements.txt /tmp/requirements.txt",
    "pip install -r /tmp/requirements.txt",
    "/tmp",
    "/code",
    "",
)
_FLASK = Template(
    "flask",
    "scanner/templates/flask/Dockerfile:9-12",
    "COPY requirements.txt requirements.txt",
    "pip3 install -r requirements.txt",
    "/code",
    "/code",
    "",
)
_PYTHON = Template(
    "python-docker",
    "scanner/templates/python-docker/Dockerfile:5, 22-25",
    "COPY requirements.txt ./",
    ".venv/bin/pip install -r requirements.txt",
    "/app",
    "/app",
    "",
)
_APPS = ("fastapi", "flask", "streamlit")  # python.go:39 supportedApps


def parse_py_dep(dep: str) -> str:
    """python.go:111-128 parsePyDep: lower-cased, cut at `;`, space, `[`, `==`, `>`, `<`,
    `~=` (not at `!=` or a tab)."""
    dep = dep.lower()
    for cut in (";", " ", "[", "==", ">", "<", "~="):
        dep = dep.split(cut)[0]
    return dep


def template(tree: RequirementsTree, read: Reader) -> Template | None:
    """The Dockerfile `fly launch` generates, when it installs requirements.txt (None for a
    Pipfile or pyproject.toml build, Paketo buildpacks, or a failed scan). Django counts as
    seen when the tree installs it, as once flyio/django's line is in requirements.txt."""
    import dataclasses

    installed = {d.key for d in tree.declarations if d.installs}
    seen = dir_contains(tree, read, SCANNED, "(?i)Django")
    if seen or "django" in installed:
        if exists(tree, read, "Pipfile") or exists(tree, read, "pyproject.toml"):
            return None  # django.go:100-104: pipenv or Poetry copy their own files
        why = (
            f"the Django scanner matches `(?i)Django` in {seen[0]} line {seen[1]} "
            "(scanner/django.go:20)"
            if seen
            else "the tree installs Django, and once requirements.txt names it (flyio/django) "
            "the Django scanner answers first (scanner/django.go:20)"
        )
        return dataclasses.replace(_DJANGO, because=why)
    flask = dir_contains(tree, read, ("requirements.txt",), "Flask")
    if flask and (exists(tree, read, "app.py") or exists(tree, read, "wsgi.py")):
        return dataclasses.replace(
            _FLASK,
            because=f"the Flask scanner matches `Flask` in requirements.txt line {flask[1]} and "
            "the app has app.py or wsgi.py (scanner/flask.go:11-18)",
        )
    return _python_template(tree, read)


def _python_template(tree: RequirementsTree, read: Reader) -> Template | None:
    """configurePython (python.go:359-399): Poetry, then pyproject.toml, then Pipfile, then
    requirements.txt; each answers only with exactly one of FastAPI, Flask, Streamlit among its
    dependency names (intoSource, python.go:149-212), else the next one is tried."""
    import dataclasses

    pyproject = read("pyproject.toml")
    document: dict[str, object] = {}
    if pyproject is not None:
        try:
            document = tomllib.loads(pyproject.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # the scan stops with "Error parsing pyproject.toml"
    if pyproject is not None and read("poetry.lock") is not None:
        deps = _table(document, "tool", "poetry", "dependencies")
        if deps is None:
            return None  # "No dependencies found in pyproject.toml": the scan fails
        if _app([parse_py_dep(str(name)) for name in deps], tree):
            return None  # the Poetry branch copies pyproject.toml and poetry.lock
    if pyproject is not None:
        project = document.get("project")
        deps_list = project.get("dependencies") if isinstance(project, dict) else None
        if not isinstance(deps_list, list):
            return None  # "No dependencies found in pyproject.toml": the scan fails
        if _app([parse_py_dep(str(d)) for d in deps_list], tree):
            return None  # the pep621 branch copies pyproject.toml and runs `pip install .`
    if read("Pipfile") is not None or read("Pipfile.lock") is not None:
        pipfile = read("Pipfile")
        try:
            packages = _table(tomllib.loads((pipfile or b"").decode("utf-8")), "packages")
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        if packages is None:
            return None  # "No packages found in Pipfile": the scan fails
        if _app([parse_py_dep(str(name)) for name in packages], tree):
            return None  # the pipenv branch copies Pipfile and Pipfile.lock
    data = root_text_bytes(tree, "requirements.txt", read)
    if data is None:
        return None
    names = [parse_py_dep(line) for line in scanner_lines(data)]
    app = _app(names, tree)
    if not app:
        return None  # "No supported Python frameworks found": Paketo buildpacks build it
    return dataclasses.replace(
        _PYTHON,
        because=f"the Python scanner finds `{app}` among requirements.txt's names "
        "(scanner/python.go:322-357, 149-212)",
    )


def _table(document: dict[str, object], *keys: str) -> dict[str, object] | None:
    current: object = document
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current if isinstance(current, dict) else None


def _app(names: list[str], tree: RequirementsTree) -> str:
    """intoSource's choice: the one supported app named exactly once ("" for none, or for two
    mentions, which it warns about and declines); Streamlit also needs a .py file with a line
    holding `import` and `streamlit` (findEntrypoint, python.go:79-109)."""
    hits = [name for name in names if name in _APPS]
    if len(hits) != 1:
        return ""
    if hits[0] == "streamlit" and not _streamlit_entry(tree.repo_dir, tree.scan_id):
        return ""
    return hits[0]


@cache
def _streamlit_entry(repo_dir: str, scan_id: int) -> bool:
    from ..tree import find_files

    if not repo_dir:
        return False
    for path in find_files(repo_dir, lambda base: base.endswith(".py")):
        if ".venv" in path:
            continue
        with contextlib.suppress(OSError):
            full = os.path.join(repo_dir, path)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            with open(full, "rb") as handle:
                for line in scanner_lines(handle.read(16 * 1024 * 1024)):
                    if "import" in line and "streamlit" in line:
                        return True
    return False


def template_findings(
    tree: RequirementsTree,
    selection: Selection,
    rule: Rule,
    era: Era,
    read: Reader,
    selections: list[Selection],
) -> list[Finding]:
    """Each local path the root names, when `fly launch` writes a Dockerfile that installs
    requirements.txt copied alone: pip finds none of them in the image."""
    chosen = template(tree, read)
    if chosen is None:
        return []
    root = tree.root_file
    assert root is not None
    shown = labels(selection)
    no_index = any(o.name == "no-index" and o.file == tree.root for o in tree.options)
    lead = (
        f"the Dockerfile `fly launch` generates ({chosen.source}) copies requirements.txt "
        f"alone (`{chosen.copy}`) and runs `{chosen.install}` before the rest of the app is "
        f"copied; it is this one because {chosen.because}"
    )
    later = (
        "The docker platform checks that Dockerfile once it is in the repository; flattening "
        "requirements.txt before `fly launch` avoids the edit."
    )
    found = []
    for number, target, kind in _local_lines(tree):
        severity: str = rule.severity
        if kind == "include":
            where = posixpath.normpath(posixpath.join(chosen.directory, target))
            outcome = (
                f"pip looks for {where} and stops ('Could not open requirements file'), "
                "so `fly deploy` fails"
            )
            advice = f"After `fly launch`, add {_copy_for(target, chosen)} before that RUN."
        elif kind == "project":
            where = posixpath.normpath(posixpath.join(chosen.workdir, target))
            outcome = f"pip finds no project at {where} and `fly deploy` fails"
            advice = (
                f"After `fly launch`, copy the project's files (`COPY . {chosen.workdir}`) "
                "before that RUN."
            )
        else:
            outcome = (
                "with --no-index pip has nowhere else to look and `fly deploy` fails"
                if no_index
                else "pip ignores the missing directory and takes every package from the index"
            )
            severity = rule.severity if no_index else "warning"
            advice = f"After `fly launch`, add {_copy_for(target, chosen)} before that RUN."
        found.append(
            Finding(
                rule=rule.id,
                package=target,
                severity="error" if severity == "error" else "warning",
                file=root.path,
                line=number,
                platforms=shown,
                title=f"{target}: not in the image `fly launch` generates",
                message=f"{root.path} line {number} {_naming[kind]} {target}, but {lead}: "
                f"{outcome}. {advice} {later}",
            )
        )
    return found


_naming = {
    "include": "includes",
    "project": "installs the local project",
    "find-links": "names the --find-links directory",
}


def _local_lines(tree: RequirementsTree) -> list[tuple[int, str, str]]:
    """(line, target, kind) of every root line that needs a local file: includes, local
    projects and archives (`.` too: nothing of the app is in the image yet), --find-links."""
    from ..check import root_local_paths

    found = [entry for entry in root_local_paths(tree) if entry[2] != "find-links"]
    found += [
        (p.line, p.target, "project")
        for p in tree.projects
        if p.file == tree.root and p.kind != "url" and p.resolved == "."
    ]
    found += [
        (o.line, o.value, "find-links")
        for o in tree.options
        if o.file == tree.root and o.name == "find-links" and o.value and not URL_RE.match(o.value)
    ]
    return sorted(set(found))


def _copy_for(target: str, chosen: Template) -> str:
    """The COPY that puts `target` where pip resolves it: beside the copied requirements.txt
    (pip opens includes from the including file's directory, and tries a --find-links
    directory there first)."""
    clean = posixpath.normpath(target.removeprefix("file:"))
    if clean == ".." or clean.startswith(("../", "/")):
        return "a COPY that brings it"
    head = clean.split("/")[0]
    if "/" in clean:
        return f"`COPY {head}/ {chosen.directory}/{head}/`"
    return f"`COPY {clean} {chosen.directory}/{clean}`"
