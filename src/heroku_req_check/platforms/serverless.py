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
from dataclasses import dataclass
from functools import cache
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
class Unread:
    """A `-r` line whose path, as the plugin computes it, it cannot read: the deploy stops."""

    file: str
    line: int
    path: str  # as the plugin computes it, repo-relative


@dataclass(frozen=True)
class View:
    lines: tuple[Line, ...]
    unread: tuple[Unread, ...]  # in the order the plugin meets them (the first one stops it)


def _split(text: str) -> list[tuple[int, str]]:
    """`.replace(/\\\\\\n/g, ' ').split(/\\r?\\n/)`, each piece with its start offset in `text`."""
    pieces: list[tuple[int, str]] = []
    current: list[str] = []
    start = index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] == "\n":
            current.append(" ")
            index += 2
            continue
        if char == "\n":
            piece = "".join(current)
            pieces.append((start, piece[:-1] if piece.endswith("\r") else piece))
            current, index = [], index + 1
            start = index
            continue
        current.append(char)
        index += 1
    pieces.append((start, "".join(current)))
    return pieces


def _pip_line(text: str, offset: int) -> int:
    """The 1-based line pip gives the character at `offset` (it splits with splitlines)."""
    return len((text[:offset] + "x").splitlines())


@cache
def _node_text(data: bytes) -> str:
    # fs.readFileSync(source, {encoding: 'utf-8'}): bad bytes become U+FFFD, a BOM stays
    return data.decode("utf-8", "replace")


def view(tree: RequirementsTree, read: Reader) -> View:
    """getRequirements(root), depth first as the plugin recurses, without its crashes: an
    unreadable `-r` path is recorded and skipped (the plugin would stop there), a path that
    leaves the repository or loops is not followed."""
    lines: list[Line] = []
    unread: list[Unread] = []

    def visit(source: str, chain: tuple[str, ...]) -> None:
        data = root_text_bytes(tree, source, read)
        if data is None:
            return
        text = _node_text(data)
        bom = text.startswith("\ufeff")  # pip's decode drops it, so its lines do not count it
        for offset, piece in _split(text):
            req = js_trim(piece)
            number = _pip_line(text[bom:], max(0, offset - bom))
            if not req.startswith("-r"):
                lines.append(Line(source, number, req))
                continue
            rest = _DASH_R.sub("", req, count=1)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(source), rest))
            if target == ".." or target.startswith("../") or target in chain:
                continue  # outside the repository (never read here), or a loop
            if read(target) is None and target not in tree.files:
                unread.append(Unread(source, number, target))
                continue
            visit(target, (*chain, target))

    visit(tree.root, (tree.root,))
    return View(tuple(lines), tuple(unread))


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
    return "".join(f"{text}\n" for _line, text in written(lines))


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
    found = []
    for miss in seen.unread:
        include = includes.get((miss.file, miss.line))
        target = include.target if include is not None else miss.path
        fix = _respelled(tree, miss.file, miss.line, f"-r {target}") if include else None
        had = _physical(tree, miss.file, miss.line).strip()
        dropped = " (the comment goes)" if "#" in had else ""
        found.append(
            Finding(
                rule=rule.id,
                package=target,
                severity="error",
                file=miss.file,
                line=miss.line,
                platforms=shown,
                title=f"{target}: misread by {shown[0]}",
                message=(
                    f"{miss.file} line {miss.line} includes {target}, but the plugin inlines "
                    f"`-r` lines itself ({era.command}): it takes everything after `-r` and "
                    f"blanks as the path, looks for {miss.path!r}, cannot read it and stops, "
                    "so `serverless deploy` fails. "
                    + (
                        f"Write it `-r {target}`{dropped} (the suggested edit)."
                        if fix
                        else f"Write it `-r {target}` on one line."
                    )
                ),
                fix=fix,
            )
        )
    for line, text in written(seen.lines):
        for kind, target in _includes(text):
            if URL_RE.match(target) or target.startswith("/"):
                continue
            if kind == "requirement":
                fix = _respelled(tree, line.file, line.line, f"-r {target}")
                advice = (
                    f"Write it `-r {target}` (the suggested edit): the plugin inlines "
                    "that spelling."
                )
            else:
                fix = None
                advice = (
                    "The plugin never inlines constraints: put the pins into the "
                    "requirements files, or pass the file on pip's command line "
                    f'(custom.pythonRequirements.pipCmdExtraArgs: ["-c {target}"], '
                    "resolved from the directory serverless runs in, unless dockerizePip)."
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
                        f"{line.file} line {line.line} names {target} with `{text.split()[0]}`"
                        f", but the plugin inlines only lines starting with `-r` and "
                        f"copies this one verbatim ({era.command}); {_WHERE}, where pip "
                        f"cannot open {target} ('Could not open requirements file'), so "
                        f"`serverless deploy` fails. {advice}"
                    ),
                    fix=fix,
                )
            )
    return found


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
        found.append(
            Finding(
                rule=rule.id,
                package=value,
                severity="error",
                file=line.file,
                line=line.line,
                platforms=shown,
                title=f"{value}: cut short by {shown[0]}",
                message=(
                    f"{line.file} line {line.line} installs `{value}` editable, but the plugin "
                    f"strips `-e` with `req.split('-e')[1]` ({era.command}), which ends at the "
                    f"value's own '-e': pip is asked to install `{kept}` instead, and the "
                    "deploy fails or installs something else. Write the line without `-e` "
                    "(the suggested edit): the plugin installs it non-editable anyway."
                ),
                fix=fix,
            )
        )
    return found
