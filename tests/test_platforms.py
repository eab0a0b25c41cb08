"""Cloud Foundry and Nixpacks detectors: table tests whose expectations follow the platforms'
source, cited per row (the Go and Rust code is not run here: no toolchain for them is part of
the test setup, so each row states the line it models).

CF = cloudfoundry/python-buildpack v1.9.4 (eaea8f6d), src/python/requirements/requirements.go
NIX = railwayapp/nixpacks v1.39.0 (bc768595), src/providers/python.rs
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check.scan import scan

CASES = [
    # (id, files, platform, expected [(rule, file, line)], source, part of the reason)
    (
        "cf-follows-plain-r",
        {"requirements.txt": "-r nested.txt\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [],
        'CF requirements.go:108 strings.HasPrefix(requirement, "-r ")',
        "",
    ),
    (
        "cf-ignores-long-flag",
        {"requirements.txt": "--requirement nested.txt\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "nested.txt", 1)],
        'CF requirements.go:108: only the literal prefix "-r "',
        "reads the root file and files named on lines starting exactly '-r '",
    ),
    (
        "cf-ignores-glued-flag",
        {"requirements.txt": "-rnested.txt\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "nested.txt", 1)],
        "CF requirements.go:108",
        "reads the root file and files named on lines starting exactly '-r '",
    ),
    (
        "cf-ignores-indented-include",
        {"requirements.txt": "  -r nested.txt\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "nested.txt", 1)],
        "CF requirements.go:108 (HasPrefix on the raw line)",
        "reads the root file and files named on lines starting exactly '-r '",
    ),
    (
        "cf-crlf-breaks-the-path",
        {"requirements.txt": "-r nested.txt\r\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "nested.txt", 1)],
        "CF requirements.go:105 split on \\n keeps the \\r; :110 ReadFile('nested.txt\\r') fails",
        "'nested.txt\\r' cannot be read, so the step stops with an error",
    ),
    (
        "cf-comment-breaks-the-path",
        {"requirements.txt": "-r nested.txt  # prod\n", "nested.txt": "pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "nested.txt", 1)],
        "CF requirements.go:109 TrimPrefix keeps the rest of the line as the path",
        "'nested.txt  # prod' cannot be read",
    ),
    (
        "cf-nested-relative-to-including-file",
        {
            "requirements.txt": "-r reqs/prod.txt\n",
            "reqs/prod.txt": "-r base.txt\n",
            "reqs/base.txt": "pylibmc\n",
        },
        "cloudfoundry",
        [],
        "CF requirements.go:110 strings.ReplaceAll(path, Base(path), included)",
        "",
    ),
    (
        "cf-case-sensitive",
        {"requirements.txt": "-r nested.txt\n", "nested.txt": "PyLibMC==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc:case", "nested.txt", 1)],
        "CF requirements.go:77 pkg == searchedPackage",
        "compares names case-sensitively, expecting 'pylibmc'",
    ),
    (
        "cf-indented-declaration",
        {"requirements.txt": "   pylibmc==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "requirements.txt", 1)],
        "CF requirements.go:12 (?m)^[\\w\\-\\w\\[\\]]+ needs the name at the line start",
        "taking names at line starts",
    ),
    (
        "cf-extras-kept-in-the-name",
        {"requirements.txt": "pylibmc[extra]==1.6.3\n"},
        "cloudfoundry",
        [("cloudfoundry/pylibmc", "requirements.txt", 1)],
        "CF requirements.go:12 ([ and ] are part of the name)",
        "taking names at line starts",
    ),
    (
        "cf-libffi-pymysql-via-long-flag",
        {"requirements.txt": "--requirement db.txt\n", "db.txt": "PyMySQL==1.1\n"},
        "cloudfoundry",
        [("cloudfoundry/libffi", "db.txt", 1)],
        "CF supply.go:540 (pymysql, lower-case) and requirements.go:108",
        "reads the root file and files named on lines starting exactly '-r '",
    ),
    (
        "cf-libffi-extra-entries-match-literally",
        {"requirements.txt": "Django[bcrypt]==4.2\nbcrypt==4.1\n"},
        "cloudfoundry",
        [],
        "CF supply.go:540-541",
        "",
    ),
    (
        "nix-nested-only",
        {"requirements.txt": "-r nested.txt\n", "nested.txt": "pycairo==1.26\n"},
        "nixpacks",
        [("nixpacks/cairo", "nested.txt", 1)],
        "NIX python.rs:655 reads requirements.txt, pyproject.toml, Pipfile only",
        "reads only requirements.txt, pyproject.toml, Pipfile at the app root",
    ),
    (
        "nix-comment-counts",
        {"requirements.txt": "-r nested.txt\n# cairo is needed\n", "nested.txt": "pycairo\n"},
        "nixpacks",
        [],
        "NIX python.rs:662-663 to_lowercase().contains(dep): comments count",
        "",
    ),
    (
        "nix-comment-case-insensitive",
        {"requirements.txt": "-r n.txt\n# PyCairo: see docs\n", "n.txt": "pycairo\n"},
        "nixpacks",
        [],
        "NIX python.rs:662 to_lowercase() before contains",
        "",
    ),
    (
        "nix-pyproject-counts",
        {"requirements.txt": "-r n.txt\n", "n.txt": "pydub\n", "pyproject.toml": "# pydub\n"},
        "nixpacks",
        [],
        "NIX python.rs:655 (pyproject.toml is read as text too)",
        "",
    ),
    (
        "nix-django-needs-manage-py",
        {"requirements.txt": "-r n.txt\n", "n.txt": "Django==5.0\n"},
        "nixpacks",
        [],
        "NIX python.rs:415-418 has_manage && imports_django",
        "",
    ),
    (
        "nix-django-start-command-missed",
        {"requirements.txt": "-r n.txt\n", "n.txt": "Django==5.0\n", "manage.py": ""},
        "nixpacks",
        [("nixpacks/django", "n.txt", 1)],
        "NIX python.rs:415-418",
        "no Django start command is generated",
    ),
    (
        "nix-longer-name-counts",
        {"requirements.txt": "-r n.txt\npsycopg2-binary\n", "n.txt": "psycopg2==2.9\n"},
        "nixpacks",
        [],
        'NIX python.rs:426 contains("psycopg2") matches psycopg2-binary',
        "",
    ),
]


CASES += [
    (
        "nix-django-comment-in-a-flask-app",
        {"requirements.txt": "flask==3.0\n# ported from our old django site\n", "manage.py": ""},
        "nixpacks",
        [("nixpacks/django:overmatch", "requirements.txt", 2)],
        "NIX python.rs:415-418: manage.py and the substring make it Django",
        "Nixpacks treats the app as a Django project",
    ),
    (
        "nix-django-brought-by-a-longer-name",
        {"requirements.txt": "djangorestframework==3.15\n", "manage.py": ""},
        "nixpacks",
        [],
        "NIX python.rs:416: djangorestframework installs Django: the start command is right",
        "",
    ),
    (
        "nix-django-comment-without-manage-py",
        {"requirements.txt": "flask==3.0\n# ported from django\n"},
        "nixpacks",
        [],
        "NIX python.rs:415 has_manage is false: no Django start command",
        "",
    ),
]

RAILPACK = "railwayapp/railpack v0.37.0 (ee7025be), core/providers/python/"
CASES += [
    (
        "railpack-nested-file-not-named-requirements-txt",
        {"requirements.txt": "-r requirements/prod.txt\n", "requirements/prod.txt": "pycairo\n"},
        "railpack",
        [("railpack/cairo", "requirements/prod.txt", 1)],
        RAILPACK + 'python.go:532 FindFiles("**/{requirements.txt,pyproject.toml,Pipfile}")',
        "reads only files named requirements.txt, pyproject.toml, Pipfile",
    ),
    (
        "railpack-any-requirements-txt-counts",
        {
            "requirements.txt": "-r requirements/prod.txt\n",
            "requirements/prod.txt": "pycairo\n",
            "tools/requirements.txt": "# PyCairo for the docs build\n",
        },
        "railpack",
        [],
        RAILPACK + "python.go:532-538 (any such file, lowercased contains)",
        "",
    ),
    (
        "railpack-playwright-root-names-only",
        {"requirements.txt": "-r n.txt\n# playwright\n", "n.txt": "playwright==1.4\n"},
        "railpack",
        [("railpack/playwright", "n.txt", 1)],
        RAILPACK + "dependencies.go:50-63, 108-111 (root file, name at the trimmed line start)",
        "reads only the names at line starts of the root file",
    ),
    (
        "railpack-playwright-indented-and-normalised",
        {"requirements.txt": "-r n.txt\n   Playwright>=1\n", "n.txt": "playwright==1.4\n"},
        "railpack",
        [],
        RAILPACK + "dependencies.go:109 TrimSpace, :114 lower case and -_. runs",
        "",
    ),
]


@pytest.mark.parametrize(
    ("files", "platform", "expected", "source", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_platform_model(
    tmp_path: Path,
    files: dict[str, str],
    platform: str,
    expected: list[tuple[str, str, int]],
    source: str,
    reason: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    report = scan(tmp_path, platforms=[platform])
    got = [(f.rule, f.file, f.line) for f in report.findings]
    assert got == expected, source
    for finding in report.findings:
        assert reason in finding.message, source


def test_cf_fix_makes_cloud_foundry_see_it(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("--requirement nested.txt\n")
    (tmp_path / "nested.txt").write_text("PyLibMC==1.6.3\n")
    [finding] = scan(tmp_path, platforms=["cloudfoundry"]).findings
    assert finding.fix is not None
    assert finding.fix.text == "pylibmc==1.6.3"  # respelled as the buildpack compares it
    from heroku_req_check.scan import apply_fixes

    apply_fixes(tmp_path, scan(tmp_path, platforms=["cloudfoundry"]))
    assert scan(tmp_path, platforms=["cloudfoundry"]).findings == []
