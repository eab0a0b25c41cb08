"""One logical line through pip-requirements-parser (pip's own code), one line at a time.

Why not RequirementsFile.from_file: it decodes with the locale (a UTF-8 file fails under
LANG=C, invalid bytes raise a traceback), with include_nested=True a missing nested file aborts
the whole parse and `-r ../../outside` is read, and its comment splitter raises on some lines.
So we read and split files ourselves (reqfile.py, tree.py) and hand pip's parser single lines.
Imported only when a line is not a plain pin: the import costs ~0.09 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pip_requirements_parser as prp


@dataclass
class OptionResult:
    requirements: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    editables: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    error: str | None = None


@dataclass
class RequirementResult:
    name: str = ""
    extras: tuple[str, ...] = ()
    specifier: str = ""
    marker: str = ""
    url: str = ""  # the link as written: a URL, or a local path ("" for index requirements)
    editable: bool = False
    error: str | None = None


_LINE_PARSER = prp.get_line_parser()


def _message(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or str(exc) or type(exc).__name__)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    for noise in ("pip_requirements_parser: error: ", "Invalid requirement: : "):
        first = first.replace(noise, "")
    return " ".join(first.split())


def parse_options(line: str) -> OptionResult:
    """Parse an option line (`-r x`, `--constraint=y`, `-e url`, `--index-url ...`)."""
    try:
        _args, opts, arguments = _LINE_PARSER(line)
    except Exception as exc:  # optparse and shlex errors: a bad line, never a crash
        return OptionResult(error=_message(exc))
    result = OptionResult(
        requirements=list(opts.requirements or []),
        constraints=list(opts.constraints or []),
        editables=list(opts.editables or []),
        find_links=list(getattr(opts, "find_links", None) or []),
        no_index=bool(getattr(opts, "no_index", False)),
    )
    if arguments and not result.editables:
        result.error = f"unexpected argument(s) after an option: {' '.join(arguments)}"
    return result


def parse_requirement(line: str, editable: bool = False) -> RequirementResult:
    """Parse a requirement (or the value of -e) with pip's constructors. An unnamed one (a
    path, an archive, a URL without `#egg=`, as pip accepts them) has name "" and its link in
    `url`; whether the path is usable is for the caller, which can see the repository."""
    try:
        if editable:
            req: Any = prp.build_editable_req(editable_req=line)
        else:
            args, opts, _arguments = _LINE_PARSER(line)
            parsed = prp.ParsedLine(
                requirement_line=prp.RequirementLine(line=line, line_number=0, filename=""),
                requirement_string=args,
                options=opts,
                is_constraint=False,
            )
            handled = next(iter(prp.handle_line(parsed)))
            req = prp.build_req_from_parsedreq(handled)
            if req.invalid_options:
                names = ", ".join(sorted(req.invalid_options))
                return RequirementResult(error=f"option(s) not allowed on a requirement: {names}")
    except Exception as exc:  # pip's InstallationError, packaging's InvalidRequirement, ...
        return RequirementResult(error=_message(exc))
    link = req.link.url if req.link is not None else ""
    if not req.name and editable and req.link is not None and req.link.is_vcs:
        # pip's parse_editable: a VCS checkout needs a name before anything is fetched
        return RequirementResult(
            error=f"Could not detect requirement name for {line!r}, please specify one "
            "with #egg=your_package_name"
        )
    if not link and req.req is not None and getattr(req.req, "url", None):
        link = str(req.req.url)
    return RequirementResult(
        name=str(req.name or ""),
        extras=tuple(sorted(req.extras or ())),
        specifier=str(req.specifier or ""),
        marker=str(req.marker or ""),
        url=link,
        editable=bool(req.is_editable),
    )
