"""Byte-exact edits: add one line to the root file, respell one name, or remove one line.

Every edit splices newly encoded bytes between untouched original bytes, so line endings, BOM,
encoding and the presence of a final newline stay as they were. An edit is only offered when
the file decodes cleanly and the result decodes to exactly the intended text; otherwise the
file is left alone and the caller reports a problem.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import re
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Declaration, Fix, RequirementsTree, SourceFile
from .reqfile import canonical_key, decode

if TYPE_CHECKING:
    from .catalog import Platform
    from .check import _Miss
    from .detectors import Reader

EOL_RE = re.compile(r"\r\n|\n|\r")
_SPLICE_CODECS = {
    codecs.BOM_UTF8: "utf-8",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
    codecs.BOM_UTF32_BE: "utf-32-be",
}


class Unfixable(ValueError):
    """The file cannot be edited without risking bytes the user wrote."""


def _layout(data: bytes) -> tuple[bytes, str, str]:
    """(bom, codec for spliced bytes, decoded text) or Unfixable."""
    if data.startswith(codecs.BOM_UTF32_LE):
        raise Unfixable("UTF-32-LE with BOM: pip itself misreads it as UTF-16")
    decoded = decode(data)
    if decoded.error:
        raise Unfixable(decoded.error)
    codec = _SPLICE_CODECS.get(decoded.bom, decoded.encoding) if decoded.bom else decoded.encoding
    return decoded.bom, codec, decoded.text


def _encode(text: str, codec: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise Unfixable(f"the line cannot be written in {codec}") from exc


def _physical(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _verify(new: bytes, expected_text: str) -> bytes:
    decoded = decode(new)
    if decoded.error or decoded.text != expected_text:
        raise Unfixable("the edited file would not read back as intended")
    return new


def insert_line(data: bytes, line: str) -> tuple[bytes, int]:
    """Add `line` to the file; returns (new bytes, its 1-based line). Idempotent."""
    bom, codec, text = _layout(data)
    lines = _physical(text)
    for number, existing in enumerate(lines, start=1):
        if existing.rstrip("\r\n") == line:
            return data, number
    match = EOL_RE.search(text)
    eol = match.group(0) if match else "\n"
    if not text:
        return _verify(bom + _encode(line + eol, codec), line + eol), 1
    last = lines[-1].rstrip("\r\n")
    if last.endswith("\\") and not last.lstrip().startswith("#"):
        # appending after a continuation would glue our line onto it: put it first instead
        new_text = line + eol + text
        return _verify(
            data[: len(bom)] + _encode(line + eol, codec) + data[len(bom) :], new_text
        ), 1
    # without a final newline, the user keeps having none
    added = line + eol if text.endswith(("\n", "\r")) else eol + line
    return _verify(data + _encode(added, codec), text + added), len(lines) + 1


def insert_before(data: bytes, number: int, line: str) -> bytes:
    """Insert `line` as line `number` (1-based; one past the last line appends), moving what
    was there down. For Dockerfiles: UTF-8, lines end at `\n` (BuildKit's scanLines). The new
    line ends like the line it is inserted before (`\r\n` or `\n`), or like the file's first
    line when appended; a UTF-8 BOM stays first. Unfixable when the file is not UTF-8, the line
    has a line break, or the line number is out of range."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unfixable(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if "\n" in line or "\r" in line:
        raise Unfixable("the line to insert has a line break")
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A and index + 1 < len(data):
            starts.append(index + 1)
    count = len(starts) if data else 0
    if not 1 <= number <= count + 1:
        raise Unfixable("the line is no longer there")
    first_line, newline, _rest = data.partition(b"\n")
    first_eol = b"\r\n" if newline and first_line.endswith(b"\r") else b"\n"
    encoded = line.encode("utf-8")
    if number <= count:
        at = starts[number - 1]
        end = data.find(b"\n", at)
        if end == -1:  # the last line, without a line end
            eol = first_eol
        else:
            eol = b"\r\n" if end > at and data[end - 1 : end] == b"\r" else b"\n"
        if at == 0 and data.startswith(codecs.BOM_UTF8):
            at = len(codecs.BOM_UTF8)
        return data[:at] + encoded + eol + data[at:]
    if data and not data.endswith(b"\n"):
        return data + first_eol + encoded
    return data + encoded + first_eol


def _splice_lines(data: bytes, first: int, last: int, replacement: str) -> bytes:
    """Replace physical lines first..last (1-based) by `replacement` (with its own EOLs)."""
    bom, codec, text = _layout(data)
    lines = _physical(text)
    if not 1 <= first <= last <= len(lines):
        raise Unfixable("the line is no longer there")
    head = "".join(lines[: first - 1])
    tail = "".join(lines[last:])
    head_bytes, tail_bytes = _encode(head, codec), _encode(tail, codec)
    body = data[len(bom) :]
    if not (body.startswith(head_bytes) and body.endswith(tail_bytes)):
        raise Unfixable("the file does not re-encode to its own bytes")
    new = bom + head_bytes + _encode(replacement, codec) + tail_bytes
    return _verify(new, head + replacement + tail)


def replace_line(data: bytes, number: int, new_content: str) -> bytes:
    _bom, _codec, text = _layout(data)
    lines = _physical(text)
    if not 1 <= number <= len(lines):
        raise Unfixable("the line is no longer there")
    old = lines[number - 1]
    eol = old[len(old.rstrip("\r\n")) :]
    return _splice_lines(data, number, number, new_content + eol)


def remove_logical_line(data: bytes, first: int) -> bytes:
    """Remove the logical line starting at physical line `first` (and its continuations)."""
    _bom, _codec, text = _layout(data)
    lines = _physical(text)
    last = first
    while (
        last <= len(lines) and lines[last - 1].rstrip("\r\n").endswith("\\") and last < len(lines)
    ):
        last += 1
    return _splice_lines(data, first, last, "")


def set_digest(data: bytes, line: str) -> bytes:
    """Write the tree digest `line` into the root file: replace the first digest line there,
    or add it. Byte-exact like every edit here; the same line twice changes nothing."""
    from .digest import find

    _bom, _codec, text = _layout(data)
    found = find(text)
    if found is None:
        return insert_line(data, line)[0]
    return replace_line(data, found[0], line)


# -- planning fixes for findings -------------------------------------------------------------


def respell(text: str, old: str, new: str) -> str:
    """The requirement text with its project name spelled `new` (name or #egg= part only)."""
    if old == new:
        return text
    egg = re.search(r"#egg=" + re.escape(old) + r"(?![A-Za-z0-9._-])", text)
    if egg:
        return text[: egg.start()] + "#egg=" + new + text[egg.end() :]
    lead = re.match(r"(\s*(?:-e\s+)?)" + re.escape(old) + r"(?![A-Za-z0-9._-])", text)
    if lead:
        return lead.group(1) + new + text[lead.end() :]
    return text


def respelled_line(tree: RequirementsTree, decl: Declaration, spelling: str) -> Fix | None:
    source = tree.files.get(decl.file)
    if source is None:
        return None
    lines = source.text.splitlines()
    if not 1 <= decl.line <= len(lines):
        return None
    new = respell(lines[decl.line - 1], decl.name, spelling)
    if new == lines[decl.line - 1]:
        return None
    try:
        replace_line(source.data, decl.line, new)
    except Unfixable:
        return None
    return Fix(decl.file, decl.line, new, "replace")


def reading_root(path: str, data: bytes, read: Reader) -> Reader:
    """`read`, but `path` reads as `data` (the root file as an edit would leave it)."""

    def trial_read(name: str) -> bytes | None:
        return data if name == path else read(name)

    return trial_read


def _trial(
    tree: RequirementsTree,
    root: SourceFile,
    text: str,
    name: str,
    decl: Declaration,
    misses: list[_Miss],
    read: Reader,
) -> tuple[int, Fix, list[str]] | None:
    """Re-run the misses' detectors with `text` added to the root: (releases still missing,
    the fix, their labels); None when the line is already there (adding it is no fix).
    Unfixable when the root cannot be edited."""
    from . import detectors
    from .catalog import format_ranges

    new_bytes, number = insert_line(root.data, text)
    if new_bytes == root.data:
        return None
    new_root = SourceFile(root.path, new_bytes, decode(new_bytes).text)
    added = dataclasses.replace(
        decl, file=root.path, line=number, text=text, name=name, via=""
    )  # a line of the root file, whatever the declaration it copies came from
    if name.lower() != decl.name.lower():
        added = dataclasses.replace(added, key=canonical_key(name), specifier="", extras=())
    declared = [] if text.lstrip().startswith("#") else [added]  # pip ignores a comment
    trial = dataclasses.replace(
        tree,
        files={**tree.files, root.path: new_root},
        declarations=[*tree.declarations, *declared],
    )
    trial_read = reading_root(root.path, new_bytes, read)  # detectors that re-read it
    missing: list[str] = []
    count = 0
    seen: dict[int, bool] = {}  # one verdict per era: misses of one package share their eras
    for miss in misses:
        for era, _ in miss.eras:
            if id(era) not in seen:
                seen[id(era)] = detectors.verdict(era, trial, trial_read).detected
            if not seen[id(era)]:
                releases = {r for r in miss.releases if era.first <= r <= era.last}
                count += len(releases)
                missing.extend(format_ranges(miss.platform, releases))
    return count, Fix(root.path, number, text, "insert"), sorted(set(missing))


def comment_for(
    tree: RequirementsTree, decl: Declaration, misses: list[_Miss], read: Reader
) -> Fix | None:
    """A comment line naming `decl` that every miss's detector notices, or None: detectors
    that grep the root file's text read comments (Heroku's greps, Nixpacks' and Railpack's
    substring tests), and pip ignores them, so nothing is installed twice."""
    root = tree.root_file
    if root is None:
        return None
    base = " ".join(decl.text.split())
    text = f"# {base} (installed from {decl.file}; named here for the build's text search)"
    try:
        trial = _trial(tree, root, text, decl.name, decl, misses, read)
    except Unfixable:
        return None
    return trial[1] if trial is not None and trial[0] == 0 else None


def insertion_for(
    tree: RequirementsTree, decl: Declaration, misses: list[_Miss], read: Reader
) -> tuple[Fix | None, list[str]]:
    """The root-file line that makes the most selected detectors notice `decl`.

    Candidates are the declaration as written and respelled as each era expects; each is
    tried by re-running the detectors on the edited root file.
    """
    root = tree.root_file
    if root is None:
        return None, []
    spellings = [decl.name]
    for miss in misses:
        for era, _ in miss.eras:
            for name in era.names:
                if "[" not in name and name.lower() == decl.name.lower() and name not in spellings:
                    spellings.append(name)
    # lower-case first: every case-insensitive grep matches it and most pip-grep lists use it
    order = {s: i for i, s in enumerate(spellings)}
    spellings.sort(key=lambda s: (s != s.lower(), order[s]))
    best: tuple[int, Fix, list[str]] | None = None
    # a continuation joined by pip leaves runs of blanks; the added line gets single spaces
    base = " ".join(decl.text.split()) if "  " in decl.text else decl.text
    for spelling in spellings:
        text = respell(base, decl.name, spelling)
        try:
            candidate = _trial(tree, root, text, spelling, decl, misses, read)
        except Unfixable:
            return None, []
        if candidate is not None and (best is None or candidate[0] < best[0]):
            best = candidate
    rule = misses[0].rule if misses else None
    if rule is not None and rule.fix_with and (best is None or best[0]):
        # the step cannot see this need by any name of its own (requests[security]): a line
        # it does notice, for a package the need installs anyway (cffi)
        name = _name_of(rule.fix_with, rule.fix_with)
        try:
            trial_best = _trial(tree, root, rule.fix_with, name, decl, misses, read)
        except Unfixable:
            return None, []
        if trial_best is not None and (best is None or trial_best[0] < best[0]):
            best = trial_best
    if best is None:
        return None, []
    return best[1], best[2]


# -- fixes that install: the pip of each release must accept the edited tree ---------------


@dataclass(frozen=True)
class Deployable:
    """A fix checked against the pip each selected release installs with.

    `fix` is the copy as planned, the same line moved (`Fix.remove` set) when a release's pip
    rejects the name given twice, or None when neither installs; `note` says why in one
    sentence ("" when the copy is fine).
    """

    fix: Fix | None
    note: str = ""


def deployable(
    tree: RequirementsTree,
    decl: Declaration,
    fix: Fix,
    platform: Platform,
    pips: dict[str, set[int]],
) -> Deployable:
    """`pips`: pip version ("" = current) -> the selected releases installing with it."""
    from .catalog import format_ranges
    from .pipcompat import may_reject, rejects_repeat, same_project

    if fix.text.lstrip().startswith("#"):
        return Deployable(fix)  # a comment: pip installs nothing more
    added_name = _name_of(fix.text, decl.name)
    specifier, extras = decl.specifier, decl.extras
    copy = canonical_key(added_name) == decl.key
    if not copy:  # a line for another package (a rule's fix_with), as written
        specifier, extras = "", ()

    # every pip takes two names for one project only if their PEP 503 keys are equal (old
    # pips compare pkg_resources' safe_name, which keeps `.`: a stricter test), so only the
    # declarations of that key can be a repeat
    candidates = tree.declarations_of(canonical_key(added_name))

    def rejecting(exclude: Declaration | None) -> list[str]:
        """The pip versions that fail on the edited tree."""
        found = []
        for pip in pips:
            if not may_reject(pip):
                continue  # a current pip combines repeats: no declaration to look at
            for other in candidates:
                if other.via:  # a local project's dependency: pip never sees it given twice
                    continue
                if other is exclude or not same_project(pip, other.name, added_name):
                    continue
                if rejects_repeat(pip, other, specifier, extras):
                    found.append(pip)
                    break
        return found

    copy_fails = rejecting(None)
    if not copy_fails:
        return Deployable(fix)
    versions = sorted(copy_fails, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))
    span = versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"
    releases = {r for pip in versions for r in pips[pip]}
    labels = ", ".join(format_ranges(platform, releases))
    twice = (
        f"{labels} install{'s' if ', ' not in labels else ''} with pip {span}, "
        "which rejects a project named twice ('Double requirement given')"
    )
    if not copy:
        return Deployable(None, f"{twice}: `{fix.text}` is declared already; no one-line fix.")
    if decl.file == tree.root:
        return Deployable(None, f"{twice}, and the line is already in {tree.root}.")
    if rejecting(decl):
        return Deployable(
            None,
            f"{twice}, and {decl.key} is declared more than once besides "
            f"{decl.file} line {decl.line}: merge those lines by hand.",
        )
    users = other_users(tree, decl.file)
    if users:
        return Deployable(
            None,
            f"{twice}, so copying the line fails the push, and moving it would take it away "
            f"from {', '.join(users[:3])}, which use{'s' if len(users) == 1 else ''} "
            f"{decl.file}: no one-line fix exists.",
        )
    moved = dataclasses.replace(fix, remove=(decl.file, decl.line))
    return Deployable(moved, f"{twice}, so the line moves rather than being copied.")


def _name_of(text: str, default: str) -> str:
    """The project a requirement line names: its `#egg=` name, or the name it starts with;
    `default` for anything else (a URL, a path)."""
    egg = re.search(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    if egg:
        return egg.group(1)
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?=[\[<>=!~;@ ]|$)", text)
    return match.group(1) if match else default


# files that can name a requirements file for another install: other requirements files, build
# and CI configuration, scripts (a Dockerfile's `pip install -r requirements/prod.txt`)
_USER_SUFFIXES = (".txt", ".in", ".cfg", ".ini", ".toml", ".yml", ".yaml", ".sh", ".mk")
_USER_NAMES = frozenset(
    {"Makefile", "Procfile", "Justfile", "justfile", "setup.py", "noxfile.py", "tasks.py"}
)


def _may_use(name: str) -> bool:
    lowered = name.lower()
    return (
        name in _USER_NAMES
        or lowered.endswith(_USER_SUFFIXES)
        or lowered.startswith(("dockerfile", "containerfile"))
        or lowered.endswith((".dockerfile", ".containerfile"))
    )


def other_users(tree: RequirementsTree, path: str) -> list[str]:
    """Repository files outside this tree that name `path` or a file that includes it (other
    than the root): moving a line out of `path` would change what they install. A file names
    another when one of its path-like words ends with that file's base name: deliberately
    broad, since a false "used" only withholds a move and a missed one breaks an install."""
    if not tree.repo_dir:
        return []
    parents = _parents(tree)
    chain = {path}
    pending = [path]
    while pending:
        for parent in parents.get(pending.pop(), ()):
            if parent not in chain and parent != tree.root:
                chain.add(parent)
                pending.append(parent)
    index = _mention_index(tree)
    users = {user for p in chain for user in index.get(os.path.basename(p), ())}
    return sorted(users)


_PARENTS: dict[int, dict[str, list[str]]] = {}
_MENTIONS: dict[int, dict[str, tuple[str, ...]]] = {}
# a path-like word: what can name a file in a Dockerfile, tox.ini, a shell line or setup.py
_WORD = re.compile(rb"[^\s'\"`,;:=()\[\]{}<>|&]+")


def _parents(tree: RequirementsTree) -> dict[str, list[str]]:
    """Included file -> the files including it (once per walk)."""
    if tree.scan_id not in _PARENTS:
        parents: dict[str, list[str]] = {}
        for include in tree.includes:
            if include.resolved is not None:
                parents.setdefault(include.resolved, []).append(include.file)
        _PARENTS.clear()  # one walk at a time is enough
        _PARENTS[tree.scan_id] = parents
    return _PARENTS[tree.scan_id]


def _mention_index(tree: RequirementsTree) -> dict[str, tuple[str, ...]]:
    """Base name of a tree file -> the other repository files that name it (read once per
    walk, and only when a move is considered; the tree's own files are not read again)."""
    if tree.scan_id in _MENTIONS:
        return _MENTIONS[tree.scan_id]
    from .tree import DEFAULT_LIMITS, find_files

    wanted = {os.path.basename(p).encode() for p in tree.files}
    found: dict[str, list[str]] = {}
    for rel in find_files(tree.repo_dir, _may_use):
        if rel in tree.files:
            continue
        full = os.path.join(tree.repo_dir, rel)
        try:
            if not stat.S_ISREG(os.lstat(full).st_mode):
                continue
            with open(full, "rb") as handle:
                data = handle.read(DEFAULT_LIMITS.max_file_bytes)
        except OSError:
            continue
        named = {word.rsplit(b"/", 1)[-1] for word in _WORD.findall(data)} & wanted
        for name in named:
            found.setdefault(name.decode("utf-8", "replace"), []).append(rel)
    _MENTIONS.clear()
    _MENTIONS[tree.scan_id] = {name: tuple(files) for name, files in found.items()}
    return _MENTIONS[tree.scan_id]
