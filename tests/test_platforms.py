"""Cloud Foundry, Nixpacks and Railpack detectors: table tests whose expectations follow the
platforms' source, cited per row (the Go and Rust code is not run here: no toolchain for them
is part of the test setup, so each row states the line it models).

CF = cloudfoundry/python-buildpack v1.9.4 (eaea8f6d), src/python/requirements/requirements.go
NIX = railwayapp/nixpacks v1.39.0 (bc768595), src/providers/python.rs
RAILPACK = railwayapp/railpack v0.37.0 (ee7025be), core/providers/python/
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check.scan import scan

INCLUDE = "railpack/include-not-copied"
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
        "cf-libffi-pymysql-is-a-trigger-not-a-need",
        {"requirements.txt": "--requirement db.txt\n", "db.txt": "PyMySQL==1.1\n"},
        "cloudfoundry",
        [],
        "CF supply.go:540 lists pymysql, but PyMySQL is pure Python: missing libffi costs it "
        "nothing (issue 12 fault 5)",
        "",
    ),
    (
        "cf-libffi-cryptography-via-long-flag",
        {"requirements.txt": "--requirement db.txt\n", "db.txt": "cryptography==2.1\n"},
        "cloudfoundry",
        [("cloudfoundry/libffi", "db.txt", 1)],
        "CF supply.go:540 and requirements.go:108: --requirement is not followed",
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

WSGI = "WSGI_APPLICATION = 'shop.wsgi.application'\n"
NESTED = {"requirements.txt": "-r requirements/prod.txt\n"}
CASES += [
    (
        "railpack-django-nested-no-start-command",
        {
            **NESTED,
            "requirements/prod.txt": "Django==5.1\n",
            "manage.py": "",
            "shop/settings.py": WSGI,
        },
        "railpack",
        [("railpack/django", "requirements/prod.txt", 1)],
        RAILPACK + "django.go:47-52 isDjango (manage.py && usesDep), python.go:147-149",
        "no Django start command is generated",
    ),
    (
        "railpack-django-without-wsgi-application-makes-no-command-anyway",
        {**NESTED, "requirements/prod.txt": "Django==5.1\n", "manage.py": ""},
        "railpack",
        [],
        RAILPACK + 'django.go:38-41: no WSGI_APPLICATION, getDjangoStartCommand returns ""',
        "",
    ),
    (
        "railpack-django-without-manage-py",
        {**NESTED, "requirements/prod.txt": "Django==5.1\n", "settings.py": WSGI},
        "railpack",
        [],
        RAILPACK + "django.go:48 hasManage is false",
        "",
    ),
    (
        "railpack-django-comment-is-harmless",
        {"requirements.txt": "flask\n# was django\n", "manage.py": "", "settings.py": WSGI},
        "railpack",
        [],
        RAILPACK + "django.go:47-52: a real WSGI_APPLICATION means a Django project: no overmatch",
        "",
    ),
    (
        "railpack-flask-nested-with-gunicorn",
        {**NESTED, "requirements/prod.txt": "flask\ngunicorn\n", "main.py": ""},
        "railpack",
        [
            ("railpack/flask", "requirements/prod.txt", 1),
            ("railpack/gunicorn", "requirements/prod.txt", 2),
        ],
        RAILPACK + "python.go:162-164 isFlask && hasMainPythonFile && usesDep(gunicorn)",
        "runs `python <main file>` instead",
    ),
    (
        "railpack-flask-nested-gunicorn-visible",
        {
            "requirements.txt": "-r requirements/prod.txt\ngunicorn\n",
            "requirements/prod.txt": "flask\n",
            "app.py": "",
        },
        "railpack",
        [("railpack/flask", "requirements/prod.txt", 1)],
        RAILPACK + "python.go:174-178: app.py is a main file too",
        "Railpack does not start the app with gunicorn",
    ),
    (
        "railpack-flask-without-a-server",
        {**NESTED, "requirements/prod.txt": "flask\n", "main.py": ""},
        "railpack",
        [],
        RAILPACK + "python.go:162: without gunicorn the Flask command is never chosen",
        "",
    ),
    (
        "railpack-flask-without-a-main-file",
        {**NESTED, "requirements/prod.txt": "flask\ngunicorn\n", "wsgi.py": ""},
        "railpack",
        [],
        RAILPACK + "python.go:174: wsgi.py is not one of the main files",
        "",
    ),
    (
        "railpack-fastapi-nested-uvicorn-visible",
        {
            "requirements.txt": "-r requirements/prod.txt\nuvicorn[standard]\n",
            "requirements/prod.txt": "fastapi\n",
            "main.py": "",
        },
        "railpack",
        [("railpack/fastapi", "requirements/prod.txt", 1)],
        RAILPACK + "python.go:158-160 isFastapi && hasMainPythonFile && usesDep(uvicorn)",
        "Railpack does not start the app with uvicorn",
    ),
    (
        "railpack-uvicorn-nested-fasthtml-visible",
        {
            "requirements.txt": "-r requirements/prod.txt\npython-fasthtml\n",
            "requirements/prod.txt": "uvicorn\n",
            "bot.py": "",
        },
        "railpack",
        [("railpack/uvicorn", "requirements/prod.txt", 1)],
        RAILPACK + "python.go:154-156 isFasthtml && hasMainPythonFile && usesDep(uvicorn)",
        "sees FastAPI (or FastHTML) but not uvicorn",
    ),
    (
        "railpack-flask-comment-in-a-fastapi-app",
        {"requirements.txt": "fastapi\nuvicorn\ngunicorn\n# ported from flask\n", "main.py": ""},
        "railpack",
        [("railpack/flask:overmatch", "requirements.txt", 4)],
        RAILPACK + "python.go:162-164 runs after :158-160, so the Flask command wins",
        "overriding any Django, FastAPI",
    ),
    (
        "railpack-flask-longer-name-installs-flask",
        {"requirements.txt": "flask-cors\ngunicorn\n", "main.py": ""},
        "railpack",
        [],
        RAILPACK + "python.go:595: flask-cors brings Flask: the gunicorn command is right",
        "",
    ),
    (
        "railpack-gunicorn-comment-without-gunicorn",
        {"requirements.txt": "flask\n# gunicorn in production, later\n", "main.py": ""},
        "railpack",
        [("railpack/gunicorn:overmatch", "requirements.txt", 2)],
        RAILPACK + "python.go:162-164: the comment makes usesDep(gunicorn) true",
        "gunicorn is not installed",
    ),
    (
        "railpack-uvicorn-comment-in-another-requirements-txt",
        {
            "requirements.txt": "fastapi\n",
            "docs/requirements.txt": "# not uvicorn\n",
            "main.py": "",
        },
        "railpack",
        [("railpack/uvicorn:overmatch", "docs/requirements.txt", 1)],
        RAILPACK + "python.go:532 any file named requirements.txt, :158 uvicorn found there",
        "uvicorn is not installed",
    ),
    (
        "railpack-postgres-settings-py-names-the-backend",
        {
            **NESTED,
            "requirements/prod.txt": "psycopg2\n",
            "shop/settings.py": "ENGINE = 'django.db.backends.postgresql'\n",
        },
        "railpack",
        [],
        RAILPACK + "python.go:500-502 containsDjangoPostgres over **/*.py",
        "",
    ),
    (
        "railpack-mysql-without-the-backend",
        {
            **NESTED,
            "requirements/prod.txt": "mysqlclient\n",
            "shop/settings.py": "ENGINE = 'django.db.backends.sqlite3'\n",
        },
        "railpack",
        [("railpack/mysql", "requirements/prod.txt", 1)],
        RAILPACK + "python.go:506-508 containsDjangoMysql is false",
        "no .py file contains `django.db.backends.mysql`",
    ),
    (
        "nix-django-mysql-nested-django",
        {
            **NESTED,
            "requirements/prod.txt": "Django==5.1\nmysqlclient\n",
            "manage.py": "",
            "shop/settings.py": "ENGINE = 'django.db.backends.mysql'\n",
        },
        "nixpacks",
        [
            ("nixpacks/django", "requirements/prod.txt", 1),
            ("nixpacks/django-mysql", "requirements/prod.txt", 1),
        ],
        "NIX python.rs:244-247 is_django && is_using_mysql adds libmysqlclient.dev",
        "",
    ),
    (
        "nix-django-without-the-mysql-backend",
        {
            **NESTED,
            "requirements/prod.txt": "Django==5.1\n",
            "manage.py": "",
            "shop/settings.py": "ENGINE = 'django.db.backends.sqlite3'\n",
        },
        "nixpacks",
        [("nixpacks/django", "requirements/prod.txt", 1)],
        "NIX python.rs:432 the regex finds no MySQL backend: nothing else is lost",
        "",
    ),
    (
        "nix-postgres-settings-py-names-the-backend",
        {
            **NESTED,
            "requirements/prod.txt": "psycopg2\n",
            "settings.py": "'django.db.backends.postgresql'\n",
        },
        "nixpacks",
        [],
        "NIX python.rs:421-427 is_using_postgres: find_match over /**/*.py",
        "",
    ),
]

HEROKU = "heroku/heroku-buildpack-python "
DJANGO_NESTED = {"requirements.txt": "-r nested.txt\n", "nested.txt": "Django==1.4\n"}
DJANGO_UPPER = {"requirements.txt": "-r nested.txt\n", "nested.txt": "DJANGO==1.4\n"}
CASES += [
    (
        "heroku-v6-django-mode-reads-the-root-only",
        {**DJANGO_NESTED, "mysite/settings.py": ""},
        "heroku@v6",
        [("heroku/collectstatic", "nested.txt", 1)],
        HEROKU + 'archive/v6 bin/detect:33 grep -Fiq "django" $BUILD_DIR/requirements.txt',
        "reads only the root file",
    ),
    (
        "heroku-v6-settings-at-the-root-is-not-django-mode-anyway",
        {**DJANGO_NESTED, "settings.py": ""},
        "heroku@v6",
        [],
        HEROKU + "archive/v6 bin/detect:33 ls $BUILD_DIR/**/settings.py: one level down only",
        "",
    ),
    (
        "heroku-v7-follows-r",
        {**DJANGO_NESTED, "settings.py": ""},
        "heroku@v7-v11",
        [],
        HEROKU + "archive/v7 bin/detect:41-49 [[ $req == -r* ]] recurses",
        "",
    ),
    (
        "heroku-v7-long-flag-is-printed-not-followed",
        {
            "requirements.txt": "--requirement nested.txt\n",
            "nested.txt": "Django\n",
            "settings.py": "",
        },
        "heroku@v7-v11",
        [("heroku/collectstatic", "nested.txt", 1)],
        HEROKU + "archive/v7 bin/detect:41 only lines starting -r",
        "follows only lines starting '-r'",
    ),
    (
        "heroku-v7-indented-include-is-printed-not-followed",
        {"requirements.txt": "  -r nested.txt\n", "nested.txt": "Django\n", "settings.py": ""},
        "heroku@v7-v11",
        [("heroku/collectstatic", "nested.txt", 1)],
        HEROKU + "archive/v7 bin/detect:36-41 IFS is a newline: leading blanks stay, -r* fails",
        "",
    ),
    (
        "heroku-v7-crlf-include-is-a-missing-file",
        {"requirements.txt": "-r nested.txt\r\n", "nested.txt": "Django\n", "settings.py": ""},
        "heroku@v7-v11",
        [("heroku/collectstatic", "nested.txt", 1)],
        HEROKU + 'archive/v7 bin/detect:42 cut -d" " -f2 keeps the CR: cat fails',
        "",
    ),
    (
        "heroku-v7-later-include-resolves-against-the-file-read-last",
        {
            "requirements.txt": "-r deps/base.txt\n-r web.txt\n",
            "deps/base.txt": "requests\n",
            "web.txt": "Django\n",
            "settings.py": "",
        },
        "heroku@v7-v11",
        [("heroku/collectstatic", "web.txt", 1)],
        HEROKU + "archive/v7 bin/detect:39 requirement_file is global: web.txt -> deps/web.txt",
        "",
    ),
    (
        "heroku-v7-cycle-prints-what-comes-before-it",
        {
            "requirements.txt": "-r n.txt\n",
            "n.txt": "Django\n-r requirements.txt\n",
            "settings.py": "",
        },
        "heroku@v7-v11",
        [],
        HEROKU + "archive/v7 bin/detect:46-50 endless recursion, grep -q already matched",
        "",
    ),
    (
        "heroku-v7-cycle-before-the-name",
        {
            "requirements.txt": "-r n.txt\n",
            "n.txt": "-r requirements.txt\nDjango\n",
            "settings.py": "",
        },
        "heroku@v7-v11",
        [("heroku/collectstatic", "n.txt", 2)],
        HEROKU + "archive/v7 bin/detect:46-50 the recursion never reaches the Django line",
        "",
    ),
    (
        "heroku-v76-without-manage-py-costs-nothing",
        DJANGO_UPPER,
        "heroku@v90",
        [],
        HEROKU + "archive/v76 bin/steps/collectstatic:16,26 [ -f $MANAGE_FILE ]",
        "",
    ),
    (
        "heroku-v76-manage-py-two-levels-down",
        {**DJANGO_UPPER, "src/proj/manage.py": ""},
        "heroku@v90",
        [("heroku/collectstatic:case", "nested.txt", 1)],
        HEROKU + "archive/v76 bin/steps/collectstatic:16 find . -maxdepth 3",
        "",
    ),
    (
        "heroku-v76-manage-py-too-deep",
        {**DJANGO_UPPER, "a/b/c/manage.py": ""},
        "heroku@v90",
        [],
        HEROKU + "archive/v76 bin/steps/collectstatic:16 maxdepth 3 stops above a/b/c",
        "",
    ),
]

CASES += [
    (
        "railpack-root-include-is-not-copied",
        {
            "requirements.txt": "flask\n-r requirements/prod.txt\n-c constraints.txt\n",
            "requirements/prod.txt": "gunicorn\n",
            "constraints.txt": "flask<4\n",
        },
        "railpack",
        [
            ("railpack/include-not-copied", "requirements.txt", 2),
            ("railpack/include-not-copied", "requirements.txt", 3),
        ],
        RAILPACK + "python.go:447-458 copies requirements.txt only, :311 pip install -r",
        "and the build fails. Move its lines into requirements.txt",
    ),
    (
        "railpack-file-url-anywhere-copies-everything",
        {
            "requirements.txt": "# see file:///docs\n-r requirements/prod.txt\n",
            "requirements/prod.txt": "gunicorn\n",
        },
        "railpack",
        [],
        RAILPACK + 'python.go:462-464 strings.Contains(requirementsContent, "file://")',
        "",
    ),
    (
        "railpack-url-include-is-fetched-by-pip",
        {"requirements.txt": "-r https://example.invalid/base.txt\n"},
        "railpack",
        [],
        RAILPACK + "python.go:311: pip fetches a URL include itself",
        "",
    ),
    (
        "railpack-nested-includes-only-matter-through-the-root",
        {"requirements.txt": "flask\n", "tools/requirements.txt": "-r dev.txt\n"},
        "railpack",
        [],
        RAILPACK + "python.go:311 installs the root file only",
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
    findings = report.findings
    if not any(rule == INCLUDE for rule, _, _ in expected):
        # on Railpack a root-file include fails the build (its own cases check that); the
        # other rows model what happens once the include works (`file://` in the root file)
        findings = [f for f in findings if f.rule != INCLUDE]
    got = [(f.rule, f.file, f.line) for f in findings]
    assert got == expected, source
    for finding in findings:
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


def test_python_file_scan_reads_only_regular_files_inside(tmp_path: Path) -> None:
    """Django's WSGI_APPLICATION is searched in every *.py file: a FIFO must not block the scan
    and a symlink must not lead outside, so neither can satisfy the condition."""
    import os

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "settings.py").write_text(WSGI)
    (repo / "requirements.txt").write_text("-r requirements/prod.txt\n")
    (repo / "requirements").mkdir()
    (repo / "requirements/prod.txt").write_text("Django==5.1\n")
    (repo / "manage.py").write_text("")
    os.mkfifo(repo / "fifo.py")
    (repo / "linked.py").symlink_to(outside / "settings.py")
    (repo / "linked").symlink_to(outside, target_is_directory=True)

    def rules() -> list[str]:
        return [f.rule for f in scan(repo, platforms=["railpack"]).findings if f.rule != INCLUDE]

    assert rules() == []
    (repo / "real.py").write_text(WSGI)
    assert rules() == ["railpack/django"]


def test_fix_trial_rereads_the_edited_root(tmp_path: Path) -> None:
    """v12-v14's in-req re-reads the root file by path: the fix trial must hand it the edited
    bytes, or it reports that even the fix would not help."""
    from heroku_req_check.scan import apply_fixes

    (tmp_path / "requirements.txt").write_text("--requirement nested.txt\n")
    (tmp_path / "nested.txt").write_text("pylibmc==1.6\n")
    [finding] = scan(tmp_path, platforms=["heroku@v12-v14"]).findings
    assert finding.fix is not None and "Even then" not in finding.message
    apply_fixes(tmp_path, scan(tmp_path, platforms=["heroku@v12-v14"]))
    assert scan(tmp_path, platforms=["heroku@v12-v14"]).findings == []


def test_railpack_include_fix_copies_the_app(tmp_path: Path) -> None:
    from heroku_req_check.scan import apply_fixes

    (tmp_path / "requirements.txt").write_text("-r a.txt\n-r b.txt\n")
    (tmp_path / "a.txt").write_text("flask\n")
    (tmp_path / "b.txt").write_text("requests\n")
    report = scan(tmp_path, platforms=["railpack"])
    assert [f.package for f in report.findings] == ["a.txt", "b.txt"]
    apply_fixes(tmp_path, report)  # both findings suggest the same line: added once
    lines = (tmp_path / "requirements.txt").read_text().splitlines()
    assert lines[:2] == ["-r a.txt", "-r b.txt"] and len(lines) == 3
    assert "file://" in lines[2] and lines[2].startswith("#")
    assert scan(tmp_path, platforms=["railpack"]).findings == []
