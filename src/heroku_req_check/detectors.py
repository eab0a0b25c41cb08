"""Each buildpack's detection, modelled on what it really reads (bytes of which files, how).

Pure: a detector gets the walked tree and a reader for repository files and answers whether
the platform notices the package. `shell` eras run the catalog's exact grep line over the
root file's bytes with grep's semantics (tests run the real grep on the same bytes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shlex
import stat
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from .catalog import Choice, Era
from .model import Declaration, RequirementsTree

Reader = Callable[[str], bytes | None]  # repo-relative path -> bytes, None if absent/outside


@dataclass(frozen=True)
class Verdict:
    detected: bool
    why: str = ""  # when not detected for a reason other than "not in the files it reads"
    reads: frozenset[str] = frozenset()  # files the detector read (when it follows includes)


@dataclass(frozen=True)
class GrepCommand:
    fixed: bool
    ignore_case: bool
    whole_line: bool
    pattern: str
    file: str


class UnsupportedCommand(ValueError):
    pass


def parse_shell(command: str) -> tuple[GrepCommand, ...]:
    """`grep -FLAGS "pattern" file || ...`: the only shell form the catalog uses."""
    alternatives = []
    for part in command.split("||"):
        words = shlex.split(part.strip().strip("()").strip())
        if len(words) != 4 or words[0] != "grep" or not words[1].startswith("-"):
            raise UnsupportedCommand(command)
        flags = set(words[1][1:])
        if not flags <= set("FEixq"):
            raise UnsupportedCommand(command)
        fixed = "F" in flags
        if not ({"F", "E"} & flags):
            # a basic regexp (Oryx's `grep -iq "Django"`): only literal text is supported,
            # where BRE and -F agree
            if re.search(r"[][.*^$\\]", words[2]):
                raise UnsupportedCommand(command)
            fixed = True
        alternatives.append(GrepCommand(fixed, "i" in flags, "x" in flags, words[2], words[3]))
    return tuple(alternatives)


# GNU grep -E spells whitespace `\s`; inside one line it never includes the newline.
_ERE_TOKENS = re.compile(r"\\s|\\.|[][^$.*+?(){}|]|[^\\]")


def _ere_to_python(pattern: str) -> bytes:
    out = []
    for token in _ERE_TOKENS.findall(pattern):
        if token == "\\s":
            out.append(r"[ \t\r\f\v]")
        elif token in ("^", "*", "+", "?") or (len(token) == 1 and token.isalnum()):
            out.append(token)
        elif len(token) == 1 and token not in "[](){}|.$\\":
            out.append(re.escape(token))
        else:
            raise UnsupportedCommand(pattern)
    return "".join(out).encode()


@cache
def compile_grep(command: GrepCommand) -> re.Pattern[bytes]:
    body = re.escape(command.pattern.encode()) if command.fixed else _ere_to_python(command.pattern)
    if command.whole_line:
        body = b"^(?:" + body + b")$"
    flags = re.MULTILINE | (re.IGNORECASE if command.ignore_case else 0)
    return re.compile(body, flags)


def grep_matches(command: GrepCommand, data: bytes) -> bool:
    # grep reads lines split on \n only; `$` in MULTILINE mode stops at \n, like grep's line end.
    return compile_grep(command).search(data) is not None


def shell_detects(command: str, root_bytes: bytes | None) -> bool:
    if root_bytes is None:
        return False  # grep exits 2 on a missing file: the `if` is false
    return any(grep_matches(alt, root_bytes) for alt in parse_shell(command))


_DASH_R = re.compile(rb"-[rR] ")


def in_req_files(root: str, read: Reader) -> list[str]:
    """bin/utils `list-req` (v12-v14): lines containing '-r ' (any case, comments too), every
    lowercase '-r ' removed, the rest split into words, each taken relative to the file's dir."""
    found: dict[str, None] = {}  # insertion-ordered set
    pending = deque([root])
    while pending:
        path = pending.popleft()
        if path in found:
            continue  # the shell version recurses forever on a cycle; we stop
        found[path] = None
        data = read(path)
        if data is None:
            continue
        directory = os.path.dirname(path)
        starts: dict[int, None] = {}
        for match in _DASH_R.finditer(data):
            starts[data.rfind(b"\n", 0, match.start()) + 1] = None
        for start in starts:
            end = data.find(b"\n", start)
            line = data[start : end if end != -1 else len(data)]
            # bash splits on IFS (space, tab, newline): a CRLF file keeps its \r in the name
            for word in re.split(rb"[ \t]+", line.replace(b"-r ", b"")):
                if not word:
                    continue
                name = word.decode("utf-8", errors="replace")
                pending.append(os.path.normpath(os.path.join(directory, name)))
    return list(found)


def in_req_detects(pattern: str, root: str, read: Reader) -> bool:
    needle = pattern.lower().encode()
    for path in in_req_files(root, read):
        data = read(path)
        if data is not None and needle in data.lower():
            return True
    return False


_BUILD = "$BUILD_DIR"


def list_requirements(root: str, read: Reader, max_depth: int = 200) -> list[bytes]:
    """bin/detect's `list_requirements` (v7-v11): the lines it prints.

    A line starting `-r` is an include: its second space-separated field (the whole line when
    it has no space), joined to the directory of `$requirement_file`, a *global* that each
    nested call overwrites, so a later `-r` line of a file resolves against the file read
    last. A path already in `$array` (a substring test) is not read again, but paths are added
    only after their call returns, so a cycle recurses until bash dies: the model stops at
    `max_depth`, by when every line bash would print before dying has been printed (each turn
    of the cycle repeats the same ones). Every other line is printed, comments too. Not
    modelled: bash's pathname expansion of unquoted lines holding `*`, `?` or `[...]`.
    """
    printed: list[bytes] = []
    state = {"requirement_file": "", "array": ""}

    def read_path(path: str) -> bytes | None:
        rel = os.path.normpath(path[len(_BUILD) + 1 :] or ".")
        return None if rel.startswith("..") else read(rel)

    def visit(path: str, depth: int) -> bool:
        if depth > max_depth:
            return True
        state["requirement_file"] = path
        data = read_path(path)
        # `$(cat file)` split on newlines with IFS=$'\n': empty lines vanish
        for req in (data or b"").split(b"\n"):
            if not req:
                continue
            if not req.startswith(b"-r"):
                printed.append(req)
                continue
            new_req = req.split(b" ")[1] if b" " in req else req  # cut -d" " -f2
            directory = os.path.dirname(state["requirement_file"])
            target = f"{directory}/{new_req.decode('utf-8', 'replace')}"
            if target not in state["array"] and visit(target, depth + 1):
                return True
            state["array"] += f" {target}"
        return False

    visit(f"{_BUILD}/{root}", 1)
    return printed


def list_requirements_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """`list_requirements requirements.txt | grep -Fiq PATTERN`: a never-ending recursion still
    prints its lines before bash dies, and grep -q stops at the first match."""
    needle = era.pattern.lower().encode()
    return Verdict(any(needle in line.lower() for line in list_requirements(tree.root, read)))


@cache
def project_name(name: str) -> str:
    """pkg_resources.safe_name, which pip < 8.1.2 exposed as `req.project_name` (cached: a big
    tree repeats the same few hundred names)."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", name)


def pip_grep_finds(era: Era, tree: RequirementsTree, metadata: bool = False) -> bool:
    """Whether any parsed requirement in the tree (constraints too) has a listed name.
    pip-grep parses requirements files only: a local project's metadata (`via`) is never read
    by it; `metadata=True` asks about those declarations instead."""
    wanted = frozenset(era.names)
    decls = [d for d in tree.declarations if bool(d.via) == metadata]
    if era.compare == "project_name":
        return any(project_name(d.name) in wanted for d in decls)
    return any(d.name in wanted for d in decls)


def pip_grep_verdict(era: Era, tree: RequirementsTree) -> Verdict:
    if era.copy:
        # Cloud Foundry v1.6.0-v1.6.23: pip-grep parses a copy of the root file in the deps
        # directory, where an include (relative to that copy) or a local project (relative to
        # the working directory, the deps directory too) does not exist: pip's parser fails
        # the first one is enough (fix trials ask this for every finding of a big tree)
        pulled = next((i.target for i in tree.includes if i.file == tree.root), None)
        if pulled is None:
            pulled = next(
                (p.target for p in tree.projects if p.file == tree.root and p.kind != "url"),
                None,
            )
        if pulled is not None:
            return Verdict(
                False,
                f"it parses a copy of {tree.root} in the deps directory, where "
                f"{pulled} does not exist, so pip's parser fails and it finds nothing",
            )
        root_only = [d for d in tree.declarations if d.file == tree.root]
        names = dataclasses.replace(tree, declarations=root_only)
        return Verdict(pip_grep_finds(era, names))
    fatal = next((p for p in tree.problems if p.pip_fails), None)
    if fatal is not None:
        where = f"{fatal.file}:{fatal.line}" if fatal.line else fatal.file
        return Verdict(False, f"pip's parser stops at {where}, so pip-grep finds nothing")
    if pip_grep_finds(era, tree):
        return Verdict(True)
    if pip_grep_finds(era, tree, metadata=True):
        return Verdict(
            False,
            "pip-grep parses requirements files, where a local project (`-e .`) has no name; "
            "the dependencies in its metadata are installed by pip but never read by pip-grep",
        )
    return Verdict(False)


# Cloud Foundry python-buildpack, src/python/requirements/requirements.go (v1.9.4):
# names are the run of these characters at a line start of the joined files (Go's \w is ASCII)
_CF_INCLUDE = re.compile(rb"^-r ([^\n]*)", re.M)  # the rest of the line, a CR included


@cache
def _cf_targets(data: bytes) -> tuple[str, ...]:
    """A file's include targets (cached: fix trials re-run the detector on the same files)."""
    return tuple(m.decode("utf-8", errors="replace") for m in _CF_INCLUDE.findall(data))


@cache
def _cf_names_re(names: tuple[str, ...]) -> re.Pattern[bytes]:
    """A line-start run of name characters that is exactly one of `names`."""
    alternatives = b"|".join(re.escape(n.encode()) for n in names)
    return re.compile(rb"^(?:" + alternatives + rb")(?![\w\-\[\]])", re.M)


def cf_parse(root: str, root_data: bytes, read: Reader) -> tuple[list[tuple[str, bytes]], str]:
    """parseRequirements: the files read, in order, with their bytes, and an error or "".

    Lines are split on "\n" only; a line *starting* with exactly "-r " includes the rest of the
    line (trailing blanks, comments and a CR included) as a path, found by replacing every
    occurrence of the including file's base name in its path (strings.ReplaceAll). Any file
    that cannot be read makes the step, and the build, fail.
    """
    files: list[tuple[str, bytes]] = []
    pending: list[tuple[str, bytes | None, tuple[str, ...]]] = [(root, root_data, ())]
    while pending:
        path, data, chain = pending.pop(0)
        if data is None:
            return files, f"{path!r} cannot be read, so the step stops with an error"
        if path in chain:
            return files, f"{path!r} includes itself, so the step recurses until it crashes"
        files.append((path, data))
        children = []
        for target in _cf_targets(data):
            nested = path.replace(os.path.basename(path), target)
            children.append((nested, read(os.path.normpath(nested)), (*chain, path)))
        pending[0:0] = children  # depth first, like the recursion
    return files, ""


_CF_PARSES: dict[tuple[int, str, bytes], tuple[list[tuple[str, bytes]], str]] = {}


def cf_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """FindAnyPackage: the names regex over the files joined with "\n". Joining puts every
    file's first line at a line start, so each file can be searched on its own."""
    root = tree.root_file
    if root is None:
        return Verdict(False)
    # one parse per walk and root text, whatever the era (pylibmc, libffi, collectstatic):
    # only the root's bytes change between a scan and its fix trials
    key = (tree.scan_id, tree.root, root.data)
    if key not in _CF_PARSES:
        if len(_CF_PARSES) > 64:
            _CF_PARSES.clear()
        _CF_PARSES[key] = cf_parse(tree.root, root.data, read)
    files, error = _CF_PARSES[key]
    reads = frozenset(path for path, _ in files)
    if error:
        return Verdict(False, error, reads)
    wanted = _cf_names_re(era.names)
    return Verdict(any(wanted.search(data) for _, data in files), "", reads)


def substring_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """Nixpacks' uses_dep (the app-root files) and Railpack's usesDep (every file *named* like
    era.files anywhere, a `**/` glob, so requirements/production.txt never counts): the
    lowercased text contains the pattern."""
    if not conditions_met(era, tree, read, installed=_installed(tree)):
        return Verdict(True)  # the step's other conditions are not met: missing it costs nothing
    for unless in era.unless:
        # the platform decides the package is not needed (Railpack: psycopg2-binary and
        # psycopg[binary] bundle libpq), whatever else it sees
        off = substring_hit(era, tree, read, unless)
        if off is not None:
            return Verdict(
                False,
                f"{off[0]} line {off[1]} contains '{unless}', which turns the step off (a "
                "comment counts): reword that line, or use the binary package instead",
            )
    if substring_hit(era, tree, read, era.pattern) is not None:
        return Verdict(True)
    # the walk over the app's Python files is paid only here, when the package was missed
    return Verdict(bool(era.detected_by_code) and code_matches(tree, era.detected_by_code))


def _installed(tree: RequirementsTree) -> frozenset[str]:
    return frozenset(d.key for d in tree.declarations if d.installs)


def conditions_met(
    era: Era, tree: RequirementsTree, read: Reader, *, installed: frozenset[str] | None
) -> bool:
    """The step's conditions besides its own match. `with_packages` counts as met when the tree
    installs one (`installed`: would the step fire if the package were visible?) or, with
    installed=None, when the platform's own test sees one (does the step fire as things are?)."""
    if era.requires and not any(_exists(tree, read, name) for name in era.requires):
        return False
    if era.with_packages:
        if installed is not None:
            if not installed & set(era.with_packages):
                return False
        elif not any(substring_hit(era, tree, read, p) for p in era.with_packages):
            return False
    return not era.requires_code or code_matches(tree, era.requires_code)


def _exists(tree: RequirementsTree, read: Reader, pattern: str) -> bool:
    """An app file `pattern` names: a plain path is read like any other file; `*` segments
    (`*/manage.py`, the depths `find -maxdepth` reaches) match directory entries."""
    if "*" not in pattern:
        return read(pattern) is not None
    return bool(tree.repo_dir) and _glob_exists(tree.repo_dir, tree.scan_id, pattern)


@cache
def _glob_exists(repo_dir: str, scan_id: int, pattern: str) -> bool:
    """Like `find -type f` (hidden entries too, symlinks never followed, so never outside)."""
    import fnmatch

    *directories, name = pattern.split("/")
    current = [repo_dir]
    for part in directories:
        below = []
        for directory in current:
            with contextlib.suppress(OSError), os.scandir(directory) as entries:
                below += [
                    e.path
                    for e in entries
                    if e.is_dir(follow_symlinks=False) and fnmatch.fnmatchcase(e.name, part)
                ]
        current = sorted(below)[:10_000]  # a bound, like every other walk
    for directory in current:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(os.path.join(directory, name)).st_mode):
                return True
    return False


def substring_hit(
    era: Era, tree: RequirementsTree, read: Reader, needle: str
) -> tuple[str, int] | None:
    """The first (file, line) where the platform's lowercased substring test finds `needle`."""
    if era.detector == "substring":
        paths: tuple[str, ...] = era.files
    else:
        paths = _manifests(tree.repo_dir, tree.scan_id, era.files) if tree.repo_dir else ()
    for path in paths:
        data = tree.root_file.data if path == tree.root and tree.root_file else read(path)
        if data is None:
            continue
        text = data.decode("utf-8", "replace").lower()
        at = text.find(needle)
        if at != -1:
            return path, len((text[:at] + "x").splitlines())
    return None


@cache
def _manifests(repo_dir: str, scan_id: int, names: tuple[str, ...]) -> tuple[str, ...]:
    from .tree import find_named

    return tuple(find_named(repo_dir, frozenset(names)))


def code_matches(tree: RequirementsTree, pattern: str) -> bool:
    """Whether some *.py file of the app matches `pattern` (read once per scan)."""
    return bool(tree.repo_dir) and _any_python_file_matches(tree.repo_dir, tree.scan_id, pattern)


@cache
def _any_python_file_matches(repo_dir: str, scan_id: int, pattern: str) -> bool:
    """Railpack's FindFilesWithContent("**/*.py", re): only asked when a finding depends on
    it, so the walk over the app's Python files is paid rarely, and once per scan."""
    from .tree import DEFAULT_LIMITS, find_files

    regex = re.compile(pattern.encode())  # Go's regexp over the file's bytes
    for path in find_files(repo_dir, lambda name: name.endswith(".py")):
        full = os.path.join(repo_dir, path)
        try:
            if not stat.S_ISREG(os.lstat(full).st_mode):
                continue  # a FIFO named x.py would block the read
            with open(full, "rb") as f:
                if regex.search(f.read(DEFAULT_LIMITS.max_file_bytes)):
                    return True
        except OSError:
            continue
    return False


_RAILPACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


# Go's strings.TrimSpace: unicode.IsSpace, which (unlike str.isspace) leaves \x1c-\x1f alone
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)


def production_dep_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """Railpack's usesProductionDep with a requirements.txt (dependencies.go:50-63, 108-115):
    the root file only, split by strings.Lines (on "\n" alone), each line trimmed by
    strings.TrimSpace, the leading name normalised (lower case, runs of -_. as '-') and
    compared."""
    root = tree.root_file
    if root is None:
        return Verdict(False)
    wanted = re.sub(r"[-_.]+", "-", era.pattern.lower())
    for line in root.data.decode("utf-8", "replace").split("\n"):
        match = _RAILPACK_NAME.match(line.strip(_GO_SPACE))
        if match and re.sub(r"[-_.]+", "-", match.group().lower()) == wanted:
            return Verdict(True)
    return Verdict(False)


@cache
def go_regex(pattern: str) -> re.Pattern[bytes]:
    """A Go regexp of the catalog, compiled for Python over bytes. The forms the catalog uses
    mean the same in both engines on bytes: `(?m)` with `^`/`$` at a "\n" only, `\b` between an
    ASCII word character and anything else, `[^-]` (a newline too), `\\[`. tests/test_google.py
    checks them against RE2, the engine Go's regexp follows, on generated files."""
    return re.compile(pattern.encode())


def choice_seen(choice: Choice, root_data: bytes) -> bool:
    """Google's containsPackage (pkg/python/dependencies.go:106-116): either regexp matches the
    root requirements.txt text."""
    if choice.spelling.encode() not in root_data:
        return False  # both regexps need the name as spelled: no need to compile them
    return any(go_regex(p).search(root_data) for p in choice.patterns)


def choice_installed(choice: Choice, tree: RequirementsTree) -> Declaration | None:
    """The first declaration pip installs for `choice` (with its extra, for
    fastapi[standard]), or None."""
    for decl in tree.declarations:
        if (
            decl.installs
            and decl.key == choice.package
            and (not choice.extra or choice.extra in decl.extras)
        ):
            return decl
    return None


def go_regex_verdict(era: Era, tree: RequirementsTree) -> Verdict:
    root = tree.root_file
    data = root.data if root is not None else b""
    return Verdict(any(choice_seen(c, data) for c in era.choices))


def python_runs(version_file: bytes | None, default: str, at_least: str) -> bool:
    """Whether the app's Python (the version file's first `X.Y`, else the platform's default)
    is `at_least` or newer. A file the platform would reject counts as the default."""
    text = (version_file or b"").decode("utf-8", "replace").strip()
    match = re.match(r"(?:python-)?(\d+)(?:\.(\d+))?", text)
    wanted = tuple(int(p) for p in at_least.split(".")[:2])
    if match is None:
        return tuple(int(p) for p in default.split(".")[:2]) >= wanted
    # semver, as the platform compares it: a bare "3" is 3.0
    return (int(match.group(1)), int(match.group(2) or 0)) >= wanted


def verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    if era.detector in ("zbpack-contains", "flyctl-contains"):
        from .platforms import builders  # Zeabur, Fly.io: they apply their own conditions

        return builders.verdict(era, tree, read)
    root_file = tree.root_file
    if era.requires and not any(_exists(tree, read, name) for name in era.requires):
        return Verdict(True)  # the step needs a file the app lacks: missing it costs nothing
    if era.detector == "shell":
        return Verdict(shell_detects(era.command, root_file.data if root_file else None))
    if era.detector == "in-req":
        return Verdict(in_req_detects(era.pattern, tree.root, read))
    if era.detector == "list-req":
        return list_requirements_verdict(era, tree, read)
    if era.detector == "pip-grep":
        return pip_grep_verdict(era, tree)
    if era.detector == "cf-find-any":
        return cf_verdict(era, tree, read)
    if era.detector in ("substring", "substring-anywhere"):
        return substring_verdict(era, tree, read)
    if era.detector == "production-dep":
        return production_dep_verdict(era, tree, read)
    if era.detector == "go-regex":
        return go_regex_verdict(era, tree)
    return Verdict(False, era.note)
