"""Issue 12's faults, each as a small fixture tree with the findings the platform's build
really produces, and its text output as a golden file (UPDATE_GOLDENS=1 regenerates).

Each row names the source that decides it. A fix must install: `fix` is "copy" (the root
gains the line), "move" (and the nested line goes: the release's pip rejects a name given
twice) or None (no one-line fix deploys).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TREES
from heroku_req_check.scan import scan
from test_golden import compare, run_cli

FAULTS = [
    # (tree, platform, {rule: fix kind}, why)
    (
        "local-project",
        "heroku@v90",
        {},
        "fault 1: pip-grep skips nameless lines (`if requirement.req`)",
    ),
    (
        "plan-node-first",
        "nixpacks",
        {"nixpacks/provider": None},
        "fault 2: Nixpacks src/lib.rs get_providers: Node first, so no nixpacks/django; the app "
        "is built as a Node app (a warning at package.json, no requirements edit helps)",
    ),
    (
        "plan-node-first",
        "railpack",
        {"railpack/include-not-copied": "copy"},
        "fault 2: Railpack provider.go: Python before Node; copyInstallFiles copies the root only",
    ),
    ("plan-procfile", "nixpacks", {}, "fault 3: procfile.rs: the web process is the start"),
    ("plan-procfile", "railpack", {}, "fault 3: procfile.go overwrites the start command"),
    ("binary-wheel", "railpack", {}, "fault 4: python.go:491-503 psycopg[binary] bundles libpq"),
    (
        "binary-wheel-off",
        "railpack",
        {"railpack/postgres": None},
        "fault 4: usesBinaryPsycopg is a substring test: the comment turns libpq off",
    ),
    ("pymysql-pure", "cloudfoundry", {}, "fault 5: pymysql is a trigger, not a need"),
    (
        "requests-security",
        "heroku@v61",
        {"heroku/libffi": "copy"},
        "fault 5: pip-grep compares bare names: requests[security] never matches; cffi does",
    ),
    (
        "requests-security",
        "cloudfoundry",
        {},
        "fault 5: FindAnyPackage follows `-r ` and matches the name token with its extras",
    ),
    (
        "heroku-v6-django",
        "heroku@v6",
        {"heroku/collectstatic": "comment"},
        "fault 6: v6 bin/detect greps the root; Django mode: settings injection, no collectstatic",
    ),
    (
        "double-requirement",
        "heroku@v24",
        {"heroku/pylibmc": "move"},
        "fault 7: v24 installs with pip 1.3.1, which rejects a name given twice",
    ),
    (
        "double-requirement",
        "heroku@v42,v82",
        {"heroku/pylibmc": "comment"},
        "fault 7: v42 greps the root text, comments included (`\\s*pylibmc`): a comment adds no "
        "second requirement for pip 1.5.6 to reject; v82's pip-grep reads the nested file",
    ),
    (
        "railpack-local-paths",
        "railpack",
        {"railpack/include-not-copied": "copy"},
        "fault 10: copyInstallFiles copies the root dependency files only: every local path the "
        "root names is missing, `file:` without `//` does not trigger installNeedsAllFiles",
    ),
    (
        "zeabur-stdin",
        "zeabur",
        {
            "zeabur/include-from-stdin": "copy",
            "zeabur/dash-e-line": None,
            "zeabur/postgres": "copy",
            "zeabur/flask": "copy",
        },
        "issue 15: zbpack pkgmanager.go:48 pipes the root into pip from /dev/stdin (includes "
        "open under /dev/; a line holding -e is dropped, so prod-extra.txt and "
        "--extra-index-url are not in that pass); plan.go:546-549 and 78-81 read the root only",
    ),
    (
        "zeabur-hashes",
        "zeabur",
        {"zeabur/dash-e-line": None},
        "issue 15: sed drops typing-extensions while anyio's hash keeps pip in hash-checking mode",
    ),
    (
        "flyio-django",
        "flyio",
        {
            "flyio/include-not-copied": None,
            "flyio/django": "copy",
            "flyio/gunicorn": "copy",
            "flyio/postgres": "copy",
        },
        "issue 15: flyctl django.go:20, 138-142, 270-272 read root lines only; "
        "templates/django/Dockerfile:34-37 copies requirements.txt alone",
    ),
    (
        "flyio-flask",
        "flyio",
        {"flyio/include-not-copied": None},
        "issue 15: flask.go:11-18 (case-sensitive Flask, app.py); templates/flask/Dockerfile:11-12",
    ),
    (
        "docker-fly-django",
        "flyio",
        {},
        "issue 15: a Dockerfile exists, so `fly deploy` builds it (the docker platform checks it)",
    ),
    (
        "serverless-includes",
        "serverless",
        {"serverless/include-not-inlined": None, "serverless/editable-cut": "copy"},
        "issue 15: lib/pip.js:478-484 inlines only -r lines (and resolves each after the first "
        "against the previous one's directory, #863); 516-521 cuts -e values at a second -e",
    ),
    (
        "nixpacks-no-wsgi",
        "nixpacks",
        {"nixpacks/django": None},
        "fault 9: get_django_app_name bails without WSGI_APPLICATION: the line alone fails",
    ),
]


def _kind(fix: object) -> str | None:
    if fix is None:
        return None
    if str(getattr(fix, "text", "")).startswith("#") and "file://" not in fix.text:  # type: ignore[attr-defined]
        return "comment"
    return "move" if getattr(fix, "remove", None) else "copy"


@pytest.mark.parametrize(
    ("tree", "platform", "expected", "why"),
    FAULTS,
    ids=[f"{tree}@{platform}" for tree, platform, _, _ in FAULTS],
)
def test_fault(tree: str, platform: str, expected: dict[str, str | None], why: str) -> None:
    report = scan(TREES / tree, platforms=[platform])
    got = {f.rule: _kind(f.fix) for f in report.findings}
    assert got == expected, why
    _code, out = run_cli("--platform", platform, str(TREES / tree))
    compare(f"{tree}@{platform.replace(',', '+')}.txt", out)


def _app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_copy_where_every_release_takes_a_repeat(tmp_path: Path) -> None:
    """Cloud Foundry installs with a current pip, which combines a name given twice."""
    app = _app(tmp_path, {"requirements.txt": "--requirement r/p.txt\n", "r/p.txt": "pylibmc\n"})
    [finding] = scan(app, platforms=["cloudfoundry"]).findings
    assert finding.fix is not None and finding.fix.remove is None


@pytest.mark.parametrize(
    "user",
    [
        ("Dockerfile", "RUN pip install -r r/p.txt\n"),
        ("requirements-dev.txt", "-r r/p.txt\npytest\n"),
        ("tox.ini", "[testenv]\ndeps = -rr/p.txt\n"),
        ("setup.py", "open('r/p.txt')\n"),
    ],
)
def test_no_move_takes_a_line_from_a_file_something_else_installs(
    tmp_path: Path, user: tuple[str, str]
) -> None:
    """Issue 12 fault 7: a move must never delete a line another install relies on; with
    pip 1.3.1 a copy fails too, and v24's `^\\s*pylibmc` does not read comments, so no
    one-line fix exists, and the message says so."""
    app = _app(tmp_path, {"requirements.txt": "-r r/p.txt\n", "r/p.txt": "pylibmc==1.2.3\n"})
    app.joinpath(user[0]).write_text(user[1])
    [finding] = scan(app, platforms=["heroku@v24"]).findings
    assert finding.fix is None
    assert f"from {user[0]}, which uses r/p.txt: no one-line fix exists" in finding.message


def test_no_move_when_an_intermediate_file_is_used_elsewhere(tmp_path: Path) -> None:
    """The nested file is reached through requirements/prod.txt, which a Dockerfile installs:
    moving the line out of base.txt would drop it from the Docker image."""
    app = _app(
        tmp_path,
        {
            "requirements.txt": "-r requirements/prod.txt\n",
            "requirements/prod.txt": "-r base.txt\n",
            "requirements/base.txt": "pylibmc==1.2.3\n",
            "Dockerfile": "RUN pip install -r requirements/prod.txt\n",
        },
    )
    [finding] = scan(app, platforms=["heroku@v24"]).findings
    assert finding.fix is None and "Dockerfile" in finding.message


def test_no_move_when_the_name_is_declared_twice_already(tmp_path: Path) -> None:
    app = _app(
        tmp_path,
        {"requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "pylibmc\n", "b.txt": "pylibmc\n"},
    )
    report = scan(app, platforms=["heroku@v24"])
    assert report.findings and all(f.fix is None for f in report.findings)
    assert all("merge those lines by hand" in f.message for f in report.findings)


def test_a_custom_root_only_where_the_platform_can_be_told(tmp_path: Path) -> None:
    """Issue 12 fault 12: Heroku and Railpack always install the app-root requirements.txt, so
    `--requirements custom.txt` does not change what they read; they are checked against
    requirements.txt and their plans say so."""
    tree = TREES / "custom-root"
    report = scan(tree, "custom.txt", ["heroku@v42", "railpack"])
    assert report.tree.root == "custom.txt"
    assert {(f.rule, f.file) for f in report.findings} == {
        ("heroku/pylibmc", "base.txt"),  # what requirements.txt's nested file hides
        ("railpack/include-not-copied", "requirements.txt"),
    }
    notes = [e for plan in report.plans for e in plan.evidence]
    assert sum("--requirements custom.txt does not apply" in e for e in notes) == 2
    _code, out = run_cli(
        "--requirements",
        "custom.txt",
        "--platform",
        "heroku@v42",
        "--platform",
        "railpack",
        str(tree),
    )
    compare("custom-root.txt", out)


def test_a_comment_fix_never_moves_the_declaration(tmp_path: Path) -> None:
    """`--fix-strategy move` deletes the nested line only when the root gains a requirement:
    after a comment fix (the build greps text; pip ignores comments) the nested line is what
    installs the package."""
    import shutil

    from heroku_req_check.scan import apply_fixes

    app = tmp_path / "app"
    shutil.copytree(TREES / "heroku-v6-django", app)
    report = scan(app, platforms=["heroku@v6"])
    [finding] = report.findings
    assert finding.fix is not None and not finding.fix.declares
    apply_fixes(app, report, "move")
    assert (app / "base.txt").read_text() == "Django==1.4\n"
    assert scan(app, platforms=["heroku@v6"]).findings == []
