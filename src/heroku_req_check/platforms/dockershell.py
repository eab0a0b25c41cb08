"""Words of a Dockerfile: BuildKit's variable expansion for instruction arguments, and the
POSIX shell words of a `RUN` command line, both with unknown values kept unknown.

`expand` follows BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) for the forms a path
uses: quotes removed, the escape character, `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
`${VAR:+word}`, `${VAR+word}`. Any other `${...}` form, and any variable whose value is not
known here (a build argument without a default, an ENV of the base image), makes the whole word
unknown (None): a path is never guessed.

`commands` splits a shell command line the way `sh -c` does for the parts that matter to
which files `pip` opens: quotes, backslashes, `&&`, `||`, `;`, `|`, `&`, newlines, parentheses,
redirections and comments; `$VAR` expands from the stage's ENV and ARG values; command
substitution and unknown variables make the word unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

Env = Mapping[str, str | None]  # None: declared (ARG without a default), value unknown
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Unknown(Exception):
    pass


def _lookup(env: Env, name: str) -> str | None:
    if name not in env:
        raise _Unknown(name)
    return env[name]


def _braced(text: str, start: int, env: Env, escape: str) -> tuple[str, int]:
    """Expand `${...}` starting after `${`; returns (value, index after `}`)."""
    match = _NAME.match(text, start)
    if not match:
        raise _Unknown(text[start:])
    name = match.group(0)
    i = match.end()
    if i < len(text) and text[i] == "}":
        value = _lookup(env, name)
        if value is None:
            raise _Unknown(name)
        return value, i + 1
    for op in (":-", ":+", "-", "+"):
        if text.startswith(op, i):
            depth, j = 1, i + len(op)
            while j < len(text) and depth:
                if text[j] == escape:
                    j += 1
                elif text.startswith("${", j):
                    depth += 1
                    j += 1
                elif text[j] == "}":
                    depth -= 1
                    if not depth:
                        break
                j += 1
            if depth:
                raise _Unknown(name)
            word = text[i + len(op) : j]
            declared = name in env
            value = env.get(name)
            if declared and value is None:
                raise _Unknown(name)
            set_ = declared and (value != "" or op in ("-", "+"))
            if op in (":-", "-"):
                out = value if set_ else _expand(word, env, escape)
            else:
                out = _expand(word, env, escape) if set_ else ""
            if not declared and op in (":-", "-", ":+", "+"):
                # the base image may set it: the outcome depends on a value we cannot see
                raise _Unknown(name)
            return out or "", j + 1
    raise _Unknown(name)


def _expand(text: str, env: Env, escape: str) -> str:
    out: list[str] = []
    i = 0
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                out.append(ch)
            i += 1
            continue
        if ch == escape and i + 1 < len(text):
            nxt = text[i + 1]
            if quote == '"' and nxt not in ('"', "$", escape):
                out.append(ch)
            out.append(nxt)
            i += 2
            continue
        if ch == '"':
            quote = "" if quote else '"'
            i += 1
            continue
        if ch == "'" and not quote:
            quote = "'"
            i += 1
            continue
        if ch == "$":
            if text.startswith("${", i):
                value, i = _braced(text, i + 2, env, escape)
                out.append(value)
                continue
            match = _NAME.match(text, i + 1)
            if match:
                found = _lookup(env, match.group(0))
                if found is None:
                    raise _Unknown(match.group(0))
                out.append(found)
                i = match.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def expand(word: str, env: Env, escape: str = "\\") -> str | None:
    """BuildKit's ProcessWord for one argument; None when a value it needs is unknown."""
    try:
        return _expand(word, env, escape)
    except _Unknown:
        return None


def unknown_name(word: str, env: Env, escape: str = "\\") -> str:
    """The variable that makes `expand` return None (for messages)."""
    try:
        _expand(word, env, escape)
    except _Unknown as exc:
        return str(exc.args[0]) if exc.args else ""
    return ""


# -- sh -c ------------------------------------------------------------------------------------

_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n")
_REDIRECT = re.compile(r"\d*(<<-|<<<|<<|>>|<>|>&|<&|>\||&>>|&>|<|>)")
Word = str | None  # None: its value is not known here
_SPECIAL = frozenset("<>&|;()\n0123456789")  # may start a redirection or an operator


def _shell_words(line: str, env: Env) -> list[list[Word]]:
    """Simple commands of a shell command line, each a list of words."""
    commands: list[list[Word]] = []
    current: list[Word] = []
    word: list[str] = []
    in_word = False
    unknown = False
    skip_next = False  # the word after a redirection operator is a file name, not an argument
    i = 0

    def end_word() -> None:
        nonlocal in_word, unknown, skip_next, word
        if in_word:
            if skip_next:
                skip_next = False
            else:
                current.append(None if unknown else "".join(word))
        word, in_word, unknown = [], False, False

    def end_command() -> None:
        nonlocal current
        end_word()
        if current:
            commands.append(current)
        current = []

    def dollar(j: int, quoted: bool) -> int:
        nonlocal unknown
        if line.startswith("$(", j) or line.startswith("$((", j):
            unknown = True
            depth, k = 0, j + 1
            while k < len(line):
                if line[k] == "(":
                    depth += 1
                elif line[k] == ")":
                    depth -= 1
                    if not depth:
                        return k + 1
                k += 1
            return len(line)
        if line.startswith("${", j):
            close = line.find("}", j)
            if close == -1:
                unknown = True
                return len(line)
            try:
                value, _ = _braced(line[: close + 1], j + 2, env, "\\")
                word.append(value)
            except _Unknown:
                unknown = True
            return close + 1
        match = _NAME.match(line, j + 1)
        if match:
            found = env.get(match.group(0))
            if found is None:  # not declared, or declared without a known value
                unknown = True
            else:
                word.append(found)
            return match.end()
        if j + 1 < len(line) and line[j + 1] in "?$!#@*-0123456789":
            unknown = True
            return j + 2
        word.append("$")
        return j + 1

    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            if line[i + 1] == "\n":
                i += 2
                continue
            word.append(line[i + 1])
            in_word = True
            i += 2
            continue
        if ch == "'":
            close = line.find("'", i + 1)
            close = len(line) if close == -1 else close
            word.append(line[i + 1 : close])
            in_word = True
            i = close + 1
            continue
        if ch == '"':
            in_word = True
            i += 1
            while i < len(line) and line[i] != '"':
                if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in '"$`\\\n':
                    if line[i + 1] != "\n":
                        word.append(line[i + 1])
                    i += 2
                elif line[i] == "$":
                    i = dollar(i, True)
                elif line[i] == "`":
                    unknown = True
                    close = line.find("`", i + 1)
                    i = len(line) if close == -1 else close + 1
                else:
                    word.append(line[i])
                    i += 1
            i += 1
            continue
        if ch == "`":
            unknown = True
            in_word = True
            close = line.find("`", i + 1)
            i = len(line) if close == -1 else close + 1
            continue
        if ch == "$":
            in_word = True
            i = dollar(i, False)
            continue
        if ch == "#" and not in_word:
            newline = line.find("\n", i)
            i = len(line) if newline == -1 else newline
            continue
        if ch in " \t\r":
            end_word()
            i += 1
            continue
        if ch not in _SPECIAL:  # the common case: an ordinary word character
            word.append(ch)
            in_word = True
            i += 1
            continue
        if not in_word or all(c.isdigit() for c in word):
            redirect = _REDIRECT.match(line, i - len(word) if in_word else i)
            if redirect and (in_word or not ch.isdigit() or redirect.end() > i + 1):
                word, in_word, unknown = [], False, False
                i = redirect.end()
                skip_next = True
                continue
        operator = next((op for op in _OPERATORS if line.startswith(op, i)), None)
        if operator:
            end_command()
            i += len(operator)
            continue
        word.append(ch)
        in_word = True
        i += 1
    end_command()
    return commands


def commands(line: str, env: Env) -> list[list[Word]]:
    """Each simple command of `line` (as `sh -c` would run it), words expanded where known."""
    return _shell_words(line, env)
