"""Google Cloud's buildpacks: table tests whose expected values cite the line they follow, the
platform's own test tables (pkg/python/dependencies_test.go), and RE2 (the engine Go's regexp
implements, from PyPI's google-re2) as an oracle for every Go regexp of the catalog.

G = GoogleCloudPlatform/buildpacks @21f28de8 (2026-08-22).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from heroku_req_check import catalog
from heroku_req_check.detectors import choice_seen, go_regex, python_runs
from heroku_req_check.scan import apply_fixes, scan

GOOGLE = next(p for p in catalog.load() if p.name == "google")
CHOICES = {
    c.package + (f"[{c.extra}]" if c.extra else ""): c
    for r in GOOGLE.rules
    for e in r.eras
    for c in e.choices
}
PATTERNS = sorted({p for c in CHOICES.values() for p in c.patterns})


def contains(text: str, name: str) -> bool:
    return choice_seen(CHOICES[name], text.encode())


# G pkg/python/dependencies_test.go, TestContainsFF / Gunicorn / Uvicorn / Gradio / Streamlit /
# FastAPIStandard / GoogleAdk: (str, package, want), copied row by row
GO_TABLE = [
    ("functions-framework==3.1.0\nflask\n", "functions-framework", True),
    ("functions-framework #my-comment\nflask\n", "functions-framework", True),
    ("flask\nfunctions-framework==3.1.0", "functions-framework", True),
    ("functions-framework-logging==0.1.0\nflask\n", "functions-framework", False),
    (
        "git+git://github.com/functions-framework@master#egg=functions-framework\nflask\n",
        "functions-framework",
        True,
    ),
    ("gunicorn==19.9.0\nflask\n", "gunicorn", True),
    ("gunicorn #my-comment\nflask\n", "gunicorn", True),
    ("flask\ngunicorn==19.9.0", "gunicorn", True),
    ("gunicorn-logging==0.1.0\nflask\n", "gunicorn", False),
    ("git+git://github.com/gunicorn@master#egg=gunicorn\nflask\n", "gunicorn", True),
    (
        "git+git://github.com/gunicorn-logging@master#egg=gunicorn-logging\nflask\n",
        "gunicorn",
        False,
    ),
    ("uvicorn==3.9.0\nfastapi\n", "gunicorn", False),
    ("uvicorn[standard] #my-comment\nfastapi\n", "gunicorn", False),
    ("uvicorn==3.9.0\ngunicorn==19.9.0\nfastapi\n", "gunicorn", True),
    ("fastapi\nuvicorn==3.9.0\ngunicorn==19.9.0", "gunicorn", True),
    ("uvicorn==3.9.0\nfastapi\n", "uvicorn", True),
    ("uvicorn #my-comment\nfastapi\n", "uvicorn", True),
    ("uvicorn[standard] #my-comment\nfastapi\n", "uvicorn", True),
    ("fastapi\nuvicorn==3.9.0", "uvicorn", True),
    ("uvicorn-logging==0.1.0\nfastapi\n", "uvicorn", False),
    ("git+git://github.com/uvicorn@master#egg=uvicorn\nfastapi\n", "uvicorn", True),
    ("gunicorn==19.9.0\nflask\n", "uvicorn", False),
    ("gradio==19.9.0\nfastapi\n", "gradio", True),
    ("gradio-logging==0.1.0\nfastapi\n", "gradio", False),
    ("streamlit #my-comment\nfastapi\n", "streamlit", True),
    ("streamlit-logging==0.1.0\nfastapi\n", "streamlit", False),
    ("fastapi[standard]", "fastapi[standard]", True),
    ("fastapi[standard]==0.1.0", "fastapi[standard]", True),
    ("fastapi[standard] # a comment", "fastapi[standard]", True),
    ("gradio\nfastapi[standard]", "fastapi[standard]", True),
    ("fastapi[standard]-logging==0.1.0\nfastapi\n", "fastapi[standard]", False),
    ("fastapi", "fastapi[standard]", False),
    ("fastapi==0.1.0", "fastapi[standard]", False),
    (
        "git+https://github.com/tiangolo/fastapi.git@master#egg=fastapi[standard]",
        "fastapi[standard]",
        True,
    ),
    ("git+https://github.com/tiangolo/fastapi.git@master#egg=fastapi", "fastapi[standard]", False),
    ("not-fastapi[standard]", "fastapi[standard]", False),
    ("google-adk==0.1.0\nflask\n", "google-adk", True),
    ("google-adk-logging==0.1.0\nflask\n", "google-adk", False),
    ("git+git://github.com/google/adk@master#egg=google-adk\nflask\n", "google-adk", True),
]

# what the regexps `(?m)^NAME\b([^-]|$)` imply beyond Google's own tables (G dependencies.go:30-36)
EDGE_TABLE = [
    ("Gunicorn==23\n", "gunicorn", False),  # case-sensitive
    ("  gunicorn==23\n", "gunicorn", False),  # `^`: column 0 only
    ("\tuvicorn\n", "uvicorn", False),
    ("# gunicorn\n", "gunicorn", False),  # a comment is not at column 0
    ("\ufeffgunicorn==23\n", "gunicorn", False),  # a BOM before line 1 defeats `^`
    ("flask\r\ngunicorn==23\r\n", "gunicorn", True),  # `[^-]` takes the \r
    ("gunicorn\n", "gunicorn", True),  # `$` at the line end
    ("gunicorn", "gunicorn", True),  # `$` at the text end
    ("gunicorn[gevent]==23\n", "gunicorn", True),  # `\b` then `[`
    ("gunicorn_x\n", "gunicorn", False),  # `_` is a word character: no `\b`
    ("gunicorn.ext\n", "gunicorn", True),  # `.` is not: a longer name over-matches
    ("gunicorn-\n", "gunicorn", False),
    ("-r base.txt\n", "gunicorn", False),  # includes are never followed
    ("-e .\n", "uvicorn", False),  # nor `-e .` (pyproject.toml is not read beside it)
    ("x @ git+https://h/x#egg=gunicorn\r\n", "gunicorn", False),  # `#egg=...$` before \r
    ("fastapi[standard,all]\n", "fastapi[standard]", False),
    ("fastapi[ standard ]\n", "fastapi[standard]", False),
]


@pytest.mark.parametrize(("text", "name", "want"), GO_TABLE + EDGE_TABLE)
def test_root_regex_table(text: str, name: str, want: bool) -> None:
    assert contains(text, name) is want
    # RE2 agrees row by row
    assert any(re2.search(p.encode(), text.encode()) for p in CHOICES[name].patterns) is want


FRAGMENTS = [
    "gunicorn", "uvicorn", "fastapi[standard]", "gradio", "streamlit", "google-adk",
    "functions-framework", "Gunicorn", "-", "_", ".", "==1.0", "[gevent]", " ", "\t", "#",
    "#egg=", "\ufeff", "\r", "é", "x", "\x00",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join), max_size=5),
    eol=st.sampled_from(["\n", "\r\n"]),
    pattern=st.sampled_from(PATTERNS),
)
def test_every_catalog_regexp_agrees_with_re2(lines: list[str], eol: str, pattern: str) -> None:
    data = eol.join(lines).encode("utf-8")
    assert bool(go_regex(pattern).search(data)) == bool(re2.search(pattern.encode(), data))


@pytest.mark.parametrize(
    ("content", "want"),
    [
        (None, True),  # no .python-version: the stack's latest, 3.13.* or 3.14.* (python.go:80-84)
        (b"3.13\n", True),
        (b"3.14.0\n", True),
        (b"3.12\n", False),  # versionMatchesSemver(">=3.13.0-0") fails (python.go:157)
        (b"3\n", False),  # semver 3.0.0
    ],
)
def test_python_version_gate(content: bytes | None, want: bool) -> None:
    assert python_runs(content, "3.13", "3.13") is want


def app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def found(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int, str]]:
    report = scan(app(tmp_path, files), platforms=["google"])
    return [(f.rule, f.file, f.line, f.package) for f in report.findings]


ENTRY = "google/entrypoint"
CACHE = "google/dependency-cache"
CASES = [
    # (id, files, expected findings other than the cache's, source)
    (
        "uvicorn-nested-falls-back-to-gunicorn",
        {
            "requirements.txt": "-r base.txt\nfastapi\n",
            "base.txt": "uvicorn==0.30\n",
            "main.py": "",
        },
        [(ENTRY, "base.txt", 1, "uvicorn")],
        "G missing_entrypoint/lib/lib.go:167-173 (uvicorn) and :211 (fallback gunicorn)",
    ),
    (
        "uvicorn-at-root-is-seen",
        {
            "requirements.txt": "-r base.txt\nuvicorn\n",
            "base.txt": "uvicorn==0.30\n",
            "main.py": "",
        },
        [],
        "G dependencies.go:31: bare `uvicorn` at column 0 matches; pip combines it with the pin",
    ),
    (
        "indented-root-line-is-missed",
        {"requirements.txt": "  uvicorn==0.30\n", "main.py": ""},
        [(ENTRY, "requirements.txt", 1, "uvicorn")],
        "G dependencies.go:31 `^` at column 0",
    ),
    (
        "bom-defeats-line-1",
        {"requirements.txt": "\ufeffstreamlit==1.40\n", "main.py": ""},
        [(ENTRY, "requirements.txt", 1, "streamlit")],
        "G dependencies.go:33; pip strips the BOM (pip/_internal/utils/encoding.py)",
    ),
    (
        "case-is-missed",
        {"requirements.txt": "Gradio==5\n", "main.py": ""},
        [(ENTRY, "requirements.txt", 1, "gradio")],
        "G dependencies.go:32 is case-sensitive; pip normalises names (PEP 503)",
    ),
    (
        "gunicorn-nested-same-command-as-fallback",
        {"requirements.txt": "-r base.txt\n", "base.txt": "gunicorn\nuvicorn\n", "main.py": ""},
        [("google/webserver", "base.txt", 1, "gunicorn")],
        "G lib.go:164-165 and :211 give the same command; webserver lib.go:50-58 injects 22.0.0",
    ),
    (
        "gunicorn-nested-uvicorn-at-root",
        {"requirements.txt": "-r base.txt\nuvicorn\n", "base.txt": "gunicorn\n", "main.py": ""},
        [(ENTRY, "base.txt", 1, "gunicorn"), ("google/webserver", "base.txt", 1, "gunicorn")],
        "G lib.go:160-173: gunicorn comes first; unseen, uvicorn decides",
    ),
    (
        "fastapi-standard-extra",
        {
            "requirements.txt": "-r base.txt\n",
            "base.txt": "fastapi[standard]==0.115\n",
            "app.py": "",
        },
        [(ENTRY, "base.txt", 1, "fastapi")],
        "G lib.go:176-181 (fastapi[standard] -> uvicorn), module app:app without main.py (:92-97)",
    ),
    (
        "fastapi-without-standard-decides-nothing",
        {"requirements.txt": "-r base.txt\n", "base.txt": "fastapi==0.115\n", "main.py": ""},
        [],
        "G dependencies.go:34 wants the [standard] extra",
    ),
    (
        "procfile-makes-it-moot",
        {
            "requirements.txt": "-r b.txt\n",
            "b.txt": "uvicorn\n",
            "main.py": "",
            "Procfile": "web: x\n",
        },
        [],
        "G builder.toml.template:224-242: with a Procfile the entrypoint group runs, no webserver",
    ),
    (
        "python-3-12-has-no-smart-default",
        {
            "requirements.txt": "-r b.txt\n",
            "b.txt": "uvicorn\n",
            "main.py": "",
            ".python-version": "3.12\n",
        },
        [],
        "G python.go:148-158 (SupportsSmartDefaultEntrypoint >= 3.13)",
    ),
    (
        "adk-without-main-fails-the-build",
        {"requirements.txt": "-r b.txt\n", "b.txt": "google-adk==1.0\n"},
        [(ENTRY, "b.txt", 1, "google-adk")],
        "G lib.go:79-89: no main.py/app.py and no adk seen is a user error",
    ),
    (
        "functions-framework-nested",
        {"requirements.txt": "-r b.txt\n", "b.txt": "functions-framework==3.8\n", "main.py": ""},
        [("google/functions-framework", "b.txt", 1, "functions-framework")],
        "G functions_framework/lib/lib.go:63-95",
    ),
    (
        "coexistence-requirements-wins",
        {
            "requirements.txt": "-e .\n",
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["uvicorn"]\n',
            "main.py": "",
        },
        # pip installs uvicorn from pyproject.toml (the tree reads the project's metadata), but
        # the regexps read only requirements.txt's text: the fallback gunicorn command
        [(ENTRY, "pyproject.toml", 4, "uvicorn")],
        "G pyproject.go:528-537 IsPyprojectEnabled is false with both files: only the text counts",
    ),
]


@pytest.mark.parametrize(("case", "files", "expected", "source"), CASES, ids=[c[0] for c in CASES])
def test_google_rules(
    case: str,
    files: dict[str, str],
    expected: list[tuple[str, str, int, str]],
    source: str,
    tmp_path: Path,
) -> None:
    got = [f for f in found(tmp_path, files) if f[0] != CACHE]
    assert sorted(got) == sorted(expected), source


def test_fix_is_the_bare_name_and_cures_it(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r base.txt\nfastapi\n",
        "base.txt": "uvicorn==0.30\n",
        "main.py": "",
    }
    repo = app(tmp_path, files)
    report = scan(repo, platforms=["google"])
    [entry] = [f for f in report.findings if f.rule == ENTRY]
    assert entry.fix is not None and entry.fix.text == "uvicorn"
    assert "falls back to `gunicorn -b :8080 main:app`" in entry.message
    apply_fixes(repo, report)
    assert (repo / "requirements.txt").read_text().splitlines()[2] == "uvicorn"
    assert [f.rule for f in scan(repo, platforms=["google"]).findings] == []  # digest written too


def test_cache_finding_per_root_line_that_pulls_in_local_files(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r a.txt\n-c c.txt\n-e .\nsix\nhttps://example.invalid/x.tar.gz\n",
        "a.txt": "six\n",
        "c.txt": "six<2\n",
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n',
    }
    report = scan(app(tmp_path, files), platforms=["google"])
    cache = [(f.line, f.package, f.severity) for f in report.findings if f.rule == CACHE]
    # G python.go:374-387: HashAndCheck over cache.WithFiles(reqs...) (cache.go:127-139), 24 h
    assert cache == [(1, "a.txt", "warning"), (2, "c.txt", "warning"), (3, ".", "warning")]
    message = next(f.message for f in report.findings if f.rule == CACHE)
    assert "24 hours" in message and "skipping installation" in message


def test_no_cache_finding_without_local_files(tmp_path: Path) -> None:
    files = {"requirements.txt": "six\nhttps://example.invalid/x.tar.gz\n"}
    assert found(tmp_path, files) == []
