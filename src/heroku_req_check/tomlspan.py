"""Where each key and string value of a TOML document starts, for findings on the right line.

tomllib (the stdlib parser, and the authority on what the document means) gives no positions.
This scanner walks a document tomllib has already accepted and records, for every key and
every string value, the offset where it starts, keyed by the value's path: table names, keys
and array indices, as tomllib would nest them (`("project", "dependencies", 0)`). It only
locates: it never decides what a value is. Callers check that the string found there decodes
to tomllib's value, and fall back to the key's line otherwise.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib

Path = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


class _Invalid(ValueError):
    """The text is not TOML this scanner understands (tomllib would have said why)."""


class Spans:
    """Offsets of keys and string values; `line_of` turns an offset into a 1-based line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: dict[Path, int] = {}
        self.strings: dict[Path, tuple[int, str]] = {}  # path -> (offset, decoded value)
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def line(self, path: Path, value: str | None = None) -> int | None:
        """Line where the value at `path` starts: its string (when it decodes to `value`, if
        given), else its key, else the nearest enclosing key's line; None when nothing on the
        path was found."""
        found = self.strings.get(path)
        if found is not None and (value is None or found[1] == value):
            return self.line_of(found[0])
        if path in self.keys:
            return self.line_of(self.keys[path])
        for end in range(len(path) - 1, 0, -1):
            if path[:end] in self.keys:
                return self.line_of(self.keys[path[:end]])
        return None


def spans(text: str) -> Spans:
    """Scan `text` (which tomllib has parsed); on anything unexpected the spans found so far
    are kept, so lookups fall back to enclosing keys."""
    result = Spans(text)
    with contextlib.suppress(_Invalid, IndexError, RecursionError, tomllib.TOMLDecodeError):
        _Scanner(text, result).document()
    return result


class _Scanner:
    def __init__(self, text: str, out: Spans) -> None:
        self.s = text
        self.i = 0
        self.out = out
        self.array_tables: dict[Path, int] = {}

    # -- whitespace and comments -------------------------------------------------------------
    def _blank(self, newlines: bool) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in _SPACE or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = len(s) if end == -1 else end
            else:
                return

    # -- the document ------------------------------------------------------------------------
    def document(self) -> None:
        table: Path = ()
        s = self.s
        while True:
            self._blank(newlines=True)
            if self.i >= len(s):
                return
            if s.startswith("[[", self.i):
                self.i += 2
                name = self._key()
                self._expect("]]")
                index = self.array_tables.get(name, -1) + 1
                self.array_tables[name] = index
                table = (*name, index)
            elif s[self.i] == "[":
                self.i += 1
                start = self.i
                name = self._key()
                self.out.keys.setdefault(name, start)
                self._expect("]")
                table = name
            else:
                self._pair(table)

    def _expect(self, token: str) -> None:
        self._blank(newlines=False)
        if not self.s.startswith(token, self.i):
            raise _Invalid(token)
        self.i += len(token)

    def _pair(self, table: Path) -> None:
        start = self.i
        path = (*table, *self._key())
        self.out.keys.setdefault(path, start)
        self._expect("=")
        self._blank(newlines=False)
        self._value(path)

    def _key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self._blank(newlines=False)
            c = self.s[self.i]
            if c in "\"'":
                _start, value = self._string()
                parts.append(value)
            else:
                match = _BARE_KEY.match(self.s, self.i)
                if not match:
                    raise _Invalid("key")
                parts.append(match.group())
                self.i = match.end()
            self._blank(newlines=False)
            if self.i < len(self.s) and self.s[self.i] == ".":
                self.i += 1
                continue
            return tuple(parts)

    # -- values ------------------------------------------------------------------------------
    def _value(self, path: Path) -> None:
        c = self.s[self.i]
        if c in "\"'":
            self.out.strings[path] = self._string()
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._blank(newlines=True)
                if self.s[self.i] == "]":
                    self.i += 1
                    return
                self._value((*path, index))
                index += 1
                self._blank(newlines=True)
                if self.s[self.i] == ",":
                    self.i += 1
        elif c == "{":
            self.i += 1
            while True:
                self._blank(newlines=True)
                if self.s[self.i] == "}":
                    self.i += 1
                    return
                self._pair(path)
                self._blank(newlines=True)
                if self.s[self.i] == ",":
                    self.i += 1
        else:  # number, boolean, date-time: up to the next delimiter
            while self.i < len(self.s) and self.s[self.i] not in ",]}\r\n#":
                self.i += 1

    def _string(self) -> tuple[int, str]:
        """Consume one string token; (its start offset, its value as tomllib decodes it)."""
        s, start = self.s, self.i
        quote = s[start]
        triple = s.startswith(quote * 3, start)
        if triple:
            end = start + 3
            while True:
                if quote == '"' and s[end] == "\\":
                    end += 2
                    continue
                if s.startswith(quote * 3, end):
                    end += 3
                    while end < len(s) and s[end] == quote:
                        end += 1  # up to two quotes more belong to the value
                    break
                end += 1
        else:
            end = start + 1
            while s[end] != quote:
                if s[end] in "\r\n":
                    raise _Invalid("string")
                end += 2 if quote == '"' and s[end] == "\\" else 1
            end += 1
        self.i = end
        token = s[start:end]
        value = tomllib.loads("v = " + token)["v"]
        if not isinstance(value, str):
            raise _Invalid("string")
        return start, value
