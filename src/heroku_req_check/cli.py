"""Command line: `heroku-req-check [options] [PATH]`. The only place that parses argv and exits."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import ISSUES_URL, __version__

if TYPE_CHECKING:
    from .model import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
FAIL_LEVELS = ("error", "warning", "notice", "never")


class Cancelled(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived. A KeyboardInterrupt, so that no `except Exception` on the
    way up (a reporter degrading to a notice) swallows it, `with` blocks still clean up (the
    stale check's temporary directory), and a caller in the same process (pytest) sees the
    interruption it expects."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


def _on_signal(signum: int, _frame: object) -> None:
    raise Cancelled(signum)


def install_signal_handlers() -> None:
    """Stop on SIGINT and SIGTERM with one line. Needed in a container: Python runs as PID 1
    there, and the kernel delivers no signal to PID 1 that has no handler, so SIGTERM (the
    runner's second step when a job is cancelled, after SIGINT; actions/runner
    ProcessInvoker.cs) was ignored until the kill 2.5 s later."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (an embedding program's business)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)


def cancelled_line(stop: Cancelled) -> str:
    return f"heroku-req-check: cancelled ({signal.Signals(stop.signum).name})"


def _write_file(path: str, text: str) -> None:
    """Write an output file the user named, creating missing folders; OSError if impossible."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heroku-req-check",
        description=(
            "Find requirements that deployment buildpacks miss because they only read the "
            "root requirements.txt."
        ),
    )
    parser.add_argument(
        "path", nargs="?", default=".", help="repository or app directory (default: .)"
    )
    parser.add_argument(
        "-r",
        "--requirements",
        default=None,
        help=(
            "root requirements file, relative to PATH (default: requirements.txt, else the "
            "pyproject.toml, Pipfile, setup.py or setup.cfg that declares the dependencies); "
            "a file given here must exist"
        ),
    )
    parser.add_argument(
        "-p",
        "--platform",
        action="append",
        default=[],
        metavar="NAME[@VERSION]",
        help="platform to model, repeatable: heroku (its current release), heroku@v42, "
        "heroku@v3-v42, heroku@all, or all (every platform and release); default: the "
        "configuration's platforms, else those the repository deploys to (app.json, Procfile, "
        "railway.toml, ...), else every platform at its current release",
    )
    parser.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        default="error",
        help="exit 1 when a finding has at least this severity (default: error)",
    )
    parser.add_argument(
        "--base",
        metavar="REV",
        help="git revision to compare with (e.g. the pull request's base): warns about "
        "packages removed from nested files that Heroku's build cache keeps installed",
    )
    parser.add_argument("--fix", action="store_true", help="apply the fixes to the files")
    parser.add_argument(
        "--fix-strategy",
        choices=("copy", "move"),
        default="copy",
        help="copy: add the line to the root file; move: also remove it from the nested file",
    )
    parser.add_argument("--output", metavar="FILE", help="also write the JSON report to FILE")
    parser.add_argument("--sarif", metavar="FILE", help="also write a SARIF 2.1.0 log to FILE")
    parser.add_argument(
        "--summary",
        metavar="FILE",
        help="append a Markdown summary to FILE "
        "(default with --format github: $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--no-prescan",
        action="store_true",
        help="parse every line of every file instead of only the lines a rule can concern "
        "(same results, slower; for verifying the fast path)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="text output: each finding's whole story, and each rule's releases and sources",
    )
    parser.add_argument("--list-rules", action="store_true", help="print the rule catalog and exit")
    parser.add_argument(
        "--explain",
        metavar="RULE",
        help="explain a rule (e.g. heroku/pylibmc): what each release reads, with sources",
    )
    parser.add_argument("--version", action="version", version=f"heroku-req-check {__version__}")
    return parser


def fails(findings_severities: Sequence[str], fail_on: str) -> bool:
    from .model import SEVERITY_RANK

    if fail_on == "never":
        return False
    return any(SEVERITY_RANK[s] >= SEVERITY_RANK[fail_on] for s in findings_severities)


def list_rules() -> str:
    from . import catalog

    rows = []
    for platform in catalog.load():
        for rule in platform.rules:
            for era in rule.eras:
                versions = (
                    f"{platform.name}@{platform.span(era.first, era.last)}"
                    if platform.versioned
                    else f"{platform.name} (current)"
                )
                rows.append(
                    f"{rule.id}\t{versions}\t{era.detector}\t"
                    f"{era.command}\t{era.source.repo}@{era.source.tag}:{era.source.path}"
                )
    return "rule\tversions\tdetector\tcommand\tsource\n" + "\n".join(rows) + "\n"


def explain(rule_id: str, path: str | None = None) -> str | None:
    """A rule's story, every era's detection line and source; None if there is no such rule.
    With `path`, the in-house rules of that directory's configuration (`in-house/NAME`) too;
    a configuration that cannot be read adds none."""
    from . import catalog
    from .report.explain import explain as story

    extra: list[catalog.Platform] = []
    if path is not None and rule_id.startswith("in-house/"):
        from .config import ConfigError
        from .config import load as load_config

        try:
            config = load_config(Path(path))
        except ConfigError:
            config = None
        if config is not None and config.extra_rules:
            extra.append(catalog.in_house(config.extra_rules, config.source))
    return story(rule_id, extra=extra)


def repository_root(app: Path, workspace: Path | None = None) -> Path | None:
    """The checkout holding `app`: the nearest folder with a `.git` entry (a directory, or the
    file a worktree or submodule has) from `app` up, not above `workspace` when one is given
    (actions/checkout with `path:` puts the checkout below it); else the workspace; else None.
    Found without running git, which the action's image may lack."""
    app = Path(os.path.realpath(app))
    top = Path(os.path.realpath(workspace)) if workspace is not None else None
    if top is not None and app != top and top not in app.parents:
        top = None  # the workspace does not hold the app: ignore it
    for folder in (app, *app.parents):
        if os.path.lexists(folder / ".git"):
            return folder
        if folder == top:
            break
    return top


def repository_prefix(app: Path, environ: dict[str, str] | None = None) -> str:
    """The app directory's path inside its repository ("" at the top), so that annotations and
    SARIF URIs name files as GitHub does (repository_root, GITHUB_WORKSPACE as the
    workspace)."""
    environ = dict(os.environ) if environ is None else environ
    workspace = environ.get("GITHUB_WORKSPACE", "")
    top = repository_root(app, Path(workspace) if workspace else None)
    if top is None:
        return ""
    prefix = os.path.relpath(os.path.realpath(app), top).replace(os.sep, "/")
    return "" if prefix == "." else prefix


def run(args: argparse.Namespace) -> int:
    from .catalog import SelectionError
    from .config import ConfigError
    from .report import json_out, summary, text
    from .scan import apply_fixes, scan

    if args.list_rules:
        sys.stdout.write(list_rules())
        return EXIT_OK
    if args.explain:
        story = explain(args.explain, args.path)
        if story is None:
            from . import catalog

            known = ", ".join(r.id for p in catalog.load() for r in p.rules)
            sys.stderr.write(f"heroku-req-check: no rule {args.explain!r} (rules: {known})\n")
            return EXIT_USAGE
        sys.stdout.write(story)
        return EXIT_OK
    repo = Path(args.path)
    if not repo.is_dir():
        sys.stderr.write(f"heroku-req-check: {args.path}: not a directory\n")
        return EXIT_USAGE
    root = args.requirements or "requirements.txt"
    if args.requirements is not None and not os.path.lexists(repo / root):
        # as the action's `requirements` input: a file named on purpose that is not there is
        # a mistake in the command, not a finding about the app
        sys.stderr.write(
            f"heroku-req-check: --requirements {root}: no such file in {args.path} (the root "
            "requirements file the platforms read, relative to PATH)\n"
        )
        return EXIT_USAGE

    def check() -> Report:
        return scan(repo, root, args.platform, prescan=not args.no_prescan, base=args.base)

    try:
        report = check()
    except (SelectionError, ConfigError) as exc:
        sys.stderr.write(f"heroku-req-check: {exc}\n")
        return EXIT_USAGE
    if args.fix:
        result = apply_fixes(repo, report, args.fix_strategy)
        for path in result.changed:
            sys.stderr.write(f"heroku-req-check: fixed {path}\n")
        for line in result.refused:
            sys.stderr.write(f"heroku-req-check: {line}\n")
        if result.changed:
            # what is reported (and the exit status) is what is left after the edits
            report = check()
    # annotations and SARIF name files from the repository's top, as GitHub does
    prefix = repository_prefix(repo) if args.sarif or args.format in ("sarif", "github") else ""
    try:
        if args.output:
            _write_file(args.output, json_out.render(report))
        if args.sarif:
            from .report import sarif

            _write_file(args.sarif, sarif.render(report, prefix))
    except OSError as exc:
        sys.stderr.write(f"heroku-req-check: cannot write {exc.filename}: {exc.strerror}\n")
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json_out.render(report))
    elif args.format == "sarif":
        from .report import sarif

        sys.stdout.write(sarif.render(report, prefix))
    elif args.format == "github":
        from .report import github

        hidden = github.emit_annotations(report, prefix=prefix)
        summary_path = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            with open(summary_path, "a", encoding="utf-8") as handle:
                handle.write(summary.render(report, hidden_annotations=hidden))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(text.render(report, colour=colour, verbose=args.verbose))
    if args.summary and args.format != "github":
        with open(args.summary, "a", encoding="utf-8") as handle:
            handle.write(summary.render(report))
    return EXIT_FINDINGS if fails([f.severity for f in report.findings], args.fail_on) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    install_signal_handlers()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # exits 2 on usage errors
        return run(args)
    except Cancelled as stop:
        sys.stderr.write(cancelled_line(stop) + "\n")
        return stop.exit_code
    except Exception as exc:  # a bug, not bad input: one line, a way to report it
        sys.stderr.write(
            f"heroku-req-check: internal error ({type(exc).__name__}: {exc}); "
            f"please report it at {ISSUES_URL}\n"
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
