"""A fix edits the root file every selected platform installs: it must install with the pip
of each selected release, not only of the releases that asked for it. Railpack wants
psycopg2 named in the root; Heroku v42 (pip 1.5.6) is selected too and rejects a project named
twice ("Double requirement given"), so copying the nested line would break that deploy."""

from __future__ import annotations

from pathlib import Path

from heroku_req_check.scan import scan

FILES = {
    "requirements.txt": "-r requirements/base.txt\n",
    "requirements/base.txt": "psycopg2==2.9.10\n",
}


def write(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def postgres_fixes(root: Path, *platforms: str) -> set[tuple[str, object]]:
    report = scan(root, platforms=list(platforms))
    return {
        (f.fix.text, f.fix.remove)
        for f in report.findings
        if f.rule.endswith("/postgres") and f.fix is not None
    }


def test_a_copy_that_another_selected_pip_rejects_is_not_offered(tmp_path: Path) -> None:
    root = write(tmp_path)
    # alone, the current pips of Railpack and Nixpacks accept the name twice: a copy
    assert postgres_fixes(root, "railpack", "nixpacks") == {("psycopg2==2.9.10", None)}
    # with heroku@v42 selected, the edit is one its pip 1.5.6 installs: a comment the
    # substring detectors read (pip ignores it), or the line moved
    [(text, remove)] = postgres_fixes(root, "railpack", "nixpacks", "heroku@v42")
    assert text.startswith("# psycopg2==2.9.10") or remove is not None
