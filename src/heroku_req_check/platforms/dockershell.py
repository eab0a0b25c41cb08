"""Words of a Dockerfile: BuildKit's variable expansion for instruction arguments, and the
POSIX shell words of a `RUN` command line, both with unknown values kept unknown.

`expand` follows BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) for the forms a path
uses: quotes removed, the escape character, `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
`${VAR:+word}`, `${VAR+word}`. Any other `${...}` form, and any variable whose value is not
known here (a build argument without a default, an ENV of the base image), makes the whole word
unknown (None): a path is never guessed.

`commands` splits a shell command line the way `sh -c` does for the parts that matter to
which files `pip` opens and which files a command writes: quotes, backslashes, `&&`, `||`, `;`,
`|`, `&`, newlines, subshells, redirections (an output redirection's file is kept) and comments;
`$VAR` expands from the stage's ENV and ARG values, and unquoted it is split into fields (IFS
whitespace) whose `*?[` stay active; each word with an active `*?[` also comes as a pattern
(POSIX 2.6.5-2.6.6, 2.13). Command substitution and unknown variables make the word unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Simple:
    """One simple command of a shell command line, after the shell's expansions.

    `words` are its arguments (None: not known here); `patterns[i]` is word i as a shell
    pattern when it holds an unquoted `*`, `?` or `[` (quoted or escaped characters written
    `\\x`), else None: the shell expands such a word against the filesystem when the command
    runs and passes it unchanged when nothing matches (POSIX 2.13.3). `writes` are the files
    its output redirections (`>`, `>>`, `>|`, `&>`, `<>`, `>&FILE`) create, as written (None: not
    known here). `depth` counts the subshells `( ... )` it runs in; `after` and `before` are the
    operators around it (`&&`, `||`, `;`, `|`, `&`, newline, `(`, `)`; "" at either end)."""

    words: tuple[Word, ...]
    patterns: tuple[str | None, ...] = ()
    writes: tuple[Word, ...] = ()
    depth: int = 0
    after: str = ""
    before: str = ""


_GLOB = frozenset("*?[")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PREFIX_WORDS = frozenset(("then", "do", "else", "elif", "if", "while", "until", "!", "{"))
_OUTPUT = frozenset((">", ">>", ">|", "&>", "&>>", "<>", ">&"))
_IFS = re.compile(r"[ \t\n]+")


def _literal(text: str) -> str:
    """`text` as a pattern that matches only itself."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _shell_words(line: str, env: Env) -> list[Simple]:
    """Simple commands of a shell command line, each a list of words."""
    commands: list[Simple] = []
    current: list[Word] = []
    patterns: list[str | None] = []
    writes: list[Word] = []
    word: list[str] = []
    pattern: list[str] = []
    globbed = False
    in_word = False
    unknown = False
    skip_next = ""  # the word after a redirection operator is a file name, not an argument
    depth = 0
    previous = ""  # the operator that ended the previous command
    cases: list[int] = []  # the subshell depth of each open `case`
    pattern_next = False  # the next word list before `)` is a `case` pattern, not a command
    assigning = True  # only assignments and reserved words so far in this command
    i = 0

    def lit(text: str) -> None:
        nonlocal in_word
        word.append(text)
        pattern.append(_literal(text))
        in_word = True

    def act(text: str) -> None:
        nonlocal in_word, globbed
        word.append(text)
        pattern.append(text)
        globbed = globbed or not _GLOB.isdisjoint(text)
        in_word = True

    def end_word() -> None:
        nonlocal in_word, unknown, skip_next, word, pattern, globbed, assigning
        if in_word:
            value = None if unknown else "".join(word)
            if assigning and not skip_next:
                match = _ASSIGNMENT.match("".join(word)) if unknown else None
                if match:
                    # `NAME=$(cmd)`: an assignment whose value is not known, not a command
                    value = match.group(0) + "<unknown>"
                assigning = value is not None and (
                    _ASSIGNMENT.match(value) is not None or value in _PREFIX_WORDS
                )
            if skip_next:
                # `>&2`, `2>&1`, `>&-` duplicate a descriptor; `>&name` writes a file (bash)
                if skip_next in _OUTPUT and not (
                    skip_next == ">&" and value is not None and (value == "-" or value.isdigit())
                ):
                    writes.append(value)
                skip_next = ""
            else:
                current.append(value)
                patterns.append("".join(pattern) if globbed and not unknown else None)
        word, pattern, in_word, unknown, globbed = [], [], False, False, False

    def end_command(operator: str = "") -> bool:
        """Emit the command; True when `operator` is the `)` that closes a `case` pattern."""
        nonlocal current, patterns, writes, previous, pattern_next, assigning
        end_word()
        closes_pattern = False
        if current[:1] == ["case"]:
            cases.append(depth)
            pattern_next = True
        if cases and operator == ")" and pattern_next and depth == cases[-1]:
            # `case x in pat)` keeps `case x in`; `;; pat)` is no command at all
            keep = current.index("in") + 1 if current[:1] == ["case"] and "in" in current else 0
            del current[keep:], patterns[keep:]
            pattern_next, closes_pattern = False, True
        elif operator == ";;" and cases:
            pattern_next = True
        if current[:1] == ["esac"] and cases:
            cases.pop()
            pattern_next = False
        if current or writes:
            commands.append(
                Simple(tuple(current), tuple(patterns), tuple(writes), depth, previous, operator)
            )
        current, patterns, writes, previous = [], [], [], operator
        assigning = True
        return closes_pattern

    def expansion(value: str, quoted: bool) -> None:
        """A variable's value: unquoted, it is split into fields and its `*?[` are active."""
        if quoted:
            lit(value)
            return
        fields = _IFS.split(value)
        for n, part in enumerate(fields):
            if n:
                end_word()
            if part:
                act(part)

    def dollar(j: int, quoted: bool) -> int:
        nonlocal unknown, in_word
        if line.startswith("$(", j) or line.startswith("$((", j):
            unknown = True
            in_word = True
            level, k = 0, j + 1
            while k < len(line):
                if line[k] == "(":
                    level += 1
                elif line[k] == ")":
                    level -= 1
                    if not level:
                        return k + 1
                k += 1
            return len(line)
        if line.startswith("${", j):
            close = line.find("}", j)
            if close == -1:
                unknown = True
                in_word = True
                return len(line)
            try:
                value, _ = _braced(line[: close + 1], j + 2, env, "\\")
                expansion(value, quoted)
            except _Unknown:
                unknown = True
                in_word = True
            return close + 1
        match = _NAME.match(line, j + 1)
        if match:
            found = env.get(match.group(0))
            if found is None:  # not declared, or declared without a known value
                unknown = True
                in_word = True
            else:
                expansion(found, quoted)
            return match.end()
        if j + 1 < len(line) and line[j + 1] in "?$!#@*-0123456789":
            unknown = True
            in_word = True
            return j + 2
        lit("$")
        return j + 1

    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            if line[i + 1] == "\n":
                i += 2
                continue
            lit(line[i + 1])
            i += 2
            continue
        if ch == "'":
            close = line.find("'", i + 1)
            close = len(line) if close == -1 else close
            lit(line[i + 1 : close])
            i = close + 1
            continue
        if ch == '"':
            in_word = True
            i += 1
            while i < len(line) and line[i] != '"':
                if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in '"$`\\\n':
                    if line[i + 1] != "\n":
                        lit(line[i + 1])
                    i += 2
                elif line[i] == "$":
                    i = dollar(i, True)
                elif line[i] == "`":
                    unknown = True
                    close = line.find("`", i + 1)
                    i = len(line) if close == -1 else close + 1
                else:
                    lit(line[i])
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
            act(ch)
            i += 1
            continue
        if not in_word or all(c.isdigit() for c in word):
            redirect = _REDIRECT.match(line, i - len(word) if in_word else i)
            if redirect and (in_word or not ch.isdigit() or redirect.end() > i + 1):
                word, pattern, in_word, unknown, globbed = [], [], False, False, False
                i = redirect.end()
                skip_next = redirect.group(1)
                continue
        operator = next((op for op in _OPERATORS if line.startswith(op, i)), None)
        if operator:
            closes_pattern = end_command(operator)
            if operator == "(":
                depth += 1
            elif operator == ")" and not closes_pattern:
                depth = max(0, depth - 1)
            i += len(operator)
            continue
        act(ch)
        i += 1
    end_command()
    return commands


def commands(line: str, env: Env) -> list[Simple]:
    """Each simple command of `line` (as `sh -c` would run it), words expanded where known."""
    return _shell_words(line, env)


@dataclass(frozen=True)
class Flow:
    """Whether a command of a shell command line runs and whether its failure fails the line.
    `guard`: why it may not run ("" when it runs whenever the shell gets to it); `stops`: a
    failure of it makes the whole line exit non-zero (what fails a Dockerfile `RUN`)."""

    guard: str
    stops: bool


# an open compound command: "if?"/"loop?" while its condition runs (that runs whenever the
# shell gets there, and its failure only picks a branch), "if"/"loop"/"case" in a body that may
# not run, "for" in a body that runs for each word
_OPENERS = {"if": "if?", "while": "loop?", "until": "loop?", "case": "case", "for": "for",
            "select": "for"}  # fmt: skip
_CLOSERS = {"fi": ("if?", "if"), "done": ("loop?", "loop", "for"), "esac": ("case",)}
_BODIES = {"then": "if", "else": "if", "elif": "if", "do": "loop"}
_RESERVED = frozenset(("!", "{", "}", *_OPENERS, *_CLOSERS, *_BODIES))
_BODY_NAMES = {"if": "an `if` branch", "loop": "a `while`/`until` loop", "case": "a `case` branch"}
_TESTS = frozenset(("[", "[[", "test"))


def _errexit(words: list[str]) -> bool | None:
    """True/False when `set` turns errexit on/off (`set -e`, `-ex`, `-o errexit`, `+e`)."""
    state: bool | None = None
    for n, word in enumerate(words):
        if word in ("-o", "+o") and n + 1 < len(words) and words[n + 1] == "errexit":
            state = word == "-o"
        elif word[:1] in "-+" and word[1:].isalpha() and "e" in word[1:]:
            state = word[0] == "-"
    return state


def flow(commands: list[Simple]) -> list[Flow]:
    """Flow of each command of `commands` (one shell command line, in order), as POSIX sh
    runs it (XCU 2.9.3 lists, 2.9.4 compound commands, `set -e` in 2.14): a command inside
    `if`/`while`/`until`/`case`, after `||`, or after a test joined by `&&` may not run; a
    failure fails the line when every operator after the command is `&&` (the list's status is
    its status), or when `set -e` is on and the command is not followed by `&&`/`||` or a
    pipe; the status of a command before `|` is lost (no pipefail in sh)."""
    out: list[Flow] = []
    stack: list[str] = []
    errexit = False
    tested = False
    for n, command in enumerate(commands):
        words = [w if w is not None else "" for w in command.words]
        k = 0
        while k < len(words) and words[k] in _RESERVED:
            word = words[k]
            if word in _OPENERS:
                stack.append(_OPENERS[word])
            elif word in _CLOSERS and stack and stack[-1] in _CLOSERS[word]:
                stack.pop()
            elif word in _BODIES and stack and stack[-1] in ("if?", "if", "loop?"):
                # `elif`'s condition runs only when the first one failed: a body for this
                stack[-1] = "loop" if stack[-1] == "loop?" else "if"
            k += 1
        program = words[k] if k < len(words) else ""
        if command.after not in ("&&", "||", "|"):
            tested = False
        guard = ""
        conditional = [kind for kind in stack if kind in ("if", "loop", "case")]
        in_condition = bool(stack) and stack[-1] in ("if?", "loop?")
        if conditional:
            guard = f"it is inside {_BODY_NAMES[conditional[-1]]}"
        elif command.after == "||":
            guard = "it follows `||`, so it runs only when the command before it fails"
        elif tested and command.after == "&&":
            guard = "it follows a test (`[`, `test`) joined by `&&`"
        later = [c.after for c in commands[n + 1 :] if c.after not in ("(", ")")]
        own = command.before if command.before not in ("(", ")") else ""
        chained = own in ("&&", "") and all(op == "&&" for op in later)
        if own == "|" or in_condition:
            stops = False
        elif chained:
            stops = True
        else:
            stops = errexit and own not in ("&&", "||") and not conditional
        out.append(Flow(guard, stops))
        if program in _TESTS:
            tested = True
        if program == "set":
            state = _errexit(words[k + 1 :])
            errexit = errexit if state is None else state
    return out
