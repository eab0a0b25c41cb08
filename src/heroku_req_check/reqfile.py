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
import re
from collections.abc import Iterator
from dataclasses import dataclass

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
    for line in data.split(b"\n")[:2]:
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


def canonical_key(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


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
    rf"(?P<name>{_NAME})\s*(?P<extras>{_EXTRAS})?"
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
