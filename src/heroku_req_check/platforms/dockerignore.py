"""Docker's `.dockerignore` matching, exactly as BuildKit applies it to a build context.

A port of moby/patternmatcher v0.6.1 (ignorefile.ReadAll, Pattern.compile/match,
MatchesUsingParentResults) and of the way tonistiigi/fsutil's filtered walk (filter.go, vendored
by moby/buildkit) uses it: the walk goes from the context root down, each directory's per-pattern
results feed its children, and an excluded directory is skipped whole unless an exception (`!`)
pattern could re-include something below it. Why not `pathspec`: its gitignore rules differ from
Docker's (`foo` matches only at the context root in Docker, at any depth in git; Docker has no
trailing-`/` directory-only patterns; `**` and `!` differ in the details above).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import cached_property

_BOM = "\ufeff"
# patternmatcher's shouldEscape table is a [8]byte bitmask indexed by b%8 with bit b/8: bits
# 8 and up do not fit in a byte, so of `.+()|{}$` only `.+()$` (all below 64) are escaped
_ESCAPED = frozenset(".+()$")
_PATTERN_CHARS = "*[]?^\\"  # fsutil's patternChars on a `/` system


@dataclass(frozen=True)
class Pattern:
    text: str  # cleaned, without the leading `!`
    exclusion: bool  # a `!` exception
    line: int  # 1-based line in the ignore file

    @cached_property
    def _compiled(self) -> tuple[str, re.Pattern[str] | None]:
        return _compile(self.text)

    def match(self, path: str) -> bool:
        kind, regex = self._compiled
        if kind == "exact":
            return path == self.text
        if kind == "prefix":
            return path.startswith(self.text[:-2])
        if kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix[:1] == "/" and path == suffix[1:]
        if kind == "bad" or regex is None:
            return False
        return regex.match(path) is not None


def _compile(pattern: str) -> tuple[str, re.Pattern[str] | None]:
    """patternmatcher's Pattern.compile for a `/` separator: (match type, regex)."""
    out = "^"
    kind = "exact"
    i = 0
    position = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < len(pattern) and pattern[i] == "*":
                i += 1
                if i < len(pattern) and pattern[i] == "/":
                    i += 1
                if i >= len(pattern):
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out += ".*"
                        kind = "regexp"
                else:
                    out += "(.*/)?"
                    kind = "regexp"
                if position == 0:
                    kind = "suffix"
            else:
                out += "[^/]*"
                kind = "regexp"
        elif ch == "?":
            out += "[^/]"
            kind = "regexp"
        elif ch in _ESCAPED:
            out += "\\" + ch
        elif ch == "\\":
            if i < len(pattern):
                out += "\\" + pattern[i]
                i += 1
                kind = "regexp"
            else:
                out += "\\\\"
        elif ch in "[]":
            out += ch
            kind = "regexp"
        else:
            out += ch  # `^|{}` too: Go puts them in the regexp unescaped, and so do we
        position += 1
    if kind != "regexp":
        return kind, None
    try:
        return kind, re.compile(out + r"\Z", re.DOTALL)
    except re.error:
        return "bad", None


def _go_clean(path: str) -> str:
    """Go's filepath.Clean on a `/` system."""
    if not path:
        return "."
    rooted = path.startswith("/")
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = cleaned[1:]  # normpath keeps a leading `//`; Go does not
    if rooted and cleaned.startswith("/.."):
        parts = [p for p in cleaned.split("/") if p not in ("", "..")]
        cleaned = "/" + "/".join(parts)
    return cleaned


def read_patterns(text: str) -> list[Pattern]:
    """ignorefile.ReadAll then patternmatcher.New: comments only at column 0, whitespace
    trimmed, `!` exceptions, paths cleaned, one leading `/` dropped."""
    patterns: list[Pattern] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[1:] if number == 1 and raw.startswith(_BOM) else raw
        line = line.rstrip("\r")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = _go_clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        if not line:  # a lone `!`: patternmatcher.New rejects the whole file
            raise ValueError(f'line {number}: illegal exclusion pattern: "!"')
        patterns.append(Pattern(_go_clean(line), invert, number))
    return patterns


def _trim_trailing_glob(text: str) -> str:
    for suffix in ("/**", "/*"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


class Matcher:
    """Which context paths a `.dockerignore` removes from the build context."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = patterns
        self.exclusions = any(p.exclusion for p in patterns)
        self.only_prefix_exceptions = not any(
            p.exclusion and any(c in _trim_trailing_glob(p.text) for c in _PATTERN_CHARS)
            for p in patterns
        )
        self._dirs: dict[str, tuple[bool, tuple[bool, ...], bool]] = {}

    @classmethod
    def parse(cls, text: str) -> Matcher:
        return cls(read_patterns(text))

    def _step(self, path: str, parent: tuple[bool, ...]) -> tuple[bool, tuple[bool, ...]]:
        """MatchesUsingParentResults: (excluded, per-pattern match info for children)."""
        matched = False
        info: list[bool] = []
        for index, pattern in enumerate(self.patterns):
            match = parent[index] if parent else False
            if not match:
                if pattern.exclusion != matched:
                    info.append(False)
                    continue
                # (the walk always hands a nested path its parent's results, so
                # patternmatcher's own parent-directory scan never runs)
                match = pattern.match(path)
            info.append(match)
            if match:
                matched = not pattern.exclusion
        return matched, tuple(info)

    def _dir(self, path: str) -> tuple[bool, tuple[bool, ...], bool]:
        """(excluded, match info, whole subtree skipped) for a directory, from the root down."""
        if path in self._dirs:
            return self._dirs[path]
        parent_path = posixpath.dirname(path)
        parent_info: tuple[bool, ...] = ()
        if parent_path:
            _excluded, info, skipped = self._dir(parent_path)
            if skipped:
                self._dirs[path] = (True, info, True)
                return self._dirs[path]
            parent_info = info
        excluded, info = self._step(path, parent_info)
        skipped = False
        if excluded and self.only_prefix_exceptions:
            prefix = path + "/"
            skipped = not any(
                p.exclusion and (_trim_trailing_glob(p.text) + "/").startswith(prefix)
                for p in self.patterns
            )
        self._dirs[path] = (excluded, info, skipped)
        return self._dirs[path]

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        """Is the context-relative `path` (`a/b.txt`, no leading `./`) left out of the context?"""
        if not self.patterns or path in ("", "."):
            return False
        if is_dir:
            return self._dir(path)[0]
        parent = posixpath.dirname(path)
        info: tuple[bool, ...] = ()
        if parent:
            _excluded, info, skipped = self._dir(parent)
            if skipped:
                return True
        return self._step(path, info)[0]

    def culprit(self, path: str) -> Pattern | None:
        """The last pattern that matches `path` or a parent (for messages)."""
        found = None
        parts = path.split("/")
        for pattern in self.patterns:
            if any(pattern.match("/".join(parts[: i + 1])) for i in range(len(parts))):
                found = pattern
        return found
