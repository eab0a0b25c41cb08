"""The Serverless Framework's serverless-python-requirements plugin (serverless/
serverless-python-requirements v6.1.2, b58ce600), read in lib/pip.js.

The plugin does not hand pip the app's requirements file. `getRequirements` (lib/pip.js:472-486)
reads it as UTF-8, joins `\\` + LF continuations, splits at `\\r?\\n`, trims each line and
inlines every line that *starts with* `-r`, taking the rest after `-r` and blanks as a path
beside the including file; `filterRequirementsFile` (:499-546) drops comment lines, keeps lines
starting with `--`, `-c`, `-e`, `-f`, `-i` or `-r` as options (`-e` cut off with
`req.split('-e')[1]`), sorts the rest and writes it all to `.serverless/requirements.txt`
(installRequirementsIfNeeded, :612-642). pip then installs a copy of that file from another
directory: the static cache (lib/shared.js:68-87, `useStaticCache` on by default, index.js:54)
or `.serverless/requirements/`. So a `-c`, `--constraint` or `--requirement` line is opened
there and fails, `-rfile` or `-r file  # comment` makes the plugin read a file that does not
exist (the deploy stops), and an editable whose value holds a second `-e` is cut short.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

from ..catalog import Era, Rule, Selection
from ..detectors import Reader
from ..fix import Unfixable, replace_line
from ..model import Finding, Fix, RequirementsTree
from ..reqfile import SIMPLE_INCLUDE_RE
from ..tree import URL_RE
from .builders import labels, root_text_bytes

# ECMAScript WhiteSpace and LineTerminator: what String.prototype.trim() and `\s` remove
JS_SPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DASH_R = re.compile(f"^-r[{JS_SPACE}]+")
OPTION_STARTS = ("--", "-c", "-e", "-f", "-i", "-r")  # lib/pip.js:508-515


def js_trim(text: str) -> str:
    return text.strip(JS_SPACE)


@dataclass(frozen=True)
class Line:
    """A line getRequirements returns (trimmed), with the file and pip line it came from."""

    file: str
    line: int
    text: str


@dataclass(frozen=True)
class Read:
    """A `-r` line as the plugin follows it: the path it computes (repo-relative, lexical), the
    path it computes from the including file's own directory (where pip looks, for a `-r` pip
    reads the same way), and whether it can read it (if not, the deploy stops there)."""

    file: str
    line: int
    path: str
    own: str
    readable: bool
    base: str  # the directory the plugin joins the path to
    # "" when read, "missing", "outside" (never read here; the plugin looks there) or "loop"
    # (the file is being read already: the plugin recurses until the stack overflows)
    failure: str = ""


@dataclass(frozen=True)
class View:
    lines: tuple[Line, ...]
    reads: tuple[Read, ...]  # in the order the plugin meets them

    @property
    def unread(self) -> tuple[Read, ...]:
        """The `-r` lines it cannot read (the first one stops the plugin)."""
        return tuple(r for r in self.reads if not r.readable)


_BREAKS = re.compile(r"\\\n|\r?\n")


def _split(text: str) -> list[tuple[int, str]]:
    r"""`.replace(/\\\n/g, ' ').split(/\r?\n/)`, each piece with its start offset in `text`
    (one pass: a replaced continuation cannot make a new line break)."""
    found: list[tuple[int, str]] = []
    parts: list[str] = []
    start = position = 0
    for match in _BREAKS.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        if match.group() != "\n" and not match.group().startswith("\r"):
            parts.append(" ")  # a backslash before LF: the continuation joined by a space
            continue
        found.append((start, "".join(parts)))
        parts, start = [], position
    parts.append(text[position:])
    found.append((start, "".join(parts)))
    return found


@cache
def _node_text(data: bytes) -> str:
    # fs.readFileSync(source, {encoding: 'utf-8'}): bad bytes become U+FFFD, a BOM stays
    return data.decode("utf-8", "replace")


@cache
def pieces(data: bytes) -> list[tuple[int, str]]:
    """(pip's line number, trimmed text) of each line getRequirements sees in a file (cached:
    the inline and editable checks, and fix planning, read the same files)."""
    text = _node_text(data)
    bom = int(text.startswith("\ufeff"))  # pip's decode drops it: its lines do not count it
    ends = list(accumulate(len(line) for line in text[bom:].splitlines(keepends=True)))
    return [
        (bisect_right(ends, max(0, offset - bom)) + 1, js_trim(piece))
        for offset, piece in _split(text)
    ]


def follow(source: str, items: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    r"""(line, path, base) of each `-r` line of `source` as getRequirements computes its path:
    `source = path.join(path.dirname(source), req.replace(/^-r\s+/, ''))` (lib/pip.js:483).
    The callback assigns to `source`, the function's own parameter, so each `-r` line after
    the first resolves against the directory of the file the previous one named
    (serverless/serverless-python-requirements#863); `base` is that directory."""
    current = source
    found = []
    for number, req in items:
        if req.startswith("-r"):
            base = posixpath.dirname(current)
            current = posixpath.normpath(posixpath.join(base, _DASH_R.sub("", req, count=1)))
            found.append((number, current, base))
    return found


def view(tree: RequirementsTree, read: Reader) -> View:
    """getRequirements(root), depth first as the plugin recurses, without its crashes: an
    unreadable `-r` path is recorded and skipped (the plugin would stop there), a path that
    leaves the repository or loops is not followed."""
    lines: list[Line] = []
    reads: list[Read] = []

    def visit(source: str, chain: tuple[str, ...]) -> None:
        data = root_text_bytes(tree, source, read)
        if data is None:
            return
        items = pieces(data)
        paths = {number: (path, base) for number, path, base in follow(source, items)}
        for number, req in items:
            if not req.startswith("-r"):
                lines.append(Line(source, number, req))
                continue
            path, base = paths[number]
            rest = _DASH_R.sub("", req, count=1)
            own = posixpath.normpath(posixpath.join(posixpath.dirname(source), rest))
            if path == ".." or path.startswith("../"):
                failure = "outside"
            elif path in chain:
                failure = "loop"
            elif path in tree.files or read(path) is not None:
                failure = ""
            else:
                failure = "missing"
            reads.append(Read(source, number, path, own, not failure, base, failure))
            if not failure:
                visit(path, (*chain, path))

    visit(tree.root, (tree.root,))
    return View(tuple(lines), tuple(reads))


def written(lines: tuple[Line, ...]) -> list[tuple[Line, str]]:
    """filterRequirementsFile's output lines (lib/pip.js:499-546), each with the line it came
    from: the option lines in order (an `-e` value cut at its next `-e`), then the other lines
    sorted by UTF-16 code units (JavaScript's default sort); comments and empty lines dropped.
    `noDeploy` (empty by default) is not modelled."""
    options: list[tuple[Line, str]] = []
    requirements: list[tuple[Line, str]] = []
    for line in lines:
        req = js_trim(line.text)
        if req.startswith("#") or not req:
            continue
        if req.startswith(OPTION_STARTS):
            if req.startswith("-e"):
                parts = req.split("-e")
                req = js_trim(parts[1]) if len(parts) > 1 else ""
            if req:
                options.append((line, req))
            continue
        requirements.append((line, req))
    requirements.sort(key=lambda pair: pair[1].encode("utf-16-be"))
    return options + requirements


def written_text(lines: tuple[Line, ...]) -> str:
    """The file the plugin writes: `filteredRequirements.join('\\n') + '\\n'`."""
    return "\n".join(text for _line, text in written(lines)) + "\n"


@cache
def _line_parser() -> Any:
    import pip_requirements_parser as prp

    return prp.get_line_parser()


def _options(text: str) -> Any | None:
    try:
        _args, opts, _arguments = _line_parser()(text)
    except Exception:  # a line pip rejects: the tree reports it
        return None
    return opts


def _includes(text: str) -> list[tuple[str, str]]:
    """(kind, target) of each include a line of the written file holds, read as pip reads it
    (plain spellings by tree.py's fast path, others by pip's own line parser)."""
    if not text.startswith(("-c", "--")):
        return []  # requirements, and the -e/-f/-i options the plugin keeps
    simple = SIMPLE_INCLUDE_RE.fullmatch(text)
    if simple:
        flag = simple.group("short") or simple.group("long")
        kind = "requirement" if flag in ("-r", "--requirement") else "constraint"
        return [(kind, simple.group("path"))]
    opts = _options(text)
    if opts is None:
        return []
    return [("requirement", t) for t in opts.requirements or []] + [
        ("constraint", t) for t in opts.constraints or []
    ]


def _physical(tree: RequirementsTree, path: str, number: int) -> str:
    source = tree.files.get(path)
    if source is None:
        return ""
    lines = source.text.splitlines()
    return lines[number - 1] if number <= len(lines) else ""


def _respelled(tree: RequirementsTree, path: str, number: int, new: str) -> Fix | None:
    """`new` in place of line `number` of `path`, when that line holds the whole logical line."""
    source = tree.files.get(path)
    content = _physical(tree, path, number)
    if source is None or not content or content.rstrip().endswith("\\"):
        return None
    try:
        replace_line(source.data, number, new)
    except Unfixable:
        return None
    return Fix(path, number, new, "replace")


_WHERE = (
    "the plugin writes `.serverless/requirements.txt` and pip installs a copy of it from "
    "another directory (its static cache by default, lib/shared.js:68-87, else "
    "`.serverless/requirements/`)"
)


def inline_findings(
    tree: RequirementsTree,
    selection: Selection,
    rule: Rule,
    era: Era,
    read: Reader,
    selections: list[Selection],
) -> list[Finding]:
    """Each include the plugin does not inline as pip would: a `-r` line whose path it
    misreads (the deploy stops), and a `-c`, `--constraint` or `--requirement` line it copies
    verbatim, which pip then opens beside the copied file."""
    seen = view(tree, read)
    shown = labels(selection)
    includes = {(i.file, i.line): i for i in tree.includes}
    wanted = {
        key: posixpath.normpath(posixpath.join(posixpath.dirname(i.file), i.target))
        for key, i in includes.items()
        if i.kind == "requirement" and not URL_RE.match(i.target)
    }
    misread = [
        got for got in seen.reads if (got.file, got.line) in wanted and got.failure != "loop"
    ]
    misread = [got for got in misread if got.path != wanted[(got.file, got.line)]]
    verbatim = [
        (line, text, kind, target)
        for line, text in written(seen.lines)
        for kind, target in _includes(text)
        if not (URL_RE.match(target) or target.startswith("/"))
    ]
    candidates: dict[str, dict[int, str]] = {}
    for got in misread:
        candidates.setdefault(got.file, {})[got.line] = includes[(got.file, got.line)].target
    for line, _text, kind, target in verbatim:
        if kind == "requirement":
            candidates.setdefault(line.file, {})[line.line] = target
    fixable = {
        path: _plan(tree, read, path, targets, wanted) for path, targets in candidates.items()
    }
    found = []
    for got in misread:
        include = includes[(got.file, got.line)]
        target = include.target
        if got.own != wanted[(got.file, got.line)]:
            how = (
                "takes everything after `-r` and blanks as the path "
                f"({got.own.rsplit('/', 1)[-1]!r})"
            )
        else:
            how = (
                "resolves it against the directory of the file the previous `-r` line named "
                "(it assigns each path to `source`, lib/pip.js:483; "
                "serverless/serverless-python-requirements#863)"
            )
        outcome = (
            "cannot read it and stops, so `serverless deploy` fails"
            if not got.readable
            else f"and inlines that file instead of {wanted[(got.file, got.line)]}"
        )
        fix = None
        if got.line in fixable.get(got.file, set()):
            fix = _respelled(tree, got.file, got.line, f"-r {target}")
        dropped = "; the comment goes" if "#" in _physical(tree, got.file, got.line) else ""
        advice = (
            f"Write it `-r {target}` (the suggested edit{dropped})."
            if fix
            else "No edit of this line alone fixes it: the plugin resolves each `-r` line "
            "against the directory of the one before, so keep at most one `-r` line per file "
            "that names another directory, as the last one, or flatten the includes."
        )
        found.append(
            Finding(
                rule=rule.id,
                package=target,
                severity="error",
                file=got.file,
                line=got.line,
                platforms=shown,
                title=f"{target}: misread by {shown[0]}",
                message=(
                    f"{got.file} line {got.line} includes {target}, but the plugin inlines "
                    f"`-r` lines itself (lib/pip.js:478-484): it {how}, looks for {got.path}, "
                    f"{outcome}. {advice}"
                ),
                fix=fix,
            )
        )
    for line, text, kind, target in verbatim:
        fix = None
        if kind == "requirement" and line.line in fixable.get(line.file, set()):
            fix = _respelled(tree, line.file, line.line, f"-r {target}")
        if fix is not None:
            advice = f"Write it `-r {target}` (the suggested edit): the plugin inlines that."
        elif kind == "requirement":
            advice = (
                f"Written `-r {target}`, the plugin would resolve it against the directory of "
                "the `-r` line before it (lib/pip.js:483): flatten the includes, or keep at "
                "most one `-r` line per file that names another directory, as the last one."
            )
        else:
            advice = (
                "The plugin never inlines constraints: put the pins into the requirements "
                "files, or pass the file on pip's command line "
                f'(custom.pythonRequirements.pipCmdExtraArgs: ["-c {target}"], resolved from '
                "the directory serverless runs in, unless dockerizePip)."
            )
        found.append(
            Finding(
                rule=rule.id,
                package=target,
                severity="error",
                file=line.file,
                line=line.line,
                platforms=shown,
                title=f"{target}: not inlined by {shown[0]}",
                message=(
                    f"{line.file} line {line.line} names {target} with `{text.split()[0]}`, "
                    "but the plugin inlines only lines starting with `-r` and copies this one "
                    f"verbatim (lib/pip.js:480-481, 508-532); {_WHERE}, where pip cannot open "
                    f"{target} ('Could not open requirements file'), so `serverless deploy` "
                    f"fails. {advice}"
                ),
                fix=fix,
            )
        )
    return found


def _plan(
    tree: RequirementsTree,
    read: Reader,
    path: str,
    targets: dict[int, str],
    wanted: dict[tuple[str, int], str],
) -> set[int]:
    """The lines of `path` whose respelling as `-r TARGET` is a fix: with it (and every fix
    accepted before it, in line order) the plugin reads what pip reads on that line, and no
    `-r` line it read right is read wrong. A respelling moves the directory later `-r` lines
    resolve against (lib/pip.js:483), so each one is tried on the whole file."""
    data = root_text_bytes(tree, path, read)
    if data is None:
        return set()
    items = pieces(data)

    def right(fixes: dict[int, str]) -> set[int]:
        edited = [(n, f"-r {fixes[n]}" if n in fixes else req) for n, req in items]
        return {n for n, got, _base in follow(path, edited) if wanted.get((path, n)) == got}

    accepted: dict[int, str] = {}
    for number in sorted(targets):
        trial = {**accepted, number: targets[number]}
        before, after = right(accepted), right(trial)
        if number in after and before - {number} <= after:
            accepted = trial
    return set(accepted)


def editable_findings(
    tree: RequirementsTree,
    selection: Selection,
    rule: Rule,
    era: Era,
    read: Reader,
    selections: list[Selection],
) -> list[Finding]:
    """An editable line whose value holds a second `-e`: the plugin keeps only what lies
    between the two, and pip is asked to install that."""
    shown = labels(selection)
    names = {(d.file, d.line): d for d in tree.declarations}
    found = []
    for line in view(tree, read).lines:
        req = js_trim(line.text)
        if not req.startswith("-e") or req.count("-e") < 2:
            continue  # with one '-e' the plugin keeps the whole value
        opts = _options(req)
        values = list(getattr(opts, "editables", None) or []) if opts is not None else []
        if not values:
            continue
        value = values[0]
        kept = js_trim(req.split("-e")[1])
        if kept == value:
            continue
        fix = _respelled(tree, line.file, line.line, value)
        decl = names.get((line.file, line.line))
        found.append(
            Finding(
                rule=rule.id,
                package=decl.key if decl is not None else value,
                severity="error",
                file=line.file,
                line=line.line,
                platforms=shown,
                title=f"{value}: cut short by {shown[0]}",
                message=(
                    f"{line.file} line {line.line} installs `{value}` editable, but the plugin "
                    "strips `-e` with `req.split('-e')[1]` (lib/pip.js:516-521), which ends at the "
                    f"value's own '-e': pip is asked to install `{kept}` instead, and the "
                    "deploy fails or installs something else. Write the line without `-e` "
                    "(the suggested edit): the plugin installs it non-editable anyway."
                ),
                fix=fix,
            )
        )
    return found
