"""Walk a requirements tree from its root file, as pip would, without leaving the repository.

Includes are resolved relative to the including file (pip's rule), then with symlinks and `..`
resolved; anything that lands outside the repository, any URL, and anything that is not a
regular file is reported as a problem at the including line and not opened. Each file is read
once; cycles and diamonds end; the walk is iterative, so depth is bounded only by `Limits`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import stat
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .model import (
    Declaration,
    Include,
    LocalProject,
    PipOption,
    Problem,
    RequirementsTree,
    SourceFile,
)
from .reqfile import (
    ENV_VAR_RE,
    MARKER_REQUIREMENT_RE,
    PLAIN_FILE_RE,
    PLAIN_INCLUDE_RE,
    SIMPLE_INCLUDE_RE,
    SIMPLE_REQUIREMENT_RE,
    canonical_key,
    decode,
    is_archive_name,
    line_of_offset,
    logical_lines,
    split_args_options,
)

if TYPE_CHECKING:
    from . import pipline
    from . import project as project_module

OUTSIDE = "resolves outside the repository: never read"
# files that may be the root instead of a requirements file (--requirements pyproject.toml):
# the dependencies they declare are walked (project.py)
METADATA_ROOTS = ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py")
MISSING = "does not exist"
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|[^/\\]*[/\\])")
# pip/_internal/vcs/versioncontrol.py is_url: the schemes pip takes as a URL on a requirement
# line (vcs.all_schemes of git, hg, svn, bzr), anything else is a path or a name
PIP_URL_SCHEMES = frozenset(
    (
        *("http", "https", "file", "ftp"),
        *("git+file", "git+git", "git+http", "git+https", "git+ssh"),
        *("hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http"),
        *("svn+file", "svn+http", "svn+https", "svn+ssh", "svn+svn"),
        *("bzr+file", "bzr+ftp", "bzr+http", "bzr+https", "bzr+lp", "bzr+sftp", "bzr+ssh"),
    )
)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HASH_CONTINUATION = re.compile(r"[ \t]+--hash")
HASH_TOKEN_RE = re.compile(r"\s+--hash[=:]\S+")


@dataclass(frozen=True)
class Limits:
    """What one scan reads at the most; past a limit the walk stops with a problem."""

    max_file_bytes: int = 16 * 1024 * 1024
    max_files: int = 50_000
    max_line_chars: int = 100_000
    max_depth: int = 1_000  # files in one chain of includes, the root being 1
    max_problems_per_file: int = 20  # a binary file would otherwise give one per line


DEFAULT_LIMITS = Limits()
_SCAN_IDS = itertools.count(1)


def find_named(repo_dir: str, names: frozenset[str], limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Repo-relative paths of regular files called one of `names` anywhere under `repo_dir`
    (a `**/name` glob): symlinks are not followed, `.git` is skipped, at most max_files."""
    return find_files(repo_dir, names.__contains__, limits)


def find_files(
    repo_dir: str, wanted: Callable[[str], bool], limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Like find_named, for the files whose base name `wanted` accepts (`**/*.py`)."""
    found: list[str] = []
    seen = 0
    for directory, subdirs, files in os.walk(repo_dir):
        subdirs[:] = sorted(
            d for d in subdirs if d != ".git" and not os.path.islink(os.path.join(directory, d))
        )
        for name in sorted(files):
            seen += 1
            if seen > limits.max_files:
                return found
            if wanted(name):
                path = os.path.join(directory, name)
                if not os.path.islink(path):
                    found.append(os.path.relpath(path, repo_dir).replace(os.sep, "/"))
    return found


def list_files(repo_dir: str, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Repo-relative paths of every regular file under `repo_dir`, as find_files lists them
    (sorted by directory, symlinks and `.git` skipped, at most max_files), from one scandir per
    directory (the entry types come with the listing: no stat per file)."""
    found: list[str] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            with os.scandir(os.path.join(repo_dir, rel) if rel else repo_dir) as entries:
                listing = sorted(entries, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in listing:
            path = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    subdirs.append(path)
            elif entry.is_file(follow_symlinks=False):
                found.append(path)
                if len(found) >= limits.max_files:
                    return found
        pending.extend(reversed(subdirs))
    return found


def make_reader(
    repo: Path, tree: RequirementsTree, limits: Limits = DEFAULT_LIMITS
) -> Callable[[str], bytes | None]:
    """Read repository files by relative path, never outside it, for detectors that read
    files pip would not (the v12-v14 shell recursion)."""
    walker = _Walker(repo, limits)
    cache: dict[str, bytes | None] = {}

    def read(path: str) -> bytes | None:
        if path in tree.files:
            return tree.files[path].data
        if path not in cache:
            rel, _why = walker.resolve(".", path)
            data = None
            if rel is not None:
                with (
                    contextlib.suppress(OSError),
                    open(os.path.join(walker.repo_real, rel), "rb") as f,
                ):
                    data = f.read(limits.max_file_bytes)
            cache[path] = data
        return cache[path]

    return read


def walk(
    repo: Path,
    root: str = "requirements.txt",
    limits: Limits = DEFAULT_LIMITS,
    interest: re.Pattern[str] | None = None,
    root_data: bytes | None = None,
    manager: str = "",
) -> RequirementsTree:
    """Walk from `root`. With `interest` (reqfile.names_pattern of the catalog's keys), a nested
    file of plain lines that names none of them contributes only its includes: its other
    declarations cannot concern a rule, and PLAIN_FILE_RE guarantees it holds no problem.
    With `root_data`, those bytes stand in for the root file (another revision's root, read
    against this revision's nested files, as Heroku's pip-diff did). A metadata file as the
    root (METADATA_ROOTS) is read as `manager` (project.MANAGER_BACKENDS) installs it, else as
    its build backend does."""
    walker = _Walker(repo, limits, interest)
    walker.root_data = root_data
    walker.manager = manager
    return walker.run(root)


class _Walker:
    def __init__(self, repo: Path, limits: Limits, interest: re.Pattern[str] | None = None) -> None:
        self.repo_real = os.path.realpath(repo)
        self.limits = limits
        self.interest = interest
        self.real_dirs: set[str] = set()
        self.problem_counts: dict[str, int] = {}
        self.tree = RequirementsTree(root="", repo_dir=self.repo_real, scan_id=next(_SCAN_IDS))
        self.declarations: dict[str, list[Declaration]] = {}
        self.projects: dict[str, list[LocalProject]] = {}
        self.installs: set[str] = set()
        self.root_data: bytes | None = None
        self.manager = ""

    # -- the walk ---------------------------------------------------------------------------
    def run(self, root: str) -> RequirementsTree:
        root_rel, problem = self.resolve(".", root.replace("\\", "/"))
        if root_rel is None and problem == MISSING and self.root_data is not None:
            # a root file the build writes itself (Heroku's and Cloud Foundry's `-e .` for an
            # app with no requirements.txt): its bytes are given, nothing is read
            root_rel = _clean(root)
        self.tree.root = root_rel or _clean(root)
        if root_rel is not None and os.path.basename(root_rel) in METADATA_ROOTS:
            return self._metadata_root(root_rel)
        if root_rel is None:
            self.tree.problems.append(
                Problem(
                    self.tree.root,
                    None,
                    f"{self.tree.root} {problem}: nothing was checked. Buildpacks read "
                    "requirements.txt at the app root; point --requirements (action input "
                    "`requirements`) at it.",
                    pip_fails=True,
                )
            )
            return self.tree
        self.installs.add(root_rel)
        pending = self._load(root_rel, None)
        if pending is None:
            return self.tree
        stack: list[tuple[str, list[Include]]] = [(root_rel, pending)]
        on_path = {root_rel}
        while stack:
            current, includes = stack[-1]
            if not includes:
                stack.pop()
                on_path.discard(current)
                continue
            include = includes.pop(0)
            target = include.resolved
            if target is None:
                continue
            if include.kind == "requirement":
                self.installs.add(target)
            if target in on_path:
                self._problem(
                    include.file,
                    include.line,
                    f"include cycle: {target} is already being read above this line; pip "
                    "would recurse until it fails. Remove one of the includes.",
                )
                continue
            if target in self.tree.files or target in self.declarations:
                continue  # a diamond: already read once
            if len(stack) >= self.limits.max_depth:
                self._problem(
                    include.file,
                    include.line,
                    f"not read: includes nest more than {self.limits.max_depth} files deep here; "
                    "pip recurses once per level and fails with a RecursionError on chains "
                    "this deep. Flatten the chain.",
                )
                continue
            if len(self.tree.files) >= self.limits.max_files:
                self._problem(
                    include.file,
                    include.line,
                    f"not read: the scan stops at {self.limits.max_files} files",
                )
                continue
            children = self._load(target, include)
            if children is not None:
                stack.append((target, children))
                on_path.add(target)
        for path, decls in self.declarations.items():
            installs = path in self.installs
            for decl in decls:
                self.tree.declarations.append(
                    decl if installs else dataclasses.replace(decl, installs=False)
                )
        for path, projects in self.projects.items():
            installs = path in self.installs
            for project in projects:
                if not installs:
                    project = dataclasses.replace(project, installs=False)
                    if not project.name:
                        # pip/_internal/req/req_install.py check_invalid_constraint_type; the
                        # resolver raises it (parsing, and so pip-grep, goes through)
                        self._problem(
                            project.file,
                            project.line,
                            f"{project.text!r} is only reached through -c: pip install will "
                            'fail here ("Unnamed requirements are not allowed as '
                            'constraints"). Include the file with -r, or remove the line.',
                            pip_fails=False,
                        )
                self.tree.projects.append(project)
        self._follow_projects()
        return self.tree

    # -- a metadata file as the root ----------------------------------------------------------
    def _metadata_root(self, rel: str) -> RequirementsTree:
        """`pyproject.toml`, `Pipfile`, `setup.cfg` or `setup.py` as the tree's root: what the
        project in its directory declares (project.py, as its build backend reads it; for a
        Pipfile, its [packages]), each declaration at its own line. No `via`: they are the
        root's own declarations, as a requirements file's lines are."""
        data, why = self._load_metadata(rel)
        if data is None:
            self.tree.problems.append(
                Problem(rel, None, f"{rel} {why}: nothing was checked.", pip_fails=True)
            )
            return self.tree
        self.tree.files[rel] = SourceFile(rel, data, decode(data).text)
        from . import project as metadata

        if os.path.basename(rel) == "Pipfile":
            found = metadata.read_pipfile(rel, self._load_metadata)
            self._follow_projects([], found)
        else:
            directory = os.path.dirname(rel) or "."
            found = metadata.read_project(
                directory, (), "", f"the project of {rel}", self._load_metadata, self.manager
            )
            self._follow_projects([], found)
        return self.tree

    # -- local projects -----------------------------------------------------------------------
    def _follow_projects(
        self,
        queue: list[tuple[str, frozenset[str], str, str]] | None = None,
        first: project_module.Found | None = None,
    ) -> None:
        """The dependencies pip installs for each local project directory, read from its
        metadata (project.py; nothing is run), each directory with the union of the extras its
        lines ask for; a project its metadata names by path is followed the same way. `queue`
        defaults to the tree's local projects; `first` is what was already read (a Pipfile)."""
        if queue is None:
            queue = [
                (
                    p.resolved,
                    frozenset(p.extras),
                    f"{p.file}:{p.line}",
                    f"`{p.text}` ({p.file} line {p.line})",
                )
                for p in self.tree.projects
                if p.kind == "directory" and p.resolved is not None and p.installs
            ]
        if not queue and first is None:
            return
        from . import project as metadata

        done: dict[str, frozenset[str]] = {}
        seen: set[tuple[str, int, str]] = set()
        problems: set[tuple[str, int | None, str]] = set()
        while queue or first is not None:
            if first is not None:
                found, via, first = first, "", None
            else:
                directory, extras, via, pulled_by = queue.pop(0)
                extras = frozenset(canonical_key(e) for e in extras)
                if directory in done and extras <= done[directory]:
                    continue
                extras |= done.get(directory, frozenset())
                done[directory] = extras
                found = metadata.read_project(
                    directory, extras, via, pulled_by, self._load_metadata
                )
            for decl in found.declarations:
                if (decl.file, decl.line, decl.text) not in seen:
                    seen.add((decl.file, decl.line, decl.text))
                    self.tree.declarations.append(decl)
            for problem in found.problems:
                if (problem.file, problem.line, problem.message) not in problems:
                    problems.add((problem.file, problem.line, problem.message))
                    self._problem(problem.file, problem.line, problem.message, pip_fails=False)
            for nested, nested_extras, nested_via in found.projects:
                file, _, line = nested_via.rpartition(":")
                rel, why, info = self.locate(".", nested)
                if rel is None or info is None or not stat.S_ISDIR(info.st_mode):
                    self._problem(
                        file,
                        int(line),
                        f"{nested} {why or 'is not a directory'}; the dependencies of that "
                        "local project are not checked",
                        pip_fails=False,
                    )
                    continue
                queue.append((rel, nested_extras, via, f"{nested} ({file} line {line})"))

    def _load_metadata(self, path: str) -> tuple[bytes | None, str]:
        """A metadata file's bytes, under the walk's rules (inside the repository, a regular
        file within the size limit), or None and why not."""
        rel, why, info = self.locate(".", path)
        if rel is None or info is None:
            return None, why
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file: not read"
        if info.st_size > self.limits.max_file_bytes:
            return None, f"is over the {self.limits.max_file_bytes}-byte limit: not read"
        try:
            with open(os.path.join(self.repo_real, rel), "rb") as handle:
                return handle.read(self.limits.max_file_bytes), ""
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror})"

    # -- files ------------------------------------------------------------------------------
    def resolve(self, including_dir: str, target: str) -> tuple[str | None, str]:
        """Repo-relative real path of `target`, or None and a short reason it is not read."""
        if URL_RE.match(target):
            return None, "is a URL: never fetched, so nothing in it is checked"
        rel, why, info = self.locate(including_dir, target)
        if rel is None or info is None:
            return None, why
        if stat.S_ISDIR(info.st_mode):
            return None, "is a directory, not a requirements file"
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file (FIFO, socket or device): not read"
        if info.st_size > self.limits.max_file_bytes:
            return None, (
                f"is {info.st_size} bytes, over the {self.limits.max_file_bytes}-byte limit: "
                "not read"
            )
        return rel, ""

    def locate(
        self, including_dir: str, target: str
    ) -> tuple[str | None, str, os.stat_result | None]:
        """Repo-relative real path of `target` (taken from `including_dir`) and its stat, or
        None and why not: outside the repository (never stat'ed there), missing, unreadable."""
        if "\x00" in target:
            return None, "contains a NUL byte", None
        real, info = self._realpath(including_dir, target)
        if real != self.repo_real and not real.startswith(self.repo_real + os.sep):
            return None, OUTSIDE, None
        rel = real[len(self.repo_real) + 1 :].replace(os.sep, "/") or "."
        try:
            info = info or os.stat(real)
            if ".." in target.split("/"):
                # realpath drops `sub/..` even when sub does not exist; the kernel, and so pip,
                # needs every directory on the way (a metadata lookup; nothing is read)
                os.stat(os.path.join(self.repo_real, including_dir, target))
        except (FileNotFoundError, NotADirectoryError):
            return None, MISSING, None
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror})", None
        return rel, "", info

    def _realpath(self, including_dir: str, target: str) -> tuple[str, os.stat_result | None]:
        """os.path.realpath of `target` taken from `including_dir` (a real, repo-relative
        directory), remembering directories already known to be real: a 10,000-file tree has
        thousands of includes through the same few directories. Anything unusual (a symlink,
        an absolute path, a missing or non-directory component, leaving the repository) is
        handed to os.path.realpath whole, exactly as before. Also returns the file's lstat
        when the file is no symlink, saving a second stat."""
        inside = self.repo_real + os.sep

        def whole() -> tuple[str, None]:
            return os.path.realpath(os.path.join(self.repo_real, including_dir, target)), None

        if os.path.isabs(target) or (os.altsep and os.altsep in target):
            return whole()
        current = self.repo_real
        if including_dir not in ("", "."):
            current = inside + including_dir
        *directories, last = target.split(os.sep)
        for part in directories:
            if part in ("", "."):
                continue
            if part == "..":
                current = os.path.dirname(current)
                if current != self.repo_real and not current.startswith(inside):
                    return whole()
                continue
            step = current + os.sep + part
            if step not in self.real_dirs:
                try:
                    info = os.lstat(step)
                except OSError:
                    return whole()
                if not stat.S_ISDIR(info.st_mode):  # a symlink (lstat) or not a directory
                    return whole()
                self.real_dirs.add(step)
            current = step
        if last in ("", ".", ".."):
            return whole()
        candidate = current + os.sep + last
        try:
            info = os.lstat(candidate)
        except OSError:
            return whole()  # missing or unreadable: stat says why
        if stat.S_ISLNK(info.st_mode):
            return whole()
        return candidate, info

    def _load(self, path: str, via: Include | None) -> list[Include] | None:
        try:
            if via is None and self.root_data is not None:
                data = self.root_data
            else:
                with open(os.path.join(self.repo_real, path), "rb") as handle:
                    data = handle.read(self.limits.max_file_bytes + 1)
        except OSError as exc:
            where = (via.file, via.line) if via else (path, None)
            self._problem(where[0], where[1], f"{path} cannot be read: {exc.strerror}")
            return None
        decoded = decode(data)
        self.tree.files[path] = SourceFile(path, data, decoded.text)
        if decoded.error:
            line = data[: _error_offset(decoded.error)].count(b"\n") + 1
            self._problem(
                path, line, f"{decoded.error}; pip would stop here. Save the file as UTF-8."
            )
        nul = decoded.text.find("\x00")
        if nul != -1:
            # pip would reject those lines; the rest of the file is still read, as pip would
            self._problem(
                path,
                line_of_offset(decoded.text, nul),
                "NUL byte (binary content?): lines holding NUL bytes are not requirements and "
                "pip fails on them; they are skipped here. Remove them.",
            )
        return self._parse(path, decoded.text)

    # -- lines ------------------------------------------------------------------------------
    def _parse(self, path: str, text: str) -> list[Include]:
        includes: list[Include] = []
        decls: list[Declaration] = []
        self.declarations[path] = decls
        directory = os.path.dirname(path) or "."
        if self._plain(path, text):
            for match in PLAIN_INCLUDE_RE.finditer(text):
                flag = match.group("short") or match.group("long")
                kind = "requirement" if flag in ("-r", "--requirement") else "constraint"
                number = text.count("\n", 0, match.start()) + 1
                includes.append(self._include(path, number, directory, kind, match.group("path")))
            for number, line in _lines_naming(text, self.interest):
                if split_args_options(line)[0]:  # a requirement (plain: never a problem)
                    decl = self._requirement(path, number, line, editable=False)
                    if decl is not None:
                        decls.append(decl)
            return includes
        for number, line in logical_lines(text):
            if "\x00" in line:
                continue  # reported once for the file (see _load)
            if len(line) > self.limits.max_line_chars:
                self._problem(
                    path, number, f"line is {len(line)} characters long: over the limit, skipped"
                )
                continue
            args, _options = split_args_options(line)
            if args:
                decl = self._requirement(path, number, line, editable=False)
                if decl is not None:
                    decls.append(decl)
                continue
            simple = SIMPLE_INCLUDE_RE.fullmatch(line)
            if simple:
                flag = simple.group("short") or simple.group("long")
                kind = "requirement" if flag in ("-r", "--requirement") else "constraint"
                includes.append(self._include(path, number, directory, kind, simple.group("path")))
                continue
            from . import pipline  # rare lines only: see pipline's docstring

            result = pipline.parse_options(line)
            if result.error:
                self._problem(path, number, f"{result.error} (in {line!r}); pip rejects it")
                continue
            for kind, targets in (
                ("requirement", result.requirements),
                ("constraint", result.constraints),
            ):
                for target in targets:
                    includes.append(self._include(path, number, directory, kind, target))
            for value in result.editables:
                decl = self._requirement(path, number, value, editable=True)
                if decl is not None:
                    decls.append(decl)
            for value in result.find_links:
                self.tree.options.append(PipOption(path, number, "find-links", value))
            if result.no_index:
                self.tree.options.append(PipOption(path, number, "no-index"))
        return includes

    def _plain(self, path: str, text: str) -> bool:
        """May this file skip line-by-line parsing? (see `walk`; the root never does)"""
        return (
            self.interest is not None
            and path != self.tree.root
            and text.isascii()  # so lower() keeps offsets, and no exotic whitespace
            and len(text) <= self.limits.max_line_chars  # no line can be over the limit
            and PLAIN_FILE_RE.fullmatch(text) is not None
        )

    def _include(self, path: str, number: int, directory: str, kind: str, target: str) -> Include:
        flag = "-r" if kind == "requirement" else "-c"
        resolved: str | None = None
        if not target.strip():
            self._problem(path, number, f"{flag} has an empty path")
        elif ENV_VAR_RE.search(target):
            self._problem(
                path,
                number,
                f"{flag} {target} uses an environment variable that pip expands at install "
                "time; its value is unknown here, so that file is not checked",
                pip_fails=False,
            )
        else:
            resolved, why = self.resolve(directory, target)
            if resolved is None:
                advice = {
                    MISSING: "; pip will fail here. Fix the path or remove the line.",
                    OUTSIDE: ". Keep requirements files inside the repository.",
                }.get(why, ".")
                # pip fetches URLs and reads outside paths; we do neither, so cannot tell
                pip_fails = not (URL_RE.match(target) or why == OUTSIDE)
                self._problem(path, number, f"{flag} {target} {why}{advice}", pip_fails)
        kind_literal: Literal["requirement", "constraint"] = (
            "requirement" if kind == "requirement" else "constraint"
        )
        include = Include(path, number, kind_literal, target, resolved)
        self.tree.includes.append(include)
        return include

    def _requirement(self, path: str, number: int, line: str, editable: bool) -> Declaration | None:
        if not editable:
            match = SIMPLE_REQUIREMENT_RE.fullmatch(line)
            if match:
                name = match.group("name")
                extras = match.group("extras") or ""
                spec = match.group("spec") or ""
                return Declaration(
                    file=path,
                    line=number,
                    text=line,
                    name=name,
                    key=canonical_key(name),
                    extras=tuple(
                        sorted(e.strip() for e in extras.strip("[] ").split(",") if e.strip())
                    ),
                    specifier=_normal_specifier(spec),
                )
        if not editable and MARKER_REQUIREMENT_RE.fullmatch(line):
            from packaging.requirements import Requirement

            req = Requirement(line)
            return Declaration(
                file=path,
                line=number,
                text=line,
                name=req.name,
                key=canonical_key(req.name),
                extras=tuple(sorted(req.extras)),
                specifier=str(req.specifier),
                marker=str(req.marker or ""),
            )
        from . import pipline

        result = pipline.parse_requirement(line, editable=editable)
        if result.error:
            shown = line if not editable else f"-e {line}"
            hint = ""
            if ENV_VAR_RE.search(line):
                hint = " It uses ${VAR}, which pip expands at install time; not expanded here."
            self._problem(
                path,
                number,
                f"invalid requirement {shown!r}: {result.error.rstrip('.')}; "
                f"pip will fail here.{hint}",
            )
            return None
        if not result.name or (result.url and _is_local(result.url, editable)):
            self._project(path, number, line, editable, result)
        if not result.name:
            return None  # pip reads it without a name; pip-grep never sees one
        return Declaration(
            file=path,
            line=number,
            text=line if not editable else f"-e {line}",
            name=result.name,
            key=canonical_key(result.name),
            extras=result.extras,
            specifier=result.specifier,
            marker=result.marker,
            editable=result.editable,
            url=result.url,
        )

    def _project(
        self, path: str, number: int, line: str, editable: bool, result: pipline.RequirementResult
    ) -> None:
        """Record a requirement that names a place (pip's "unnamed" requirement, or a named one
        whose link is local) and check the place as pip would, from the app root (pip's working
        directory): pip/_internal/req/constructors.py `parse_editable` and `_get_url_from_path`
        (pip 23.2-26.2 alike). Problems use pip's words; `pip_fails` only where pip's parser,
        and so pip-grep, stops, not where only the install later fails."""
        text = f"-e {line}" if editable else line
        target = result.url
        scheme = _scheme(target, editable)
        from_url = scheme == "file"
        local = target
        if scheme and not from_url:
            if not result.name:
                self._add_project(path, number, text, target, "url", None, editable, result)
                self._problem(
                    path,
                    number,
                    f"{target} is a URL: never fetched, so what it installs is not checked",
                    pip_fails=False,
                )
            return
        if from_url:
            parts = urllib.parse.urlsplit(target)
            if parts.netloc not in ("", "localhost"):
                self._add_project(path, number, text, target, "url", None, editable, result)
                self._problem(
                    path,
                    number,
                    f"{target} names another host: pip install will fail here (pip: "
                    '"non-local file URIs are not supported on this platform")',
                    pip_fails=False,
                )
                return
            local = urllib.parse.unquote(parts.path)
        archive = is_archive_name(local)
        kind: Literal["directory", "archive"] = "archive" if archive else "directory"
        install_fails = "pip install will fail here"
        if os.path.isabs(local):
            rel, why, info = None, OUTSIDE, None
        else:
            rel, why, info = self.locate(".", local)
        if rel is None or info is None:
            self._add_project(path, number, text, target, kind, None, editable, result)
            if why == OUTSIDE:
                message, fails = (
                    f"{local} {OUTSIDE}, so what it installs is not checked. Keep local "
                    "projects inside the repository.",
                    False,
                )
            elif why != MISSING:
                message, fails = f"{local} {why}; {install_fails}.", False
            elif editable and not from_url:
                message, fails = _not_editable(line), True
            elif from_url or archive:
                message, fails = f"{local} does not exist: {install_fails}.", False
            else:
                message = (
                    f"invalid requirement {line!r}: it looks like a path, and {local} does "
                    "not exist; pip will fail here. Fix the path or remove the line."
                )
                fails = True
            self._problem(path, number, message, pip_fails=fails)
            return
        if stat.S_ISDIR(info.st_mode):
            if not self._installable(rel):
                self._add_project(path, number, text, target, "directory", None, editable, result)
                if editable or from_url:
                    message = (
                        f"{local} does not appear to be a Python project: neither 'setup.py' nor "
                        f"'pyproject.toml' found; {install_fails}."
                    )
                else:
                    message = (
                        f"Directory {local!r} is not installable. Neither 'setup.py' nor "
                        "'pyproject.toml' found; pip will fail here."
                    )
                self._problem(path, number, message, pip_fails=not (editable or from_url))
                return
            self._add_project(path, number, text, target, "directory", rel, editable, result)
            return
        if editable and not from_url:
            self._add_project(path, number, text, target, kind, None, editable, result)
            self._problem(path, number, _not_editable(line))
            return
        if not archive:
            self._add_project(path, number, text, target, "archive", None, editable, result)
            if from_url:
                message = f"{local} is neither a project directory nor an archive; {install_fails}."
            else:
                message = (
                    f"invalid requirement {line!r}: it looks like a path, but {local} is neither "
                    "a project directory nor an archive; pip will fail here."
                )
            self._problem(path, number, message, pip_fails=not from_url)
            return
        self._add_project(path, number, text, target, "archive", rel, editable, result)

    def _installable(self, directory: str) -> bool:
        """pip's is_installable_dir: a pyproject.toml or setup.py file in it. A symlink that
        leaves the repository counts (pip would follow it; it is never stat'ed here)."""
        for name in ("pyproject.toml", "setup.py"):
            _rel, why, info = self.locate(directory, name)
            if why == OUTSIDE or (info is not None and stat.S_ISREG(info.st_mode)):
                return True
        return False

    def _add_project(
        self,
        path: str,
        number: int,
        text: str,
        target: str,
        kind: Literal["directory", "archive", "url"],
        resolved: str | None,
        editable: bool,
        result: pipline.RequirementResult,
    ) -> None:
        self.projects.setdefault(path, []).append(
            LocalProject(
                file=path,
                line=number,
                text=text,
                target=target,
                kind=kind,
                resolved=resolved,
                editable=editable,
                extras=result.extras,
                marker=result.marker,
                name=result.name,
            )
        )

    def _problem(self, path: str, line: int | None, message: str, pip_fails: bool = True) -> None:
        count = self.problem_counts.get(path, 0) + 1
        self.problem_counts[path] = count
        cap = self.limits.max_problems_per_file
        if count == cap + 1:
            self.tree.problems.append(
                Problem(
                    path, None, f"more problems in {path} are not listed (limit {cap})", pip_fails
                )
            )
        if count > cap:
            return
        self.tree.problems.append(Problem(path, line, message, pip_fails))


def _scheme(link: str, editable: bool) -> str:
    """The URL scheme pip would see in a requirement's link, "" for a path. pip's is_url
    (a known scheme), plus the bare VCS names `-e` accepts (parse_editable adds `git+`)."""
    match = _SCHEME_RE.match(link)
    if not match:
        return ""
    scheme = match.group(1).lower()
    if scheme in PIP_URL_SCHEMES or (editable and scheme in ("git", "hg", "svn", "bzr")):
        return scheme
    return ""


def _is_local(link: str, editable: bool) -> bool:
    """A link pip takes from the file system: a path, or a file: URL."""
    return _scheme(link, editable) in ("", "file")


def _not_editable(value: str) -> str:
    # pip/_internal/req/constructors.py parse_editable, raised while the file is read
    return (
        f"invalid requirement '-e {value}': {value} is not a valid editable requirement. It "
        "should either be a path to a local project or a VCS URL (beginning with git+, hg+, "
        "svn+ or bzr+); pip will fail here. Fix the path or remove the line."
    )


def _lines_naming(text: str, interest: re.Pattern[str] | None) -> list[tuple[int, str]]:
    """The logical lines of a plain file (see reqfile.PLAIN_FILE_RE) where `interest` matches,
    numbered and joined exactly as `logical_lines` would."""
    if interest is None:
        return []
    found: dict[int, tuple[int, str]] = {}
    for match in interest.finditer(text.lower()):
        start = text.rfind("\n", 0, match.start()) + 1
        # a hit inside a --hash continuation belongs to the requirement line above it
        while start > 0 and _HASH_CONTINUATION.match(text, start):
            start = text.rfind("\n", 0, start - 1) + 1
        if start in found:
            continue
        end = start
        while True:
            newline = text.find("\n", end)
            if newline == -1:
                end = len(text)
                break
            if not text[end:newline].rstrip("\r").endswith("\\"):
                end = newline
                break
            end = newline + 1
        first = next(logical_lines(text[start:end]), None)
        if first is not None:
            number = text.count("\n", 0, start) + first[0]
            found[start] = (number, first[1])
    return [found[key] for key in sorted(found)]


def _normal_specifier(spec: str) -> str:
    """Specifier text as packaging prints it (sorted, no spaces), for parity with pip's path."""
    parts = [p.replace(" ", "") for p in spec.split(",") if p.strip()]
    return ",".join(sorted(parts))


def _error_offset(reason: str) -> int:
    match = re.match(r"byte (\d+)", reason)
    return int(match.group(1)) if match else 0


def _clean(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")
