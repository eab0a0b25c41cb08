"""Azure App Service (Oryx): the collectstatic gate, table rows citing the build template, and
the real GNU grep run on the same bytes (as test_shell_oracle.py does for every shell line).

O = microsoft/Oryx @d91d836e, src/BuildScriptGenerator/Python/PythonBashBuildSnippet.sh.tpl
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from heroku_req_check.scan import apply_fixes, scan

GREP = 'grep -iq "Django" requirements.txt'  # O:551, with $REQUIREMENTS_TXT_FILE (O:30-34)


def real_grep(data: bytes, where: Path) -> bool:
    (where / "requirements.txt").write_bytes(data)
    done = subprocess.run(
        ["bash", "-c", f"if {GREP}; then exit 0; else exit 1; fi"],
        cwd=where,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return done.returncode == 0


CASES = [
    # (id, root bytes, other files, expected finding lines, source)
    ("root-pin", b"Django==5.1\n", {}, [], "O:551 matches"),
    ("lowercase", b"django==5.1\n", {}, [], "O:551 -i"),
    (
        "nested",
        b"-r base.txt\n",
        {"base.txt": "Django==5.1\n"},
        [("base.txt", 1)],
        "O:551 root only",
    ),
    (
        "comment-counts",
        b"-r base.txt\n# Django lives in base.txt\n",
        {"base.txt": "Django==5.1\n"},
        [],
        "O:551 substring of the raw bytes, comments included",
    ),
    (
        "django-environ-counts",
        b"-r base.txt\ndjango-environ\n",
        {"base.txt": "Django==5.1\n"},
        [],
        "O:551 substring",
    ),
    (
        "utf-16-never-matches",
        "Django==5.1\r\n".encode("utf-16"),
        {},
        [("requirements.txt", 1)],
        "O:551 greps bytes: UTF-16 interleaves NULs; pip decodes it by its BOM",
    ),
    (
        "no-manage-py",
        b"-r base.txt\n",
        {"base.txt": "Django==5.1\n", "manage.py": None},
        [],
        "O:549 [ -e manage.py ]",
    ),
]


@pytest.mark.parametrize(
    ("case", "root", "others", "expected", "source"), CASES, ids=[c[0] for c in CASES]
)
def test_collectstatic_gate(
    case: str,
    root: bytes,
    others: dict[str, str | None],
    expected: list[tuple[str, int]],
    source: str,
    tmp_path: Path,
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_bytes(root)
    if "manage.py" not in others:
        (app / "manage.py").write_text("")
    for name, text in others.items():
        if text is not None:
            (app / name).write_text(text)
    report = scan(app, platforms=["azure"])
    got = [(f.file, f.line) for f in report.findings if f.rule == "azure/collectstatic"]
    assert got == expected, source
    # the real grep agrees with the model on the root's bytes
    # (without manage.py the grep misses too, but the step never runs: no finding)
    assert real_grep(root, tmp_path) is (not expected and case != "no-manage-py"), source


def test_fix_adds_django_and_cures_it(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r base.txt\n")
    (tmp_path / "base.txt").write_text("django==5.1\n")
    (tmp_path / "manage.py").write_text("")
    report = scan(tmp_path, platforms=["azure"])
    [finding] = report.findings
    assert finding.fix is not None and finding.fix.text == "Django"  # O:571 "Add Django ..."
    apply_fixes(tmp_path, report)
    assert real_grep((tmp_path / "requirements.txt").read_bytes(), tmp_path)
    assert scan(tmp_path, platforms=["azure"]).findings == []


def test_utf16_gets_no_fix_but_advice(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes("Django==5.1\r\n".encode("utf-16"))
    (tmp_path / "manage.py").write_text("")
    [finding] = scan(tmp_path, platforms=["azure"]).findings
    assert finding.fix is None and "Save requirements.txt as UTF-8" in finding.message


def test_custom_requirements_path_is_the_file_grepped(tmp_path: Path) -> None:
    """CUSTOM_REQUIREMENTSTXT_PATH (O:30-34) names the file, like --requirements here:
    microsoft/Oryx#1778 (requirements/production.txt with Django in base.txt)."""
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements/production.txt").write_text("-r base.txt\ngunicorn\n")
    (tmp_path / "requirements/base.txt").write_text("Django==4.1\n")
    (tmp_path / "manage.py").write_text("")
    report = scan(tmp_path, root="requirements/production.txt", platforms=["azure"])
    assert [(f.file, f.line) for f in report.findings] == [("requirements/base.txt", 1)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # O:170-182 uv.lock + pyproject.toml without requirements.txt: `uv sync`, then O:551
        # greps the missing file (exit 2): collectstatic skipped
        ({"pyproject.toml": '[project]\ndependencies = [\n  "Django>=5",\n]\n', "uv.lock": ""}, 3),
        # O:299-330 Poetry
        ({"pyproject.toml": '[tool.poetry.dependencies]\ndjango = "^5"\n'}, 2),
        ({"pyproject.toml": '[project]\ndependencies = ["flask"]\n'}, None),  # not a Django app
    ],
)
def test_uv_and_poetry_django_apps_never_get_collectstatic(
    files: dict[str, str], expected: int | None, tmp_path: Path
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "manage.py").write_text("")
    report = scan(tmp_path, platforms=["azure"])
    got = [(f.file, f.line) for f in report.findings]
    assert got == ([] if expected is None else [("pyproject.toml", expected)])
    if expected is not None:
        assert "POST_BUILD_COMMAND" in report.findings[0].message
        # grep on the missing file exits 2, so O:551's `if` takes the else branch
        done = subprocess.run(["bash", "-c", GREP], cwd=tmp_path, capture_output=True, check=False)
        assert done.returncode == 2
