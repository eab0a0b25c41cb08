"""The `docker` platform: does every file pip opens during a Dockerfile's `RUN pip install`
exist in the image at that point?

Pure: it sees the repository only through `Repository` (the file listing, a reader and the
project's requirements walker). For each build (every Dockerfile/Containerfile in the
repository, with its context; and every `build:` of a compose file) it models each stage's
filesystem as the list of instructions that put files in it (`COPY`, `ADD`, `WORKDIR`, `RUN
--mount`), answers "what is at this image path before this RUN?" by looking backwards through
them, and walks each requirements file pip opens *in the image*: pip resolves `-r`/`-c` relative
to the including file (pip/_internal/req/req_file.py, `_parse_and_recurse`) and local paths
(`-e .`, `./x.whl`) relative to the working directory (constructors.py, `parse_req_from_line`).
Each file that is not there is a finding at the RUN's first line, with a `COPY` that brings it.

Parser: `dockerfile` (PyPI), which is BuildKit's own Go parser (moby/buildkit
frontend/dockerfile/parser) compiled for Python. `dockerfile-parse` was evaluated and is not
exact: it splits a heredoc body into instructions and ends a continuation at a comment line. The
Go parser gets the escape directive, heredocs, continuations with comments and empty lines,
JSON versus shell form, flags and line numbers right, because it is the code `docker build`
runs. It has wheels for Linux x86_64, macOS arm64 and Windows only, so it is installed there
only; elsewhere the model reports one problem and checks nothing.

Assumptions, stated in every message they affect: a base image pulled from a registry holds
none of the paths pip needs (its files are not known here), and its WORKDIR is unknown (paths
relative to it are compared only with paths relative to it).

What a RUN writes (dockerwrites.py): a path pip needs is reported missing only when no command
that ran before the install may have created it: an earlier command of the same RUN (`a && b`
runs `b` after `a` in the same filesystem), or any earlier RUN of the stage or of the stages it
is built on or copies from. A command whose words name the path's base name (`touch x`,
`> x`, `poetry export -o x`) is taken to have made it: no finding, no problem. A command that
may write where the path is (a script, `python -m build`, `make`, `cp -r` into its directory,
`apt-get install` for the distribution's directories) makes the path uncertain: no finding, and a
problem says which command and that the path was not checked. A path that COPY, ADD or a mount
puts in the image is read from the context as before.

pip's arguments are expanded as `sh` does when the RUN runs (POSIX 2.6.6): an unquoted pattern
(`dist/*.whl`) becomes the paths it matches among those the model knows (COPY, ADD, mounts,
WORKDIR, names a RUN wrote; a `pip wheel -w DIR` certainly fills DIR with `*.whl`), and when
nothing matches pip gets the pattern as written, which the finding says.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from ..model import Finding, Fix, Include, LocalProject, Problem, RequirementsTree, SourceFile
from ..reqfile import logical_lines, split_args_options
from . import dockershell, dockerwrites, pipcli
from .dockerignore import Matcher

Reader = Callable[[str], bytes | None]
TreeWalker = Callable[[str], RequirementsTree]

RULE_INCLUDE = "docker/include-not-copied"
RULE_LOCAL = "docker/local-path-not-copied"
BASE_WD = "/\x00workdir"  # the base image's unknown WORKDIR (a component no real path has)
WHEEL = "\x00wheel"  # stands for "some wheel" in a directory `pip wheel -w` fills
_FILLED_BY_WHEELS = frozenset(("*", "*.whl"))  # pattern components any wheel file name matches
_DOCKERFILE_RE = re.compile(
    r"^(Dockerfile|dockerfile|Containerfile)$|^(Dockerfile|Containerfile)\.(?!dockerignore$).+$"
    r"|^.+\.(Dockerfile|dockerfile|Containerfile)$"
)
COMPOSE_NAMES = frozenset(
    (
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
        "compose.override.yaml",
        "compose.override.yml",
        "docker-compose.override.yaml",
        "docker-compose.override.yml",
    )
)
_GLOB_CHARS = re.compile(r"[*?\[\\]")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^git@")
_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$")
_SHELLS = frozenset(("sh", "bash", "dash", "ash", "zsh", "ksh"))
_UNSAFE_IN_FIX = re.compile(r"[\s\"'$`\\*?\[\]#]")


@dataclass(frozen=True)
class Repository:
    """What the model may read: every regular file (repo-relative, `/`), a reader, the walker."""

    files: tuple[str, ...]
    read: Reader
    walk: TreeWalker


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)  # the Dockerfiles read
    builds: int = 0


def is_dockerfile(name: str) -> bool:
    """Dockerfile, Containerfile, Dockerfile.<x>, <x>.Dockerfile (not <x>.dockerignore)."""
    return _DOCKERFILE_RE.match(name) is not None and not name.endswith(".dockerignore")


# -- the repository and a build context ------------------------------------------------------


class _Index:
    def __init__(self, files: Iterable[str]) -> None:
        self.files = set(files)
        self.dirs: set[str] = {""}
        self.children: dict[str, list[str]] = {}
        for path in sorted(self.files):
            parent = posixpath.dirname(path)
            self.children.setdefault(parent, []).append(posixpath.basename(path))
            while parent not in self.dirs:
                self.dirs.add(parent)
                grand = posixpath.dirname(parent)
                self.children.setdefault(grand, []).append(posixpath.basename(parent))
                parent = grand


def _join(*parts: str) -> str:
    return posixpath.normpath(posixpath.join(*[p for p in parts if p])) if any(parts) else ""


def _clean_context_path(path: str) -> str:
    """A COPY source, cleaned as BuildKit does (rooted at the context; `..` cannot leave it)."""
    cleaned = posixpath.normpath("/" + path)
    return "" if cleaned == "/" else cleaned.lstrip("/")


def _glob_regex(component: str) -> re.Pattern[str]:
    """Go's filepath.Match for one path component."""
    out, i = "", 0
    while i < len(component):
        ch = component[i]
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(component):
            i += 1
            out += re.escape(component[i])
        elif ch == "[":
            close = component.find("]", i + 1)
            if close == -1:
                out += re.escape(ch)
            else:
                body = component[i + 1 : close]
                negate = body.startswith("^")
                body = body[1:] if negate else body
                # inside a class Go takes `[` literally; Python would read `[[` as a nested set
                body = body.replace("\\", "\\\\").replace("[", "\\[")
                out += "[" + ("^" if negate else "") + body + "]"
                i = close
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + r"\Z")


@dataclass
class _Context:
    root: str  # repo-relative directory ("" = the repository root)
    index: _Index
    ignore: Matcher | None
    ignore_file: str  # repo-relative path of the ignore file in force ("" when none)

    def repo_path(self, rel: str) -> str:
        return _join(self.root, rel)

    def excluded(self, rel: str, is_dir: bool = False) -> bool:
        return self.ignore is not None and self.ignore.excluded(rel, is_dir)

    def file(self, rel: str) -> bool:
        return self.repo_path(rel) in self.index.files and not self.excluded(rel)

    def dir(self, rel: str) -> bool:
        if rel == "":
            return True
        return self.repo_path(rel) in self.index.dirs and not self.excluded(rel, True)

    def glob(self, pattern: str) -> list[tuple[str, bool]]:
        """(context-relative path, is a directory) of each entry a COPY wildcard matches."""
        found: list[str] = [""]
        for component in pattern.split("/"):
            regex = _glob_regex(component) if _GLOB_CHARS.search(component) else None
            nxt: list[str] = []
            for base in found:
                if regex is None:
                    candidate = _join(base, component)
                    if self.file(candidate) or self.dir(candidate):
                        nxt.append(candidate)
                    continue
                for name in self.index.children.get(self.repo_path(base), []):
                    if regex.match(name):
                        candidate = _join(base, name)
                        if self.file(candidate) or self.dir(candidate):
                            nxt.append(candidate)
            found = nxt
        return [(path, self.dir(path)) for path in sorted(found)]


# -- stages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Copy:
    line: int
    items: tuple[tuple[str, bool | None], ...]  # (source, is a directory; None: not known
    # here, a path a RUN may have made): context-relative, or absolute in stage `stage`
    dest: str
    dest_dir: bool | None  # None: a directory only if the base image has one there
    parents: bool = False
    stage: int | None = None


@dataclass(frozen=True)
class _Opaque:
    line: int
    prefix: str
    why: str


@dataclass(frozen=True)
class _Mkdir:
    line: int
    path: str


@dataclass(frozen=True)
class _Ran:
    """What a RUN's commands may have written (dockerwrites): `text`, the words of those that
    name what they write (a path whose base name is one of them is taken as made), and `reach`,
    where anything may be new."""

    line: int
    text: str
    reach: tuple[dockerwrites.Reach, ...] = ()


@dataclass(frozen=True)
class _Mount:
    target: str
    kind: str  # bind, cache, tmpfs, secret, ssh
    source: str  # context-relative (bind from the context) or absolute in stage `stage`
    stage: int | None = None


_Op = _Copy | _Opaque | _Mkdir | _Ran


@dataclass
class _Stage:
    index: int
    name: str
    line: int
    parent: int | None
    external: str  # the image (empty when built on another stage)
    scratch: bool
    workdir: str
    env: dict[str, str | None]
    ops: list[_Op] = field(default_factory=list)


@dataclass(frozen=True)
class _Hit:
    # made: a RUN may have written it (it names it); taken as there, its content unknown.
    # maybe: nothing puts it there, but a command that ran may have created it (`why` names it)
    state: Literal["file", "dir", "absent", "unknown", "made", "maybe"]
    source: str = ""  # repo path of the context file it came from
    why: str = ""


@cache
def _mentions(name: str) -> re.Pattern[str]:
    """`name` as a whole word of a command line (not part of a longer file name)."""
    return re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])")


def _maybe(op: _Ran, path: str) -> _Hit | None:
    """A "maybe" hit when a command of `op` may have written `path`; "made" for the stand-in
    name WHEEL in a directory that a `pip wheel -w` of `op` certainly fills."""
    for reach in op.reach:
        if reach.wheels and path == posixpath.join(reach.prefix, WHEEL):
            return _Hit("made", why=f"`{reach.command}` (line {op.line}) writes wheels there")
    for reach in op.reach:
        if dockerwrites.covers(reach, path):
            return _Hit(
                "maybe", why=f"`{reach.command}` (line {op.line}) runs before it and may create it"
            )
    return None


def _settle(hit: _Hit, maybe: _Hit | None) -> _Hit:
    """`hit` (what earlier instructions left), unless it says absent and a command that ran
    after them may have created the path: then `maybe`, which names the nearest such command."""
    return maybe if maybe is not None and hit.state in ("absent", "maybe") else hit


def _first_below(path: str, directory: str) -> set[str]:
    """The name of the entry of `directory` that `path` lies in (empty if it is not below)."""
    rel = _under(path, directory)
    return {rel.split("/", 1)[0]} if rel else set()


def _sh_pattern(component: str) -> re.Pattern[str]:
    """One component of a shell pattern (POSIX 2.13.1: `*`, `?`, `[...]` with `!` or `^`,
    backslash quoting), as a regular expression."""
    out, i = "", 0
    while i < len(component):
        ch = component[i]
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(component):
            i += 1
            out += re.escape(component[i])
        elif ch == "[":
            j = i + 1
            if j < len(component) and component[j] in "!^":
                j += 1
            if j < len(component) and component[j] == "]":
                j += 1
            close = component.find("]", j)
            if close == -1:
                out += re.escape(ch)
            else:
                body = component[i + 1 : close]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                body = body.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
                out += "[" + ("^" if negate else "") + body + "]"
                i = close
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + r"\Z")


def _unescape(component: str) -> str:
    return re.sub(r"\\(.)", r"\1", component)


def _has_glob(component: str) -> bool:
    """Whether a pattern component has an unquoted `*`, `?` or `[`."""
    return re.search(r"(?<!\\)(?:\\\\)*[*?\[]", component) is not None


def _under(path: str, prefix: str) -> str | None:
    """`path` relative to `prefix` ("" when equal), None when it is not inside."""
    if path == prefix:
        return ""
    base = prefix.rstrip("/") + "/"
    return path[len(base) :] if path.startswith(base) else None


def _show(path: str) -> str:
    if path == BASE_WD:
        return "the base image's WORKDIR"
    if path.startswith(BASE_WD + "/"):
        return "<base image WORKDIR>/" + path[len(BASE_WD) + 1 :]
    return path


# -- the build --------------------------------------------------------------------------------


@dataclass
class _Build:
    dockerfile: str  # repo path
    context: _Context
    args: dict[str, str]  # build arguments from compose (known values)
    origin: str  # how the context was chosen, for messages


class _Model:
    def __init__(self, repo: Repository, result: Result) -> None:
        self.repo = repo
        self.result = result
        self.index = _Index(repo.files)
        self.trees: dict[str, RequirementsTree] = {}
        self.includes: dict[str, list[Include]] = {}
        self.projects: dict[str, list[LocalProject]] = {}
        self.seen: set[tuple[str, int, str, str]] = set()

    # -- requirements files, parsed once by the project's walker --------------------------
    def parsed(self, path: str) -> tuple[list[Include], list[LocalProject], SourceFile | None]:
        """A requirements file's includes and local projects (tree.walk's, each file parsed
        once however many walks reach it) and its text."""
        if path not in self.includes:
            tree = self.repo.walk(path)
            for name in tree.files:
                self.includes.setdefault(name, [])
                self.projects.setdefault(name, [])
                self.trees.setdefault(name, tree)
            for include in tree.includes:
                if include in self.includes[include.file]:
                    continue
                self.includes[include.file].append(include)
            for project in tree.projects:
                if project not in self.projects[project.file]:
                    self.projects[project.file].append(project)
            self.includes.setdefault(path, [])
            self.projects.setdefault(path, [])
        tree_of = self.trees.get(path)
        source = tree_of.files.get(path) if tree_of else None
        return self.includes[path], self.projects[path], source

    # -- contexts ---------------------------------------------------------------------------
    def context(self, root: str, dockerfile: str) -> _Context:
        candidates = [dockerfile + ".dockerignore", _join(root, ".dockerignore")]
        for candidate in candidates:
            if candidate in self.index.files:
                data = self.repo.read(candidate)
                if data is None:
                    continue
                try:
                    matcher = Matcher.parse(data.decode("utf-8", errors="replace"))
                except ValueError as exc:
                    self.result.problems.append(
                        Problem(candidate, None, f"{exc}: BuildKit rejects this ignore file")
                    )
                    matcher = None
                return _Context(root, self.index, matcher, candidate)
        return _Context(root, self.index, None, "")


def _split_from(value: Sequence[str]) -> tuple[str, str]:
    image = value[0] if value else ""
    name = value[2] if len(value) >= 3 and value[1].lower() == "as" else ""
    return image, name


def _flags(flags: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for flag in flags:
        name, _, value = flag.lstrip("-").partition("=")
        out.setdefault(name.lower(), []).append(value if "=" in flag else "true")
    return out


def _mount(spec: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        fields[key.strip().lower()] = value.strip() if "=" in part else "true"
    return fields


class _Dockerfile:
    """One Dockerfile, run for one build: stages, image state, RUN installs."""

    def __init__(self, model: _Model, build: _Build, commands: Sequence[Any], source: SourceFile):
        self.model = model
        self.build = build
        self.commands = commands
        self.source = source
        self.stages: list[_Stage] = []
        self.escape = "\\"
        self.keyword_case: dict[int, str] = {}

    # -- problems ---------------------------------------------------------------------------
    def problem(self, line: int | None, message: str) -> None:
        self.model.result.problems.append(Problem(self.build.dockerfile, line, message))

    # -- stage state --------------------------------------------------------------------------
    def find(self, stage: int, upto: int, path: str, depth: int = 0) -> _Hit:
        """What is at image `path` in `stage` before its op number `upto`."""
        if depth > 50:
            return _Hit("unknown", why="stages copy from each other too deeply")
        current = self.stages[stage]
        maybe: _Hit | None = None  # the latest command that may have created it
        for op in reversed(current.ops[:upto]):
            hit = self._op_hit(op, path, depth)
            if hit is not None:
                return _settle(hit, maybe)
            if maybe is None and isinstance(op, _Ran):
                maybe = _maybe(op, path)
        if current.parent is not None:
            parent = self.stages[current.parent]
            return _settle(self.find(current.parent, len(parent.ops), path, depth + 1), maybe)
        if path in ("/", BASE_WD) or _under(BASE_WD, path) is not None:
            return _Hit("dir")
        if current.scratch:
            return _settle(_Hit("absent"), maybe)
        why = f"not in {current.external} as far as is known here"
        return _settle(_Hit("absent", why=why), maybe)

    def names(self, stage: int, upto: int, directory: str, depth: int = 0) -> set[str]:
        """Every name that an op of `stage` before op `upto` (or of the stages it is built on)
        puts in image directory `directory`: the candidates a shell pattern is matched against,
        each still to be confirmed with `find` (a later op may hide it)."""
        if depth > 50:
            return set()
        current = self.stages[stage]
        found: set[str] = set()
        for op in current.ops[:upto]:
            found |= self._op_names(op, directory, depth)
        if current.parent is not None:
            parent = self.stages[current.parent]
            found |= self.names(current.parent, len(parent.ops), directory, depth + 1)
        return found

    def _op_names(self, op: _Op, directory: str, depth: int) -> set[str]:
        if isinstance(op, _Mkdir):
            return _first_below(op.path, directory)
        if isinstance(op, _Ran):
            # the mention rule: a word of the RUN may name a file it made
            words = (posixpath.basename(w.rstrip("/")) for w in op.text.split())
            return {w for w in words if w and not w.startswith("-")}
        if isinstance(op, _Opaque):
            return set()
        found: set[str] = set()
        for target, source, is_dir in self._copy_targets(op):
            found |= _first_below(target, directory)
            rel = _under(directory, target) if is_dir else None
            if rel is not None:
                found |= self._source_names(op, _join(source, rel) if op.stage is None
                                            else posixpath.join(source, rel), depth)  # fmt: skip
        return found

    def _copy_targets(self, op: _Copy) -> list[tuple[str, str, bool]]:
        """(image path, source, is a directory) of what a COPY writes (as _copy_hit reads it)."""
        out: list[tuple[str, str, bool]] = []
        as_dir = op.dest_dir or len(op.items) > 1
        for source, is_dir in op.items:
            if op.parents:
                kept = source.split("/./", 1)[-1].strip("/")
                real = source.replace("/./", "/", 1)
                out.append((posixpath.join(op.dest, kept), real, is_dir is not False))
                continue
            if is_dir is not False:
                out.append((op.dest, source, True))
            if not is_dir:
                if as_dir or op.dest_dir is None:
                    out.append((posixpath.join(op.dest, posixpath.basename(source)), source, False))
                if not as_dir:
                    out.append((op.dest, source, False))
        return out

    def _source_names(self, op: _Copy, source: str, depth: int) -> set[str]:
        if op.stage is not None:
            other = self.stages[op.stage]
            return self.names(op.stage, len(other.ops), source, depth + 1)
        context = self.build.context
        children = context.index.children.get(context.repo_path(source), [])
        return {
            name
            for name in children
            if context.file(_join(source, name)) or context.dir(_join(source, name))
        }

    def _op_hit(self, op: _Op, path: str, depth: int) -> _Hit | None:
        if isinstance(op, _Opaque):
            if _under(path, op.prefix) is not None:
                return _Hit("unknown", why=op.why)
            return None
        if isinstance(op, _Mkdir):
            if _under(op.path, path) is not None:
                return _Hit("dir")
            return None
        if isinstance(op, _Ran):
            name = posixpath.basename(path)
            if name and name in op.text and _mentions(name).search(op.text):
                return _Hit(
                    "made", why=f"the RUN at line {op.line} mentions {name} and may create it"
                )
            return None
        return self._copy_hit(op, path, depth)

    def _source_hit(self, op: _Copy, source: str, depth: int) -> _Hit:
        if op.stage is None:
            if self.build.context.file(source):
                return _Hit("file", self.build.context.repo_path(source))
            if self.build.context.dir(source):
                return _Hit("dir")
            return _Hit("absent")
        stage = self.stages[op.stage]
        return self.find(op.stage, len(stage.ops), source, depth + 1)

    def _copy_hit(self, op: _Copy, path: str, depth: int) -> _Hit | None:
        multi = len(op.items) > 1
        # a later source overwrites an earlier one at the same destination
        for source, is_dir in reversed(op.items):
            join = _join if op.stage is None else posixpath.join
            if op.parents:
                rel = _under(path, op.dest)
                if rel is None:
                    continue
                kept = source.split("/./", 1)[-1].strip("/")
                real = source.replace("/./", "/", 1)
                inner = _under(rel, kept)
                if inner is not None:
                    hit = self._source_hit(op, join(real, inner) if inner else real, depth)
                    if hit.state != "absent":
                        return hit
                continue
            if is_dir is not False:
                rel = _under(path, op.dest)
                if rel == "":
                    into_dir = is_dir or op.dest_dir or multi
                    return _Hit("dir") if into_dir else self._source_hit(op, source, depth)
                if rel is not None:
                    hit = self._source_hit(op, join(source, rel), depth)
                    if hit.state != "absent":
                        return hit
                if is_dir:
                    continue
            name = posixpath.basename(source)
            into = posixpath.join(op.dest, name)
            as_dir = op.dest_dir or multi
            if path == into and (as_dir or op.dest_dir is None):
                return self._source_hit(op, source, depth)
            if path == op.dest and not as_dir:
                return self._source_hit(op, source, depth)
            if path == op.dest and as_dir:
                return _Hit("dir")
        return None

    # -- instructions -----------------------------------------------------------------------
    def run(self) -> None:
        global_args: dict[str, str | None] = {}
        stage: _Stage | None = None
        first = self.source.text.split("\n", 3)[:3]
        for line in first:
            match = re.match(r"#\s*escape\s*=\s*(\S)", line.strip())
            if match:
                self.escape = match.group(1)
        for command in self.commands:
            cmd = command.cmd.upper()
            if stage is None and cmd == "ARG":
                for name, value in self._arg_pairs(command.value, global_args):
                    global_args[name] = value
                continue
            if cmd == "FROM":
                stage = self._from(command, global_args)
                continue
            if stage is None:
                continue
            if cmd == "ARG":
                for name, value in self._arg_pairs(command.value, stage.env, global_args):
                    stage.env[name] = value
            elif cmd == "ENV":
                values = list(command.value)
                for name, raw in zip(values[0::2], values[1::2], strict=False):
                    stage.env[name] = dockershell.expand(raw, stage.env, self.escape)
            elif cmd == "WORKDIR":
                self._workdir(stage, command)
            elif cmd in ("COPY", "ADD"):
                self._copy(stage, command, cmd)
            elif cmd == "RUN":
                self._run(stage, command)
            elif cmd == "SHELL":
                shell = list(command.value)
                if shell and posixpath.basename(shell[0]) not in _SHELLS:
                    stage.env["\0shell"] = None

    def _arg_pairs(
        self,
        value: Sequence[str],
        env: dict[str, str | None],
        global_args: dict[str, str | None] | None = None,
    ) -> list[tuple[str, str | None]]:
        pairs: list[tuple[str, str | None]] = []
        for item in value:
            name, eq, default = item.partition("=")
            if name in self.build.args:
                pairs.append((name, self.build.args[name]))
            elif eq:
                pairs.append((name, dockershell.expand(default, env, self.escape)))
            elif global_args is not None and name in global_args:
                pairs.append((name, global_args[name]))
            else:
                pairs.append((name, None))
        return pairs

    def _from(self, command: Any, global_args: dict[str, str | None]) -> _Stage:
        image, name = _split_from(command.value)
        expanded = dockershell.expand(image, global_args, self.escape) or image
        index = len(self.stages)
        parent = None
        for earlier in self.stages:
            if earlier.name and earlier.name.lower() == expanded.lower():
                parent = earlier.index
        env: dict[str, str | None] = {}
        workdir = BASE_WD
        if parent is not None:
            env = dict(self.stages[parent].env)
            workdir = self.stages[parent].workdir
        scratch = expanded.lower() == "scratch"
        if scratch:
            workdir = "/"
        stage = _Stage(index, name, command.start_line, parent, expanded, scratch, workdir, env)
        self.stages.append(stage)
        return stage

    def _workdir(self, stage: _Stage, command: Any) -> None:
        raw = command.value[0] if command.value else ""
        value = dockershell.expand(raw, stage.env, self.escape)
        if value is None:
            self.problem(
                command.start_line,
                f"WORKDIR {raw}: the value of ${dockershell.unknown_name(raw, stage.env)} is not "
                "known here, so paths relative to it are not checked in this stage",
            )
            stage.workdir = "/\x00unknown-workdir"
            return
        stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, value))
        stage.ops.append(_Mkdir(command.start_line, stage.workdir))

    def _dest(self, stage: _Stage, raw: str) -> str | None:
        value = dockershell.expand(raw, stage.env, self.escape)
        if value is None:
            return None
        path = posixpath.normpath(posixpath.join(stage.workdir, value))
        return path

    def _copy(self, stage: _Stage, command: Any, cmd: str) -> None:
        line = command.start_line
        values = list(command.value)
        flags = _flags(command.flags)
        if command.heredocs or len(values) < 2:
            dest = self._dest(stage, values[-1]) if values else None
            stage.ops.append(
                _Opaque(
                    line, dest or "/", f"the {cmd} at line {line} writes it from a here-document"
                )
            )
            return
        *sources, raw_dest = values
        dest = self._dest(stage, raw_dest)
        if dest is None:
            name = dockershell.unknown_name(raw_dest, stage.env)
            why = f"the {cmd} at line {line} copies to ${name}, whose value is not known here"
            stage.ops.append(_Opaque(line, "/", why))
            return
        dest_slash = raw_dest.endswith("/") or raw_dest in (".", "./") or raw_dest.endswith("/.")
        from_stage: int | None = None
        if "from" in flags:
            ref = dockershell.expand(flags["from"][-1], stage.env, self.escape) or ""
            for earlier in self.stages[: stage.index]:
                if (earlier.name and earlier.name.lower() == ref.lower()) or ref == str(
                    earlier.index
                ):
                    from_stage = earlier.index
            if from_stage is None:
                stage.ops.append(
                    _Opaque(
                        line,
                        dest,
                        f"the {cmd} at line {line} copies it from "
                        f"the image {ref}, whose files are not known here",
                    )
                )
                return
        items: list[tuple[str, bool | None]] = []
        for raw in sources:
            value = dockershell.expand(raw, stage.env, self.escape)
            if value is None or _URL.match(value) or (cmd == "ADD" and _ARCHIVE.search(value)):
                name = dockershell.unknown_name(raw, stage.env)
                why = (
                    f"the {cmd} at line {line} adds {raw}, whose content is not known here"
                    if value is not None
                    else f"the {cmd} at line {line} names ${name}, whose value is not known here"
                )
                stage.ops.append(_Opaque(line, dest, why))
                return
            if from_stage is not None:
                if _GLOB_CHARS.search(value):
                    stage.ops.append(
                        _Opaque(
                            line,
                            dest,
                            f"the {cmd} at line {line} copies a wildcard from another stage",
                        )
                    )
                    return
                path = posixpath.normpath(posixpath.join("/", value))
                hit = self.find(from_stage, len(self.stages[from_stage].ops), path)
                # a path a RUN may have made could be a file or a directory
                known = hit.state in ("file", "dir", "absent")
                items.append((path, hit.state == "dir" if known else None))
                continue
            pivot = ""
            if "parents" in flags:
                # rsync-style: only the directories after a `./` inside the path are kept
                trimmed = value
                while trimmed.startswith("./"):
                    trimmed = trimmed[2:]
                if "/./" in trimmed:
                    pivot = _clean_context_path(trimmed.split("/./", 1)[0])
                    value = trimmed.replace("/./", "/", 1)
            cleaned = _clean_context_path(value)
            if _GLOB_CHARS.search(cleaned):
                matches = self.build.context.glob(cleaned)
                if len(matches) > 1:
                    dest_slash = True
            else:
                matches = [(cleaned, self.build.context.dir(cleaned))]
            for path, is_dir in matches:
                if pivot and path.startswith(pivot + "/"):
                    path = pivot + "/./" + path[len(pivot) + 1 :]
                items.append((path, is_dir))
        dest_dir: bool | None = dest_slash or len(items) > 1
        if not dest_dir and items and items[0][1]:
            dest_dir = True
        if not dest_dir:
            hit = self.find(stage.index, len(stage.ops), dest)
            if hit.state == "dir":
                dest_dir = True
            elif hit.state == "absent" and not self._chain_scratch(stage):
                dest_dir = None  # a directory of the base image, or a new file
        stage.ops.append(_Copy(line, tuple(items), dest, dest_dir, "parents" in flags, from_stage))

    def _chain_scratch(self, stage: _Stage) -> bool:
        while stage.parent is not None:
            stage = self.stages[stage.parent]
        return stage.scratch

    # -- RUN ----------------------------------------------------------------------------------
    def _run(self, stage: _Stage, command: Any) -> None:
        line = command.start_line
        flags = _flags(command.flags)
        mounts: list[_Mount] = []
        for spec in flags.get("mount", []):
            fields = _mount(spec)
            kind = fields.get("type", "bind")
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if not target:
                continue
            target = self._dest(stage, target) or "/\x00unknown-mount"
            source = fields.get("source") or fields.get("src") or ""
            mount_stage: int | None = None
            if "from" in fields:
                ref = fields["from"]
                mount_stage = next(
                    (s.index for s in self.stages[: stage.index] if s.name.lower() == ref.lower()),
                    None,
                )
                if mount_stage is None:
                    kind = "external"
                source = posixpath.normpath(posixpath.join("/", source))
            else:
                source = _clean_context_path(source)
            mounts.append(_Mount(target, kind, source, mount_stage))
        texts: list[str] = []
        simples: list[dockershell.Simple] = []
        if command.json:
            argv = list(command.value)
            if (
                len(argv) >= 3
                and posixpath.basename(argv[0]) in _SHELLS
                and argv[1].startswith("-")
                and "c" in argv[1]
            ):
                texts.append(argv[2])
            else:
                simples.append(dockershell.Simple(tuple(argv)))  # exec form: no shell, no globs
        elif "\0shell" in stage.env:
            self.problem(line, "RUN after SHELL with a non-POSIX shell: not checked")
            return
        else:
            text = command.value[0] if command.value else ""
            heredocs = list(command.heredocs)
            if heredocs:
                rest = re.sub(r"\d*<<-?\s*(['\"]?)[A-Za-z0-9_.-]+\1", " ", text).split()
                runs_script = not rest or (
                    posixpath.basename(rest[0]) in _SHELLS
                    and all(a.startswith("-") for a in rest[1:])
                )
                texts.append(heredocs[0].content if runs_script else text)
            else:
                texts.append(text)
        env = {k: v for k, v in stage.env.items() if not k.startswith("\0")}
        for text in texts:
            simples.extend(dockershell.commands(text, env))
        cwd: str | None = stage.workdir
        pushed: list[str | None] = []  # pushd's stack
        outer: list[str | None] = []  # the directory at each open subshell, restored at `)`
        names: list[str] = []  # what this RUN's commands may have written so far (dockerwrites)
        reach: list[dockerwrites.Reach] = []
        for simple, flow in zip(simples, dockershell.flow(simples), strict=True):
            while len(outer) > simple.depth:
                cwd = outer.pop()
            while len(outer) < simple.depth:
                outer.append(cwd)
            argv = list(simple.words)
            shown = " ".join(w if w is not None else "<unknown>" for w in argv)
            stripped = pipcli.strip_prefix([w if w is not None else "\0" for w in argv])
            program = stripped[0] if stripped else ""
            if program in ("cd", "pushd", "popd"):
                if program == "popd":
                    cwd = pushed.pop() if pushed else None
                    continue
                if program == "pushd":
                    pushed.append(cwd)
                target = stripped[1] if len(stripped) > 1 else "/root"
                cwd = (
                    None
                    if "\0" in target or target == "-" or cwd is None
                    else posixpath.normpath(posixpath.join(cwd, target))
                )
                continue
            install = pipcli.parse(argv)
            if install is None:
                effects = dockerwrites.effects(argv, simple.writes, cwd, shown)
                names.extend(effects.names)
                reach.extend(effects.reach)
                if effects.cwd_lost:
                    cwd = None
                continue
            earlier = _Ran(line, " ".join(names), tuple(reach)) if names or reach else None
            view = _View(self, stage, mounts, earlier)
            literal: set[str] = set()
            if cwd is not None and any(p is not None for p in simple.patterns):
                expanded, literal = view.expand(simple, cwd)
                again = pipcli.parse(expanded)
                install = install if again is None else dataclasses.replace(again, text=shown)
            if install.unknown:
                self.problem(
                    line,
                    f"`{install.text}`: {', '.join(install.unknown)} is not known here "
                    "(a command substitution or an unknown variable): that path is not checked",
                )
            if cwd is None or "\x00unknown" in cwd:
                self.problem(
                    line, f"`{install.text}` runs in a directory not known here: not checked"
                )
                reach.append(dockerwrites.Reach("/", "subtree", shown))
                continue
            runner = _Install(self, stage, command, view, install, cwd, literal, flow)
            runner.check()
            effects = runner.effects(simple.writes)
            names.extend(effects.names)
            reach.extend(effects.reach)
        if names or reach:
            stage.ops.append(_Ran(line, " ".join(names), tuple(reach)))


class _View:
    """The image as one command of a RUN sees it: the RUN's mounts over the stage's files
    before the RUN, and what the RUN's earlier commands may have written (`earlier`)."""

    def __init__(
        self, docker: _Dockerfile, stage: _Stage, mounts: list[_Mount], earlier: _Ran | None
    ) -> None:
        self.docker = docker
        self.stage = stage
        self.mounts = mounts
        self.earlier = earlier
        self.upto = len(stage.ops)
        self.made: set[str] = set()  # patterns known to match files not named here

    def _wheels(self, directory: str) -> bool:
        """Whether `directory` certainly holds a wheel a `pip wheel -w` wrote there."""
        return self.find(posixpath.join(directory, WHEEL)).state == "made"

    def find(self, path: str) -> _Hit:
        if path in self.made:
            return _Hit("made", why="a `pip wheel -w` wrote wheels there")
        maybe: _Hit | None = None
        if self.earlier is not None:
            hit = self.docker._op_hit(self.earlier, path, 0)
            if hit is not None:
                return hit
            maybe = _maybe(self.earlier, path)
        for mount in reversed(self.mounts):
            rel = _under(path, mount.target)
            if rel is None:
                continue
            if mount.kind == "bind":
                source = (
                    _join(mount.source, rel)
                    if mount.stage is None
                    else posixpath.join(mount.source, rel)
                )
                if mount.stage is None:
                    context = self.docker.build.context
                    if context.file(source):
                        return _Hit("file", context.repo_path(source))
                    if context.dir(source):
                        return _Hit("dir")
                    return _settle(
                        _Hit(
                            "absent",
                            why=f"the bind mount at {mount.target} hides the image's files there",
                        ),
                        maybe,
                    )
                stage = self.docker.stages[mount.stage]
                return _settle(self.docker.find(mount.stage, len(stage.ops), source), maybe)
            if mount.kind == "tmpfs":
                return _settle(_Hit("absent"), maybe)
            return _Hit("unknown", why=f"a {mount.kind} mount at {mount.target}")
        hit = _settle(self.docker.find(self.stage.index, self.upto, path), maybe)
        if hit.state == "absent" and self._anchors_differ(path):
            return _Hit("unknown", why="it depends on the base image's WORKDIR, unknown here")
        return hit

    def _anchors_differ(self, path: str) -> bool:
        symbolic = path.startswith(BASE_WD)
        stage: _Stage | None = self.stage
        while stage is not None:
            for op in stage.ops:
                if isinstance(op, _Copy) and op.dest.startswith(BASE_WD) != symbolic:
                    return True
            stage = self.docker.stages[stage.parent] if stage.parent is not None else None
        return False

    def names(self, directory: str) -> set[str]:
        """Candidate entries of image directory `directory` (see _Dockerfile.names)."""
        found: set[str] = set()
        if self.earlier is not None:
            found |= self.docker._op_names(self.earlier, directory, 0)
        for mount in reversed(self.mounts):
            found |= _first_below(mount.target, directory)
            rel = _under(directory, mount.target)
            if rel is None:
                continue
            if mount.kind == "bind":
                if mount.stage is None:
                    context = self.docker.build.context
                    source = _join(mount.source, rel)
                    children = context.index.children.get(context.repo_path(source), [])
                    found |= {
                        n
                        for n in children
                        if context.file(_join(source, n)) or context.dir(_join(source, n))
                    }
                else:
                    stage = self.docker.stages[mount.stage]
                    source = posixpath.join(mount.source, rel)
                    found |= self.docker.names(mount.stage, len(stage.ops), source)
            return found  # the mount hides what the image has there
        return found | self.docker.names(self.stage.index, self.upto, directory)

    def expand(self, simple: dockershell.Simple, cwd: str) -> tuple[list[str | None], set[str]]:
        """The command's words after pathname expansion as `sh` does it when the RUN runs
        (POSIX 2.6.6): a word with an unquoted `*`, `?` or `[` becomes the paths it matches,
        sorted; when it matches nothing it stays as written (also returned in the set)."""
        words: list[str | None] = []
        literal: set[str] = set()
        patterns = list(simple.patterns) + [None] * (len(simple.words) - len(simple.patterns))
        for word, pattern in zip(simple.words, patterns, strict=True):
            if word is None or pattern is None:
                words.append(word)
                continue
            matches = self.glob(pattern, cwd)
            if matches:
                words.extend(matches)
            else:
                words.append(word)
                literal.add(word)
        return words, literal

    def glob(self, pattern: str, cwd: str) -> list[str]:
        """The paths (written as the pattern is: relative stays relative) that `pattern`
        matches in this view; a name starting with `.` matches only a pattern that does."""
        absolute = pattern.startswith("/")
        parts = pattern.split("/")[1:] if absolute else pattern.split("/")
        found: list[tuple[str, str]] = [("/" if absolute else cwd, "/" if absolute else "")]
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            if part == "":
                found = [(image, written + "/") for image, written in found if not last or written]
                continue
            following: list[tuple[str, str]] = []
            for image, written in found:
                glue = written if not written or written.endswith("/") else written + "/"
                if not _has_glob(part):
                    name = _unescape(part)
                    candidates = [name]
                elif last and part in _FILLED_BY_WHEELS and self._wheels(image):
                    # pip wheel's files, not named here: the pattern matches, as written
                    self.made.add(posixpath.join(image, part))
                    following.append((posixpath.join(image, part), glue + part))
                    continue
                else:
                    regex = _sh_pattern(part)
                    hidden_ok = part.startswith(".")
                    candidates = sorted(
                        name
                        for name in self.names(image)
                        if regex.match(name) and (hidden_ok or not name.startswith("."))
                    )
                for name in candidates:
                    path = posixpath.normpath(posixpath.join(image, name))
                    state = self.find(path).state
                    # a name that no instruction puts there ("maybe") is no known match
                    unmatched = ("absent", "maybe") if _has_glob(part) else ("absent",)
                    if state in unmatched or (not last and state == "file"):
                        continue
                    following.append((path, glue + name))
            found = following
        return [written for _image, written in found]


@dataclass
class _Need:
    path: str  # absolute image path
    written: str  # as written (the finding's `package`)
    rule: str
    why: str  # who needs it, for the message
    source_path: str = ""  # the repo file that should be there (for the fix)
    kind: str = "file"  # file, dir, project
    including: str = ""  # repo path of the requirements file whose include needs it


_RUNS_AND_STOPS = dockershell.Flow("", True)
_GOES_ON = (
    ", but the RUN does not fail with it (a later command's status is the RUN's: no `&&` up to "
    "the end, no `set -e`), so the image is built without what it installs"
)


class _Install:
    """One pip/uv install in one RUN: walk what it opens, report what is missing."""

    def __init__(
        self,
        docker: _Dockerfile,
        stage: _Stage,
        command: Any,
        view: _View,
        install: pipcli.Install,
        cwd: str,
        literal: set[str] | None = None,
        flow: dockershell.Flow = _RUNS_AND_STOPS,
    ) -> None:
        self.docker = docker
        self.flow = flow  # whether it runs, whether its failure fails the RUN
        self.view = view
        self.stage = stage
        self.command = command
        self.install = install
        self.shell_cwd = cwd
        self.cwd = posixpath.normpath(posixpath.join(cwd, install.directory))
        self.visited: set[str] = set()
        self.no_index = install.no_index
        self.literal = literal or set()  # patterns the shell passed as written (no match)
        self.projects: set[str] = set()  # local project directories it builds (image paths)
        self.vcs_editable = any(_URL.match(e) or "+" in e.split(":", 1)[0]
                                for e in install.editables)  # fmt: skip

    def find(self, path: str) -> _Hit:
        return self.view.find(path)

    def effects(self, writes: Sequence[str | None]) -> dockerwrites.Effects:
        """What this install may write (dockerwrites.install_effects), its redirections too."""
        shown = self.install.text
        own = dockerwrites.install_effects(
            self.install, self.shell_cwd, sorted(self.projects), self.vcs_editable, shown
        )
        redirected = dockerwrites.effects([], writes, self.shell_cwd, shown)
        return dockerwrites.Effects(
            (*redirected.names, *own.names), (*redirected.reach, *own.reach)
        )

    def check(self) -> None:
        for written in self.install.requirements:
            self.requirements_file(self._at(self.cwd, written), written, "requirement", None)
        for written in self.install.constraints:
            self.requirements_file(self._at(self.cwd, written), written, "constraint", None)
        for written in (*self.install.editables, *self.install.paths):
            self.local(written, f"`{self.install.text}` installs {written}")
        for written in self.install.groups:
            path = written.rpartition(":")[0] if ":" in written else "pyproject.toml"
            self.need(
                _Need(
                    self._at(self.cwd, path),
                    written,
                    RULE_LOCAL,
                    f"`{self.install.text}` reads the dependency group from {path}",
                ),
            )
        for written in self.install.find_links:
            if not _URL.match(written):
                self.find_links(self._at(self.cwd, written), written, None)

    @staticmethod
    def _at(directory: str, written: str) -> str:
        return posixpath.normpath(posixpath.join(directory, written))

    def requirements_file(
        self, path: str, written: str, kind: str, via: tuple[Include, str, str] | None
    ) -> None:
        """`via`: (the include line, the including file's image path, its repo source)."""
        if path in self.visited:
            return
        self.visited.add(path)
        hit = self.find(path)
        if hit.state == "made":
            return  # written by a RUN: there, but what it includes is not known
        if hit.state != "file":
            if via is None:
                why = f"`{self.install.text}` opens {written} ({kind} file)"
            else:
                include, including_image, including_source = via
                flag = "-r" if include.kind == "requirement" else "-c"
                why = (
                    f"{including_source} line {include.line} (`{flag} {include.target}`, at "
                    f"{_show(including_image)} in the image) includes it, and pip opens it "
                    "relative to the including file"
                )
            expected, including = "", ""
            if via is not None:
                including = via[2]
                expected = _join(posixpath.dirname(including), written)
            self.missing(_Need(path, written, RULE_INCLUDE, why, expected, "file", including), hit)
            return
        includes, projects, source = self.docker.model.parsed(hit.source)
        for include in includes:
            if include.file != hit.source or _URL.match(include.target) or "${" in include.target:
                continue
            target = self._at(posixpath.dirname(path), include.target)
            self.requirements_file(
                target, include.target, include.kind, (include, path, hit.source)
            )
        for project in projects:
            if project.kind != "url" and project.installs:
                self.local(
                    project.target,
                    f"{project.file} line {project.line} (`{project.text}`) installs it, and "
                    "pip resolves it from the working directory",
                )
        if source is not None:
            self.lines(source, path)

    def lines(self, source: SourceFile, image_path: str) -> None:
        """`--find-links` and `--no-index` inside a requirements file."""
        for _number, line in logical_lines(source.text):
            args, options = split_args_options(line)
            if args.strip() or not re.search(r"(^|\s)(-f|--find-links|--no-index)", options):
                continue
            from .. import pipline

            parsed = pipline.parse_options(options)
            if parsed.error:  # the walker already reported the line as a problem
                continue
            self.no_index = self.no_index or parsed.no_index
            for value in parsed.find_links:
                if _URL.match(value):
                    continue
                beside = self._at(posixpath.dirname(image_path), value)
                self.find_links(self._at(self.cwd, value), value, beside)

    def local(self, written: str, why: str) -> None:
        if _URL.match(written) or written.startswith("file:"):
            return
        path = self._at(self.cwd, pipcli.strip_extras(written))
        if path.lower().endswith(pipcli.ARCHIVE_EXTENSIONS):
            self.need(_Need(path, written, RULE_LOCAL, why))
            return
        hit = self.find(path)
        if hit.state in ("unknown", "made", "maybe"):
            self.projects.add(path)
            if hit.state != "made":
                self.uncertain(path, written, hit)
            return
        metadata = [posixpath.join(path, n) for n in ("pyproject.toml", "setup.py")]
        hits = [self.find(p) for p in metadata]
        if any(h.state in ("file", "made", "maybe", "unknown") for h in hits):
            self.projects.add(path)  # pip builds it there: build/, *.egg-info
        if any(h.state == "file" for h in hits):
            # a project is there: the metadata files the repository has beside it must be too
            context_dir = posixpath.dirname(next(h.source for h in hits if h.state == "file"))
            for name in ("pyproject.toml", "setup.py", "setup.cfg"):
                repo_file = _join(context_dir, name)
                if repo_file in self.docker.model.index.files:
                    self.need(
                        _Need(
                            posixpath.join(path, name),
                            written,
                            RULE_LOCAL,
                            f"{why}; pip builds it from {name}",
                            repo_file,
                        )
                    )
            return
        if any(h.state == "made" for h in hits):
            return
        if any(h.state in ("unknown", "maybe") for h in hits):
            self.uncertain(path, written, next(h for h in hits if h.state in ("unknown", "maybe")))
            return
        self.missing(
            _Need(
                path,
                written,
                RULE_LOCAL,
                f"{why}, and pip builds a directory from its pyproject.toml or setup.py",
                kind="project",
            ),
            hit,
        )

    def find_links(self, path: str, written: str, beside: str | None) -> None:
        hits: list[_Hit] = []
        for candidate in (beside, path):
            if candidate is None:
                continue
            hit = self.find(candidate)
            if hit.state in ("dir", "file", "made"):
                return
            hits.append(hit)
        why = f"`--find-links {written}`: pip ignores a missing location with a warning"
        if self.no_index:
            why += ", and with --no-index nothing else provides the packages it holds"
        hit = next((h for h in hits if h.state in ("unknown", "maybe")), hits[-1])
        self.missing(_Need(path, written, RULE_LOCAL, why, kind="dir"), hit)

    def need(self, need: _Need) -> None:
        hit = self.find(need.path)
        if hit.state in ("file", "made") or (need.kind == "dir" and hit.state == "dir"):
            return
        self.missing(need, hit)

    def uncertain(self, path: str, written: str, hit: _Hit) -> None:
        """A problem, not a finding: whether the image has `path` is not known here."""
        docker = self.docker
        key = (docker.build.dockerfile, self.command.start_line, hit.state, path)
        if key in docker.model.seen:
            return
        docker.model.seen.add(key)
        needs = f"`{self.install.text}` needs {_show(path)}"
        absent = "no COPY, ADD or mount puts it there"
        if written in self.literal:  # the shell passes a pattern that matches nothing as is
            needs = f"`{self.install.text}` needs a path matching {_show(path)}"
            absent = "nothing that COPY, ADD or a mount puts in the image matches it"
        if hit.state == "maybe":
            message = (
                f"{needs}: {absent}, but {hit.why}, so it is not reported missing: not checked"
            )
        else:
            message = (
                f"{needs}; whether the image has it is not known here ({hit.why}): not checked"
            )
        docker.problem(self.command.start_line, message)

    def missing(self, need: _Need, hit: _Hit) -> None:
        if hit.state in ("unknown", "maybe"):
            self.uncertain(need.path, need.written, hit)
            return
        docker = self.docker
        line = self.command.start_line
        if self.flow.guard:
            key = (docker.build.dockerfile, line, "guard", need.path)
            if key not in docker.model.seen:
                docker.model.seen.add(key)
                docker.problem(
                    line,
                    f"`{self.install.text}` needs {_show(need.path)}, which is not in the image "
                    f"at that point, but the command may not run ({self.flow.guard}), so it "
                    "is not reported: not checked",
                )
            return
        key = (docker.build.dockerfile, line, need.rule, need.path)
        if key in docker.model.seen:
            return
        docker.model.seen.add(key)
        fix, advice = self.fix(need)
        severity: Literal["error", "warning"] = "error"
        if need.kind == "dir" and not self.no_index:
            severity = "warning"
        where = f"{docker.build.dockerfile} line {line}"
        build = docker.build
        context = f"context {build.context.root or '.'}/ ({build.origin})"
        absent = f"{_show(need.path)} is not in the image at that point"
        if need.written in self.literal:
            absent = (
                f"no path in the image matches the pattern {need.written} at that point, so the "
                f"shell passes it to pip as written, and {_show(need.path)} is not there either"
            )
        if need.kind == "project":
            absent = f"neither {_show(need.path)}/pyproject.toml nor setup.py is in the image"
        message = (
            f"{where} runs `{self.install.text}` in {_show(self.cwd)}; {need.why}. "
            f"{absent[:1].upper()}{absent[1:]}"
            f"{' (' + hit.why + ')' if hit.why and need.kind != 'project' else ''}, so "
            + self._consequence(need)
            + f". Build {context}. {advice}"
        )
        docker.model.result.findings.append(
            Finding(
                rule=need.rule,
                package=need.written,
                severity=severity,
                file=docker.build.dockerfile,
                line=line,
                platforms=("docker",),
                title=f"{need.written}: not in the image when {where} runs pip",
                message=message.strip(),
                fix=fix,
            )
        )

    def _consequence(self, need: _Need) -> str:
        """What the missing path does to the build."""
        if need.rule == RULE_INCLUDE:
            fails, stops = "pip fails with 'Could not open requirements file'", "the build stops"
        elif need.kind == "project":
            fails, stops = (
                "pip stops ('Neither setup.py nor pyproject.toml found')",
                "the build fails",
            )
        else:
            return "the install fails or misses it" + ("" if self.flow.stops else _GOES_ON)
        return fails + (f" and {stops}" if self.flow.stops else _GOES_ON)

    # -- the fix ----------------------------------------------------------------------------
    def fix(self, need: _Need) -> tuple[Fix | None, str]:
        context = self.docker.build.context
        if need.kind == "project":
            # the project directory, laid out as the context is (`COPY . .` for the root)
            rel_from_wd = _under(need.path, self.stage.workdir)
            source = rel_from_wd if rel_from_wd is not None else None
            if source is None or not (
                context.file(_join(source, "pyproject.toml"))
                or context.file(_join(source, "setup.py"))
            ):
                return None, "Copy the project into the image before this RUN."
            return self._copy_fix(source or ".", need.path, True, need)
        if not need.source_path:
            return None, "Copy it into the image before this RUN."
        source = need.source_path
        rel = source[len(context.root) + 1 :] if context.root else source
        if context.root and not source.startswith(context.root + "/"):
            return None, f"{source} is outside the build context, so no COPY can bring it."
        if source not in context.index.files:
            return None, f"{source} does not exist in the repository either."
        if context.excluded(rel):
            pattern = context.ignore.culprit(rel) if context.ignore else None
            where = f" (line {pattern.line}: `{pattern.text}`)" if pattern else ""
            return None, (
                f"{context.ignore_file}{where} leaves {rel} out of the build context: "
                "un-ignore it, then copy it before this RUN."
            )
        # copy the top directory the include goes through (`requirements/`), else the file
        written = posixpath.normpath(need.written)
        first = written.split("/", 1)[0]
        if "/" in written and first not in ("..", ".") and not written.startswith("/"):
            including = need.including
            including_rel = including[len(context.root) + 1 :] if context.root else including
            dir_source = _join(posixpath.dirname(including_rel), first)
            image_dir = need.path[: -len(written) - 1] or "/"  # the including file's directory
            dir_dest = posixpath.join(image_dir, first)
            if context.dir(dir_source):
                return self._copy_fix(dir_source, dir_dest, True, need)
        return self._copy_fix(rel, posixpath.dirname(need.path), False, need, file=True)

    def _copy_fix(
        self, source: str, dest: str, is_dir: bool, need: _Need, file: bool = False
    ) -> tuple[Fix | None, str]:
        wd = self.stage.workdir
        rel = _under(dest, wd)
        if rel is not None:
            shown_dest = (rel + "/") if rel else "./"
        elif dest.startswith(BASE_WD):
            return None, "Copy it into the image before this RUN."
        else:
            shown_dest = dest.rstrip("/") + "/"
        shown_source = "." if source in ("", ".") else (source + "/" if is_dir else source)
        if is_dir and shown_source == "." and shown_dest == "./":
            shown_dest = "."
        if _UNSAFE_IN_FIX.search(shown_source + shown_dest) or self.docker.escape in (
            shown_source + shown_dest
        ):
            return None, f"Copy {shown_source} to {shown_dest} before this RUN."
        # check: with this COPY, is the file there?
        items = ((source, is_dir),)
        op = _Copy(0, items, dest, True)
        if self.docker._copy_hit(op, need.path, 0) is None and need.kind != "project":
            return None, "Copy it into the image before this RUN."
        first_line = self.docker.source.text.splitlines()[self.command.start_line - 1]
        indent = first_line[: len(first_line) - len(first_line.lstrip())]
        keyword = "copy" if first_line.lstrip()[:3] == "run" else "COPY"
        text = f"{indent}{keyword} {shown_source} {shown_dest}"
        fix = Fix(self.docker.build.dockerfile, self.command.start_line, text, "insert-before")
        return fix, f"Add `{text.strip()}` before line {self.command.start_line}."


# -- finding the builds ----------------------------------------------------------------------


def _parse_dockerfile(text: str) -> tuple[Any, ...] | str:
    """The Go parser's commands, or the error it reports."""
    import dockerfile  # type: ignore[import-not-found,unused-ignore]

    try:
        return tuple(dockerfile.parse_string(text))
    except dockerfile.GoParseError as exc:
        return str(exc)


def _context_sources(commands: Sequence[Any]) -> list[str]:
    """Literal context sources of COPY/ADD (no --from, no variables, no URLs)."""
    sources: list[str] = []
    for command in commands:
        if command.cmd.upper() not in ("COPY", "ADD") or command.heredocs:
            continue
        if any(f.lower().startswith("--from") for f in command.flags):
            continue
        for value in list(command.value)[:-1]:
            if "$" in value or _URL.match(value):
                continue
            sources.append(value)
    return sources


def _choose_context(
    model: _Model, dockerfile: str, commands: Sequence[Any]
) -> tuple[_Context | None, str]:
    """The nearest directory, from the Dockerfile's own up to the repository root, that holds
    every literal COPY/ADD source: `docker build` fails on a missing source, so no other
    directory can be the context of a build that works. A wildcard source may match nothing:
    BuildKit requires only the paths without wildcards (moby/buildkit 73ed6825,
    frontend/dockerfile/dockerfile2llb/convert_copy.go:250-253) and copies with
    `AllowWildcard: true, AllowEmptyWildcard: true` (:282-283). So the nearest directory where
    every wildcard matches too is preferred, and failing that the nearest where the literal
    sources are all there."""
    sources = [_clean_context_path(source) for source in _context_sources(commands)]
    literal = [source for source in sources if not _GLOB_CHARS.search(source)]
    wild = [source for source in sources if _GLOB_CHARS.search(source)]
    tried: list[str] = []
    chain: list[str] = []
    directory = posixpath.dirname(dockerfile)
    while True:
        chain.append(directory)
        if not directory:
            break
        directory = posixpath.dirname(directory)
    fallback: tuple[_Context, str] | None = None
    for directory in chain:
        context = model.context(directory, dockerfile)
        if all(context.file(source) or context.dir(source) for source in literal):
            own = directory == posixpath.dirname(dockerfile)
            origin = (
                "the Dockerfile's directory"
                if own
                else "the nearest directory above the Dockerfile holding every COPY source"
            )
            if all(context.glob(source) for source in wild):
                return context, origin
            if fallback is None:
                fallback = (context, origin)
        tried.append(directory or ".")
    if fallback is not None:
        return fallback
    return None, ", ".join(tried)


def _default_casing(files: Collection[str], path: str) -> str:
    """`path`, or the lowercase `dockerfile` beside it that BuildKit reads when a Dockerfile
    named `Dockerfile` is absent (moby/buildkit 73ed6825, frontend/dockerui/config.go:345-348
    "dockerfile is also supported casing moby/moby#10858", :392-402 the fallback read)."""
    if posixpath.basename(path) != "Dockerfile" or path in files:
        return path
    lower = _join(posixpath.dirname(path), "dockerfile")
    return lower if lower in files else path


def _compose_builds(model: _Model, path: str) -> tuple[list[_Build], set[str]]:
    """The builds a compose file names, and the Dockerfiles it claims."""
    import yaml

    data = model.repo.read(path)
    builds: list[_Build] = []
    claimed: set[str] = set()
    if data is None:
        return builds, claimed
    try:
        document = yaml.safe_load(data.decode("utf-8", errors="replace"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        model.result.problems.append(Problem(path, line, f"not valid YAML ({exc}): not read"))
        return builds, claimed
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict):
        return builds, claimed
    base = posixpath.dirname(path)
    for name, service in services.items():
        if not isinstance(service, dict) or "build" not in service:
            continue
        build = service["build"]
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            continue
        context = str(build.get("context", "."))
        dockerfile = str(build.get("dockerfile", "Dockerfile"))
        if "$" in context + dockerfile or _URL.match(context) or "dockerfile_inline" in build:
            model.result.problems.append(
                Problem(
                    path,
                    None,
                    f"service {name}: its build context or Dockerfile is not a "
                    "plain path in the repository (a variable, a URL or inline): not checked",
                )
            )
            continue
        root = _join(base, context)
        if root.startswith("..") or root.startswith("/"):
            continue
        root = "" if root == "." else root
        dockerfile_path = _default_casing(model.repo.files, _join(root, dockerfile))
        args: dict[str, str] = {}
        raw_args = build.get("args") or {}
        if isinstance(raw_args, list):
            raw_args = dict(str(a).partition("=")[::2] for a in raw_args if "=" in str(a))
        if isinstance(raw_args, dict):
            for key, value in raw_args.items():
                if value is not None and "$" not in str(value):
                    args[str(key)] = str(value)
        claimed.add(dockerfile_path)
        builds.append(
            _Build(
                dockerfile_path,
                model.context(root, dockerfile_path),
                args,
                f"service {name} in {path}",
            )
        )
    return builds, claimed


def findings(repo: Repository) -> Result:
    """Every build in the repository, checked. Raises nothing: bad input becomes problems."""
    result = Result()
    dockerfiles = [f for f in repo.files if is_dockerfile(posixpath.basename(f))]
    composes = [f for f in repo.files if posixpath.basename(f) in COMPOSE_NAMES]
    if not dockerfiles and not composes:
        return result
    model = _Model(repo, result)
    try:
        import dockerfile  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        result.problems.append(
            Problem(
                dockerfiles[0] if dockerfiles else composes[0],
                None,
                "the docker platform needs the `dockerfile` package (BuildKit's parser), "
                "which has wheels only for Linux x86_64, macOS arm64 and Windows: "
                "Dockerfiles were not checked",
            )
        )
        return result
    builds: list[_Build] = []
    claimed: set[str] = set()
    for compose in composes:
        found, names = _compose_builds(model, compose)
        builds.extend(found)
        claimed |= names
    parsed: dict[str, tuple[SourceFile, tuple[Any, ...]] | None] = {}

    def load(path: str) -> tuple[SourceFile, tuple[Any, ...]] | None:
        if path not in parsed:
            parsed[path] = None
            data = repo.read(path)
            if data is None:
                result.problems.append(Problem(path, None, "cannot be read: not checked"))
                return None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                result.problems.append(
                    Problem(
                        path,
                        None,
                        f"not UTF-8 ({exc.reason} at byte {exc.start}): "
                        "BuildKit reads Dockerfiles as UTF-8; not checked",
                    )
                )
                return None
            commands = _parse_dockerfile(text)
            if isinstance(commands, str):
                line = None
                match = re.search(r"line (\d+)", commands)
                if match:
                    line = int(match.group(1))
                result.problems.append(
                    Problem(path, line, f"BuildKit cannot parse it ({commands}): not checked")
                )
                return None
            parsed[path] = (SourceFile(path, data, text), commands)
        return parsed[path]

    for path in dockerfiles:
        if path in claimed:
            continue
        loaded = load(path)
        if loaded is None:
            continue
        context, origin = _choose_context(model, path, loaded[1])
        if context is None:
            result.problems.append(
                Problem(
                    path,
                    None,
                    "no directory from the Dockerfile's up to the repository root holds every "
                    f"file its COPY/ADD instructions name (tried {origin}): its build context "
                    "is not known, so it is not checked. Name it in a compose file's build.",
                )
            )
            continue
        builds.append(_Build(path, context, {}, origin))
    for build in builds:
        if build.dockerfile not in repo.files:
            result.problems.append(
                Problem(
                    build.dockerfile,
                    None,
                    f"named by {build.origin} but not in the repository: not checked",
                )
            )
            continue
        loaded = load(build.dockerfile)
        if loaded is None:
            continue
        source, commands = loaded
        result.sources[build.dockerfile] = source
        result.builds += 1
        _Dockerfile(model, build, commands, source).run()
    result.findings.sort(key=lambda f: (f.file, f.line, f.rule, f.package))
    return result


def probe(repo: Repository, dockerfile: str, path: str, context: str | None = None) -> str:
    """What the model holds at image `path` (absolute, or relative to the last WORKDIR) after
    the last instruction of `dockerfile`'s last stage: `file <repo path>`, `dir`, `absent` or
    `unknown`. `context` (repo-relative directory) overrides the chosen one. For tests."""
    result = Result()
    model = _Model(repo, result)
    data = repo.read(dockerfile)
    if data is None:
        return "unknown"
    text = data.decode("utf-8")
    commands = _parse_dockerfile(text)
    if isinstance(commands, str):
        raise ValueError(commands)
    if context is None:
        chosen, origin = _choose_context(model, dockerfile, commands)
    else:
        chosen, origin = model.context(context, dockerfile), "given"
    if chosen is None:
        return "unknown"
    run = _Dockerfile(model, _Build(dockerfile, chosen, {}, origin), commands,
                      SourceFile(dockerfile, data, text))  # fmt: skip
    run.run()
    stage = run.stages[-1]
    where = posixpath.normpath(posixpath.join(stage.workdir, path))
    hit = run.find(stage.index, len(stage.ops), where)
    return f"file {hit.source}" if hit.state == "file" else hit.state
