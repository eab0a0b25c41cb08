"""What a command of a Dockerfile `RUN` may write, as far as the docker model needs to know.

The model reports a path pip needs as missing only when nothing that ran before the install
(an earlier command of the same `RUN`, or any earlier `RUN` of the stage and of the stages it
is built on) may have created it. Each simple command (dockershell.Simple) falls in one class:

- **writes no file**: shell builtins and utilities that only read, print, change attributes or
  delete (`_NO_FILES`; POSIX.1-2024 XCU, GNU coreutils). Also `pip`'s read-only commands.
- **names what it writes** (`mkdir`, `touch`, `ln`, `tee`, `sed`, `sort -o`, `dd`, `curl -o`/`-O`,
  `wget` without recursion or server-chosen names, an output redirection `> FILE`): it creates
  only paths its words name, so a path whose base name is one of its words is taken as made
  (`Effects.names`, the mention rule) and nothing else is.
- **writes under a destination it is given** (`cp`, `mv`, `rsync`, `install`, `tar -x`, `unzip`,
  `git clone`, `python -m venv`, `virtualenv`, `uv venv`, `curl -J`, `wget -r`, pip's `--target`,
  `--prefix`, `--root`, `--src`, `pip wheel -w`, `pip download -d`): anything under it may be new.
- **installs distribution packages or accounts** (`apt-get install`, `apk add`, `dnf install`,
  `useradd`, ...): they write the system hierarchy the distribution owns (FHS 3.0: `/etc`,
  `/var`, `/usr` except `/usr/local`, which Debian Policy 9.1.2 keeps free of package files,
  `/bin`, `/sbin`, `/lib*`, `/opt`, `/run`, `/boot`); `useradd -m` adds `/etc/skel`'s shell
  start-up files to a new home. None of these is where a Dockerfile puts its own requirements.
- **builds a local project** (`pip install DIR`, `pip install -e DIR`): the build backend writes
  `build/`, `dist/`, `.eggs/` and `*.egg-info` inside DIR (setuptools' defaults).
- **anything else** (a script, `python`, `make`, `npm`, `sh -c`, `xargs`, `find -exec`, `awk`, a
  program named by a variable, a subcommand not listed): it may write anywhere.

Programs are recognised by name only when called by name or from a `bin`/`sbin` directory
(`./build.sh`, `tests/check-build` are scripts, whatever they are called).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from . import pipcli
from .dockershell import Word

Kind = Literal["subtree", "system", "build", "component"]


@dataclass(frozen=True)
class Reach:
    """Image paths a command may have written. `subtree`: `prefix` and everything under it
    (`/` = anywhere); `system`: the distribution's hierarchy (see the module docstring);
    `build`: the build outputs of the project at `prefix`; `component`: every directory named
    `prefix`, wherever it is (`site-packages`, `.gnupg`). `command` is the command as shown in
    messages. `wheels`: it certainly leaves at least one `.whl` directly in `prefix` when the
    RUN succeeds (`pip wheel -w DIR` with something to build writes one wheel per
    requirement)."""

    prefix: str
    kind: Kind
    command: str
    wheels: bool = False


@dataclass(frozen=True)
class Effects:
    """What one simple command may write: `names` (words naming what it creates: a path whose
    base name is one of them is taken as made), `reach` (where anything may be new) and
    `cwd_lost` (it may change the shell's directory: `.`/`source` of a script, `eval`)."""

    names: tuple[str, ...] = ()
    reach: tuple[Reach, ...] = ()
    cwd_lost: bool = False


_SYSTEM_DIRS = ("/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/run",
                "/sbin", "/usr", "/var")  # fmt: skip
_SYSTEM_EXCEPT = ("/usr/local",)
_BUILD_DIRS = frozenset(("build", "dist", ".eggs"))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NO_FILES = _words(
    """: true false echo printf export set unset cd pushd popd dirs test [ [[ ]] sleep exit
    return shift umask ulimit wait which type hash alias unalias readonly local declare typeset
    trap shopt getopts read let break continue fi done esac } for case in select ls cat head tail
    grep egrep fgrep rg wc cut tr printenv env id whoami groups uname date pwd du df stat nproc
    basename dirname realpath readlink getent diff cmp sha1sum sha224sum sha256sum sha384sum
    sha512sum md5sum b2sum cksum chmod chown chgrp rm rmdir unlink ps free uptime tty yes seq
    expr ldd file less more jq column fold rev nl od hexdump xxd strings tac paste join comm
    locale hostname strip chattr lsattr setfacl getfacl sync nslookup ping"""
)
# create exactly the paths their words name (options aside)
_NAMES = _words("mkdir touch ln tee sed sort dd truncate mkfifo mknod uniq")
# copy or unpack into the destination they are given
_COPIES = _words("cp mv rsync install")
_SYSTEM = {
    "apt-get": "update upgrade dist-upgrade full-upgrade install reinstall remove purge autoremove "
    "autopurge clean autoclean build-dep satisfy check",
    "apt": "update upgrade dist-upgrade full-upgrade install reinstall remove purge autoremove "
    "clean autoclean satisfy list show search policy",
    "aptitude": "update upgrade safe-upgrade full-upgrade install reinstall remove purge clean "
    "autoclean",
    "apk": "add del update upgrade cache fix info search policy",
    "dnf": "install reinstall update upgrade remove erase clean makecache module groupinstall "
    "group config-manager autoremove distro-sync repolist info list search",
    "microdnf": "install reinstall update upgrade remove clean makecache module repolist",
    "yum": "install reinstall update upgrade remove erase clean makecache groupinstall "
    "autoremove repolist info list search",
    "tdnf": "install reinstall update upgrade remove erase clean makecache",
    "zypper": "install in remove rm update up dist-upgrade dup refresh ref clean cc addrepo ar "
    "patch",
}
_SYSTEM_ANY = _words(
    """dpkg-reconfigure update-alternatives ldconfig update-ca-certificates locale-gen localedef
    update-locale useradd adduser groupadd addgroup usermod groupmod userdel groupdel deluser
    delgroup passwd chpasswd debconf-set-selections apt-key add-apt-repository"""
)
_PACKAGE_OPERATIONS = {
    "dpkg": _words(
        "-i --install --configure -r --remove -P --purge --add-architecture --set-selections "
        "-l --list -s --status -L --listfiles --print-architecture"
    ),
    "rpm": _words(
        "-i --install -U --upgrade -F --freshen -e --erase --import -q --query -V --verify"
    ),
    "pacman": _words("-S -R -U -Q -D --sync --remove --upgrade --query --database"),
}
_PIP_QUIET = _words(
    "list freeze show check uninstall help hash inspect debug index search completion cache "
    "config --version -V"
)
_BIN_DIRS = ("/bin", "/sbin")


def _program(word: str) -> str:
    """The name a command is recognised by ("" for a script or a path outside a bin dir)."""
    if "/" not in word:
        return word
    directory, name = posixpath.split(word)
    return name if directory.rstrip("/").endswith(_BIN_DIRS) else ""


def _at(cwd: str | None, word: str) -> str | None:
    if word.startswith("/"):
        return posixpath.normpath(word)
    if cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, word))


def covers(reach: Reach, path: str) -> bool:
    """Whether `reach` includes the absolute image path `path`."""
    if reach.kind == "system":
        inside = any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS)
        return inside and not any(path == d or path.startswith(d + "/") for d in _SYSTEM_EXCEPT)
    if reach.kind == "component":
        return reach.prefix in path.split("/")
    prefix = reach.prefix.rstrip("/")
    if reach.kind == "subtree":
        return not prefix or path == prefix or path.startswith(prefix + "/")
    if not path.startswith(prefix + "/"):
        return False
    parts = path[len(prefix) + 1 :].split("/")
    return parts[0] in _BUILD_DIRS or any(p.endswith(".egg-info") for p in parts)


def _operands(words: Sequence[str], with_value: frozenset[str] = frozenset()) -> list[str]:
    """Non-option words; an option in `with_value` consumes the next word."""
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--":
            continue
        if word.startswith("-") and len(word) > 1:
            skip = word in with_value
            continue
        out.append(word)
    return out


def _option(words: Sequence[str], short: str, long: str) -> str:
    """The last value of `-s VALUE`/`-sVALUE`/`--long=VALUE`/`--long VALUE` ("" if absent)."""
    found = ""
    for n, word in enumerate(words):
        if (short and word == short) or (long and word == long):
            found = words[n + 1] if n + 1 < len(words) else ""
        elif long and word.startswith(long + "="):
            found = word[len(long) + 1 :]
        elif short and word.startswith(short) and len(word) > len(short) and word[1] != "-":
            found = word[len(short) :]
    return found


def _subtree(cwd: str | None, word: str | None, shown: str) -> Reach:
    where = None if word is None or "\0" in word else _at(cwd, word)
    return Reach(where or "/", "subtree", shown)


def effects(words: Sequence[Word], writes: Sequence[Word], cwd: str | None, shown: str) -> Effects:
    """What the simple command `words` (its output redirections `writes`) may write when run in
    `cwd` (absolute; None = not known). pip and uv installs are `install_effects`."""
    names = [w for w in writes if w is not None]
    reach: list[Reach] = [Reach("/", "subtree", shown) for w in writes if w is None]
    known = pipcli.strip_prefix([w if w is not None else "\0" for w in words])
    if not known:
        return Effects(tuple(names), tuple(reach))
    anywhere = Reach("/", "subtree", shown)
    if "\0" in known[0]:
        return Effects(tuple(names), (*reach, anywhere))
    program, args = _program(known[0]), known[1:]
    named = tuple(a for a in args if "\0" not in a)
    result = _classify(program, args, named, cwd, shown)
    if result is None:  # may write anywhere; the mention rule still applies to its words
        return Effects((*names, *named), (*reach, anywhere))
    return Effects((*names, *result.names), (*reach, *result.reach), result.cwd_lost)


def _classify(
    program: str, args: list[str], named: tuple[str, ...], cwd: str | None, shown: str
) -> Effects | None:
    """None: the command may write anywhere. `named`: its words whose value is known."""
    if program in _NO_FILES:
        if program == "env" and args:  # `env -i cmd`: the command runs
            return None
        return Effects()
    if program == "find":
        if any(a in ("-exec", "-execdir", "-ok", "-okdir") for a in args):
            return None
        return Effects(named)  # -fprint FILE
    if program in (".", "source", "eval"):
        # a virtual environment's activate script only sets variables and functions
        # (CPython Lib/venv/scripts/common/activate)
        if program != "eval" and args and args[0].endswith("/bin/activate"):
            return Effects()
        return Effects(reach=(Reach("/", "subtree", shown),), cwd_lost=True)
    if program in _NAMES:
        return Effects(named)
    if program in _COPIES:
        if program == "install" and any(a in ("-d", "--directory") for a in args):
            return Effects()
        target = _option(args, "-t", "--target-directory")
        if target:
            return Effects(reach=(_subtree(cwd, target, shown),))
        operands = _operands(args, frozenset(("-S", "--suffix", "-m", "--mode", "-o", "-g")))
        if not operands:
            return Effects()
        return Effects(reach=(_subtree(cwd, operands[-1], shown),))
    if program in ("tar", "bsdtar", "gtar"):
        first = args[0] if args else ""
        short = [a for a in args if a.startswith("-") and not a.startswith("--")]
        extract = (
            (not first.startswith("-") and "x" in first)
            or any(a in ("--extract", "--get") for a in args)
            or any("x" in a for a in short)
        )
        if not extract:
            return Effects(named)  # the archive it creates is named (-f)
        where = _option(args, "-C", "--directory")
        return Effects(reach=(_subtree(cwd, where or ".", shown),))
    if program == "unzip":
        where = _option(args, "-d", "")
        return Effects(reach=(_subtree(cwd, where or ".", shown),))
    if program == "curl":
        if any(a in ("-J", "--remote-header-name") for a in args) or any(
            a.startswith("-") and not a.startswith("--") and "J" in a for a in args
        ):
            where = _option(args, "", "--output-dir")
            return Effects(reach=(_subtree(cwd, where or ".", shown),))
        return Effects(named)  # -o FILE, or -O: the URL's last segment
    if program == "wget":
        recursive = _words(
            "-r --recursive -m --mirror --content-disposition --trust-server-names -i "
            "--input-file -x --force-directories"
        )
        if any(a in recursive or a.startswith("--input-file=") for a in args):
            where = _option(args, "-P", "--directory-prefix")
            return Effects(reach=(_subtree(cwd, where or ".", shown),))
        return Effects(named)  # -O FILE, or the URL's last segment
    if program == "git":
        return _git(args, cwd, shown)
    if program in ("gpg", "gpg2"):
        # its keyrings in $HOME/.gnupg (or $GNUPGHOME), and the file -o names
        return Effects(named, (Reach(".gnupg", "component", shown),))
    if program == "xargs":
        # the command it runs, once per input line (findutils: -I/-n/-L/-P/-d/-s/-E/-a take
        # a value; `-i`/`-l`/`-e` take theirs attached)
        values = _words("-I -n -L -P -d -s -E -a --arg-file --delimiter --max-args "
                        "--max-lines --max-procs --max-chars --eof --replace")  # fmt: skip
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in values else 1
        if i >= len(args):
            return Effects()  # `echo` by default
        program = _program(args[i])
        # the input lines become arguments: only a command that writes nothing, or only
        # directories, or only the distribution's hierarchy, keeps its class
        if program not in _NO_FILES | _SYSTEM_ANY | {"mkdir"}:
            return None
        return _classify(program, args[i + 1 :], (), cwd, shown)
    if program in ("virtualenv",):
        operands = _operands(args, frozenset(("-p", "--python", "--prompt")))
        return Effects(reach=tuple(_subtree(cwd, o, shown) for o in operands[-1:]))
    if program == "uv":
        if args[:1] == ["venv"]:
            operands = _operands(args[1:], frozenset(("-p", "--python", "--prompt")))
            return Effects(reach=(_subtree(cwd, (operands or [".venv"])[-1], shown),))
        if args[:1] in (["--version"], ["version"]) or args[:2] in (
            ["pip", "list"], ["pip", "freeze"], ["pip", "show"], ["pip", "check"],
            ["pip", "uninstall"], ["pip", "compile"],
        ):  # fmt: skip
            return Effects(named)  # `uv pip compile -o FILE` names its output
        return None
    if pipcli.is_pip(program):
        command = next((a for a in args if not a.startswith("-")), "")
        if command in _PIP_QUIET or (not command and any(a in _PIP_QUIET for a in args)):
            return Effects()
        return None
    if pipcli.is_python(program):
        return _python(args, cwd, shown)
    if program in _SYSTEM_ANY:
        return Effects(reach=(Reach("/", "system", shown),))
    if program in _SYSTEM:
        allowed = _SYSTEM[program].split()
        command = next((a for a in args if not a.startswith("-")), "")
        if command in allowed:
            return Effects(reach=(Reach("/", "system", shown),))
        return None
    if program in _PACKAGE_OPERATIONS:
        # installing, configuring, removing, querying; `dpkg -x`/`-b` and the like write
        # elsewhere and are left as "anywhere"
        first = args[0] if args else ""
        if first in _PACKAGE_OPERATIONS[program] or first[:2] in _PACKAGE_OPERATIONS[program]:
            return Effects(reach=(Reach("/", "system", shown),))
        return None
    return None


def _git(args: list[str], cwd: str | None, shown: str) -> Effects | None:
    values = frozenset(("-C", "-c", "--git-dir", "--work-tree", "--namespace"))
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "-C":
            where = args[i + 1] if i + 1 < len(args) else ""
            cwd = _at(cwd, where) if where else cwd
        i += 2 if args[i] in values else 1
    command, rest = (args[i], args[i + 1 :]) if i < len(args) else ("", [])
    if command in ("", "--version", "version", "config", "status", "log", "rev-parse", "describe",
                   "show", "diff", "ls-files", "ls-remote", "remote"):  # fmt: skip
        return Effects()
    if command != "clone":
        return None
    operands = _operands(
        rest,
        frozenset(("-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "-j",
                   "--jobs", "--reference", "--separate-git-dir", "--filter", "--template",
                   "-u", "--upload-pack", "--shallow-since", "--shallow-exclude")),
    )  # fmt: skip
    if not operands:
        return None
    if len(operands) >= 2:
        return Effects(reach=(_subtree(cwd, operands[1], shown),))
    name = posixpath.basename(operands[0].rstrip("/").replace(":", "/"))
    name = name[: -len(".git")] if name.endswith(".git") else name
    return Effects(reach=(_subtree(cwd, name or ".", shown),))


def _python(args: list[str], cwd: str | None, shown: str) -> Effects | None:
    if args and args[0] in ("--version", "-V", "-VV"):
        return Effects()
    module = pipcli.python_module(args)
    if module is None:
        return None
    name, rest = module
    if name == "venv" or name == "virtualenv":
        operands = _operands(rest, frozenset(("--prompt", "-p", "--python")))
        return Effects(reach=tuple(_subtree(cwd, o, shown) for o in operands))
    if pipcli.is_pip(name):
        command = next((a for a in rest if not a.startswith("-")), "")
        if command in _PIP_QUIET or (not command and any(a in _PIP_QUIET for a in rest)):
            return Effects()
    return None


def install_effects(
    install: pipcli.Install, cwd: str, projects: Sequence[str], vcs_editable: bool, shown: str
) -> Effects:
    """What a pip/uv install (or `pip wheel`/`pip download`) run in `cwd` may write besides the
    installed files of its Python (site-packages, which no later command names): the paths its
    options give, the build outputs of each local project directory in `projects` (absolute),
    `cwd`/src for a VCS editable (pip's default --src outside a virtual environment), and for
    `pip wheel`/`pip download` without -w/-d their files in `cwd`."""
    reach = [Reach(d, "component", shown) for d in ("site-packages", "dist-packages")]
    reach += [_subtree(cwd, w, shown) for w in install.writes]
    if install.action in ("wheel", "download") and not install.writes:
        reach.append(Reach(cwd, "subtree", shown))
    builds = install.requirements or install.paths or install.editables
    if install.action == "wheel" and builds and install.wheel_dir is not None:
        # the last -w is the one pip uses (optparse keeps each value; pip reads the option's)
        where = _subtree(cwd, install.wheel_dir or ".", shown).prefix
        reach.append(Reach(where, "subtree", shown, wheels=True))
    reach += [Reach(p, "build", shown) for p in projects]
    if vcs_editable and not any(w is not None for w in install.writes):
        reach.append(Reach(posixpath.join(cwd, "src"), "subtree", shown))
    # it creates the directories and files its options name (-w DIR, --target DIR, --log FILE)
    return Effects(tuple(w for w in install.writes if w is not None), tuple(reach))
