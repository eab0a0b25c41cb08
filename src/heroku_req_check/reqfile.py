"""Reading one requirements file the way pip does: bytes -> text -> logical lines.

Pure functions over bytes and str. pip's own rules (pip/_internal/req/req_file.py and
pip/_internal/utils/encoding.py) are followed: BOM first, then a PEP 263 coding line in the
first two lines, then UTF-8 (the locale of every build image we model); `splitlines()` line
breaks; a trailing backslash joins lines unless the line is a comment; `#` starts a comment at
line start or after whitespace. Environment variables are deliberately *not* expanded: the
values at deploy time are unknown here, and expanding them could leak secrets into reports.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

# Order matters and is pip's: the UTF-16-LE BOM is a prefix of the UTF-32-LE one, so pip reads
# a UTF-32-LE file as UTF-16. We keep that quirk because pip is what installs the app.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF32, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
)
ENCODING_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")
COMMENT_RE = re.compile(r"(^|\s+)#.*$")
ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bytes
    error: str | None  # why the bytes are not valid in `encoding`, with the offset


def decode(data: bytes) -> Decoded:
    """Decode like pip's auto_decode, but never raise: a bad byte is reported, not fatal."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom) :], encoding, bom)
    for line in data.split(b"\n", 2)[:2]:
        if line[:1] == b"#":
            match = ENCODING_RE.search(line)
            if match:
                name = match.group(1).decode("ascii")
                try:
                    codecs.lookup(name)
                except LookupError:
                    text = data.decode("utf-8", errors="replace")
                    return Decoded(text, "utf-8", b"", f"unknown encoding {name!r} in coding line")
                return _decode_as(data, name, b"")
    return _decode_as(data, "utf-8", b"")


def _decode_as(body: bytes, encoding: str, bom: bytes) -> Decoded:
    try:
        return Decoded(body.decode(encoding), encoding, bom, None)
    except UnicodeDecodeError as exc:
        offset = exc.start + len(bom)
        reason = f"byte {offset} is not valid {encoding} ({exc.reason})"
        return Decoded(body.decode(encoding, errors="replace"), encoding, bom, reason)


def line_of_offset(text: str, offset: int) -> int:
    """1-based physical line (pip's counting) holding character `offset` of `text`."""
    return len(text[:offset].splitlines()) or 1


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first physical line, logical line) with comments removed, empties skipped."""
    primary = 0
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        is_comment = COMMENT_RE.match(line) is not None
        if not line.endswith("\\") or is_comment:
            if is_comment:
                line = " " + line  # pip: a comment ends a continuation and is then dropped
            if pending:
                pending.append(line)
                joined, pending = "".join(pending), []
                yield from _strip(primary, joined)
            else:
                yield from _strip(number, line)
        else:
            if not pending:
                primary = number
            pending.append(line.strip("\\"))
    if pending:
        yield from _strip(primary, "".join(pending))


def _strip(number: int, line: str) -> Iterator[tuple[int, str]]:
    if "#" in line:
        line = COMMENT_RE.sub("", line)
    line = line.strip()
    if line:
        yield number, line


def split_args_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: the requirement part ends at the first token starting '-'."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return line, ""


@cache
def canonical_key(name: str) -> str:
    """PEP 503 normalised project name (cached: a tree names the same few hundred projects
    thousands of times, and fixes compare every declaration's name again)."""
    return _SEPARATORS.sub("-", name).lower()


_SEPARATORS = re.compile(r"[-_.]+")


# pip/_internal/utils/filetypes.py ARCHIVE_EXTENSIONS, with misc.splitext's rule that `.tar`
# joins the extension after it: a line naming such a file is an archive for pip, even bare
# (`foo.tar.gz`, with no path separator: constructors._get_url_from_path).
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ".tar.gz", ".tgz", ".tar",
)  # fmt: skip


def is_archive_name(path: str) -> bool:
    """pip's is_archive_file: the name's extension (`.tar.gz` counted whole) is an archive's."""
    base, ext = os.path.splitext(path.lower())
    if base.endswith(".tar"):
        ext = ".tar" + ext
    return ext in ARCHIVE_EXTENSIONS


# A name the fast paths may read as a project name: not one ending like an archive, which
# pip reads as a file (`zope.tar` is an archive to pip); those take pip's full path.
_NOT_ARCHIVE = (
    r"(?<![.](?i:zip|whl|tbz|txz|tlz|tgz|tar))(?<![.](?i:tar[.](?:gz|xz|lz)))"
    r"(?<![.](?i:tar[.]bz2))(?<![.](?i:tar[.]lzma))"
)

# Names, extras and plain version pins that pip and packaging accept as written. A line that
# matches is read without pip's option parser (which builds an optparse parser per line and
# costs ~120 us); anything else takes the full path. tests/test_tree_differential.py proves the
# two paths agree.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_VERSION = r"[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_SPEC = rf"(?:(?:==|!=|>=|<=|<|>)\s*{_VERSION}|~=\s*[0-9]+(?:\.[0-9]+)+)"
_EXTRAS = rf"\[\s*{_NAME}(?:\s*,\s*{_NAME})*\s*\]"
_HASH = r"--hash[=:](?:sha256|sha384|sha512):[0-9a-fA-F]+"
SIMPLE_REQUIREMENT_RE = re.compile(
    rf"(?P<name>{_NAME}){_NOT_ARCHIVE}\s*(?P<extras>{_EXTRAS})?"
    rf"\s*(?P<spec>{_SPEC}(?:\s*,\s*{_SPEC})*)?"
    rf"(?P<hashes>(?: +{_HASH})*)"
)

# `-r x`, `-rx`, `-r=x`, `--requirement x`, `--requirement=x` (and -c): read without importing
# pip's option parser, which pulls in urllib/http.client. Anything else (quotes, abbreviations,
# several options) takes pip's parser; the differential tests cover both paths.
SIMPLE_INCLUDE_RE = re.compile(
    r"(?:(?P<short>-[rc])(?:=|[ \t]+)?|(?P<long>--requirement|--constraint)(?:=|[ \t]+))"
    r"(?P<path>[^\s'\"\\=-][^\s'\"\\]*)"
)


# -- whole-file fast path ----------------------------------------------------------------------
# Most nested files in a large tree hold only pins, ranges, simple markers, hashes, comments and
# plain includes, and name no catalog package. For such a file pip's reading yields no problem
# and no declaration a rule can concern, so the walker only needs its includes. PLAIN_FILE_RE
# recognises that shape in one C-level regex pass (no per-line Python work); it is a strict
# subset of what the line-by-line path accepts, so anything unusual (other line breaks, options,
# URLs, odd whitespace, complex markers) takes that exact path. Line breaks other than \n and
# \r\n (which splitlines() honours) never match; the walker also requires ASCII text.
# tests/test_fastpath.py proves the two paths give the same report on generated trees and on
# hypothesis-generated files.
_T_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_T_VERSION = r"[0-9]+(?:\.[0-9]+)*"
_T_SPEC = rf"(?:(?:==|!=|>=|<=|<|>)[ \t]*{_T_VERSION}|~=[ \t]*[0-9]+(?:\.[0-9]+)+)"
_T_SPECS = rf"{_T_SPEC}(?:[ \t]*,[ \t]*{_T_SPEC})*"
_T_EXTRAS = rf"\[{_T_NAME}(?:,[ \t]*{_T_NAME})*\]"
_T_MARKER_VAR = (
    r"(?:python_version|python_full_version|os_name|sys_platform|platform_machine"
    r"|platform_system|platform_python_implementation|implementation_name)"
)
_T_MARKER_ATOM = (
    rf"{_T_MARKER_VAR}[ \t]*(?:==|!=|<=|>=|<|>)[ \t]*(?:\"[A-Za-z0-9._]*\"|'[A-Za-z0-9._]*')"
)
_T_MARKER = rf"{_T_MARKER_ATOM}(?:[ \t]+(?:and|or)[ \t]+{_T_MARKER_ATOM})*"
_T_HASH = r"--hash=sha256:[0-9a-fA-F]{64}"
_T_COMMENT = r"(?:[ \t]+#[^\r\n\x0b\x0c\x1c-\x1e]*(?<!\\))?"
_T_REQ = (
    rf"{_T_NAME}{_NOT_ARCHIVE}(?:[ \t]*{_T_EXTRAS})?(?:[ \t]*{_T_SPECS})?"
    rf"(?:[ \t]*;[ \t]*{_T_MARKER}|(?:[ \t]+\\\r?\n[ \t]+{_T_HASH})+)?"
)
_T_INCLUDE = (
    r"(?:-[rc](?:=|[ \t]+)?|--requirement(?:=|[ \t]+)|--constraint(?:=|[ \t]+))"
    r"[^\s'\"\\=#-][^\s'\"\\]*"
)
_T_LINE = rf"[ \t]*(?:#[^\r\n\x0b\x0c\x1c-\x1e]*|(?:{_T_REQ}|{_T_INCLUDE}){_T_COMMENT}[ \t]*)?"
PLAIN_FILE_RE = re.compile(rf"(?:{_T_LINE}\r?\n)*(?:{_T_LINE})?")
PLAIN_INCLUDE_RE = re.compile(
    r"^[ \t]*(?:(?P<short>-[rc])(?:=|[ \t]+)?|(?P<long>--requirement|--constraint)(?:=|[ \t]+))"
    r"(?P<path>[^\s'\"\\=#-][^\s'\"\\]*)",
    re.M,
)
# A requirement with a simple environment marker: packaging parses it as pip would (its
# Requirement is what pip builds), at a twentieth of the cost of pip's per-line option parser.
MARKER_REQUIREMENT_RE = re.compile(
    rf"{_T_NAME}{_NOT_ARCHIVE}(?:[ \t]*{_T_EXTRAS})?(?:[ \t]*{_T_SPECS})?[ \t]*;[ \t]*{_T_MARKER}"
)


def names_pattern(
    keys: set[str] | frozenset[str], containing: frozenset[str] = frozenset()
) -> re.Pattern[str]:
    """Any spelling (`-`, `_`, `.` runs) of the given PEP 503 keys, to search in *lowercased*
    ASCII text (an IGNORECASE alternation is about 9x slower in `re`); with `containing`, also
    any name token holding one of those substrings (over-match checks ask whether a longer
    name such as djangorestframework is installed)."""
    spellings = sorted(
        "[-_.]+".join(re.escape(part) for part in key.split("-")) for key in keys if key
    )
    # bounded like a name token: "psycopg2" must not fire on every "psycopg2-binary" line
    pattern = r"(?<![a-z0-9._-])(?:" + ("|".join(spellings) or r"(?!)") + r")(?![a-z0-9._-])"
    if containing:
        # unbounded: a plain substring anywhere (matching a comment too only parses one line
        # more, and a `[a-z0-9._-]*` prefix would be tried at every position of the file)
        pattern += "|" + "|".join(sorted(re.escape(p.lower()) for p in containing if p))
    return re.compile(pattern)
