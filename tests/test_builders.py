"""Table tests of the three builder models (platforms/zeabur.py, flyio.py, serverless.py) and
their build plans. Every row cites the source line it follows.

ZB = zeabur/zbpack v1.0.1 (c988eff5); the rows marked `plan_test.go` are zbpack's own tests
(internal/python/plan_test.go) carried over. FLY = superfly/flyctl v0.4.87 (3eb236fa), which
has no tests of these scanners: the rows marked `python.go:112-117` are its own documented
examples. SPR = serverless/serverless-python-requirements v6.1.2 (b58ce600); its behaviour is
also compared with the plugin's own code in tests/test_serverless_oracle.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heroku_req_check import catalog
from heroku_req_check.detectors import verdict
from heroku_req_check.plans import plan_for
from heroku_req_check.platforms import flyio, serverless, zeabur
from heroku_req_check.scan import scan
from heroku_req_check.tree import make_reader, walk


def app(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def era_of(rule_id: str) -> catalog.Era:
    for platform in catalog.load():
        for rule in platform.rules:
            if rule.id == rule_id:
                return rule.eras[0]
    raise KeyError(rule_id)


def detected(tmp_path: Path, files: dict[str, str | bytes], rule_id: str) -> bool:
    root = app(tmp_path, files)
    tree = walk(root)
    return verdict(era_of(rule_id), tree, make_reader(root, tree)).detected


# -- Zeabur ---------------------------------------------------------------------------------

ZEABUR_DETECTION = [
    # (id, files, rule, detected, source)
    (
        "has-dependency-pip",
        {"requirements.txt": "mysqlclient==1.145.14"},
        "zeabur/mysql",
        True,
        "ZB plan_test.go:558-569 TestHasDependency_Pip_HasMysqlClient",
    ),
    (
        "no-mysqlclient",
        {"requirements.txt": "mysqlalternative==19.19.810"},
        "zeabur/mysql",
        False,
        "ZB plan_test.go:571-582 TestHasDependency_Pip_NoMysqlClient",
    ),
    (
        "case-insensitive",
        {"requirements.txt": "PSYCOPG2==2.9"},
        "zeabur/postgres",
        True,
        "ZB plan_test.go:755-767 TestHasDependency_CaseInsensitive; contains.go:6-8",
    ),
    (
        "comment-counts",
        {"requirements.txt": "# psycopg2 comes later\n"},
        "zeabur/postgres",
        True,
        "ZB contains.go:6-8: a substring of the whole text",
    ),
    (
        "nested-never-read",
        {"requirements.txt": "-r base.txt\n", "base.txt": "psycopg2==2.9\n"},
        "zeabur/postgres",
        False,
        "ZB pkgmanager.go:93-104: pip's declaration file only",
    ),
    (
        "utf16-root-decoded",
        {"requirements.txt": "psycopg2==2.9\n".encode("utf-16")},
        "zeabur/postgres",
        True,
        "ZB encoding.go:13-28: a UTF-16 BOM switches the decoder",
    ),
    (
        "selenium-covers-seleniumbase",
        {"requirements.txt": "seleniumbase\n"},
        "zeabur/selenium",
        True,
        "ZB plan.go:902-905",
    ),
    (
        "django-moot-by-manage-py",
        {"requirements.txt": "-r base.txt\n", "base.txt": "django\n", "manage.py": ""},
        "zeabur/django",
        True,
        "ZB plan.go:73-76: manage.py makes it Django anyway",
    ),
    (
        "django-missed-without-manage-py",
        {"requirements.txt": "-r base.txt\n", "base.txt": "django\n"},
        "zeabur/django",
        False,
        "ZB plan.go:68-76",
    ),
    (
        "flask-needs-its-constructor",
        {"requirements.txt": "-r base.txt\n", "base.txt": "flask\n", "main.py": "print(1)\n"},
        "zeabur/flask",
        True,
        "ZB plan.go:325-346: no `x = Flask(` line, `python main.py` anyway",
    ),
    (
        "flask-missed",
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "flask\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
        "zeabur/flask",
        False,
        "ZB plan.go:78-81, 121-126 (app.py is the entry), 325-346",
    ),
    (
        "flask-entry-is-the-first-file",
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "flask\n",
            "main.py": "import app\n",
            "app.py": "app = Flask(__name__)\n",
        },
        "zeabur/flask",
        True,
        "ZB plan.go:121-126: main.py comes first and has no Flask(",
    ),
    (
        "flask-entry-from-zbpack-json",
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "flask\n",
            "main.py": "import x\n",
            "web/app.py": "api = Flask(__name__)\n",
            "zbpack.json": '{"python": {"entry": "web/app.py"}}',
        },
        "zeabur/flask",
        False,
        "ZB plan.go:116-119: python.entry names the entry",
    ),
    (
        "flask-after-django-text",
        {
            "requirements.txt": "-r base.txt\n# django-free\n",
            "base.txt": "flask\n",
            "app.py": "app = Flask(__name__)\n",
        },
        "zeabur/flask",
        True,
        "ZB plan.go:68-71: django (any text) is chosen before flask",
    ),
    (
        "fastapi-missed",
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "fastapi\n",
            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        },
        "zeabur/fastapi",
        False,
        "ZB plan.go:83-86, 626-628",
    ),
]


@pytest.mark.parametrize(
    ("files", "rule_id", "expected", "source"),
    [row[1:] for row in ZEABUR_DETECTION],
    ids=[row[0] for row in ZEABUR_DETECTION],
)
def test_zeabur_detection(
    tmp_path: Path, files: dict[str, str | bytes], rule_id: str, expected: bool, source: str
) -> None:
    assert detected(tmp_path, files, rule_id) == expected, source


FIRST_PASS = [
    # (id, root bytes, text pip reads from /dev/stdin, dropped root lines)
    ("keeps-lines-without-dash-e", b"six\n-r a.txt\n", "six\n-r a.txt\n", set()),
    ("drops-extra-index-url", b"--extra-index-url https://x\nsix\n", "six\n", {1}),
    ("drops-a-name-holding-dash-e", b"django-environ==0.11\nsix", "six", {1}),
    ("drops-editables", b"-e .\n", "", {1}),
    ("drops-a-comment-holding-dash-e", b"six  # see -e\nflask\n", "flask\n", {1}),
    ("crlf-kept", b"-e .\r\nsix\r\n", "six\r\n", {1}),
    ("bom-line-dropped", b"\xef\xbb\xbf-e .\nsix\n", "six\n", {1}),
    ("lone-cr-is-two-pip-lines", b"a\rb-e\nsix\n", "six\n", {1, 2}),
    ("utf16-never-matches", "-e .\n".encode("utf-16"), "-e .\n", set()),
]


@pytest.mark.parametrize(
    ("data", "text", "dropped"),
    [row[1:] for row in FIRST_PASS],
    ids=[row[0] for row in FIRST_PASS],
)
def test_zeabur_first_pass(data: bytes, text: str, dropped: set[int]) -> None:
    """GNU sed `/-e/d` (pkgmanager.go:48) on bytes, lines split at \\n; pip numbers lines
    with splitlines. tests/test_zeabur_oracle.py compares this with the real sed."""
    passed = zeabur.first_pass(data)
    assert (passed.text, set(passed.dropped)) == (text, dropped)


def test_zeabur_include_fix_is_withheld_where_a_comment_breaks_another_platform(
    tmp_path: Path,
) -> None:
    """Cloud Foundry and serverless-python-requirements take the rest of a `-r` line as the
    path (requirements.go `^-r `; lib/pip.js:483): with either selected, no comment fix."""
    root = app(tmp_path, {"requirements.txt": "-r base.txt\n", "base.txt": "six\n"})
    [alone] = scan(root, platforms=["zeabur"]).findings
    assert alone.fix is not None and alone.fix.action == "replace"
    assert alone.fix.text == f"-r base.txt  {zeabur.FIX_COMMENT}"
    for other in ("cloudfoundry", "serverless"):
        report = scan(root, platforms=["zeabur", other])
        [finding] = [f for f in report.findings if f.rule == "zeabur/include-from-stdin"]
        assert finding.fix is None and other in finding.message


# -- Fly.io ---------------------------------------------------------------------------------

SCANNER_LINES = [
    # (id, bytes, lines fileContains tests; helpers.go:45-65, bufio.ScanLines)
    ("lf", b"a\nb\n", ["a", "b"]),
    ("crlf-drops-cr", b"a\r\nb", ["a", "b"]),
    ("lone-cr-stays", b"a\rb\n", ["a\rb"]),
    ("nul-removed", "Django\n".encode("utf-16-le"), ["Django", ""]),
    ("long-line-ends-the-scan", b"x" * 65536 + b"\nDjango\n", []),
    ("line-under-the-limit", b"x" * 65534 + b"\nDjango\n", ["x" * 65534, "Django"]),
]


@pytest.mark.parametrize(
    ("data", "lines"),
    [row[1:] for row in SCANNER_LINES],
    ids=[row[0] for row in SCANNER_LINES],
)
def test_flyio_scanner_lines(data: bytes, lines: list[str]) -> None:
    assert flyio.scanner_lines(data) == lines


@pytest.mark.parametrize(
    ("dep", "name"),
    [
        # FLY python.go:112-117, its own examples
        ("fastapi>=0.1.0", "fastapi"),
        ("flask", "flask"),
        ("pytest < 5.0.0", "pytest"),
        ("numpy~=1.19.2", "numpy"),
        ("django>2.1; os_name != 'nt'", "django"),
        # and what the same cuts do to other lines (python.go:118-127)
        ("Flask[async]==3.0", "flask"),
        ("flask!=2.0", "flask!=2.0"),  # no cut at `!=`: not the name flask
        ("-r requirements/base.txt", "-r"),
        ("  fastapi", ""),
    ],
)
def test_flyio_parse_py_dep(dep: str, name: str) -> None:
    assert flyio.parse_py_dep(dep) == name


WSGI = {"mysite/wsgi.py": "", "mysite/asgi.py": "", "manage.py": ""}
FLY_DETECTION = [
    # (id, files, rule, detected, source)
    (
        "django-any-case",
        {"requirements.txt": "DJANGO==5.1\n"},
        "flyio/django",
        True,
        "FLY django.go:20 (?i)Django",
    ),
    (
        "django-in-a-longer-name",
        {"requirements.txt": "djangorestframework\n"},
        "flyio/django",
        True,
        "FLY django.go:20: a substring of the line",
    ),
    (
        "django-in-pyproject",
        {"requirements.txt": "-r b.txt\n", "b.txt": "django\n", "pyproject.toml": "# Django app\n"},
        "flyio/django",
        True,
        "FLY django.go:20",
    ),
    (
        "django-nested",
        {"requirements.txt": "-r b.txt\n", "b.txt": "django\n"},
        "flyio/django",
        False,
        "FLY helpers.go:69-82: the root file's lines only",
    ),
    (
        "gunicorn-nested",
        {"requirements.txt": "Django\n-r b.txt\n", "b.txt": "gunicorn\n", **WSGI},
        "flyio/gunicorn",
        False,
        "FLY django.go:138-142, 300-307: runserver",
    ),
    (
        "gunicorn-case-sensitive",
        {"requirements.txt": "Django\nGunicorn\n", **WSGI},
        "flyio/gunicorn",
        False,
        "FLY django.go:138: `gunicorn` is case-sensitive",
    ),
    (
        "gunicorn-no-wsgi",
        {"requirements.txt": "Django\n-r b.txt\n", "b.txt": "gunicorn\n"},
        "flyio/gunicorn",
        True,
        "FLY django.go:300-307: no wsgi.py, runserver anyway",
    ),
    (
        "gunicorn-asgi-uvicorn-first",
        {"requirements.txt": "Django\nuvicorn\n-r b.txt\n", "b.txt": "gunicorn\n", **WSGI},
        "flyio/gunicorn",
        True,
        "FLY django.go:296-297: asgi.py and uvicorn decide first",
    ),
    (
        "gunicorn-uvicorn-without-asgi",
        {
            "requirements.txt": "Django\nuvicorn\n-r b.txt\n",
            "b.txt": "gunicorn\n",
            "mysite/wsgi.py": "",
        },
        "flyio/gunicorn",
        False,
        "FLY django.go:296-303",
    ),
    (
        "gunicorn-wsgi-in-site-packages",
        {
            "requirements.txt": "Django\n-r b.txt\n",
            "b.txt": "gunicorn\n",
            "venv/lib/site-packages/django/wsgi.py": "",
        },
        "flyio/gunicorn",
        True,
        "FLY django.go:111-117: site-packages paths are left out",
    ),
    (
        "postgres-nested",
        {"requirements.txt": "Django\n-r b.txt\n", "b.txt": "psycopg2\n"},
        "flyio/postgres",
        False,
        "FLY django.go:270-272",
    ),
    (
        "postgres-binary-counts",
        {"requirements.txt": "Django\npsycopg2-binary\n"},
        "flyio/postgres",
        True,
        "FLY django.go:270: a substring",
    ),
    (
        "postgres-only-for-django",
        {"requirements.txt": "-r b.txt\n", "b.txt": "psycopg2\n"},
        "flyio/postgres",
        True,
        "FLY django.go:19-22: no Django, no Django scanner",
    ),
]


@pytest.mark.parametrize(
    ("files", "rule_id", "expected", "source"),
    [row[1:] for row in FLY_DETECTION],
    ids=[row[0] for row in FLY_DETECTION],
)
def test_flyio_detection(
    tmp_path: Path, files: dict[str, str | bytes], rule_id: str, expected: bool, source: str
) -> None:
    assert detected(tmp_path, files, rule_id) == expected, source


FLY_TEMPLATES = [
    # (id, files, template or None, source)
    ("django", {"requirements.txt": "Django\n"}, "django", "FLY django.go:20, 100-104"),
    (
        "django-installed-nested",
        {"requirements.txt": "-r b.txt\n", "b.txt": "Django\n"},
        "django",
        "once flyio/django's line is in requirements.txt (django.go:20)",
    ),
    (
        "django-pipenv",
        {"requirements.txt": "Django\n", "Pipfile": ""},
        None,
        "FLY django.go:100-101, templates/django/Dockerfile:24-27",
    ),
    (
        "django-poetry",
        {"requirements.txt": "Django\n", "pyproject.toml": ""},
        None,
        "FLY django.go:102-103, templates/django/Dockerfile:28-32",
    ),
    ("flask", {"requirements.txt": "Flask\n", "app.py": ""}, "flask", "FLY flask.go:11-18"),
    (
        "flask-without-app-py",
        {"requirements.txt": "Flask\n", "main.py": ""},
        "python-docker",
        "FLY flask.go:16; python.go:322-357 finds flask among the names",
    ),
    (
        "flask-lowercase",
        {"requirements.txt": "flask\n", "app.py": ""},
        "python-docker",
        "FLY flask.go:11 `Flask` is case-sensitive; python.go:118 lowercases",
    ),
    ("fastapi", {"requirements.txt": "fastapi==0.110\n"}, "python-docker", "FLY python.go:149-182"),
    (
        "two-frameworks",
        {"requirements.txt": "fastapi\nflask\n"},
        None,
        "FLY python.go:157-160 warns and declines: Paketo",
    ),
    (
        "named-twice",
        {"requirements.txt": "fastapi\nfastapi[all]\n"},
        None,
        "FLY python.go:154-160: a second mention declines too",
    ),
    (
        "streamlit-without-entry",
        {"requirements.txt": "streamlit\n"},
        None,
        "FLY python.go:193-199, 79-109",
    ),
    (
        "streamlit-with-entry",
        {"requirements.txt": "streamlit\n", "ui.py": "import streamlit\n"},
        "python-docker",
        "FLY python.go:193-208",
    ),
    ("no-framework", {"requirements.txt": "requests\n"}, None, "FLY python.go:169-172, 376-398"),
    (
        "pyproject-without-dependencies",
        {"requirements.txt": "fastapi\n", "pyproject.toml": "[project]\nname = 'x'\n"},
        None,
        "FLY python.go:260-263: the scan stops with an error",
    ),
    (
        "pyproject-without-framework",
        {
            "requirements.txt": "fastapi\n",
            "pyproject.toml": "[project]\ndependencies = ['requests']\n",
        },
        "python-docker",
        "FLY python.go:364-375: pep621 declines, requirements.txt answers",
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "source"),
    [row[1:] for row in FLY_TEMPLATES],
    ids=[row[0] for row in FLY_TEMPLATES],
)
def test_flyio_template(
    tmp_path: Path, files: dict[str, str | bytes], expected: str | None, source: str
) -> None:
    root = app(tmp_path, files)
    tree = walk(root)
    chosen = flyio.template(tree, make_reader(root, tree))
    assert (chosen.name if chosen else None) == expected, source


# -- serverless-python-requirements ---------------------------------------------------------

FOLLOW = [
    # (id, lines of requirements.txt, the path the plugin computes for each -r line)
    ("one", ["-r requirements/base.txt"], ["requirements/base.txt"]),
    (
        "second-resolves-against-the-first",
        ["-r requirements/base.txt", "six", "-r requirements/prod.txt"],
        ["requirements/base.txt", "requirements/requirements/prod.txt"],
    ),
    ("same-directory-is-fine", ["-r base.txt", "-r prod.txt"], ["base.txt", "prod.txt"]),
    ("attached", ["-rbase.txt"], ["-rbase.txt"]),
    ("comment-is-path", ["-r base.txt  # x"], ["base.txt  # x"]),
    ("tab", ["-r\tbase.txt"], ["base.txt"]),
    ("long-form-is-not-followed", ["--requirement base.txt"], []),
]


@pytest.mark.parametrize(
    ("lines", "paths"),
    [row[1:] for row in FOLLOW],
    ids=[row[0] for row in FOLLOW],
)
def test_serverless_follow(lines: list[str], paths: list[str]) -> None:
    """SPR lib/pip.js:478-484: startsWith('-r'), `source = path.join(path.dirname(source),
    req.replace(/^-r\\s+/, ''))` with `source` the function's own parameter (#863)."""
    items = serverless.pieces("\n".join(lines).encode())
    assert [path for _n, path, _b in serverless.follow("requirements.txt", items)] == paths


def test_serverless_written_order() -> None:
    """SPR lib/pip.js:499-546: comments and blanks dropped, options first in their order (an
    `-e` cut at its next '-e'), the rest sorted by UTF-16 code units."""
    lines = tuple(
        serverless.Line("r.txt", n, t)
        for n, t in enumerate(
            ["zeta", "# c", "", "--index-url x", "Alpha", "-e ./my-ext", "beta", "-c c.txt"], 1
        )
    )
    assert serverless.written_text(lines) == "--index-url x\n./my\n-c c.txt\nAlpha\nbeta\nzeta\n"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a \\\nb\n", [(1, "a  b"), (3, "")]),  # LF continuations joined (pip.js:475)
        ("a \\\r\nb", [(1, "a \\"), (2, "b")]),  # not before CRLF
        ("\ufeff-r x.txt\n", [(1, "-r x.txt"), (2, "")]),  # trim() removes the BOM
        ("a\rb\nc", [(1, "a\rb"), (3, "c")]),  # split(/\r?\n/): a lone CR stays
    ],
)
def test_serverless_pieces(text: str, pieces: list[tuple[int, str]]) -> None:
    assert serverless.pieces(text.encode()) == pieces


# -- build plans ----------------------------------------------------------------------------

PLANS = [
    # (id, files, platform, builds_python, installer, installs_requirements, source)
    (
        "zb-pip",
        {"requirements.txt": ""},
        "zeabur",
        True,
        "pip",
        True,
        "ZB plan_test.go:26-37 TestPackageManager_Pip",
    ),
    (
        "zb-pipenv-with-old-requirements",
        {"Pipfile": "", "requirements.txt": ""},
        "zeabur",
        True,
        "pipenv",
        False,
        "ZB plan_test.go:222-234",
    ),
    (
        "zb-poetry-with-old-requirements",
        {"pyproject.toml": "[tool.poetry]\nname = 'x'\n", "requirements.txt": ""},
        "zeabur",
        True,
        "poetry",
        False,
        "ZB plan_test.go:161-191",
    ),
    (
        "zb-pdm-with-old-requirements",
        {"pdm.lock": "", "pyproject.toml": "[project]\n", "requirements.txt": ""},
        "zeabur",
        True,
        "pdm",
        False,
        "ZB plan_test.go:193-220",
    ),
    (
        "zb-requirements-before-uv",
        {"uv.lock": "", "pyproject.toml": "", "requirements.txt": ""},
        "zeabur",
        True,
        "pip",
        True,
        "ZB plan.go:189-213: requirements.txt before uv.lock",
    ),
    (
        "zb-uv",
        {"uv.lock": "", "pyproject.toml": ""},
        "zeabur",
        True,
        "uv",
        False,
        "ZB plan_test.go:140-159",
    ),
    (
        "zb-specified",
        {"zbpack.json": '{"python": {"package_manager": "uv"}}', "requirements.txt": ""},
        "zeabur",
        True,
        "uv",
        False,
        "ZB plan_test.go:253-286",
    ),
    (
        "zb-dockerfile",
        {"dockerfile": "FROM x\n", "requirements.txt": ""},
        "zeabur",
        False,
        "",
        True,
        "ZB identifiers.go:49-52, finder.go:60-68 (any case)",
    ),
    (
        "zb-mkdocs",
        {"mkdocs.yml": "", "requirements.txt": ""},
        "zeabur",
        False,
        "",
        True,
        "ZB python/identify.go:23-26",
    ),
    (
        "zb-bun-types",
        {"package.json": '{"devDependencies": {"bun-types": "1"}}', "requirements.txt": ""},
        "zeabur",
        False,
        "",
        True,
        "ZB bun/identify.go:35-41",
    ),
    (
        "zb-node-after-python",
        {"package.json": "{}", "requirements.txt": ""},
        "zeabur",
        True,
        "pip",
        True,
        "ZB identifiers.go:32-33",
    ),
    (
        "fly-dockerfile",
        {"Dockerfile": "FROM x\n", "requirements.txt": ""},
        "flyio",
        False,
        "",
        True,
        "FLY scanner/dockerfile.go:14-21: `fly deploy` builds it",
    ),
    (
        "fly-containerfile",
        {"Containerfile": "FROM x\n", "requirements.txt": ""},
        "flyio",
        False,
        "",
        True,
        "FLY scanner/dockerfile.go:20",
    ),
    (
        "fly-pipenv",
        {"Pipfile": "", "requirements.txt": "Django\n"},
        "flyio",
        True,
        "pipenv",
        False,
        "FLY django.go:100-101, templates/django/Dockerfile:24-27",
    ),
    (
        "fly-poetry",
        {"pyproject.toml": "[tool.black]\n", "requirements.txt": "Django\n"},
        "flyio",
        True,
        "poetry",
        False,
        "FLY django.go:102-103, templates/django/Dockerfile:28-32",
    ),
    (
        "fly-toml-dockerfile",
        {"fly.toml": "[build]\n  dockerfile = 'ops/Dockerfile'\n", "requirements.txt": ""},
        "flyio",
        False,
        "",
        True,
        "FLY internal/command/deploy/deploy_build.go:240, 292-312: that Dockerfile is built",
    ),
    (
        "fly-toml-image",
        {"fly.toml": "[build]\nimage = 'me/app:1'\n", "requirements.txt": ""},
        "flyio",
        False,
        "",
        True,
        "FLY internal/command/deploy/deploy_build.go:141-168, 349-360: nothing is built",
    ),
    (
        "fly-pip",
        {"requirements.txt": "Django\n"},
        "flyio",
        True,
        "pip",
        True,
        "FLY templates/django/Dockerfile:33-38",
    ),
    ("sls-pip", {"requirements.txt": ""}, "serverless", True, "pip", True, "SPR pip.js:89-100"),
    (
        "sls-poetry",
        {
            "pyproject.toml": '[build-system]\nrequires = ["poetry-core>=1"]\n',
            "requirements.txt": "",
        },
        "serverless",
        True,
        "poetry",
        False,
        "SPR poetry.js:121-141",
    ),
    (
        "sls-not-poetry",
        {
            "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\n[tool.poetry]\n',
            "requirements.txt": "",
        },
        "serverless",
        True,
        "pip",
        True,
        "SPR poetry.js:131-137: only build-system.requires counts",
    ),
    (
        "sls-nothing",
        {"pyproject.toml": "[project]\ndependencies = ['flask']\n", "setup.py": ""},
        "serverless",
        True,
        "",
        False,
        "SPR pip.js:585-599, 619-626: no requirements file, Poetry project or Pipfile",
    ),
    (
        "sls-pipenv",
        {"Pipfile": "", "requirements.txt": ""},
        "serverless",
        True,
        "pipenv",
        False,
        "SPR pip.js:73-88, pipenv.js:46-50",
    ),
]


@pytest.mark.parametrize(
    ("files", "platform", "builds", "installer", "installs", "source"),
    [row[1:] for row in PLANS],
    ids=[row[0] for row in PLANS],
)
def test_builder_plans(
    tmp_path: Path,
    files: dict[str, str | bytes],
    platform: str,
    builds: bool,
    installer: str,
    installs: bool,
    source: str,
) -> None:
    root = app(tmp_path, files)
    tree = walk(root)
    [selection] = catalog.select([platform])
    plan = plan_for(selection.platform, tree.repo_dir, make_reader(root, tree), tree.scan_id)
    got = (plan.builds_python, plan.installer, plan.installs_requirements)
    assert got == (builds, installer, installs), source
    if not builds or not installs:
        assert plan.evidence, "a plan that gates rules says why"
        assert not plan.runs("")


def test_an_installer_that_never_reads_requirements_turns_the_rules_off(tmp_path: Path) -> None:
    root = app(
        tmp_path,
        {"requirements.txt": "-r base.txt\n", "base.txt": "psycopg2\n", "Pipfile": ""},
    )
    assert scan(root, platforms=["zeabur"]).findings == []
    assert scan(root, platforms=["serverless"]).findings == []


TREES = Path(__file__).parent / "fixtures" / "trees"


@pytest.mark.parametrize("tree", ["flyio-pyproject", "flyio-poetry"])
def test_flyio_django_rules_do_not_apply_where_the_template_installs_with_poetry(tree: str) -> None:
    # FLY django.go:100-104: with a pyproject.toml (a tool configuration will do) the Django
    # template installs pyproject.toml and poetry.lock with Poetry and never copies
    # requirements.txt, so gunicorn, psycopg2 or Django lines there change nothing it installs
    report = scan(TREES / tree, platforms=["flyio"])
    assert report.findings == []
    [plan] = [p for p in report.plans if p.platform == "flyio"]
    assert (plan.installer, plan.installs_requirements) == ("poetry", False)
    assert any("No dependencies found in pyproject.toml" in e for e in plan.evidence)


def test_flyio_include_not_copied_is_not_gated_by_the_django_installer(tmp_path: Path) -> None:
    # FLY flask.go:11-18: the Flask scanner comes before configurePython and copies
    # requirements.txt alone whatever pyproject.toml says (templates/flask/Dockerfile:11-12)
    root = app(
        tmp_path,
        {
            "requirements.txt": "Flask\n-r more.txt\n",
            "more.txt": "requests\n",
            "app.py": "",
            "pyproject.toml": "[tool.black]\n",
        },
    )
    assert [f.rule for f in scan(root, platforms=["flyio"]).findings] == [
        "flyio/include-not-copied"
    ]


BUILDER_RULES = [
    rule
    for platform in catalog.load()
    if platform.name in ("zeabur", "flyio", "serverless")
    for rule in platform.rules
]


@pytest.mark.parametrize("rule", BUILDER_RULES, ids=lambda r: r.id)
def test_every_builder_rule_is_listed_and_explained(rule: catalog.Rule) -> None:
    from heroku_req_check.cli import explain, list_rules

    listed = [row.split("\t") for row in list_rules().splitlines()]
    [row] = [r for r in listed if r[0] == rule.id]
    era = rule.eras[0]
    assert row[2] == era.detector and row[4].endswith(era.source.path)
    story = explain(rule.id)
    assert story is not None
    assert era.source.commit[:12] in story and "Build plan" in story
    for case in era.decided_first:
        assert " or ".join(case.seen or case.files) in story


@pytest.mark.parametrize(
    ("files", "root", "installer"),
    [
        ({"Pipfile": "[packages]\ndjango = '*'\n", "setup.py": ""}, "Pipfile", "pipenv"),
        ({"pyproject.toml": "[project]\nname = 'x'\n"}, "pyproject.toml", "poetry"),
    ],
)
def test_flyio_without_requirements_txt_installs_the_project_file(
    tmp_path: Path, files: dict[str, str | bytes], root: str, installer: str
) -> None:
    # FLY django.go:100-104 and python.go:214-320: a Pipfile or pyproject.toml is installed by
    # its own tool, and nothing forces an app-root requirements.txt
    report = scan(app(tmp_path, files), root=root, platforms=["flyio"])
    [plan] = [p for p in report.plans if p.platform == "flyio"]
    said = " ".join(plan.evidence)
    assert f"{installer} installs the dependencies of {root}" in said
    assert "requirements.txt (nothing can name another file)" not in said


def test_serverless_installs_nothing_without_a_requirements_file() -> None:
    # SPR pip.js:585-599 (requirementsFileExists), 619-626: a PEP 621 pyproject.toml is neither
    # a Poetry project nor the plugin's fileName, so installRequirementsIfNeeded returns
    report = scan(TREES / "serverless-no-requirements", platforms=["serverless"])
    [plan] = [p for p in report.plans if p.platform == "serverless"]
    assert (plan.installer, plan.installs_requirements) == ("", False)
    assert report.findings == []


def test_serverless_reads_the_file_it_is_told(tmp_path: Path) -> None:
    # SPR index.js:37, pip.js:619: custom.pythonRequirements.fileName names the file
    root = app(tmp_path, {"custom.txt": "-r b.txt\n-r c.txt\n", "b.txt": "", "c.txt": ""})
    report = scan(root, "custom.txt", platforms=["serverless"])
    [plan] = [p for p in report.plans if p.platform == "serverless"]
    assert (plan.installer, plan.installs_requirements) == ("pip", True)
